import { findRoot, integrate } from "@optex/numerics";
import type { Distribution } from "../laws/distribution.ts";
import { TheoryError } from "../theoryError.ts";
import type { BasicEnvironment } from "./basicEnvironment.ts";
import { standardizedLaw } from "../laws/standardizedLaw.ts";
import type { VirtualType } from "./virtualType.ts";

// Theorem 1 without Condition 1: the virtual type ironed (docs/ironing.md).
//
// In quantile space u = F(e), Theorem 1's virtual type is v = e + alpha (u - Lambda(u)) / f(e), where
// Lambda, a distribution function, carries the multipliers of the participation constraints: 0
// below the binding region, 1 above it (the two branches), rising across it. The allocation
// X_i = -vbar(e_i) + (1/N) sum_j vbar(e_j) must be nonincreasing in e, so vbar is v ironed: the slope
// of the greatest convex minorant of H(u) = int_0^u v (Myerson's ironing). With Lambda a unit step
// at a quantile gamma, H has a concave kink at gamma, which the minorant bridges: the bridge is the
// binding region, flat at some level. Interim utility is G(e) = ((N-1)/(N kappa)) int_{e*}^{e}
// (vbar - E[vbar]): participation binds exactly where vbar = E[vbar], so gamma is the quantile at
// which the bridge's level equals E[vbar] = H(1). Everywhere else the minorant pools the types where
// v is not monotone (a bimodal law's dip): flat pieces at other levels, where participation does not
// bind. For a law satisfying Condition 1 the only flat piece is the bridge, and the solution is
// Theorem 1's.

/** A flat piece of the ironed virtual type. */
export interface FlatPiece {
  readonly from: number;
  readonly to: number;
  readonly level: number;
  /** P(e in [from, to]). */
  readonly mass: number;
}

/** Theorem 1's ironed virtual type: ironBranches' solution for the law of endowments (types e, value e). */
export interface IronedVirtualType extends Omit<IronedBranches, "law" | "weight"> {
  readonly dist: Distribution;
  readonly alpha: number;
}

/** Per-trader expectations of the optimal mechanism with an ironed virtual type. */
export interface IronedOutcome {
  readonly revenuePerTrader: number;
  readonly holdingCostPerTrader: number;
  readonly utilityGainPerTrader: number;
  readonly autarkyHoldingCostPerTrader: number;
}

/**
 * What the ironing needs of a law of types x: its density, distribution function and quantiles, and
 * the value whose virtual version is ironed, v = value(x) + weight (u - Lambda(u))/f(x). Theorem 1:
 * x = e and value(e) = e (lawOfEndowments). Theorem 3: x = t, the effective type, value = E[e | t],
 * weight alpha kappa.
 */
export interface IroningLaw {
  readonly id: string;
  /** The support, or a range holding all but ~1e-15 of the mass at an infinite end. */
  readonly lower: number;
  readonly upper: number;
  /** Scale of the type x (root tolerances, cells) and of the value (the level m's bracket). */
  readonly typeScale: number;
  readonly valueScale: number;
  value(x: number): number;
  /** value(x) f(x), formed without dividing by f (tails). */
  valueTimesPdf(x: number): number;
  pdf(x: number): number;
  cdf(x: number): number;
  survival(x: number): number;
  quantile(u: number): number;
  cdfOverPdf(x: number): number;
  survivalOverPdf(x: number): number;
}

/** Theorem 1's law: types are endowments and the value is the endowment itself. */
export function lawOfEndowments(dist: Distribution): IroningLaw {
  const sd = Math.sqrt(dist.variance);
  return {
    id: dist.id,
    lower: dist.lower,
    upper: dist.upper,
    typeScale: sd,
    valueScale: sd,
    value: (e) => e,
    valueTimesPdf: (e) => e * dist.pdf(e),
    pdf: dist.pdf,
    cdf: dist.cdf,
    survival: dist.survival,
    quantile: dist.quantile,
    cdfOverPdf: dist.cdfOverPdf,
    survivalOverPdf: dist.survivalOverPdf,
  };
}

/** The ironed virtual type of an IroningLaw, v = value(x) + weight (u - Lambda(u))/f(x) ironed. */
export interface IronedBranches {
  readonly law: IroningLaw;
  readonly weight: number;
  /** Quantile cells of the solve (midpoint rule): accuracy of order 1/grid in quantile. */
  readonly grid: number;
  /** Where participation binds: the flat piece at level E[vbar]. */
  readonly bindingRegion: FlatPiece;
  /** The other flat pieces: types pooled by ironing, participation slack. */
  readonly pooled: readonly FlatPiece[];
  readonly meanVirtualType: number;
  readonly varianceVirtualType: number;
  /**
   * Whether the pieces' ends and levels were refined from the grid to the exact conditions (a
   * pooled piece: psi = level at both ends and equal areas, int (psi - level) dF = 0; the binding
   * piece: psi = E[vbar] at both ends), with moments by adaptive quadrature (1e-11 relative). When
   * false, the grid's values stand (accuracy of order 1/grid in quantile).
   */
  readonly refined: boolean;
  /** The ironed virtual type at x (nondecreasing). */
  v(x: number): number;
}

interface Grid {
  readonly K: number;
  /** Types at the cells' midpoints, their values and densities. */
  readonly x: Float64Array;
  readonly e: Float64Array;
  readonly f: Float64Array;
}

function quantileGrid(law: IroningLaw, K: number): Grid {
  const x = new Float64Array(K);
  const e = new Float64Array(K);
  const f = new Float64Array(K);
  for (let k = 0; k < K; k++) {
    x[k] = law.quantile((k + 0.5) / K);
    e[k] = law.value(x[k]!);
    f[k] = law.pdf(x[k]!);
  }
  return { K, x, e, f };
}

/** vbar per cell for the multiplier step at quantile gamma, and E[vbar] = H(1). */
function ironAt(grid: Grid, alpha: number, gamma: number): { vbar: Float64Array; mean: number } {
  const { K, e, f } = grid;
  const du = 1 / K;
  const H = new Float64Array(K + 1);
  for (let k = 0; k < K; k++) {
    const u = (k + 0.5) / K;
    H[k + 1] = H[k]! + (e[k]! + (alpha * (u - (u > gamma ? 1 : 0))) / f[k]!) * du;
  }
  // Greatest convex minorant of the points (k, H[k]): the lower hull (monotone chain).
  const hull = new Int32Array(K + 1);
  let n = 0;
  for (let k = 0; k <= K; k++) {
    while (n >= 2) {
      const a = hull[n - 2]!;
      const b = hull[n - 1]!;
      if ((H[b]! - H[a]!) * (k - b) >= (H[k]! - H[b]!) * (b - a)) n--;
      else break;
    }
    hull[n++] = k;
  }
  const vbar = new Float64Array(K);
  for (let i = 1; i < n; i++) {
    const a = hull[i - 1]!;
    const b = hull[i]!;
    const slope = (H[b]! - H[a]!) / ((b - a) * du);
    for (let k = a; k < b; k++) vbar[k] = slope;
  }
  return { vbar, mean: H[K]! };
}

/**
 * Theorem 1's optimal virtual type for any law, ironed where Condition 1 fails, on `grid` quantile
 * cells (default 20,000), then refined to the exact conditions (unless `refineOnGrid` is false). The multiplier's quantile gamma is found by a scan of 400 values and
 * bisection on "level of the bridge at gamma - E[vbar]". Throws TheoryError for alpha outside [0, 1]
 * or when no gamma balances.
 */
export function ironVirtualType(dist: Distribution, alpha: number, grid = 20_000, refineOnGrid = true): IronedVirtualType {
  if (!(alpha >= 0 && alpha <= 1)) throw new TheoryError(`alpha must be in [0, 1], got ${alpha}`);
  const { law: _law, weight: _weight, ...solution } = ironBranches(lawOfEndowments(dist), alpha, grid, refineOnGrid);
  return { ...solution, dist, alpha };
}

/**
 * ironVirtualType for any IroningLaw: the grid solve (a scan of 400 multiplier quantiles and
 * bisection), then the refinement to the exact conditions (unless `refineOnGrid` is false; if it
 * fails to bracket, the grid's solution stands with refined: false). Throws TheoryError when no
 * binding region balances.
 */
export function ironBranches(law: IroningLaw, alpha: number, grid = 20_000, refineOnGrid = true): IronedBranches {
  if (!(alpha >= 0)) throw new TheoryError(`the ironing weight must be >= 0, got ${alpha}`);
  if (!(Number.isInteger(grid) && grid >= 100)) throw new TheoryError(`grid must be an integer >= 100, got ${grid}`);
  const g = quantileGrid(law, grid);
  const gap = (gamma: number) => {
    const r = ironAt(g, alpha, gamma);
    return r.vbar[Math.min(grid - 1, Math.floor(gamma * grid))]! - r.mean;
  };
  const STEPS = 400;
  let a = Number.NaN;
  let b = Number.NaN;
  let previous = gap(0.5 / STEPS);
  for (let i = 1; i < STEPS; i++) {
    const gamma = (i + 0.5) / STEPS;
    const d = gap(gamma);
    if (previous <= 0 && d >= 0) {
      a = (i - 0.5) / STEPS;
      b = gamma;
      break;
    }
    previous = d;
  }
  if (Number.isNaN(a)) throw new TheoryError(`ironing: no binding region balances for ${law.id} at weight ${alpha}`);
  for (let it = 0; it < 60 && b - a > 0.25 / grid; it++) {
    const mid = 0.5 * (a + b);
    if (gap(mid) <= 0) a = mid;
    else b = mid;
  }
  const gamma = 0.5 * (a + b);
  const { vbar, mean } = ironAt(g, alpha, gamma);
  // Flat pieces: runs of equal vbar over at least two cells.
  const pieces: FlatPiece[] = [];
  let start = 0;
  for (let k = 1; k <= grid; k++) {
    if (k === grid || vbar[k] !== vbar[start]) {
      if (k - start >= 2) pieces.push({ from: g.x[start]!, to: g.x[k - 1]!, level: vbar[start]!, mass: (k - start) / grid });
      start = k;
    }
  }
  const cellOf = Math.min(grid - 1, Math.floor(gamma * grid));
  const binding = pieces.find((p) => p.from <= g.x[cellOf]! && g.x[cellOf]! <= p.to) ?? {
    from: g.x[cellOf]!,
    to: g.x[cellOf]!,
    level: mean,
    mass: 0,
  };
  let m2 = 0;
  for (let k = 0; k < grid; k++) m2 += (vbar[k]! - mean) ** 2 / grid;
  const eGamma = g.x[cellOf]!;
  const pooled = pieces.filter((p) => p !== binding);
  const gridSolution: IronedBranches = {
    law,
    weight: alpha,
    grid,
    bindingRegion: binding,
    pooled,
    meanVirtualType: mean,
    varianceVirtualType: m2,
    refined: false,
    v: virtualTypeOf(law, alpha, [binding, ...pooled], eGamma),
  };
  if (!refineOnGrid) return gridSolution;
  try {
    return refine(gridSolution);
  } catch (error) {
    if (process.env.OPTEX_DEBUG_IRONING) console.error(error);
    return gridSolution;
  }
}

/** vbar at e: a piece's level inside it, else the branch of its side of the binding region. */
function virtualTypeOf(law: IroningLaw, alpha: number, pieces: readonly FlatPiece[], split: number): (e: number) => number {
  return (e: number) => {
    for (const p of pieces) if (e >= p.from && e <= p.to) return p.level;
    return e <= split ? law.value(e) + alpha * law.cdfOverPdf(e) : law.value(e) - alpha * law.survivalOverPdf(e);
  };
}

const QUAD = { absTol: 1e-14, relTol: 1e-11, maxSubdivisions: 4000 };

/** The support's ends, or the 1e-15 quantiles of an unbounded side (the mass beyond is below rounding). */
function supportOf(dist: { lower: number; upper: number; quantile(u: number): number }): [number, number] {
  return [
    Number.isFinite(dist.lower) ? dist.lower : dist.quantile(1e-15),
    Number.isFinite(dist.upper) ? dist.upper : dist.quantile(1 - 1e-15),
  ];
}

/** Sum of integrals of fn between consecutive breaks (every kink or end of a piece is a break). */
function integrateBetween(fn: (x: number) => number, breaks: readonly number[]): number {
  const xs = [...breaks].sort((a, b) => a - b);
  let total = 0;
  for (let i = 1; i < xs.length; i++) if (xs[i]! > xs[i - 1]!) total += integrate(fn, xs[i - 1]!, xs[i]!, QUAD).value;
  return total;
}

/** A root of h near `guess` within [lo, hi], bracketed by widening steps of `step`. */
function rootNear(h: (x: number) => number, guess: number, step: number, lo: number, hi: number): number {
  for (let width = step; width <= hi - lo; width *= 2) {
    const a = Math.max(lo, guess - width);
    const b = Math.min(hi, guess + width);
    if (h(a) * h(b) <= 0) return findRoot(h, a, b, { absoluteTolerance: 1e-14 * (1 + Math.abs(guess)) });
    if (a === lo && b === hi) break;
  }
  throw new TheoryError("ironing: a piece's end did not refine");
}

/** The root of h in [a, b] (a sign change required: else the refinement gives way to the grid). */
function rootIn(h: (x: number) => number, [a, b]: readonly [number, number]): number {
  const ha = h(a);
  const hb = h(b);
  if (!(ha * hb <= 0)) {
    if (process.env.OPTEX_DEBUG_IRONING) console.error("rootIn", a, b, ha, hb);
    throw new TheoryError("ironing: no sign change where a piece should end");
  }
  return findRoot(h, a, b, { absoluteTolerance: 1e-14 * (1 + Math.abs(a) + Math.abs(b)) });
}

/**
 * The grid solution refined to the exact conditions: pooled pieces first (their ends and level
 * solve psi(a) = psi(b) = L with equal areas; they do not move E[vbar], since int psi dF = L mass
 * over each), then the binding region by Brent on m in E[vbar](m) - m (slope F(eB) - F(eA) - 1 < 0,
 * as in Theorem 1's solve).
 */
function refine(s: IronedBranches): IronedBranches {
  const { law: dist, weight: alpha } = s;
  const [lo, hi] = supportOf(dist);
  const sd = dist.typeScale;
  const cell = (x: number) =>
    Math.max(1e-9 * sd, (sd * 4) / s.grid, Math.abs(dist.quantile(Math.min(1 - 1e-12, dist.cdf(x) + 2 / s.grid)) - x));
  const psiL = (e: number) => dist.value(e) + alpha * dist.cdfOverPdf(e);
  const psiU = (e: number) => dist.value(e) - alpha * dist.survivalOverPdf(e);
  const pooled = s.pooled.map((p) => {
    const lower = p.to < s.bindingRegion.from;
    const psi = lower ? psiL : psiU;
    const mid = 0.5 * (p.from + p.to);
    // Each end is sought within 8 grid cells of the grid's end (and on its own side of the middle).
    const windowA: [number, number] = [Math.max(lo, p.from - 8 * cell(p.from)), Math.min(mid, p.from + 8 * cell(p.from))];
    const windowB: [number, number] = [Math.max(mid, p.to - 8 * cell(p.to)), Math.min(hi, p.to + 8 * cell(p.to))];
    // Parametrised by the end where psi is flatter (x there, the level psi(x), the other end where psi
    // returns to it): the equal-area condition is then one equation in x.
    const change = (x: number) => Math.min(Math.abs(psi(x + cell(x)) - psi(x)), Math.abs(psi(x) - psi(x - cell(x))));
    const byLeft = p.from > lo && (p.to >= hi || change(p.from) <= change(p.to));
    const ends = (x: number) => {
      const L = psi(x);
      if (byLeft) return { a: x, b: p.to >= hi ? hi : rootIn((e) => psi(e) - L, windowB), L };
      return { a: p.from <= lo ? lo : rootIn((e) => psi(e) - L, windowA), b: x, L };
    };
    // int_a^b (psi - L) f de, with psi f = e f + alpha F (lower) or e f - alpha (1 - F) (upper): no 1/f.
    const area = (x: number) => {
      const { a, b, L } = ends(x);
      return integrateBetween(
        (e) => dist.valueTimesPdf(e) - L * dist.pdf(e) + (lower ? alpha * dist.cdf(e) : -alpha * dist.survival(e)),
        [a, b],
      );
    };
    const x = rootIn(area, byLeft ? windowA : windowB);
    const { a: from, b: to, L: level } = ends(x);
    return { from, to, level, mass: dist.cdf(to) - dist.cdf(from) };
  });
  const bindingEnds = (m: number) => {
    const b0 = s.bindingRegion;
    const a = b0.from <= lo ? lo : rootNear((e) => psiL(e) - m, b0.from, cell(b0.from), lo, hi);
    const b = b0.to >= hi ? hi : rootNear((e) => psiU(e) - m, b0.to, cell(b0.to), lo, hi);
    return [a, b] as const;
  };
  // E[vbar] = int_lo^a psi_L dF + m (F(b) - F(a)) + int_b^hi psi_U dF (pooled pieces keep their area).
  const meanOf = (m: number) => {
    const [a, b] = bindingEnds(m);
    const below = integrateBetween(
      (e) => dist.valueTimesPdf(e) + alpha * dist.cdf(e),
      [lo, a, ...pooled.filter((p) => p.to <= a).flatMap((p) => [p.from, p.to])],
    );
    const above = integrateBetween(
      (e) => dist.valueTimesPdf(e) - alpha * dist.survival(e),
      [b, hi, ...pooled.filter((p) => p.from >= b).flatMap((p) => [p.from, p.to])],
    );
    return below + m * (dist.cdf(b) - dist.cdf(a)) + above;
  };
  const width = Math.max(Math.abs(s.meanVirtualType) * 1e-3, 1e-3 * dist.valueScale);
  const m = rootNear((x) => meanOf(x) - x, s.meanVirtualType, width, s.meanVirtualType - 100 * width, s.meanVirtualType + 100 * width);
  const [a, b] = bindingEnds(m);
  const binding = { from: a, to: b, level: m, mass: dist.cdf(b) - dist.cdf(a) };
  const v = virtualTypeOf(dist, alpha, [binding, ...pooled], (a + b) / 2);
  const breaks = [lo, hi, a, b, ...pooled.flatMap((p) => [p.from, p.to])];
  const variance = integrateBetween((e) => (v(e) - m) ** 2 * dist.pdf(e), breaks);
  return { ...s, bindingRegion: binding, pooled, meanVirtualType: m, varianceVirtualType: variance, refined: true, v };
}

/**
 * Per-trader expectations of Theorem 1's mechanism with an ironed virtual type, by adaptive
 * quadrature between the pieces' ends: X_i = -vbar_i + mean_j vbar_j, so E[X^2] = ((N-1)/N) Var[vbar]
 * and E[(e - mu) X] = -((N-1)/N) Cov(e, vbar); the utility gain G(e) = ((N-1)/(N kappa)) int (vbar - m)
 * from the binding region (zero on it), in expectation by Fubini: ((N-1)/(N kappa)) [int_{eB} (vbar - m)
 * (1 - F) + int^{eA} (m - vbar) F]; revenue closes the identity revenue = autarky - holding - gain.
 */
export function ironedOutcome(env: BasicEnvironment, ironed: IronedVirtualType): IronedOutcome {
  const { traders: N, kappa, dist } = env;
  const [lo, hi] = supportOf(dist);
  const m = ironed.meanVirtualType;
  const mu = dist.mean;
  const { from: eA, to: eB } = ironed.bindingRegion;
  const breaks = [lo, hi, eA, eB, ...ironed.pooled.flatMap((p) => [p.from, p.to])];
  const v = ironed.v;
  const cov = integrateBetween((e) => (e - mu) * (v(e) - m) * dist.pdf(e), breaks);
  const share = (N - 1) / N;
  const autarky = (dist.variance + mu * mu) / (2 * kappa);
  const holding = autarky + (-2 * share * cov + share * ironed.varianceVirtualType) / (2 * kappa);
  const above = integrateBetween(
    (e) => (v(e) - m) * dist.survival(e),
    breaks.filter((x) => x >= eB),
  );
  const below = integrateBetween(
    (e) => (m - v(e)) * dist.cdf(e),
    breaks.filter((x) => x <= eA),
  );
  const gain = (share / kappa) * (above + below);
  return {
    revenuePerTrader: autarky - holding - gain,
    holdingCostPerTrader: holding,
    utilityGainPerTrader: gain,
    autarkyHoldingCostPerTrader: autarky,
  };
}

/**
 * Theorem 1's virtual type for a law that fails Condition 1, as a VirtualType: ironed on the
 * standardized law (v is equivariant: v_e(mu + sigma z) = mu + sigma v_z(z)) and mapped back. Its
 * `pooledLevels` are where v^{-1} jumps besides the binding region (Proposition 3's fee evaluates
 * B exactly around them). Throws TheoryError when the ironing does not balance.
 */
export function ironedVirtualType(dist: Distribution, alpha: number): VirtualType {
  const zLaw = standardizedLaw(dist);
  const zi = ironVirtualType(zLaw, alpha);
  const z = asVirtualType(zLaw, alpha, zi, 0, 1, undefined);
  return asVirtualType(dist, alpha, zi, dist.mean, Math.sqrt(dist.variance), z);
}

/** The ironed solution on the standardized law as a VirtualType of the law e = location + scale z. */
function asVirtualType(
  dist: Distribution,
  alpha: number,
  zi: IronedVirtualType,
  location: number,
  scale: number,
  standardized: VirtualType | undefined,
): VirtualType {
  const toE = (t: number) => location + scale * t;
  const zLaw = zi.dist;
  const [zLo, zHi] = [
    Number.isFinite(zLaw.lower) ? zLaw.lower : zLaw.quantile(1e-16),
    Number.isFinite(zLaw.upper) ? zLaw.upper : zLaw.quantile(1 - 1e-16),
  ];
  const vz = zi.v;
  // v^{-1}: the least z with v(z) >= s (the left end of a flat piece), clamped to the support.
  const vInverseZ = (s: number): number => {
    if (s <= vz(zLo)) return Number.isFinite(zLaw.lower) ? zLaw.lower : zLo;
    if (s >= vz(zHi)) return Number.isFinite(zLaw.upper) ? zLaw.upper : zHi;
    let a = zLo;
    let b = zHi;
    for (let it = 0; it < 200 && b - a > 1e-15 * (1 + Math.abs(a) + Math.abs(b)); it++) {
      const mid = 0.5 * (a + b);
      if (vz(mid) >= s) b = mid;
      else a = mid;
    }
    return b;
  };
  const m = location + scale * zi.meanVirtualType;
  const vt: VirtualType & { pooledLevels: readonly number[] } = {
    dist,
    alpha,
    eA: toE(zi.bindingRegion.from),
    eB: toE(zi.bindingRegion.to),
    meanVirtualType: m,
    flatLevel: m,
    flatMass: zi.bindingRegion.mass,
    varianceVirtualType: scale * scale * zi.varianceVirtualType,
    v: (e: number) => location + scale * vz((e - location) / scale),
    vInverse: (s: number) => {
      const t = vInverseZ((s - location) / scale);
      return t <= zLaw.lower ? dist.lower : t >= zLaw.upper ? dist.upper : toE(t);
    },
    get standardized() {
      return standardized ?? vt;
    },
    location,
    scale,
    condition1Holds: false,
    ironingRefined: zi.refined,
    pooled: zi.pooled.map((p) => ({ from: toE(p.from), to: toE(p.to), level: location + scale * p.level, mass: p.mass })),
    // Where v^{-1} jumps or ends a flat stretch: each piece's level and, where the grid's pieces were
    // not refined (v may then step at a piece's end), the branch values just outside its ends.
    pooledLevels: [...zi.pooled, ...(zi.refined ? [] : [zi.bindingRegion])].flatMap((p) =>
      [p.level, ...(zi.refined ? [] : [vz(p.from - 1e-12 * (1 + Math.abs(p.from))), vz(p.to + 1e-12 * (1 + Math.abs(p.to)))])].map(
        (level) => location + scale * level,
      ),
    ),
  };
  return vt;
}

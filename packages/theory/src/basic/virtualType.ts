import { findRootExpanding, nextUp, PiecewiseQuadratic, type QuadraticPiece } from "@optex/numerics";
import { checkCondition1 } from "./condition1.ts";
import { ironedVirtualType } from "./ironing.ts";
import { integrateOverUnitLaw } from "./lawQuadrature.ts";
import type { Distribution } from "../laws/distribution.ts";
import { standardizedLaw } from "../laws/standardizedLaw.ts";
import { TheoryError } from "../theoryError.ts";

/** The optimal mechanism's virtual type (Theorem 1) for one law of endowments and weight alpha. */
export interface VirtualType {
  readonly dist: Distribution;
  readonly alpha: number;
  /** The binding region [eA, eB] where participation binds and v is flat. */
  readonly eA: number;
  readonly eB: number;
  /** E[v(e)]; in Theorem 1 it is also the level of v on [eA, eB]. */
  readonly meanVirtualType: number;
  /** The level of v on [eA, eB] (Theorem 1: E[v]; Theorem 5: kappa_i sum_{j != i} E[v_j] / sum_{j != i} kappa_j). */
  readonly flatLevel: number;
  /** P(e in [eA, eB]): the atom of v(e) at m. */
  readonly flatMass: number;
  readonly varianceVirtualType: number;
  /** v(e): e + alpha F/f below eA, m on [eA, eB], e - alpha (1-F)/f above eB. */
  v(e: number): number;
  /**
   * v^{-1}(s), clamped to the support outside the range of v. On the flat level v^{-1}(m) is the
   * whole interval [eA, eB]; this returns eA there.
   */
  vInverse(s: number): number;
  /**
   * v exactly as a piecewise polynomial, when it is one: alpha = 0 (v(e) = e) or a law declaring
   * its ratios exactly (Distribution.ratioPieces, e.g. uniform). Same values as v() to rounding,
   * for hot loops (no closures through the law's functions).
   */
  readonly vPieces?: PiecewiseQuadratic;
  /**
   * K(l) = int_{flatLevel}^{l} v^{-1}(s) ds (v^{-1} clamped to the support outside the range of v)
   * exactly, when vPieces is piecewise linear: K is then piecewise quadratic, with breaks where v^{-1}
   * jumps or kinks. The exact form of inverseVirtualTypeIntegral's tables, used by the Proposition 3 fee.
   */
  readonly inverseIntegralPieces?: PiecewiseQuadratic;
  /** The same mechanism for the standardized law of z = (e - location)/scale (unit-scale numerics). */
  readonly standardized: VirtualType;
  /** mu_e and sigma_e: e = location + scale z. */
  readonly location: number;
  readonly scale: number;
  /** False when Condition 1 fails and v is ironed (docs/ironing.md); absent or true otherwise. */
  readonly condition1Holds?: boolean;
  /** For an ironed v: whether the pieces were refined to the exact conditions (false: the grid's solution, accuracy ~1/20,000 in quantile). */
  readonly ironingRefined?: boolean;
  /** Pieces pooled by ironing (flat, participation slack), when Condition 1 fails. */
  readonly pooled?: readonly { readonly from: number; readonly to: number; readonly level: number; readonly mass: number }[];
  /** The levels of `pooled`: where v^{-1} jumps besides the flat level. */
  readonly pooledLevels?: readonly number[];
}

/** Tolerances of the Theorem 1 solve: quadrature (relative 1e-12) and the root in m (1e-13 sigma_e). */
const QUAD = { absTol: 1e-15, relTol: 1e-12, maxSubdivisions: 4000 };

/**
 * Solves Theorem 1's three equations in (eA, eB, E[v]) for any law satisfying Condition 1.
 * For a trial level m, eA(m) and eB(m) are where the two branches of v equal m; then
 * g(m) = E[v_m(e)] - m has slope F(eB) - F(eA) - 1 < 0, so its unique root is E[v].
 * The solve runs on the standardized law z = (e - mu)/sigma (v is equivariant:
 * v_e(mu + sigma z) = mu + sigma v_z(z)), so tolerances are relative to sigma whatever the units.
 * Where Condition 1 fails, the virtual type is ironed (ironedVirtualType). Throws TheoryError when
 * alpha is outside [0, 1] or the law has no finite variance.
 */
export function solveVirtualType(dist: Distribution, alpha: number): VirtualType {
  checkMoments(dist, alpha);
  // Without Condition 1, Theorem 1's v is ironed (docs/ironing.md).
  if (!checkCondition1(dist, alpha).holds) return ironedVirtualType(dist, alpha);
  return inUserUnits(dist, alpha, solveStandard(standardizedLaw(dist), alpha));
}

/** Validates alpha and the law's moments; throws TheoryError. */
function checkMoments(dist: Distribution, alpha: number): void {
  if (!(alpha >= 0 && alpha <= 1)) throw new TheoryError(`alpha must be in [0, 1], got ${alpha}`);
  if (!(Number.isFinite(dist.mean) && dist.variance > 0 && Number.isFinite(dist.variance))) {
    throw new TheoryError(`the law ${dist.id} needs a finite mean and a finite variance > 0`);
  }
}

/**
 * Theorem 1's construction with any weight w >= 0 on the hazard-rate terms (not only alpha in
 * [0, 1]): Theorem 3's virtual type is an affine image of it with w = alpha / (signal weight).
 * Throws TheoryError when Condition 1 fails at that weight.
 */
export function solveVirtualTypeWithWeight(dist: Distribution, weight: number): VirtualType {
  if (!(weight >= 0 && Number.isFinite(weight))) throw new TheoryError(`the hazard weight must be a finite number >= 0, got ${weight}`);
  const condition = checkCondition1(dist, weight);
  if (!condition.holds) throw new TheoryError(`Condition 1 fails for ${dist.id} at weight ${weight}`);
  const alpha = weight;
  const vt = inUserUnits(dist, alpha, solveStandard(standardizedLaw(dist), alpha));
  // Large weights (alpha/w under adverse selection) pool almost all the mass; once the tails beyond
  // the flat region underflow, the branches are no longer computable (the region turns asymmetric).
  const tails = (vt.eA > dist.lower ? dist.cdf(vt.eA) : 0) + (vt.eB < dist.upper ? dist.survival(vt.eB) : 0);
  if (weight > 0 && !(tails >= MIN_TAIL_MASS) && !(vt.eA <= dist.lower && vt.eB >= dist.upper)) {
    throw new TheoryError(
      `at hazard weight ${weight.toPrecision(4)} the binding region holds all but ${tails.toExponential(1)} of the mass, beyond double precision (no trade in effect); under adverse selection lower sigma-zeta or alpha`,
    );
  }
  return vt;
}

/** Smallest tail mass beyond the flat region that double precision resolves (densities there are ~1e-250 or more). */
const MIN_TAIL_MASS = 1e-250;

/** Validates alpha and the law, and checks Condition 1 (Theorem 5, heterogeneous traders: not ironed); throws TheoryError. */
export function checkLawAndAlpha(dist: Distribution, alpha: number): void {
  if (!(alpha >= 0 && alpha <= 1)) throw new TheoryError(`alpha must be in [0, 1], got ${alpha}`);
  if (!(Number.isFinite(dist.mean) && dist.variance > 0 && Number.isFinite(dist.variance))) {
    throw new TheoryError(`the law ${dist.id} needs a finite mean and a finite variance > 0`);
  }
  const condition = checkCondition1(dist, alpha);
  if (!condition.holds) {
    throw new TheoryError(
      `Condition 1 fails for ${dist.id} at alpha=${alpha}: ${condition.violation!.branch} decreases near e=${condition.violation!.at.toPrecision(6)} (ironing covers identical traders, the basic model; heterogeneous traders need Condition 1)`,
    );
  }
}

/** Maps a virtual type solved on the standardized law back to the law's own units. */
export function inUserUnits(dist: Distribution, alpha: number, z: VirtualType): VirtualType {
  const mu = dist.mean;
  const sigma = Math.sqrt(dist.variance);
  if (mu === 0 && sigma === 1 && z.dist === dist) return z;
  // Support ends map exactly (not through rounding).
  const zLaw = z.dist;
  const toE = (t: number) => (t <= zLaw.lower ? dist.lower : t >= zLaw.upper ? dist.upper : mu + sigma * t);
  const eA = alpha === 0 ? mu + sigma * z.eA : toE(z.eA);
  const eB = alpha === 0 ? mu + sigma * z.eB : toE(z.eB);
  const level = mu + sigma * z.flatLevel;
  // v in the user's units straight from the law's ratios.
  const v = virtualTypeFunction(dist, alpha, eA, eB, level);
  const vPieces = virtualTypePieces(dist, alpha, eA, eB, level);
  return {
    dist,
    alpha,
    eA,
    eB,
    flatLevel: level,
    meanVirtualType: mu + sigma * z.meanVirtualType,
    flatMass: z.flatMass,
    varianceVirtualType: sigma * sigma * z.varianceVirtualType,
    v,
    vInverse: (s: number) => (alpha === 0 ? Math.min(Math.max(s, dist.lower), dist.upper) : toE(z.vInverse((s - mu) / sigma))),
    ...exactForms(vPieces, dist, level),
    standardized: z,
    location: mu,
    scale: sigma,
  };
}

/** Theorem 1's solve on a law of unit scale (any law works; tolerances assume sigma ~ 1). */
function solveStandard(dist: Distribution, alpha: number): VirtualType {
  const branches = branchesOf(dist, alpha);
  const m =
    alpha === 0
      ? dist.mean
      : findRootExpanding(branches.excessMean, dist.mean, Math.sqrt(dist.variance), -Infinity, Infinity, {
          absoluteTolerance: 1e-13 * Math.sqrt(dist.variance),
        });
  return standardAtLevel(dist, alpha, m, branches, 0);
}

/**
 * The two branches of v for a law of unit scale and, for a trial flat level L, where they meet it
 * (eA(L), eB(L)) and E[v_L] - L, the excess of the mean of v over the level. d/dL (E[v_L] - L) =
 * F(eB) - F(eA) - 1 < 0.
 */
export interface Branches {
  lower(e: number): number;
  upper(e: number): number;
  eAOf(level: number): number;
  eBOf(level: number): number;
  excessMean(level: number): number;
}

export function branchesOf(dist: Distribution, alpha: number): Branches {
  const { lower: L, upper: U } = dist;
  const sigma = Math.sqrt(dist.variance);
  const lowerBranch = alpha === 0 ? (e: number) => e : (e: number) => e + alpha * dist.cdfOverPdf(e);
  const upperBranch = alpha === 0 ? (e: number) => e : (e: number) => e - alpha * dist.survivalOverPdf(e);
  // Ranges of the branches on the support (at a finite end F/f = 0, (1-F)/f = 1/f, and vice versa).
  const lowerAtL = Number.isFinite(L) ? L : -Infinity;
  const lowerAtU = Number.isFinite(U) ? lowerBranch(U) : Infinity;
  const upperAtL = Number.isFinite(L) ? upperBranch(L) : -Infinity;
  const upperAtU = Number.isFinite(U) ? U : Infinity;
  const solveBranch = (branch: (e: number) => number, s: number, atL: number, atU: number): number => {
    if (s <= atL) return L;
    if (s >= atU) return U;
    // Start within a sd of the law's mean and widen geometrically: a level many sds away (Theorem 5)
    // can have its root near the law (the branch far from e) or near the level, and a bracket grown
    // from the level itself by steps of sigma would not move once sigma is below its ulp. The
    // tolerance is relative to the root, not to the level.
    const mean = dist.mean;
    const near = Math.min(Math.max(s, mean - sigma), mean + sigma);
    const guess = Math.min(Math.max(near, Number.isFinite(L) ? L : near), Number.isFinite(U) ? U : near);
    return findRootExpanding((e) => branch(e) - s, guess, sigma, L, U, { absoluteTolerance: 1e-14 * sigma, relativeTolerance: 1e-14 });
  };
  const eAOf = (m: number) => solveBranch(lowerBranch, m, lowerAtL, lowerAtU);
  const eBOf = (m: number) => solveBranch(upperBranch, m, upperAtL, upperAtU);
  const excessMean = (trial: number) => {
    const a = eAOf(trial);
    const b = eBOf(trial);
    const below = a > L ? integrateOverUnitLaw((e) => e * dist.pdf(e) + alpha * dist.cdf(e), L, a, QUAD) : 0;
    const above = b < U ? integrateOverUnitLaw((e) => e * dist.pdf(e) - alpha * dist.survival(e), b, U, QUAD) : 0;
    return below + above - trial * (dist.cdf(a) + dist.survival(b));
  };
  return { lower: lowerBranch, upper: upperBranch, eAOf, eBOf, excessMean };
}

/**
 * v on a law of unit scale with flat level `level` (Theorem 1: level = E[v]; Theorem 5: the level
 * that makes trader i's interim trade zero). `excess` = E[v] - level when already known.
 */
export function standardAtLevel(dist: Distribution, alpha: number, level: number, branches: Branches, excess?: number): VirtualType {
  const { lower: L, upper: U } = dist;
  const m = level;
  const clampLevel = Math.min(Math.max(level, L), U);
  const eA = alpha === 0 ? clampLevel : branches.eAOf(m);
  const eB = alpha === 0 ? clampLevel : branches.eBOf(m);
  const lowerBranch = branches.lower;
  const upperBranch = branches.upper;
  const v = virtualTypeFunction(dist, alpha, eA, eB, m);
  const vPieces = virtualTypePieces(dist, alpha, eA, eB, m);
  const meanExcess = excess ?? (alpha === 0 ? dist.mean - level : branches.excessMean(level));
  // E[(v - E v)^2] about the mean itself: about the level, E[(v - level)^2] - (E v - level)^2 loses
  // every digit when the level lies many sds from the law (Theorem 5's flat levels can).
  const meanV = level + meanExcess;
  const flatMass = alpha === 0 ? 0 : dist.cdf(eB) - dist.cdf(eA);
  const varianceVirtualType =
    (eA > L ? integrateOverUnitLaw((e) => (lowerBranch(e) - meanV) ** 2 * dist.pdf(e), L, eA, QUAD) : 0) +
    (eB < U ? integrateOverUnitLaw((e) => (upperBranch(e) - meanV) ** 2 * dist.pdf(e), eB, U, QUAD) : 0) +
    (flatMass > 0 ? flatMass * (m - meanV) ** 2 : 0);
  const vInverse =
    alpha === 0 ? (s: number) => Math.min(Math.max(s, L), U) : (s: number) => (s < m ? branches.eAOf(s) : s > m ? branches.eBOf(s) : eA);
  return {
    dist,
    alpha,
    eA,
    eB,
    flatLevel: level,
    meanVirtualType: meanV,
    flatMass,
    varianceVirtualType,
    v,
    vInverse,
    ...exactForms(vPieces, dist, m),
    get standardized() {
      return this;
    },
    location: 0,
    scale: 1,
  };
}

/**
 * v(e) = e + alpha F/f below eA, the level on [eA, eB], e - alpha (1-F)/f above eB, as one flat
 * closure over the law's ratio functions (no nested calls through branch closures: v sits in
 * Monte Carlo's hot loop).
 */
function virtualTypeFunction(dist: Distribution, alpha: number, eA: number, eB: number, level: number): (e: number) => number {
  if (alpha === 0) return (e) => e;
  const cdfOverPdf = dist.cdfOverPdf;
  const survivalOverPdf = dist.survivalOverPdf;
  return (e) => (e < eA ? e + alpha * cdfOverPdf(e) : e > eB ? e - alpha * survivalOverPdf(e) : level);
}

/** The optional exact forms of a virtual type (absent fields, not undefined ones, when there are none). */
function exactForms(
  vPieces: PiecewiseQuadratic | undefined,
  dist: Distribution,
  level: number,
): { vPieces?: PiecewiseQuadratic; inverseIntegralPieces?: PiecewiseQuadratic } {
  if (!vPieces) return {};
  const K = inverseIntegralPieces(vPieces, dist.lower, dist.upper, level, Math.sqrt(dist.variance));
  return K ? { vPieces, inverseIntegralPieces: K } : { vPieces };
}

/**
 * virtualTypeFunction's v as pieces: e + alpha F/f on (-inf, eA), the level on [eA, eB],
 * e - alpha (1-F)/f above eB, each branch split where the law's ratio pieces break. undefined when
 * the law does not declare its ratios exactly (alpha = 0 needs no ratios: v(e) = e).
 */
export function virtualTypePieces(
  dist: Distribution,
  alpha: number,
  eA: number,
  eB: number,
  level: number,
): PiecewiseQuadratic | undefined {
  if (alpha === 0) return new PiecewiseQuadratic([{ start: -Infinity, origin: 0, c0: 0, c1: 1, c2: 0 }]);
  const ratios = dist.ratioPieces;
  if (!ratios) return undefined;
  const out: QuadraticPiece[] = [];
  // x + w R(x) on [from, to), piece by piece of R (in each piece's own coordinate x = origin + s).
  const branch = (R: PiecewiseQuadratic, w: number, from: number, to: number) => {
    const pieces = R.pieces();
    for (let k = 0; k < pieces.length; k++) {
      const p = pieces[k]!;
      const start = Math.max(p.start, from);
      if (!(start < Math.min(R.end(k), to))) continue;
      out.push({ start, origin: p.origin, c0: p.origin + w * p.c0, c1: 1 + w * p.c1, c2: w * p.c2 });
    }
  };
  // v(eB) is the level (v takes the upper branch for e > eB only).
  const upperStart = nextUp(eB);
  branch(ratios.cdfOverPdf, alpha, -Infinity, eA);
  if (eA < upperStart) out.push({ start: out.length === 0 ? -Infinity : eA, origin: eA, c0: level, c1: 0, c2: 0 });
  branch(ratios.survivalOverPdf, -alpha, upperStart, Infinity);
  if (out.length === 0) return undefined;
  out[0] = { ...out[0]!, start: -Infinity };
  return piecewiseOrUndefined(out);
}

/**
 * K(l) = int_m^l v^{-1}(s) ds exactly for a piecewise linear nondecreasing v (undefined otherwise):
 * v^{-1} is linear on the image of each rising piece of v restricted to the support [L, U], jumps
 * across the image of a flat piece (at m from eA to eB), and is clamped to L below v(L) and to U above
 * v(U). K is integrated outwards from m, each piece about its end nearer m, so K is accurate to
 * rounding relative to its own size near m (as the tables are).
 */
export function inverseIntegralPieces(
  v: PiecewiseQuadratic,
  L: number,
  U: number,
  m: number,
  sigma: number,
): PiecewiseQuadratic | undefined {
  if (v.degree > 1 || !(L < U) || !Number.isFinite(m) || !(sigma > 0)) return undefined;
  // How far v at a break may miss the level or the next piece: the solve's tolerance (1e-13 sigma) and rounding.
  const snapTolerance = (y: number) => 1e-12 * (Math.abs(y) + sigma);
  // Segments of v^{-1} on the l axis: from `start`, value a + b (l - origin).
  interface Segment {
    start: number;
    origin: number;
    a: number;
    b: number;
  }
  const segments: Segment[] = [];
  const add = (seg: Segment) => {
    // A segment starting where an earlier one starts or before (images of zero width) replaces it.
    while (segments.length > 0 && !(seg.start > segments[segments.length - 1]!.start)) segments.pop();
    segments.push(seg);
  };
  if (Number.isFinite(L)) add({ start: -Infinity, origin: 0, a: L, b: 0 });
  const pieces = v.pieces();
  let lastEnd = -Infinity; // v at the end of the last piece
  let lastE = L; // and that end
  for (let k = 0; k < pieces.length; k++) {
    const p = pieces[k]!;
    const e0 = Math.max(p.start, L);
    const e1 = Math.min(v.end(k), U);
    if (!(e0 < e1)) continue;
    if (p.c1 < 0) return undefined;
    if (p.c1 === 0) {
      // A flat piece: v^{-1} jumps across it (at the flat level m, from eA to eB).
      if (p.c0 < lastEnd - snapTolerance(lastEnd)) return undefined;
      lastEnd = p.c0;
      lastE = e1;
      continue;
    }
    const at = (e: number) => p.c0 + p.c1 * (e - p.origin);
    let y0 = Number.isFinite(e0) ? at(e0) : -Infinity;
    const y1 = Number.isFinite(e1) ? at(e1) : Infinity;
    if (Number.isFinite(lastEnd)) {
      // v is continuous where Theorem 1's branches meet the level: a gap within the solve's
      // tolerance is rounding, and the piece starts where the last one ended (at m after a flat piece).
      if (Math.abs(y0 - lastEnd) <= snapTolerance(lastEnd)) y0 = lastEnd;
      else if (y0 < lastEnd) return undefined;
      else add({ start: lastEnd, origin: 0, a: lastE, b: 0 }); // v jumps: v^{-1} is constant across
    }
    // v^{-1}(l) = e0 + (l - y0)/c1, about a finite point of the image (v(origin) = c0 for a piece over the whole line).
    const [origin, value] = Number.isFinite(y0) ? [y0, e0] : Number.isFinite(y1) ? [y1, e1] : [p.c0, p.origin];
    add({ start: y0, origin, a: value, b: 1 / p.c1 });
    lastEnd = y1;
    lastE = e1;
  }
  if (segments.length === 0) return undefined;
  if (Number.isFinite(U)) {
    if (!Number.isFinite(lastEnd)) return undefined;
    add({ start: lastEnd, origin: 0, a: U, b: 0 });
  } else if (lastEnd !== Infinity) return undefined; // v flat up to +inf: v^{-1} unbounded
  if (segments[0]!.start !== -Infinity) return undefined; // v flat down to -inf
  // m starts a segment (after v's flat piece) or splits the one holding it.
  let j = 0;
  while (j + 1 < segments.length && segments[j + 1]!.start <= m) j++;
  if (segments[j]!.start !== m) {
    segments.splice(j + 1, 0, { ...segments[j]!, start: m });
    j++;
  }
  // Integrate outwards from m: pieces of K about their end nearer m.
  const out: QuadraticPiece[] = new Array(segments.length);
  const valueAt = (seg: Segment, l: number) => seg.a + seg.b * (l - seg.origin);
  let K = 0;
  for (let i = j; i < segments.length; i++) {
    const seg = segments[i]!;
    const x = seg.start;
    out[i] = { start: x, origin: x, c0: K, c1: valueAt(seg, x), c2: 0.5 * seg.b };
    if (i + 1 < segments.length) {
      const h = segments[i + 1]!.start - x;
      K += h * (valueAt(seg, x) + 0.5 * seg.b * h);
    }
  }
  K = 0;
  for (let i = j - 1; i >= 0; i--) {
    const seg = segments[i]!;
    const x = segments[i + 1]!.start;
    out[i] = { start: seg.start, origin: x, c0: K, c1: valueAt(seg, x), c2: 0.5 * seg.b };
    if (i > 0) {
      const h = seg.start - x;
      K += h * (valueAt(seg, x) + 0.5 * seg.b * h);
    }
  }
  return piecewiseOrUndefined(out);
}

/** The pieces as a PiecewiseQuadratic, or undefined when rounding left them unusable (non-finite or unordered). */
function piecewiseOrUndefined(pieces: QuadraticPiece[]): PiecewiseQuadratic | undefined {
  try {
    return new PiecewiseQuadratic(pieces);
  } catch (e) {
    if (e instanceof RangeError) return undefined;
    throw e;
  }
}

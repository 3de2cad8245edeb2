import { type DemandSchedule, type FeeSchedule, linearSchedule } from "@optex/engine";
import { fft } from "@optex/numerics";
import { type Distribution, type EffectiveTypeLaw, effectiveTypeMechanism, TheoryError } from "@optex/theory";

/** Section 5 with any laws: e_i ~ F, zeta_i ~ G independent, E[pi | zeta] = sum_j zeta_j (Theorem 3 by convolution). */
export interface AdverseSelectionLawsFeeEnvironment {
  readonly traders: number;
  readonly kappa: number;
  readonly alpha: number;
  readonly endowment: Distribution;
  readonly signal: Distribution;
}

/** Theorem 3's mechanism for any laws, as effectiveTypeMechanism returns it. */
export type EffectiveTypeMechanism = ReturnType<typeof effectiveTypeMechanism>;

/** How the tables of psi and B were built, for reports and tests. */
export interface Prop5LawsGrid {
  /** Spacing of the grid in V - m = v(t) - E[v]. */
  readonly step: number;
  /** Cells of the periodic FFT grid of the others' sum (0 for N = 2: no convolution). */
  readonly cells: number;
  /** Range of V - m tabulated: [v(t_lo) - m, v(t_hi) - m] with H(t_lo), 1 - H(t_hi) about 1e-15. */
  readonly low: number;
  readonly high: number;
  /** psi comes from the tables for S - (N-1) m in [trustedLow, trustedHigh]; beyond, it is extrapolated linearly. */
  readonly trustedLow: number;
  readonly trustedHigh: number;
  /** |P(pooled) + trapezoid mass of the continuous part - 1|: the grid's quadrature error. */
  readonly massError: number;
}

/** Proposition 5's fee for any laws of endowments and signals (the same shape as prop5Fee's Gaussian one). */
export interface Prop5LawsFee extends FeeSchedule {
  readonly id: "prop5";
  readonly mechanism: EffectiveTypeMechanism;
  /** -1/((N-1) kappa). */
  readonly c: number;
  /** Var[v]/(2 N kappa): participation binds on [tA, tB] (B(E[v]) = 0). */
  readonly d: number;
  /** B(l) = ((N-1)/(N kappa)) int_m^l (s - kappa v^{-1}(s)) ds, m = E[v]. */
  B(l: number): number;
  impliedIntercept(q: number, p: number): number;
  revealedOthers(q: number, p: number): number;
  /** psi(S) = E[sum_{j != i} zeta_j | sum_{j != i} v(t_j) = S]. */
  othersSignal(S: number): number;
  feesInto(quantities: Float64Array, p: number, out: Float64Array): void;
  effectiveType(endowment: number, signal: number): number;
  bid(endowment: number, signal: number): DemandSchedule;
  readonly grid: Prop5LawsGrid;
  /**
   * E|X_i| under truthful bids (Theorem 3's allocation X_i = (Y - (N-1) V_i)/N with V = v(t) - m and
   * Y the others' sum), from the same grid: Y's masses (atom, one-unpooled, FFT) against V's.
   */
  readonly tradeVolumePerTrader: number;
}

/** Nodes per range of V at least, and per sd of V at least (trapezoid error O(step^2), measured below 1e-6 of psi). */
const NODES_PER_RANGE = 8192;
const NODES_PER_SD = 400;
/**
 * Largest error of the grid's total mass of V accepted (measured: 1e-8 to 4e-7 on Gaussian, Laplace,
 * Student t, lognormal, exponential, uniform and mixture laws; 4e-3 where v(t) flattens in a tail).
 */
const MAX_MASS_ERROR = 1e-6;
/** Largest FFT grid (2^21 cells: 64 MB of work arrays); wider ranges get a coarser step. */
const MAX_CELLS = 2 ** 21;

/**
 * Proposition 5 for any laws (Theorem 3 by convolution, effectiveTypeMechanism): on top of p q trader i pays
 *   T(q, p) = (c/2) q^2 - B(l) + psi(S) q + d,   l = -q - kappa p,   S = q - (N-1) kappa p,
 * with c = -1/((N-1) kappa), B(l) = ((N-1)/(N kappa)) int_m^l (s - kappa v^{-1}(s)) ds, d = Var[v]/(2 N kappa),
 * psi(S) = E[sum_{j != i} zeta_j | sum_{j != i} v(t_j) = S], m = E[v]: the Gaussian fee's derivation
 * (prop5Fee) uses nothing Gaussian. Along i's residual supply the payoff's slope is v^{-1}(l) - t, so
 * the truthful bid -v(t) - kappa p is optimal for every S; a pooled type's expected gain is
 * Var[v]/(2 N kappa) - d = 0 (docs/environments/adverse-selection.md).
 *
 * psi for any laws. V = v(t) has an atom P0 = P(tA <= t <= tB) at m and a density f on either side
 * of it; rho(V) = E[zeta | V] is E[zeta | t] at t = v^{-1}(V) off the atom and r0 = E[zeta | pooled]
 * on it. With y = S - (N-1) m, n = N - 1 others and k of them unpooled:
 *   psi = n r0 at y = 0 exactly (all pooled), else
 *   psi(y) = [n P0^{n-1} ((n-1) r0 f(y) + rho f(y)) + N2(y)] / [n P0^{n-1} f(y) + D2(y)],
 * the one-unpooled terms exact at the grid's nodes (f = h/v' and rho at t = v^{-1}(m + y), found by
 * Newton's method along each branch; one-sided at y = 0, where both jump) and D2, N2, the
 * configurations with k >= 2, by FFT of the node values (trapezoid): with F, R the transforms of f
 * and rho f times the step, D2 = IFFT[(P0 + F)^n - P0^n - n P0^{n-1} F] and
 * N2 = IFFT[n (P0 + F)^{n-1} (P0 r0 + R) - n P0^n r0 - n P0^{n-1} ((n-1) r0 F + R)]. Between nodes
 * each part is read by four-point Lagrange interpolation (one-sided next to 0). Where 10 times the
 * FFT's round-off exceeds 1e-6 of the density (or of the numerator's scale) psi continues linearly
 * from the last trusted node (probability of the others' sum landing there: ~1e-9 or less).
 * B from the same nodes: v^{-1} is interpolated by cubic Hermite (slopes 1/v'), integrated exactly,
 * and continued linearly beyond the range of v (types beyond H = 1e-15).
 * Throws TheoryError where effectiveTypeMechanism does, or when v is not strictly increasing off the pool.
 */
export function prop5LawsFee(env: AdverseSelectionLawsFeeEnvironment): Prop5LawsFee {
  const { traders: N, kappa, alpha } = env;
  const mechanism = effectiveTypeMechanism({ endowment: env.endowment, signal: env.signal, kappa, traders: N, alpha });
  const law = mechanism.lawOfT;
  const m = mechanism.meanVirtualType;
  const n = N - 1;
  const c = -1 / (n * kappa);
  const d = mechanism.varianceVirtualType / (2 * N * kappa);
  const scale = n / (N * kappa);
  const sdV = Math.sqrt(mechanism.varianceVirtualType);
  if (!(sdV > 0)) throw new TheoryError("prop5: the virtual type is constant (every type pooled); the fee is the plain auction's");
  const low = Math.min(0, mechanism.v(law.lower) - m);
  const high = Math.max(0, mechanism.v(law.upper) - m);
  const range = high - low;
  let step = Math.min(range / NODES_PER_RANGE, sdV / NODES_PER_SD);
  let cells = 0;
  if (n >= 2) {
    // The sum of n values spans n (high - low): the periodic grid must hold it without wrapping.
    const need = Math.ceil((n * range) / step) + 8;
    cells = 2 ** Math.ceil(Math.log2(need));
    if (cells > MAX_CELLS) {
      cells = MAX_CELLS;
      step = (n * range) / (MAX_CELLS - 8);
    }
  }
  const upper = branchNodes(mechanism, law, m, step, Math.floor(high / step), +1);
  const lower = branchNodes(mechanism, law, m, step, Math.floor(-low / step), -1);
  const P0 = law.pooledMass;
  const r0 = law.pooledSignalMean;
  const single = n * P0 ** (n - 1); // weight of the one-unpooled configurations (0^0 = 1 for n = 1)

  // One-sided tables (index j: y = +-j step; index 0 the one-sided limit at 0) of the numerator and
  // denominator, one-unpooled terms exact, FFT terms added below.
  const table = (b: BranchNodes) => {
    const den = new Float64Array(b.t.length);
    const num = new Float64Array(b.t.length);
    for (let j = 0; j < b.t.length; j++) {
      den[j] = single * b.f[j]!;
      num[j] = single * ((n - 1) * r0 * b.f[j]! + b.rho[j]! * b.f[j]!);
    }
    return { den, num };
  };
  const pos = table(upper);
  const neg = table(lower);
  // The continuous part of V as masses at the nodes (trapezoid, ends corrected); its total against
  // 1 - P0 measures how well the grid resolves the law of v(t).
  // h' jumps at the law's kinks, and f = h/v' with it: each is a breakpoint of its branch's cell.
  const breaks = (sign: 1 | -1) =>
    law.kinks
      .filter((t) => (sign > 0 ? t > mechanism.tB : t < mechanism.tA))
      .map((t) => {
        const eps = 1e-12 * (1 + Math.abs(t));
        const side = (x: number) => {
          const slope = law.virtualTypeSlope(x);
          const f = slope > 0 ? law.density(x) / slope : 0;
          return { f, g: f * law.signalMean(x) };
        };
        return { at: sign * (mechanism.v(t) - m), near: side(t - sign * eps), far: side(t + sign * eps) };
      });
  const upperMasses = nodeMasses(upper, step, high, law, mechanism.v, law.upper, breaks(1));
  const lowerMasses = nodeMasses(lower, step, -low, law, mechanism.v, law.lower, breaks(-1));
  let mass = 0;
  for (const b of [upperMasses, lowerMasses]) for (let j = 0; j < b.den.length; j++) mass += b.den[j]!;
  const massError = Math.abs(P0 + mass - 1);
  if (!(massError <= MAX_MASS_ERROR)) {
    throw new TheoryError(
      `prop5: the grid does not resolve the law of v(t) (its mass is off by ${massError.toExponential(1)}, allowed ${MAX_MASS_ERROR}): v(t) flattens in a tail, as when the signals' tails are heavier than the endowments'; Proposition 5's fee is not available for these laws`,
    );
  }
  let noiseDen = 0;
  let noiseNum = 0;
  let fftDen: Float64Array | null = null;
  let fftNum: Float64Array | null = null;
  if (n >= 2) {
    const dRe = new Float64Array(cells);
    const dIm = new Float64Array(cells);
    const nRe = new Float64Array(cells);
    const nIm = new Float64Array(cells);
    for (const [masses, sign] of [
      [upperMasses, 1],
      [lowerMasses, -1],
    ] as const) {
      for (let j = 0; j < masses.den.length; j++) {
        const k = (sign * j + cells) % cells;
        dRe[k] = dRe[k]! + masses.den[j]!;
        nRe[k] = nRe[k]! + masses.num[j]!;
      }
    }
    fft(dRe, dIm, false);
    fft(nRe, nIm, false);
    for (let k = 0; k < cells; k++) {
      const [fr, fi] = [dRe[k]!, dIm[k]!];
      const [rr, ri] = [nRe[k]!, nIm[k]!];
      // (P0 + F)^(n-1) in polar form; its product with (P0 + F) gives the n-th power.
      const br = P0 + fr;
      const modulus = Math.hypot(br, fi);
      const angle = Math.atan2(fi, br);
      const power = modulus ** (n - 1);
      const pr = power * Math.cos((n - 1) * angle);
      const pi = power * Math.sin((n - 1) * angle);
      const allR = pr * br - pi * fi;
      const allI = pr * fi + pi * br;
      dRe[k] = allR - P0 ** n - single * fr;
      dIm[k] = allI - single * fi;
      const ar = P0 * r0 + rr;
      const ai = ri;
      nRe[k] = n * (pr * ar - pi * ai) - n * P0 ** n * r0 - single * ((n - 1) * r0 * fr + rr);
      nIm[k] = n * (pr * ai + pi * ar) - single * ((n - 1) * r0 * fi + ri);
    }
    fft(dRe, dIm, true);
    fft(nRe, nIm, true);
    for (let k = 0; k < cells; k++) {
      noiseDen = Math.max(noiseDen, Math.abs(dIm[k]!), -dRe[k]!);
      noiseNum = Math.max(noiseNum, Math.abs(nIm[k]!));
    }
    fftDen = dRe;
    fftNum = nRe;
  }

  // Combined one-sided tables, node values divided by the step (densities), out to the trusted edge.
  const signalScale = Math.sqrt(n * env.signal.variance) + n * Math.abs(env.signal.mean);
  const side = (own: { den: Float64Array; num: Float64Array }, sign: 1 | -1) => {
    const reach = n >= 2 ? Math.floor(cells / 2) - 2 : own.den.length - 1;
    const den: number[] = [];
    const num: number[] = [];
    for (let j = 0; j <= reach; j++) {
      const inOwn = j < own.den.length;
      let D = inOwn ? own.den[j]! : 0;
      let R = inOwn ? own.num[j]! : 0;
      if (fftDen && fftNum) {
        const k = (sign * j + cells) % cells;
        D += fftDen[k]! / step;
        R += fftNum[k]! / step;
      }
      if (!(D > 0)) break;
      if (fftDen && j > 0) {
        const noisy = 10 * noiseDen > 1e-6 * D * step || 10 * noiseNum > 1e-6 * step * D * (signalScale + Math.abs(R / D));
        if (noisy) break;
      }
      den.push(D);
      num.push(R);
    }
    return { den: Float64Array.from(den), num: Float64Array.from(num) };
  };
  const tradeVolumePerTrader = tradeVolume(N, P0, single, step, cells, fftDen, upperMasses, lowerMasses);
  const right = side(pos, 1);
  const left = side(neg, -1);
  // Four-point Lagrange (one-sided stencils next to 0 and at the edge) of num/den at u = |y|/step.
  const ratioAt = (s: { den: Float64Array; num: Float64Array }, u: number) => {
    const last = s.den.length - 1;
    let j = Math.floor(u);
    j = Math.min(Math.max(j, 1), last - 2) - 1; // stencil j..j+3
    const x = u - j;
    const w0 = (-(x - 1) * (x - 2) * (x - 3)) / 6;
    const w1 = (x * (x - 2) * (x - 3)) / 2;
    const w2 = (-x * (x - 1) * (x - 3)) / 2;
    const w3 = (x * (x - 1) * (x - 2)) / 6;
    const N0 = w0 * s.num[j]! + w1 * s.num[j + 1]! + w2 * s.num[j + 2]! + w3 * s.num[j + 3]!;
    const D0 = w0 * s.den[j]! + w1 * s.den[j + 1]! + w2 * s.den[j + 2]! + w3 * s.den[j + 3]!;
    return N0 / D0;
  };
  const sideValue = (s: { den: Float64Array; num: Float64Array }, u: number) => {
    const last = s.den.length - 1;
    // A side without mass (the pool reaches that end of the types) is never revealed by truthful
    // bids: psi is continued there at its value on the atom (a side with fewer than 4 nodes, at its last node's).
    if (last < 0) return n * r0;
    if (last < 3) return s.num[last]! / s.den[last]!;
    if (u <= last) return ratioAt(s, u);
    // Beyond the trusted nodes: linear, with the slope over the last (up to) 8 cells.
    const back = Math.min(8, last);
    const end = s.num[last]! / s.den[last]!;
    const before = s.num[last - back]! / s.den[last - back]!;
    return end + ((end - before) / back) * (u - last);
  };
  const atomTolerance = 1e-12 * n * (Math.abs(m) + sdV);
  const othersSignal = (S: number): number => {
    const y = S - n * m;
    if (Math.abs(y) <= atomTolerance) return n * r0;
    return y > 0 ? sideValue(right, y / step) : sideValue(left, -y / step);
  };

  // B(l) = scale ((l - m)^2/2 + m (l - m) - kappa J(l - m)), J(y) = int_0^y v^{-1}(m + u) du.
  const upperJ = inverseIntegral(upper, step, mechanism.tB);
  const lowerJ = inverseIntegral(lower, step, mechanism.tA);
  const B = (l: number) => {
    const y = l - m;
    const J = y >= 0 ? upperJ(y) : -lowerJ(-y);
    return scale * (0.5 * y * y + m * y - kappa * J);
  };
  const halfC = 0.5 * c;
  const nKappa = n * kappa;
  const fee = (q: number, p: number) => halfC * q * q - B(-q - kappa * p) + othersSignal(q - nKappa * p) * q + d;
  return {
    id: "prop5",
    mechanism,
    c,
    d,
    B,
    impliedIntercept: (q, p) => -q - kappa * p,
    revealedOthers: (q, p) => q - nKappa * p,
    othersSignal,
    effectiveType: (e, zeta) => e / kappa - zeta,
    bid: (e, zeta) => linearSchedule(-mechanism.v(e / kappa - zeta), kappa),
    fee: (_trader, q, p) => fee(q, p),
    feesInto: (quantities, p, out) => {
      for (let i = 0; i < quantities.length; i++) out[i] = fee(quantities[i]!, p);
    },
    tradeVolumePerTrader,
    grid: {
      step,
      cells,
      low,
      high,
      trustedLow: -(left.den.length - 1) * step,
      trustedHigh: (right.den.length - 1) * step,
      massError,
    },
  };
}

/**
 * E|X_i| = (1/N) E|Y - n V| with V = v(t_i) - m (atom P0 at 0, node masses on either side) and Y the
 * others' sum (atom P0^n at 0, the one-unpooled masses, and the FFT's k >= 2 masses; for n = 1, Y is
 * V). A(c) = E|Y - c| = c (W(c) - W'(c)) - (M(c) - M'(c)) from prefix sums of Y's masses W and first
 * moments M at and beyond c; every c = n j step is a node, so A needs no interpolation.
 */
function tradeVolume(
  N: number,
  P0: number,
  single: number,
  step: number,
  cells: number,
  fftDen: Float64Array | null,
  upper: { den: Float64Array },
  lower: { den: Float64Array },
): number {
  const n = N - 1;
  const lo = fftDen ? -(cells / 2) + 1 : -(lower.den.length - 1);
  const hi = fftDen ? cells / 2 : upper.den.length - 1;
  const size = hi - lo + 1;
  const mass = new Float64Array(size);
  const ownWeight = fftDen ? single : 1;
  mass[-lo] = fftDen ? P0 ** n : P0;
  for (let j = 0; j < upper.den.length && j <= hi; j++) mass[j - lo] = mass[j - lo]! + ownWeight * upper.den[j]!;
  for (let j = 0; j < lower.den.length && -j >= lo; j++) mass[-j - lo] = mass[-j - lo]! + ownWeight * lower.den[j]!;
  if (fftDen) for (let k = lo; k <= hi; k++) mass[k - lo] = mass[k - lo]! + fftDen[(k + cells) % cells]!;
  const W = new Float64Array(size + 1); // W[i] = sum of masses at nodes < i
  const M = new Float64Array(size + 1);
  for (let i = 0; i < size; i++) {
    W[i + 1] = W[i]! + mass[i]!;
    M[i + 1] = M[i]! + mass[i]! * (i + lo) * step;
  }
  const totalW = W[size]!;
  const totalM = M[size]!;
  const A = (node: number) => {
    const i = Math.min(size, Math.max(0, node - lo + 1)); // masses at nodes <= node
    const c = node * step;
    return c * (2 * W[i]! - totalW) - (2 * M[i]! - totalM);
  };
  let sum = P0 * A(0);
  for (const [b, sign] of [
    [upper, 1],
    [lower, -1],
  ] as const) {
    for (let j = 0; j < b.den.length; j++) sum += b.den[j]! * A(sign * n * j);
  }
  return sum / N;
}

/** One branch of v on the grid: node j at V - m = sign j step (j = 0: the one-sided limit at the pool). */
interface BranchNodes {
  /** t = v^{-1}(m + sign j step). */
  readonly t: Float64Array;
  /** dt/d|y| = 1/v'(t) (sign-adjusted: t moves away from the pool as |y| grows). */
  readonly slope: Float64Array;
  /** The density of V there, h(t)/v'(t). */
  readonly f: Float64Array;
  /** E[zeta | t]. */
  readonly rho: Float64Array;
}

/**
 * Inverts v along the upper (sign +1, from tB up) or lower (sign -1, from tA down) branch at the
 * nodes |y| = j step, j = 0..count, by Newton's method from the previous node (safeguarded by
 * bisection inside the bracket the previous node and the range's end give; |residual| <= 1e-13 of
 * the sd of V, or the bracket is at rounding). An empty branch (the pool reaches that end) gives no nodes.
 */
function branchNodes(
  mechanism: EffectiveTypeMechanism,
  law: EffectiveTypeLaw,
  m: number,
  step: number,
  count: number,
  sign: 1 | -1,
): BranchNodes {
  const start = sign > 0 ? mechanism.tB : mechanism.tA;
  const end = sign > 0 ? law.upper : law.lower;
  if (!(sign * (end - start) > 0) || count < 0) {
    const none = new Float64Array(0);
    return { t: none, slope: none, f: none, rho: none };
  }
  const size = count + 1;
  const t = new Float64Array(size);
  const slope = new Float64Array(size);
  const f = new Float64Array(size);
  const rho = new Float64Array(size);
  const v = mechanism.v;
  const tolerance = 1e-13 * Math.sqrt(mechanism.varianceVirtualType);
  // One-sided slope at the pool's end: the table's derivative evaluated just off it.
  const slopeAt = (x: number) => {
    const s = law.virtualTypeSlope(x);
    if (!(s > 0 && Number.isFinite(s))) {
      throw new TheoryError(
        `prop5: v(t) is flat to rounding near t = ${x.toPrecision(6)} (v' = ${s.toExponential(1)}), as when the signals' tails are heavier than the endowments'; the fee needs v^{-1}: Proposition 5's fee is not available for these laws`,
      );
    }
    return s;
  };
  let previous = start;
  for (let j = 0; j < size; j++) {
    const target = m + sign * j * step;
    let x: number;
    if (j === 0) x = start;
    else {
      // Bracket: v(previous) < target (in the branch's direction) and v(end) beyond it.
      let a = previous;
      let b = end;
      x = previous + (sign * step) / slopeAt(previous);
      for (let it = 0; it < 60; it++) {
        if (!(sign * (x - a) > 0 && sign * (b - x) > 0)) x = 0.5 * (a + b);
        const r = v(x) - target;
        if (Math.abs(r) <= tolerance) break;
        if (sign * r < 0) a = x;
        else b = x;
        if (Math.abs(b - a) <= 4 * Number.EPSILON * Math.max(Math.abs(a), Math.abs(b))) break;
        x -= r / slopeAt(x);
      }
    }
    const s = slopeAt(j === 0 ? start + sign * 1e-12 * (1 + Math.abs(start)) : x);
    t[j] = x;
    slope[j] = sign / s;
    f[j] = law.density(x) / s;
    rho[j] = law.signalMean(x);
    previous = x;
  }
  return { t, slope, f, rho };
}

/**
 * The trapezoid masses step f_j and step rho_j f_j at a branch's nodes j = 0..J (half at 0 and at J),
 * then the partial cell [J step, end] (the range's end is not a node) as the piecewise-linear
 * interpolant's mass and first moment, kept by splitting it between nodes J and J + 1.
 */
function nodeMasses(
  b: BranchNodes,
  step: number,
  end: number,
  law: EffectiveTypeLaw,
  v: (t: number) => number,
  tEnd: number,
  breakpoints: readonly { at: number; near: { f: number; g: number }; far: { f: number; g: number } }[],
): { den: Float64Array; num: Float64Array } {
  const size = b.t.length;
  const den = new Float64Array(size + 1);
  const num = new Float64Array(size + 1);
  if (size === 0) return { den, num };
  const last = size - 1;
  for (let j = 0; j < size; j++) {
    const w = 0.5 * step * ((j > 0 ? 1 : 0) + (j < last ? 1 : 0));
    den[j] = w * b.f[j]!;
    num[j] = w * b.rho[j]! * b.f[j]!;
  }
  const delta = end - last * step;
  if (delta > 0) {
    // f and rho f at the range's end (v' there may be lost in rounding: f is then negligible, ~1e-15 mass).
    const slope = law.virtualTypeSlope(tEnd);
    const fEnd = slope > 0 && Number.isFinite(slope) && Number.isFinite(v(tEnd)) ? law.density(tEnd) / slope : 0;
    const gEnd = fEnd > 0 ? law.signalMean(tEnd) * fEnd : 0;
    const fJ = b.f[last]!;
    const gJ = b.rho[last]! * fJ;
    const split = (a: number, z: number, out: Float64Array) => {
      const total = (delta * (a + z)) / 2;
      const moment = (delta * delta * (a + 2 * z)) / 6;
      out[last] = out[last]! + total - moment / step;
      out[last + 1] = out[last + 1]! + moment / step;
    };
    split(fJ, fEnd, den);
    split(gJ, gEnd, num);
  }
  // A jump of f inside cell [J, J+1] at offset a: the exact mass and first moment of the two
  // linear pieces replace the trapezoid's, the difference split between nodes J and J + 1.
  // int_a^b x f for f linear from p to q: (b - a) (p (2a + b) + q (a + 2b)) / 6.
  const moment = (a: number, b: number, p: number, q: number) => ((b - a) * (p * (2 * a + b) + q * (a + 2 * b))) / 6;
  for (const k of breakpoints) {
    const J = Math.floor(k.at / step);
    if (!(J >= 0 && J + 1 <= last)) continue;
    const a = k.at - J * step;
    for (const [values, out, key] of [
      [b.f, den, "f"],
      [null, num, "g"],
    ] as const) {
      const y0 = values ? values[J]! : b.rho[J]! * b.f[J]!;
      const y1 = values ? values[J + 1]! : b.rho[J + 1]! * b.f[J + 1]!;
      const near = k.near[key];
      const far = k.far[key];
      const total = (a * (y0 + near)) / 2 + ((step - a) * (far + y1)) / 2 - (step * (y0 + y1)) / 2;
      const first = moment(0, a, y0, near) + moment(a, step, far, y1) - moment(0, step, y0, y1);
      out[J] = out[J]! + total - first / step;
      out[J + 1] = out[J + 1]! + first / step;
    }
  }
  return { den, num };
}

/**
 * J(u) = int_0^u t(w) dw along one branch, u = |y| >= 0, with t(w) the cubic Hermite interpolant of
 * the nodes (values t_j, slopes dt/du, limited to keep it monotone); exact integrals of the interpolant, cumulated over cells
 * (error O(step^4) per unit length); beyond the last node t continues linearly with its last slope.
 * An empty branch (the pool reaches that end of the types) keeps t at the pool's end, poolEnd.
 */
function inverseIntegral(b: BranchNodes, step: number, poolEnd: number): (u: number) => number {
  const size = b.t.length;
  // No types beyond the pool on this side: v^{-1} stays at the pool's end.
  if (size === 0) return (u) => poolEnd * u;
  // Per-cell end slopes, limited as Fritsch and Carlson do so that each cubic is monotone like v^{-1}
  // (incentive compatibility needs B' = scale (l - kappa v^{-1}(l)) with v^{-1} nondecreasing);
  // where v is smooth on the cell's scale the limiter leaves the slopes alone.
  const left = new Float64Array(Math.max(0, size - 1));
  const right = new Float64Array(Math.max(0, size - 1));
  for (let j = 0; j + 1 < size; j++) {
    const secant = (b.t[j + 1]! - b.t[j]!) / step;
    let a = secant === 0 ? 0 : Math.max(0, b.slope[j]! / secant);
    let c = secant === 0 ? 0 : Math.max(0, b.slope[j + 1]! / secant);
    const r = a * a + c * c;
    if (r > 9) {
      const tau = 3 / Math.sqrt(r);
      a *= tau;
      c *= tau;
    }
    left[j] = a * secant;
    right[j] = c * secant;
  }
  const cumulative = new Float64Array(size);
  for (let j = 1; j < size; j++) {
    // int over a cell of the Hermite cubic: h (t0 + t1)/2 + h^2 (t0' - t1')/12.
    cumulative[j] = cumulative[j - 1]! + step * 0.5 * (b.t[j - 1]! + b.t[j]!) + (step * step * (left[j - 1]! - right[j - 1]!)) / 12;
  }
  const last = size - 1;
  return (u: number) => {
    const x = u / step;
    if (x >= last) {
      const w = u - last * step;
      return cumulative[last]! + b.t[last]! * w + 0.5 * b.slope[last]! * w * w;
    }
    const j = Math.floor(x);
    const s = x - j;
    const s2 = s * s;
    const s3 = s2 * s;
    const s4 = s3 * s;
    // Integrals over [0, s] of the Hermite basis h00, h10, h01, h11.
    const i00 = s - s3 + 0.5 * s4;
    const i10 = 0.5 * s2 - (2 / 3) * s3 + 0.25 * s4;
    const i01 = s3 - 0.5 * s4;
    const i11 = -s3 / 3 + 0.25 * s4;
    return cumulative[j]! + step * (i00 * b.t[j]! + i01 * b.t[j + 1]!) + step * step * (i10 * left[j]! + i11 * right[j]!);
  };
}

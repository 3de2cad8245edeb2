import { type Prop5Schedule, prop5Parts } from "./prop5Fee.ts";
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
  /** |P(atoms) + the grid's mass of the continuous part - 1|: the grid's quadrature error. */
  readonly massError: number;
}

/** Proposition 5's fee for any laws of endowments and signals (the same parts as prop5Fee's Gaussian one). */
export interface Prop5LawsFee extends Prop5Schedule {
  readonly mechanism: EffectiveTypeMechanism;
  readonly grid: Prop5LawsGrid;
  /**
   * E|X_i| under truthful bids (Theorem 3's allocation X_i = (Y - (N-1) V_i)/N with V = v(t) - m and
   * Y the others' sum), from the same grid: Y's masses (atoms, one off the atoms, FFT) against V's.
   */
  readonly tradeVolumePerTrader: number;
}

/** Nodes per range of V at least, and per sd of V at least (trapezoid error O(step^2), measured below 1e-6 of psi). */
const NODES_PER_RANGE = 8192;
const NODES_PER_SD = 400;
/** Largest FFT grid (2^21 cells: 64 MB of work arrays); wider ranges get a coarser step. */
const MAX_CELLS = 2 ** 21;
/**
 * Largest error of the grid's total mass of V accepted (measured: 6e-14 to 4e-7 on Gaussian, Laplace,
 * Student t, lognormal, exponential, uniform and mixture laws; 4e-4 where v(t) flattens in a tail).
 */
const MAX_MASS_ERROR = 1e-6;
/** Most configurations of atoms enumerated (multisets of N - 1 atoms). */
const MAX_CONFIGURATIONS = 100_000;

/** An atom of V - m: the pool at E[v] (offset 0) or a piece pooled by ironing (offset L - m), on a node. */
interface Atom {
  readonly node: number;
  readonly mass: number;
  /** E[zeta | the atom's types]. */
  readonly signal: number;
}

/** A configuration of `size` draws from the atoms: its node (sum of offsets), probability and summed signal means. */
interface Configuration {
  readonly node: number;
  readonly weight: number;
  readonly signal: number;
}

/**
 * Proposition 5 for any laws (Theorem 3 by convolution, effectiveTypeMechanism): on top of p q trader i pays
 *   T(q, p) = (c/2) q^2 - B(l) + psi(S) q + d,   l = -q - kappa p,   S = q - (N-1) kappa p,
 * with c = -1/((N-1) kappa), B(l) = ((N-1)/(N kappa)) int_m^l (s - kappa v^{-1}(s)) ds, d = Var[v]/(2 N kappa),
 * psi(S) = E[sum_{j != i} zeta_j | sum_{j != i} v(t_j) = S], m = E[v]: the Gaussian fee's derivation
 * (prop5Fee) uses nothing Gaussian. Along i's residual supply the payoff's slope is v^{-1}(l) - t, so
 * the truthful bid -v(t) - kappa p is optimal for every S; a pooled type's expected gain is
 * Var[v]/(2 N kappa) - d = 0 (docs/environments/adverse-selection.md).
 *
 * psi. V - m = v(t) - m has atoms (the pool at 0 and, where v is ironed, at most one more piece at
 * L - m, on a node of the grid by the choice of step) and a density f on either side; rho(V) =
 * E[zeta | V]. With y = S - (N-1) m, n = N - 1 others:
 * - configurations with every other trader on an atom: psi = the sum of their signal means, exactly
 *   at those points;
 * - exactly one other trader off the atoms: sum over the configurations c of the other n - 1 on
 *   atoms of n w_c (R_c f(y - c) + (rho f)(y - c)) over n w_c f(y - c), with f and rho f
 *   interpolated from exact node values (Newton's method along each branch) by Lagrange on at most
 *   four points that never cross a jump of f: the atoms' ends, the images of h's kinks, the range's
 *   ends (one-sided limits there);
 * - two or more off the atoms: by one FFT of the atoms' and the nodes' masses (trapezoid, with the
 *   cells holding a jump corrected to the exact mass and first moment of their linear pieces), with
 *   the k <= 1 terms removed and the trapezoid's error at the pairs of jump nodes (the integrand's
 *   jump average is f_- f_+, not ((f_- + f_+)/2)^2) subtracted.
 * Where 10 times the FFT's round-off exceeds 1e-6 of the density psi continues linearly from the
 * last trusted node (probability of the others' sum landing there: ~1e-9 or less).
 * B from the same nodes: v^{-1} is interpolated by cubic Hermite (slopes 1/v', limited to stay
 * monotone), integrated exactly, jumping across a pooled piece, continued linearly beyond the range.
 * Throws TheoryError where effectiveTypeMechanism does, when more than one piece is pooled besides
 * the binding region, or when the grid cannot resolve the law of v(t) (v flattens in a tail).
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
  if (mechanism.pooled.length > 1) {
    throw new TheoryError(
      `prop5: v(t) is ironed into ${mechanism.pooled.length} pieces besides the binding region; Proposition 5's fee for these laws handles at most one`,
    );
  }
  const piece = mechanism.pooled[0] ?? null;
  const low = Math.min(0, mechanism.v(law.lower) - m);
  const high = Math.max(0, mechanism.v(law.upper) - m);
  const range = high - low;
  let step = Math.min(range / NODES_PER_RANGE, sdV / NODES_PER_SD);
  // A pooled piece's atom sits on a node: the step divides its offset.
  const pieceOffset = piece ? piece.level - m : 0;
  if (piece) step = Math.abs(pieceOffset) / Math.max(4, Math.round(Math.abs(pieceOffset) / step));
  // A piece whose level nearly equals E[v] would need an ever finer grid (its atom on a node).
  if (range / step > MAX_CELLS) {
    throw new TheoryError(
      `prop5: the pooled piece's level is within ${Math.abs(pieceOffset).toExponential(1)} of E[v]; the grid that puts its atom on a node exceeds 2^21 cells`,
    );
  }
  let cells = 0;
  if (n >= 2) {
    // The sum of n values spans n (high - low): the periodic grid must hold it without wrapping.
    const need = Math.ceil((n * range) / step) + 8;
    cells = 2 ** Math.ceil(Math.log2(need));
    if (cells > MAX_CELLS) {
      if (piece) throw new TheoryError("prop5: the grid needed for the pooled piece's atom exceeds 2^21 cells");
      cells = MAX_CELLS;
      step = (n * range) / (MAX_CELLS - 8);
    }
  }
  const pieceNode = piece ? Math.round(pieceOffset / step) : 0;
  const upper = sideOf(mechanism, law, m, step, high, +1, piece && pieceOffset > 0 ? piece : null, pieceNode);
  const lower = sideOf(mechanism, law, m, step, -low, -1, piece && pieceOffset < 0 ? piece : null, -pieceNode);
  const atoms: Atom[] = [{ node: 0, mass: law.pooledMass, signal: law.pooledSignalMean }];
  if (piece && piece.mass > 0)
    atoms.push({ node: pieceNode, mass: piece.mass, signal: law.signalIntegral(piece.from, piece.to) / piece.mass });
  const configurations = (size: number): Configuration[] => configurationsOf(atoms, size);
  const others = configurations(n - 1); // the n - 1 others beside the one off the atoms
  const all = configurations(n); // every other trader on an atom

  // Continuous masses of V - m at the nodes (index j + offset), and their signal-weighted version.
  const lowNode = -(lower.t.length + 1);
  const highNode = upper.t.length + 1;
  const vSize = highNode - lowNode + 1;
  const vMass = new Float64Array(vSize);
  const vSignal = new Float64Array(vSize);
  for (const side of [upper, lower]) {
    const { den, num } = nodeMasses(side, step);
    for (let j = 0; j < den.length; j++) {
      const k = side.sign * j - lowNode;
      vMass[k] = vMass[k]! + den[j]!;
      vSignal[k] = vSignal[k]! + num[j]!;
    }
  }
  let continuousMass = 0;
  for (let k = 0; k < vSize; k++) continuousMass += vMass[k]!;
  const massError = Math.abs(atoms.reduce((a, x) => a + x.mass, 0) + continuousMass - 1);
  if (!(massError <= MAX_MASS_ERROR)) {
    throw new TheoryError(
      `prop5: the grid does not resolve the law of v(t) (its mass is off by ${massError.toExponential(1)}, allowed ${MAX_MASS_ERROR}): v(t) flattens in a tail, as when the signals' tails are heavier than the endowments'; Proposition 5's fee is not available for these laws`,
    );
  }

  // Two or more others off the atoms, by FFT; index k <= positiveEnd is y = k step, beyond it negative.
  let fftDen: Float64Array | null = null;
  let fftNum: Float64Array | null = null;
  let noiseDen = 0;
  let noiseNum = 0;
  const positiveEnd = n >= 2 ? Math.min(cells - 1, Math.ceil((n * high) / step) + 4) : 0;
  if (n >= 2) {
    const wrap = (k: number) => ((k % cells) + cells) % cells;
    const [fRe, fIm, gRe, gIm, aRe, aIm, rRe, rIm] = Array.from({ length: 8 }, () => new Float64Array(cells));
    for (let k = 0; k < vSize; k++) {
      fRe[wrap(k + lowNode)] = vMass[k]!;
      gRe[wrap(k + lowNode)] = vSignal[k]!;
    }
    for (const a of atoms) {
      aRe[wrap(a.node)] = aRe[wrap(a.node)]! + a.mass;
      rRe[wrap(a.node)] = rRe[wrap(a.node)]! + a.mass * a.signal;
    }
    fft(fRe, fIm, false);
    fft(gRe, gIm, false);
    fft(aRe, aIm, false);
    fft(rRe, rIm, false);
    const dRe = new Float64Array(cells);
    const dIm = new Float64Array(cells);
    const nRe = new Float64Array(cells);
    const nIm = new Float64Array(cells);
    for (let k = 0; k < cells; k++) {
      const F: Complex = [fRe[k]!, fIm[k]!];
      const R: Complex = [gRe[k]!, gIm[k]!];
      const A: Complex = [aRe[k]!, aIm[k]!];
      const RA: Complex = [rRe[k]!, rIm[k]!];
      const total: Complex = [A[0] + F[0], A[1] + F[1]];
      const totalN1 = power(total, n - 1);
      const totalN = mul(totalN1, total);
      const An2 = power(A, n - 2);
      const An1 = mul(An2, A);
      const An = mul(An1, A);
      // D2 = (A + F)^n - A^n - n A^(n-1) F.
      const den = sub(sub(totalN, An), scaled(mul(An1, F), n));
      // N2 = n (RA + R)(A + F)^(n-1) - n RA A^(n-1) - n R A^(n-1) - n (n-1) RA A^(n-2) F.
      const all1 = scaled(mul([RA[0] + R[0], RA[1] + R[1]], totalN1), n);
      const num = sub(sub(sub(all1, scaled(mul(RA, An1), n)), scaled(mul(R, An1), n)), scaled(mul(mul(RA, An2), F), n * (n - 1)));
      dRe[k] = den[0];
      dIm[k] = den[1];
      nRe[k] = num[0];
      nIm[k] = num[1];
    }
    fft(dRe, dIm, true);
    fft(nRe, nIm, true);
    for (let k = 0; k < cells; k++) {
      noiseDen = Math.max(noiseDen, Math.abs(dIm[k]!), -dRe[k]!);
      noiseNum = Math.max(noiseNum, Math.abs(nIm[k]!));
    }
    // The trapezoid's error at pairs of jump nodes j1 + j2 of the two-off-the-atoms terms: the
    // discrete product mu_j1 mu_j2 stands where the integrand's jump average belongs.
    const jumps = [...upper.jumpNodes, ...lower.jumpNodes].filter((j, i, list) => list.findIndex((x) => x.node === j.node) === i);
    const jumpAt = (node: number) => {
      // Left and right limits of f and rho f at a jump node of the whole line.
      const side = (s: Side, u: number) => s.valueAt(u);
      if (node === 0) {
        const l = side(lower, 0);
        const r = side(upper, 0);
        return { fL: l.f, fR: r.f, gL: l.g, gR: r.g };
      }
      const s = node > 0 ? upper : lower;
      const near = s.valueAt(Math.abs(node), "near");
      const far = s.valueAt(Math.abs(node), "far");
      return node > 0 ? { fL: near.f, fR: far.f, gL: near.g, gR: far.g } : { fL: far.f, fR: near.f, gL: far.g, gR: near.g };
    };
    const twoDraws = configurationsOf(atoms, n - 2);
    for (const j1 of jumps) {
      for (const j2 of jumps) {
        const a = jumpAt(j1.node);
        const b = jumpAt(j2.node);
        const mu1 = vMass[j1.node - lowNode]!;
        const mu2 = vMass[j2.node - lowNode]!;
        const nu1 = vSignal[j1.node - lowNode]!;
        const ff = mu1 * mu2 - (step * step * (a.fL * b.fR + a.fR * b.fL)) / 2;
        const gf = nu1 * mu2 - (step * step * (a.gL * b.fR + a.gR * b.fL)) / 2;
        for (const cfg of twoDraws) {
          const k = wrap(cfg.node + j1.node + j2.node);
          dRe[k] = dRe[k]! - ((n * (n - 1)) / 2) * cfg.weight * ff;
          nRe[k] = nRe[k]! - n * (n - 1) * cfg.weight * gf - ((n * (n - 1)) / 2) * cfg.weight * cfg.signal * ff;
        }
      }
    }
    fftDen = dRe;
    fftNum = nRe;
  }

  // psi off the atoms' configurations: [one off the atoms, exact] + [two or more, FFT], as a ratio.
  // The two-or-more term has corners (slope jumps) where two jump nodes add up: at k * pieceNode,
  // k = 0..n. Its four-point stencil stays on one side of them (else the error is O(step) there).
  const corners = new Set(Array.from({ length: piece ? n + 1 : 1 }, (_, k) => k * pieceNode));
  const interpolate = (table: Float64Array, u: number) => {
    const j = Math.floor(u);
    // Stencil start: j - 1 (centred), j (a corner at j), j - 2 (a corner at j + 1).
    const first = corners.has(j) ? j : corners.has(j + 1) ? j - 2 : j - 1;
    const x = u - first;
    const at = (i: number) => table[((i % cells) + cells) % cells]!;
    return (
      (-(x - 1) * (x - 2) * (x - 3) * at(first)) / 6 +
      (x * (x - 2) * (x - 3) * at(first + 1)) / 2 -
      (x * (x - 1) * (x - 3) * at(first + 2)) / 2 +
      (x * (x - 1) * (x - 2) * at(first + 3)) / 6
    );
  };
  const parts = (u: number) => {
    // u = y / step on the whole line.
    let D = 0;
    let R = 0;
    for (const cfg of others) {
      const w = u - cfg.node;
      const value = w >= 0 ? upper.valueAt(w) : lower.valueAt(-w);
      D += n * cfg.weight * value.f;
      R += n * cfg.weight * (cfg.signal * value.f + value.g);
    }
    if (fftDen && fftNum) {
      D += interpolate(fftDen, u) / step;
      R += interpolate(fftNum, u) / step;
    }
    return { D, R };
  };
  // Trusted nodes: scanning out from 0, until the FFT's round-off is 1e-7 of the density.
  const signalScale = Math.sqrt(n * env.signal.variance) + n * Math.abs(env.signal.mean);
  const trustedEnd = (sign: 1 | -1) => {
    const reach = n >= 2 ? (sign > 0 ? positiveEnd : cells - positiveEnd - 2) : sign > 0 ? upper.end : lower.end;
    let last = 0;
    for (let j = 1; j <= reach; j++) {
      const { D, R } = parts(sign * j);
      if (!(D > 0)) break;
      if (fftDen && (10 * noiseDen > 1e-6 * D * step || 10 * noiseNum > 1e-6 * step * D * (signalScale + Math.abs(R / D)))) break;
      last = j;
    }
    return last;
  };
  const trustedHigh = trustedEnd(1);
  const trustedLow = -trustedEnd(-1);
  const ratio = (u: number) => {
    const { D, R } = parts(u);
    return R / D;
  };
  const edgeHigh = trustedHigh >= 8 ? { at: ratio(trustedHigh), slope: (ratio(trustedHigh) - ratio(trustedHigh - 8)) / 8 } : null;
  const edgeLow = trustedLow <= -8 ? { at: ratio(trustedLow), slope: (ratio(trustedLow) - ratio(trustedLow + 8)) / 8 } : null;
  const atomTolerance = 1e-12 * n * (Math.abs(m) + sdV);
  const othersSignal = (S: number): number => {
    const y = S - n * m;
    // Every other trader on an atom: exactly at a configuration's point.
    for (const cfg of all) if (cfg.weight > 0 && Math.abs(y - cfg.node * step) <= atomTolerance) return cfg.signal;
    const u = y / step;
    if (u > trustedHigh) return edgeHigh ? edgeHigh.at + edgeHigh.slope * (u - trustedHigh) : ratio(trustedHigh);
    if (u < trustedLow) return edgeLow ? edgeLow.at + edgeLow.slope * (trustedLow - u) : ratio(trustedLow);
    return ratio(u);
  };

  // B(l) = scale ((l - m)^2/2 + m (l - m) - kappa J(l - m)), J(y) = int_0^y v^{-1}(m + u) du.
  const B = (l: number) => {
    const y = l - m;
    const J = y >= 0 ? upper.inverseIntegral(y / step) : -lower.inverseIntegral(-y / step);
    return scale * (0.5 * y * y + m * y - kappa * J);
  };
  const tradeVolumePerTrader = step * tradeVolume(N, atoms, all, others, vMass, lowNode, fftDen, cells, positiveEnd);
  return {
    ...prop5Parts({ traders: N, kappa, mechanism, c, d, B, othersSignal }),
    grid: { step, cells, low, high, trustedLow: trustedLow * step, trustedHigh: trustedHigh * step, massError },
    tradeVolumePerTrader,
  };
}

type Complex = [number, number];
const mul = (a: Complex, b: Complex): Complex => [a[0] * b[0] - a[1] * b[1], a[0] * b[1] + a[1] * b[0]];
const sub = (a: Complex, b: Complex): Complex => [a[0] - b[0], a[1] - b[1]];
const scaled = (a: Complex, s: number): Complex => [a[0] * s, a[1] * s];
/** z^k for an integer k >= 0 (k < 0: 0), in polar form. */
function power(z: Complex, k: number): Complex {
  if (k < 0) return [0, 0];
  if (k === 0) return [1, 0];
  const r = Math.hypot(z[0], z[1]) ** k;
  const angle = k * Math.atan2(z[1], z[0]);
  return [r * Math.cos(angle), r * Math.sin(angle)];
}

/** Multisets of `size` atoms: node sum, multinomial probability and summed signal means (size < 0: none). */
function configurationsOf(atoms: readonly Atom[], size: number): Configuration[] {
  if (size < 0) return [];
  let list: Configuration[] = [{ node: 0, weight: 1, signal: 0 }];
  // Draw by draw, merging equal nodes (with at most two atoms a node identifies the multiset).
  for (let k = 0; k < size; k++) {
    const next = new Map<number, Configuration>();
    for (const c of list) {
      for (const a of atoms) {
        const node = c.node + a.node;
        const w = c.weight * a.mass;
        const old = next.get(node);
        const signalSum = c.signal + a.signal;
        if (old)
          next.set(node, { node, weight: old.weight + w, signal: (old.signal * old.weight + signalSum * w) / (old.weight + w || 1) });
        else next.set(node, { node, weight: w, signal: signalSum });
      }
    }
    list = [...next.values()];
    if (list.length > MAX_CONFIGURATIONS) throw new TheoryError("prop5: too many configurations of pooled traders to enumerate");
  }
  return list;
}

/** One side of the pool: V - m = sign u step, u >= 0 in node units. */
interface Side {
  readonly sign: 1 | -1;
  /** Node values at u = 0..count (at a jump node, the far side's limit). */
  readonly t: Float64Array;
  readonly slope: Float64Array;
  readonly f: Float64Array;
  readonly g: Float64Array;
  /** u of the range's end (f vanishes beyond). */
  readonly end: number;
  /** Jump nodes of this side (u = 0 and a pooled piece's node), as signed nodes of the whole line. */
  readonly jumpNodes: readonly { node: number }[];
  /** Breaks: where f or t jumps (u, one-sided values near 0's side and far from it). */
  readonly breaks: readonly Break[];
  /** f and rho f at u (one-sided at a break: "near" the pool or "far" from it; default far). */
  valueAt(u: number, side?: "near" | "far"): { f: number; g: number };
  /** J(u) = int_0^u v^{-1}(m + sign w step) step dw. */
  inverseIntegral(u: number): number;
}

interface OneSided {
  f: number;
  g: number;
  t: number;
  slope: number;
}

interface Break {
  readonly u: number;
  readonly near: OneSided;
  readonly far: OneSided;
  /** t jumps here (a pooled piece): the inverse of v is not continuous. */
  readonly piece: boolean;
}

/**
 * Inverts v along the upper (sign +1, from tB up) or lower (sign -1, from tA down) branch at the
 * nodes u = 0..floor(end), by Newton's method from the previous node safeguarded by bisection in
 * the bracket the previous node and the range's end give (|residual| <= 1e-13 of the sd of V, or
 * the bracket at rounding); across a pooled piece [a, b] at level L the node at L takes t = b and
 * the break there records t = a on the near side. Breaks: u = 0, the piece, the images of h's kinks
 * (f = h/v' jumps with h'), the range's end.
 */
function sideOf(
  mechanism: EffectiveTypeMechanism,
  law: EffectiveTypeLaw,
  m: number,
  step: number,
  endY: number,
  sign: 1 | -1,
  piece: { from: number; to: number; level: number } | null,
  pieceNode: number,
): Side {
  const start = sign > 0 ? mechanism.tB : mechanism.tA;
  const tEnd = sign > 0 ? law.upper : law.lower;
  const v = mechanism.v;
  const end = endY / step;
  const count = sign * (tEnd - start) > 0 ? Math.floor(end) : -1;
  const size = count + 1;
  const t = new Float64Array(Math.max(0, size));
  const slope = new Float64Array(Math.max(0, size));
  const f = new Float64Array(Math.max(0, size));
  const g = new Float64Array(Math.max(0, size));
  const tolerance = 1e-13 * Math.sqrt(mechanism.varianceVirtualType);
  const eps = (x: number) => 1e-12 * (1 + Math.abs(x));
  const oneSided = (x: number, direction: 1 | -1): OneSided => {
    const at = x + direction * eps(x);
    const s = law.virtualTypeSlope(at);
    if (!(s > 0 && Number.isFinite(s))) {
      throw new TheoryError(
        `prop5: v(t) is flat to rounding near t = ${at.toPrecision(6)} (v' = ${s.toExponential(1)}), as when the signals' tails are heavier than the endowments'; the fee needs v^{-1}: Proposition 5's fee is not available for these laws`,
      );
    }
    const fx = law.density(x) / s;
    return { f: fx, g: fx * law.signalMean(x), t: x, slope: sign / s };
  };
  const breaks: Break[] = [];
  if (size > 0) {
    const first = oneSided(start, sign);
    breaks.push({ u: 0, near: first, far: first, piece: false });
  }
  let previous = start;
  for (let j = 0; j < size; j++) {
    let x: number;
    if (j === 0) x = start;
    else if (piece && j === Math.abs(pieceNode)) {
      const nearT = sign > 0 ? piece.from : piece.to;
      const farT = sign > 0 ? piece.to : piece.from;
      breaks.push({ u: j, near: oneSided(nearT, -sign as 1 | -1), far: oneSided(farT, sign), piece: true });
      x = farT;
    } else {
      const target = m + sign * j * step;
      let a = previous;
      let b = tEnd;
      const s0 = law.virtualTypeSlope(previous + sign * eps(previous));
      x = s0 > 0 ? previous + (sign * step) / s0 : 0.5 * (a + b);
      for (let it = 0; it < 100; it++) {
        if (!(sign * (x - a) > 0 && sign * (b - x) > 0)) x = 0.5 * (a + b);
        const r = v(x) - target;
        if (Math.abs(r) <= tolerance) break;
        if (sign * r < 0) a = x;
        else b = x;
        if (Math.abs(b - a) <= 4 * Number.EPSILON * Math.max(Math.abs(a), Math.abs(b))) break;
        const s = law.virtualTypeSlope(x);
        x = s > 0 ? x - r / s : 0.5 * (a + b);
      }
    }
    const value = j === 0 ? oneSided(start, sign) : piece && j === Math.abs(pieceNode) ? breaks[breaks.length - 1]!.far : oneSided(x, 1);
    t[j] = x;
    slope[j] = value.slope;
    f[j] = value.f;
    g[j] = value.g;
    previous = x;
  }
  // Images of h's kinks on this side (off the pools), where f jumps with h'.
  if (size > 0) {
    for (const tk of law.kinks) {
      if (!(sign * (tk - start) > 0 && sign * (tEnd - tk) > 0)) continue;
      if (piece && tk >= piece.from && tk <= piece.to) continue;
      const u = (sign * (v(tk) - m)) / step;
      if (!(u > 0 && u < end)) continue;
      breaks.push({ u, near: oneSided(tk, -sign as 1 | -1), far: oneSided(tk, sign), piece: false });
    }
    // The range's end: f there (0 beyond; v' lost in rounding at a far end gives f = 0).
    const sEnd = law.virtualTypeSlope(tEnd);
    const fEnd = sEnd > 0 && Number.isFinite(sEnd) ? law.density(tEnd) / sEnd : 0;
    const last: OneSided = { f: fEnd, g: fEnd > 0 ? fEnd * law.signalMean(tEnd) : 0, t: tEnd, slope: size > 0 ? slope[size - 1]! : 0 };
    breaks.push({ u: Math.max(end, count), near: last, far: { f: 0, g: 0, t: tEnd, slope: 0 }, piece: false });
  }
  breaks.sort((x, y) => x.u - y.u);

  // f, rho f at u: Lagrange on up to four points of u's segment between breaks (the breaks' one-sided values at its ends).
  const xs = new Float64Array(4);
  const fs = new Float64Array(4);
  const gs = new Float64Array(4);
  const valueAt = (u: number, which: "near" | "far" = "far") => {
    if (size <= 0 || u > end || u < 0) return { f: 0, g: 0 };
    // The segment [breaks[k].u, breaks[k+1].u] holding u (at a break: the side asked for).
    let k = 0;
    while (k + 1 < breaks.length && (breaks[k + 1]!.u < u || (breaks[k + 1]!.u === u && which === "far"))) k++;
    const left = breaks[k]!;
    const right = breaks[Math.min(k + 1, breaks.length - 1)]!;
    if (u === left.u) return which === "near" && k > 0 ? { f: left.near.f, g: left.near.g } : { f: left.far.f, g: left.far.g };
    if (u === right.u && which === "near") return { f: right.near.f, g: right.near.g };
    // Candidates in order: the left break (far values), the nodes strictly inside, the right break
    // (near values); the (up to) four around u.
    const firstNode = Math.floor(left.u) + 1;
    const lastNodeIn = Math.min(size - 1, Math.ceil(right.u) - 1);
    const inside = Math.max(0, lastNodeIn - firstNode + 1);
    const total = inside + 2;
    const below = 1 + Math.max(0, Math.min(lastNodeIn, Math.floor(u)) - firstNode + 1); // candidates <= u
    const width = Math.min(4, total);
    const from = Math.max(0, Math.min(below - 2, total - width));
    let count4 = 0;
    for (let i = from; i < from + width; i++) {
      if (i === 0) {
        xs[count4] = left.u;
        fs[count4] = left.far.f;
        gs[count4] = left.far.g;
      } else if (i === total - 1) {
        xs[count4] = right.u;
        fs[count4] = right.near.f;
        gs[count4] = right.near.g;
      } else {
        const j = firstNode + i - 1;
        xs[count4] = j;
        fs[count4] = f[j]!;
        gs[count4] = g[j]!;
      }
      count4++;
    }
    let F = 0;
    let G = 0;
    for (let i = 0; i < count4; i++) {
      let w = 1;
      for (let q = 0; q < count4; q++) if (q !== i) w *= (u - xs[q]!) / (xs[i]! - xs[q]!);
      F += w * fs[i]!;
      G += w * gs[i]!;
    }
    return { f: F, g: G };
  };

  // J(u) = int_0^u t(w) step dw: cubic Hermite per cell (slopes limited, Fritsch and Carlson, so the
  // cubic stays monotone like v^{-1}), the near-side values on the cell ending at a piece's node.
  const cellLeft = new Float64Array(Math.max(0, size - 1));
  const cellRight = new Float64Array(Math.max(0, size - 1));
  const t0 = new Float64Array(Math.max(0, size - 1));
  const t1 = new Float64Array(Math.max(0, size - 1));
  const pieceBreak = breaks.find((b) => b.piece);
  for (let j = 0; j + 1 < size; j++) {
    const endsAtPiece = pieceBreak !== undefined && j + 1 === pieceBreak.u;
    const a = t[j]!;
    const b = endsAtPiece ? pieceBreak.near.t : t[j + 1]!;
    const sa = slope[j]! * step;
    const sb = (endsAtPiece ? pieceBreak.near.slope : slope[j + 1]!) * step;
    const secant = b - a;
    let ra = secant === 0 ? 0 : Math.max(0, sa / secant);
    let rb = secant === 0 ? 0 : Math.max(0, sb / secant);
    const r = ra * ra + rb * rb;
    if (r > 9) {
      const tau = 3 / Math.sqrt(r);
      ra *= tau;
      rb *= tau;
    }
    t0[j] = a;
    t1[j] = b;
    cellLeft[j] = ra * secant;
    cellRight[j] = rb * secant;
  }
  const cumulative = new Float64Array(Math.max(1, size));
  for (let j = 1; j < size; j++)
    cumulative[j] = cumulative[j - 1]! + step * (0.5 * (t0[j - 1]! + t1[j - 1]!) + (cellLeft[j - 1]! - cellRight[j - 1]!) / 12);
  const lastNode = size - 1;
  const inverseIntegral = (u: number) => {
    // No types beyond the pool on this side: v^{-1} stays at the pool's end.
    if (size <= 0) return start * u * step;
    if (u >= lastNode) {
      const w = (u - lastNode) * step;
      return cumulative[lastNode]! + t[lastNode]! * w + 0.5 * slope[lastNode]! * w * w;
    }
    const j = Math.floor(u);
    const s = u - j;
    const s2 = s * s;
    const s3 = s2 * s;
    const s4 = s3 * s;
    // Integrals over [0, s] of the Hermite basis h00, h10, h01, h11 (slopes per cell already times step).
    const i00 = s - s3 + 0.5 * s4;
    const i10 = 0.5 * s2 - (2 / 3) * s3 + 0.25 * s4;
    const i01 = s3 - 0.5 * s4;
    const i11 = -s3 / 3 + 0.25 * s4;
    return cumulative[j]! + step * (i00 * t0[j]! + i01 * t1[j]! + i10 * cellLeft[j]! + i11 * cellRight[j]!);
  };
  const jumpNodes = size > 0 ? [{ node: 0 }, ...(piece && pieceNode !== 0 ? [{ node: sign * Math.abs(pieceNode) }] : [])] : [];
  return { sign, t, slope, f, g, end, jumpNodes, breaks, valueAt, inverseIntegral };
}

/**
 * The trapezoid masses step f_j and step rho_j f_j at a side's nodes j = 0..count (half at 0), the
 * cells holding a break (a piece's node takes its one-sided values on either cell; a kink's image or
 * the range's end inside a cell) corrected to the exact mass and first moment of the linear pieces,
 * the difference split between the cell's two nodes. Index count + 1 receives the end's share.
 */
function nodeMasses(side: Side, step: number): { den: Float64Array; num: Float64Array } {
  const size = side.t.length;
  const den = new Float64Array(size + 2);
  const num = new Float64Array(size + 2);
  if (size === 0) return { den, num };
  const last = size - 1;
  const pieceBreak = side.breaks.find((b) => b.piece);
  // Plain trapezoid over cells [j, j+1], j < last; the cell ending at a piece's node uses the near values.
  for (let j = 0; j < last; j++) {
    const endsAtPiece = pieceBreak !== undefined && j + 1 === pieceBreak.u;
    const fb = endsAtPiece ? pieceBreak.near.f : side.f[j + 1]!;
    const gb = endsAtPiece ? pieceBreak.near.g : side.g[j + 1]!;
    den[j] = den[j]! + 0.5 * step * side.f[j]!;
    den[j + 1] = den[j + 1]! + 0.5 * step * fb;
    num[j] = num[j]! + 0.5 * step * side.g[j]!;
    num[j + 1] = num[j + 1]! + 0.5 * step * gb;
  }
  // int_a^b x phi for phi linear from p to q on [a, b]: (b - a)(p (2a + b) + q (a + 2b))/6.
  const moment = (a: number, b: number, p: number, q: number) => ((b - a) * (p * (2 * a + b) + q * (a + 2 * b))) / 6;
  const endBreak = side.breaks[side.breaks.length - 1];
  for (const br of side.breaks) {
    if (br.piece || br.u === 0) continue;
    const J = Math.floor(br.u);
    // A kink in the partial cell past the last node is left to the trapezoid (measure ~1e-15 there).
    if (J > last || (J === last && br !== endBreak)) continue;
    const a = br.u - J;
    const lastCell = J === last; // the range's end past the last node: no trapezoid there
    const endsAtPiece = pieceBreak !== undefined && J + 1 === pieceBreak.u;
    for (const [out, key, values] of [
      [den, "f", side.f],
      [num, "g", side.g],
    ] as const) {
      const y0 = values[J]!;
      const y1 = lastCell ? 0 : endsAtPiece ? pieceBreak.near[key] : values[J + 1]!;
      const near = br.near[key];
      const far = lastCell ? 0 : br.far[key];
      const exactTotal = (a * (y0 + near)) / 2 + ((1 - a) * (far + y1)) / 2;
      const exactMoment = moment(0, a, y0, near) + moment(a, 1, far, y1);
      const trapezoidTotal = lastCell ? 0 : (y0 + y1) / 2;
      const trapezoidMoment = lastCell ? 0 : moment(0, 1, y0, y1);
      const total = step * (exactTotal - trapezoidTotal);
      const first = step * (exactMoment - trapezoidMoment);
      out[J] = out[J]! + total - first;
      out[J + 1] = out[J + 1]! + first;
    }
  }
  return { den, num };
}

/**
 * E|X_i| = (1/N) E|Y - n V| with V = v(t_i) - m (atoms, continuous node masses) and Y the others' sum
 * (every other on an atom, exactly one off them, two or more by FFT; for n = 1, Y is V). A(c) =
 * E|Y - c| from prefix sums of Y's masses and first moments on the grid; every n V is a node.
 */
function tradeVolume(
  N: number,
  atoms: readonly Atom[],
  all: readonly Configuration[],
  others: readonly Configuration[],
  vMass: Float64Array,
  lowNode: number,
  fftDen: Float64Array | null,
  cells: number,
  positiveEnd: number,
): number {
  const n = N - 1;
  const span = vMass.length;
  const lo = fftDen ? positiveEnd - cells + 1 : n * lowNode - 1;
  const hi = fftDen ? positiveEnd : n * (span + lowNode) + 1;
  const size = hi - lo + 1;
  const mass = new Float64Array(size);
  const add = (node: number, w: number) => {
    if (node >= lo && node <= hi) mass[node - lo] = mass[node - lo]! + w;
  };
  for (const cfg of all) add(cfg.node, cfg.weight);
  for (const cfg of others) for (let k = 0; k < span; k++) add(cfg.node + k + lowNode, n * cfg.weight * vMass[k]!);
  if (fftDen) for (let node = lo; node <= hi; node++) add(node, fftDen[((node % cells) + cells) % cells]!);
  const W = new Float64Array(size + 1);
  const M = new Float64Array(size + 1);
  for (let i = 0; i < size; i++) {
    W[i + 1] = W[i]! + mass[i]!;
    M[i + 1] = M[i]! + mass[i]! * (i + lo);
  }
  const totalW = W[size]!;
  const totalM = M[size]!;
  // In node units (E|Y - c| / step).
  const A = (node: number) => {
    const i = Math.min(size, Math.max(0, node - lo + 1));
    return node * (2 * W[i]! - totalW) - (2 * M[i]! - totalM);
  };
  let sum = 0;
  for (const a of atoms) sum += a.mass * A(n * a.node);
  for (let k = 0; k < span; k++) sum += vMass[k]! * A(n * (k + lowNode));
  return sum / N; // in units of the step
}

import { type DemandSchedule, type FeeSchedule, linearSchedule } from "@optex/engine";
import {
  type InverseIntegral,
  inverseVirtualTypeIntegral,
  normal,
  type OptimalAdverseSelection,
  optimalAdverseSelection,
  solveVirtualTypeWithWeight,
} from "@optex/theory";
import { type PooledSumPosteriorTable, pooledSumPosteriorTable } from "./prop5Psi.ts";

export { pooledSumPosterior } from "./prop5Psi.ts";

/** Section 5.3's Gaussian environment: e_i ~ N(mu_e, sigma_e^2), zeta_i ~ N(0, sigma_zeta^2) independent, E[pi | zeta] = sum_j zeta_j. */
export interface AdverseSelectionFeeEnvironment {
  readonly traders: number;
  readonly kappa: number;
  readonly muE: number;
  readonly sigmaE: number;
  readonly sigmaZeta: number;
  readonly alpha: number;
}

/** What every Proposition 5 fee exposes (Gaussian laws: prop5Fee; any laws: prop5LawsFee). */
export interface Prop5Schedule extends FeeSchedule {
  readonly id: "prop5";
  /** Theorem 3's virtual type v(t) the fee implements (the truthful bidders bid it). */
  readonly mechanism: { v(t: number): number };
  /** Quadratic coefficient: minus the price impact 1/((N-1) kappa), as in Proposition 3. */
  readonly c: number;
  /** Participation constant Var[v]/(2 N kappa) + B(E[v]) (B(E[v]) = 0 with optex's centring). */
  readonly d: number;
  /** B(l) = ((N-1)/(N kappa)) int_{E[v]}^{l} (s - kappa v^{-1}(s)) ds, v^{-1} the inverse of v(t). */
  B(l: number): number;
  /** l = -q - kappa p: the intercept of the prescribed schedule through (p, q); equals v(t_i) for a truthful bid. */
  impliedIntercept(q: number, p: number): number;
  /** S = q - (N-1) kappa p: sum_{j != i} v(t_j) when the others bid truthfully (read off the residual supply). */
  revealedOthers(q: number, p: number): number;
  /** psi(S) = E[sum_{j != i} zeta_j | sum_{j != i} v(t_j) = S]. */
  othersSignal(S: number): number;
  /** Batch fast path: out[i] = fee(i, quantities[i], p), the same bits. */
  feesInto(quantities: Float64Array, p: number, out: Float64Array): void;
  /** t = e/kappa - zeta (Lemma 1). */
  effectiveType(endowment: number, signal: number): number;
  /** The prescribed (truthful) bid q(p) = -v(t) - kappa p (mu_pi = 0 in Section 5). */
  bid(endowment: number, signal: number): DemandSchedule;
}

/** The Gaussian Proposition 5 fee with its parts exposed for tests, reports and the truthful strategy. */
export interface Prop5Fee extends Prop5Schedule {
  /** Theorem 3's mechanism the fee implements (v(t), tA, tB, revenue...). */
  readonly mechanism: OptimalAdverseSelection;
  /**
   * psi(S) from pooledSumPosteriorTable: within 1e-12 sigma_zeta sqrt(N-1) of othersSignalDirect
   * (tested), in a few tens of ns.
   */
  othersSignal(S: number): number;
  /** psi(S) by the direct evaluation of pooledSumPosterior (a root finding per call, ~2 us): the reference of othersSignal. */
  othersSignalDirect(S: number): number;
}

/**
 * Proposition 5 (the paper states only the shape; derived here from its proof in Appendix B, which
 * carries Proposition 3's typos, the printed a = -N/(N-1) and argument -q - p/N, corrected as in
 * prop3Fee). Trader i pays, on top of p q,
 *   T(q, p) = (c/2) q^2 - B(l) + psi(S) q + d,   l = -q - kappa p,   S = q - (N-1) kappa p,
 *   c = -1/((N-1) kappa),  B(l) = ((N-1)/(N kappa)) [(l - mu_e)^2/2 - int_{mu_e}^{l} (kappa v^{-1}(s) - mu_e) ds],
 *   d = Var[v]/(2 N kappa),  psi(S) = E[sum_{j != i} zeta_j | sum_{j != i} v(t_j) = S],
 * with v Theorem 3's virtual type of the effective type t = e/kappa - zeta.
 * Why: when everybody bids q_j(p) = -v(t_j) - kappa p, trader i's residual supply is
 * p = (q - S)/((N-1) kappa), so S = q - (N-1) kappa p is the same at every point of it: the exchange
 * reads S off the trade and the price, and the trader learns it from the price. Her expected gain
 * at a point is (Lemma 1) -t q - q^2/(2 kappa) + psi(S) q - p q - T; the psi(S) q in T cancels the
 * price's news about the others' signals, and what remains is Proposition 3's problem in units
 * e = kappa t: the slope along the residual supply is v^{-1}(l) - t with l falling in q, so the
 * payoff is concave and peaks at l = v(t), i.e. at the truthful bid, for every S. Clearing then gives
 * Theorem 3's allocation X_i = -v(t_i) + (1/N) sum_j v(t_j). A flat type (v = E[v] = mu_e) earns
 * Var[v]/(2 N kappa) + B(mu_e) - d in expectation, so d makes participation bind on [tA, tB]
 * (B(mu_e) = 0 because B is centred on mu_e, like optex's Proposition 3 fee).
 * Gaussian laws: v(t) = mu_e + k u((t - mu_t)/s_t), k = kappa s_t w, with u Theorem 1's virtual type of
 * N(0, 1) at hazard weight alpha/w, so B(l) = ((N-1)/(N kappa)) k^2 [x^2/2 - K(x)/w], x = (l - mu_e)/k,
 * K(x) = int_0^x u^{-1}; and E[zeta_j | t_j] = -(1 - w) s_t z_j gives psi(S) = -(1 - w) s_t phi_{N-1}((S - (N-1) mu_e)/k)
 * with phi_n from pooledSumPosterior, tabulated once per fee (pooledSumPosteriorTable: per cell of the
 * FFT grid, a ratio of quintics in the cell's coordinate, within 1e-12 sqrt(N-1) of the direct
 * evaluation; exact beyond the table). psi is odd around the all-pooled atom S = (N-1) mu_e, where it
 * is 0, and jumps there (a single unpooled trader contributes +-zB). The fee does not depend on the
 * trader's identity. Throws TheoryError for a bad environment (as optimalAdverseSelection).
 * @example prop5Fee({ traders: 4, kappa: 1, muE: 0, sigmaE: 1, sigmaZeta: 0.5, alpha: 0.5 }).fee(0, 0.2, -0.1)
 */
export function prop5Fee(env: AdverseSelectionFeeEnvironment): Prop5Fee {
  const mechanism = optimalAdverseSelection(env);
  const { traders: N, kappa, muE, sigmaE, sigmaZeta, alpha } = env;
  const w = mechanism.endowmentWeight;
  const st = Math.sqrt((sigmaE * sigmaE) / (kappa * kappa) + sigmaZeta * sigmaZeta);
  const k = kappa * st * w;
  const weight = alpha / w;
  const unit = solveVirtualTypeWithWeight(normal(0, 1), weight);
  const scale = (N - 1) / (N * kappa);
  const c = -1 / ((N - 1) * kappa);
  const d = (k * k * unit.varianceVirtualType) / (2 * N * kappa);
  // K's tables cost a few thousand root findings: built on the first fee, not for c and d.
  let K: InverseIntegral | undefined;
  const scaleB = scale * k * k;
  const B = (l: number) => {
    K ??= inverseVirtualTypeIntegral(unit);
    const x = (l - muE) / k;
    return scaleB * (0.5 * x * x - K.evaluate(x) / w);
  };
  const n = N - 1;
  const signalSlope = (1 - w) * st; // E[zeta_j | t_j] = -(1 - w) s_t z_j
  // phi's FFT and table (~0.1 s) are built on the first psi, not for c and d.
  let phi: PooledSumPosteriorTable | undefined;
  // S recovered from (q, p) carries rounding of order 1e-16 (|q| + (N-1) kappa |p|); closer than this
  // to the atom it is the atom (the continuous part of S has probability ~1e-9 (1 + |mu_e|/k) there).
  const atomTolerance = 1e-9 * n * (k + Math.abs(muE));
  const pooled = (offset: number) => signalSlope > 0 && Math.abs(offset) > atomTolerance;
  const othersSignal = (S: number): number => {
    const offset = S - n * muE;
    if (!pooled(offset)) return 0;
    phi ??= pooledSumPosteriorTable(n, weight, unit.eB);
    return -signalSlope * phi.evaluate(offset / k);
  };
  const othersSignalDirect = (S: number): number => {
    const offset = S - n * muE;
    if (!pooled(offset)) return 0;
    phi ??= pooledSumPosteriorTable(n, weight, unit.eB);
    return -signalSlope * phi.direct(offset / k);
  };
  const halfC = 0.5 * c;
  const nKappa = n * kappa;
  return {
    ...prop5Parts({ traders: N, kappa, mechanism, c, d, B, othersSignal }),
    mechanism,
    othersSignalDirect,
    // fee() with the tables fetched and kappa p, (N-1) kappa p formed once per market (the same bits).
    feesInto: (quantities, p, out) => {
      const integral = (K ??= inverseVirtualTypeIntegral(unit));
      const table = signalSlope > 0 ? (phi ??= pooledSumPosteriorTable(n, weight, unit.eB)) : null;
      const kappaP = kappa * p;
      const othersP = nKappa * p;
      const atom = n * muE;
      for (let i = 0; i < quantities.length; i++) {
        const q = quantities[i]!;
        const x = (-q - kappaP - muE) / k;
        const offset = q - othersP - atom;
        const psi = table !== null && Math.abs(offset) > atomTolerance ? -signalSlope * table.evaluate(offset / k) : 0;
        out[i] = halfC * q * q - scaleB * (0.5 * x * x - integral.evaluate(x) / w) + psi * q + d;
      }
    },
  };
}

/**
 * The parts every Proposition 5 fee shares, from its B, psi and constants: T(q, p) = (c/2) q^2 -
 * B(-q - kappa p) + psi(q - (N-1) kappa p) q + d, the truthful bid and the readings of (q, p).
 */
export function prop5Parts<M extends { v(t: number): number }>(parts: {
  traders: number;
  kappa: number;
  mechanism: M;
  c: number;
  d: number;
  B: (l: number) => number;
  othersSignal: (S: number) => number;
}): Omit<Prop5Schedule, "feesInto" | "mechanism"> & {
  readonly mechanism: M;
  feesInto(quantities: Float64Array, p: number, out: Float64Array): void;
} {
  const { kappa, mechanism, c, d, B, othersSignal } = parts;
  const nKappa = (parts.traders - 1) * kappa;
  const halfC = 0.5 * c;
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
  };
}

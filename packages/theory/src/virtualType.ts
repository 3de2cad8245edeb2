import { findRootExpanding } from "./brent.ts";
import { checkCondition1 } from "./condition1.ts";
import type { Distribution } from "./distribution.ts";
import { integrate } from "./quadrature.ts";
import { standardizedLaw } from "./standardizedLaw.ts";
import { TheoryError } from "./theoryError.ts";

/** The optimal mechanism's virtual type (Theorem 1) for one law of endowments and weight alpha. */
export interface VirtualType {
  readonly dist: Distribution;
  readonly alpha: number;
  /** The binding region [eA, eB] where participation binds and v is flat. */
  readonly eA: number;
  readonly eB: number;
  /** m = E[v(e)], the level of v on [eA, eB]. */
  readonly meanVirtualType: number;
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
  /** The same mechanism for the standardized law of z = (e - location)/scale (unit-scale numerics). */
  readonly standardized: VirtualType;
  /** mu_e and sigma_e: e = location + scale z. */
  readonly location: number;
  readonly scale: number;
}

/** Tolerances of the Theorem 1 solve: quadrature (relative 1e-12) and the root in m (1e-13 sigma_e). */
const QUAD = { absTol: 1e-15, relTol: 1e-12, maxSubdivisions: 4000 };

/**
 * Solves Theorem 1's three equations in (eA, eB, E[v]) for any law satisfying Condition 1.
 * For a trial level m, eA(m) and eB(m) are where the two branches of v equal m; then
 * g(m) = E[v_m(e)] - m has slope F(eB) - F(eA) - 1 < 0, so its unique root is E[v].
 * The solve runs on the standardized law z = (e - mu)/sigma (v is equivariant:
 * v_e(mu + sigma z) = mu + sigma v_z(z)), so tolerances are relative to sigma whatever the units.
 * Throws TheoryError when alpha is outside [0, 1] or Condition 1 fails (ironing is not implemented).
 */
export function solveVirtualType(dist: Distribution, alpha: number): VirtualType {
  if (!(alpha >= 0 && alpha <= 1)) throw new TheoryError(`alpha must be in [0, 1], got ${alpha}`);
  const mu = dist.mean;
  const sigma = Math.sqrt(dist.variance);
  if (!(Number.isFinite(mu) && sigma > 0 && Number.isFinite(sigma))) {
    throw new TheoryError(`the law ${dist.id} needs a finite mean and a finite variance > 0`);
  }
  const condition = checkCondition1(dist, alpha);
  if (!condition.holds) {
    throw new TheoryError(
      `Condition 1 fails for ${dist.id} at alpha=${alpha}: ${condition.violation!.branch} decreases near e=${condition.violation!.at.toPrecision(6)} (ironing is not implemented)`,
    );
  }
  const z = solveStandard(standardizedLaw(dist), alpha);
  if (mu === 0 && sigma === 1 && z.dist === dist) return z;
  // Back to the user's units; support ends map exactly (not through rounding).
  const zLaw = z.dist;
  const toE = (t: number) => (t <= zLaw.lower ? dist.lower : t >= zLaw.upper ? dist.upper : mu + sigma * t);
  const eA = toE(z.eA);
  const eB = toE(z.eB);
  const m = mu + sigma * z.meanVirtualType;
  // v in the user's units straight from the law's ratios (it sits in Monte Carlo's hot loop).
  const cdfOverPdf = dist.cdfOverPdf;
  const survivalOverPdf = dist.survivalOverPdf;
  const v =
    alpha === 0
      ? (e: number) => e
      : (e: number) => (e < eA ? e + alpha * cdfOverPdf(e) : e > eB ? e - alpha * survivalOverPdf(e) : m);
  return {
    dist,
    alpha,
    eA,
    eB,
    meanVirtualType: m,
    flatMass: z.flatMass,
    varianceVirtualType: sigma * sigma * z.varianceVirtualType,
    v,
    vInverse: (s: number) => (alpha === 0 ? Math.min(Math.max(s, dist.lower), dist.upper) : toE(z.vInverse((s - mu) / sigma))),
    standardized: z,
    location: mu,
    scale: sigma,
  };
}

/** Theorem 1's solve on a law of unit scale (any law works; tolerances assume sigma ~ 1). */
function solveStandard(dist: Distribution, alpha: number): VirtualType {
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
    const guess = Math.min(Math.max(s, Number.isFinite(L) ? L : s), Number.isFinite(U) ? U : s);
    return findRootExpanding((e) => branch(e) - s, guess, sigma, L, U, { tolerance: 1e-14 * (sigma + Math.abs(s)) });
  };
  const eAOf = (m: number) => solveBranch(lowerBranch, m, lowerAtL, lowerAtU);
  const eBOf = (m: number) => solveBranch(upperBranch, m, upperAtL, upperAtU);

  let eA: number;
  let eB: number;
  let m: number;
  if (alpha === 0) {
    m = dist.mean;
    eA = eB = m;
  } else {
    const g = (trial: number) => {
      const a = eAOf(trial);
      const b = eBOf(trial);
      const below = a > L ? integrate((e) => e * dist.pdf(e) + alpha * dist.cdf(e), L, a, QUAD).value : 0;
      const above = b < U ? integrate((e) => e * dist.pdf(e) - alpha * dist.survival(e), b, U, QUAD).value : 0;
      return below + above - trial * (dist.cdf(a) + dist.survival(b));
    };
    m = findRootExpanding(g, dist.mean, sigma, -Infinity, Infinity, { tolerance: 1e-13 * sigma });
    eA = eAOf(m);
    eB = eBOf(m);
  }
  // Flat closure (no nested calls through the branches): v sits in Monte Carlo's hot loop.
  const cdfOverPdf = dist.cdfOverPdf;
  const survivalOverPdf = dist.survivalOverPdf;
  const v =
    alpha === 0
      ? (e: number) => e
      : (e: number) => (e < eA ? e + alpha * cdfOverPdf(e) : e > eB ? e - alpha * survivalOverPdf(e) : m);
  const varianceVirtualType =
    (eA > L ? integrate((e) => (lowerBranch(e) - m) ** 2 * dist.pdf(e), L, eA, QUAD).value : 0) +
    (eB < U ? integrate((e) => (upperBranch(e) - m) ** 2 * dist.pdf(e), eB, U, QUAD).value : 0);
  const vInverse = alpha === 0 ? (s: number) => Math.min(Math.max(s, L), U) : (s: number) => (s < m ? eAOf(s) : s > m ? eBOf(s) : eA);
  return {
    dist,
    alpha,
    eA,
    eB,
    meanVirtualType: m,
    flatMass: alpha === 0 ? 0 : dist.cdf(eB) - dist.cdf(eA),
    varianceVirtualType,
    v,
    vInverse,
    get standardized() {
      return this;
    },
    location: 0,
    scale: 1,
  };
}

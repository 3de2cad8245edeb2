import { findRoot, integrate } from "@optex/numerics";
import gammainc from "@stdlib/math-base-special-gammainc";
import gammaln from "@stdlib/math-base-special-gammaln";
import { TheoryError } from "../theoryError.ts";

/** Section 6 under Condition 3: k assets, endowments e_i ~ N(mu_e, sigma_e^2 I), payoffs with covariance sigma_pi^2 I. */
export interface MultiAssetEnvironment {
  readonly assets: number;
  readonly traders: number;
  readonly kappa: number;
  readonly sigmaE: number;
  readonly sigmaPi: number;
  readonly alpha: number;
}

/** Law of r = |e - mu_e| = sigma_e chi_k: survival over density, the radial hazard's inverse. */
export function chiLaw(k: number, sigma: number) {
  const logNorm = (k / 2 - 1) * Math.log(2) + gammaln(k / 2) + k * Math.log(sigma);
  const pdf = (r: number) =>
    r <= 0 ? (k === 1 ? Math.exp(-logNorm) : 0) : Math.exp((k - 1) * Math.log(r) - (r * r) / (2 * sigma * sigma) - logNorm);
  const survival = (r: number) => (r <= 0 ? 1 : gammainc((r * r) / (2 * sigma * sigma), k / 2, true, true));
  // Far in the tail both underflow; there (1 - F)/f = sigma^2/r (1 + O(1/r^2)). Near 0 with many
  // assets f underflows while S is 1: the ratio is taken in logs and capped, so it stays finite.
  const survivalOverPdf = (r: number) => {
    const S = survival(r);
    if (r <= 0 || !(S > 0)) return (sigma * sigma) / Math.max(r, Number.MIN_VALUE);
    const logRatio = Math.log(S) - ((k - 1) * Math.log(r) - (r * r) / (2 * sigma * sigma) - logNorm);
    return Math.exp(Math.min(logRatio, 690));
  };
  return { pdf, survival, cdf: (r: number) => 1 - survival(r), survivalOverPdf };
}

/** Per-trader quantities of a radial allocation rule X_i = -u(r_i) etilde_i + (1/N) sum_j u(r_j) etilde_j. */
export interface RadialOutcome {
  /** Sum over assets of E[T_i] per trader. */
  readonly revenuePerTrader: number;
  /** E[(e + X)^T Sigma (e + X)] / (2 kappa) per trader (sum over assets, about mu_e). */
  readonly holdingCostPerTrader: number;
  readonly utilityGainPerTrader: number;
  /** alpha revenue - (1 - alpha) holding cost, per trader: the designer's objective (2). */
  readonly objective: number;
}

/**
 * Expectations of any radial rule u (u = 0 on [0, r0], nondecreasing above): with radial symmetry
 * the interim gain depends on r only, G'(r) = (sigma_pi^2/kappa) ((N-1)/N) u(r) (envelope), G = 0 on
 * the ball where participation binds, and eq. (4)'s analogue gives
 * revenue = (sigma_pi^2/kappa) ((N-1)/N) (E[r u] - E[u^2]/2) - E[G], E|X|^2 = ((N-1)/N) E[u^2].
 * Endowment means and mu_pi cancel from these per-trader figures (holding cost is taken about mu_e).
 */
export function radialOutcome(env: MultiAssetEnvironment, u: (r: number) => number, r0: number): RadialOutcome {
  const { assets: k, traders: N, kappa, sigmaE, sigmaPi, alpha } = env;
  const law = chiLaw(k, sigmaE);
  const share = (N - 1) / N;
  const s2k = (sigmaPi * sigmaPi) / kappa;
  const Q = { absTol: 1e-15, relTol: 1e-11, maxSubdivisions: 4000 };
  // Weights vanish (underflow) before u grows: skip u there.
  const weighted = (g: (r: number) => number, w: (r: number) => number) => (r: number) => {
    const weight = w(r);
    return weight === 0 ? 0 : g(r) * weight;
  };
  // r = sigma_e chi_k sits within a few sigma_e of sigma_e sqrt(k - 1): with many assets the mass is a
  // narrow band far from 0, which adaptive quadrature over [r0, infinity) can miss entirely. Beyond
  // 40 sigma_e of the mode the density is below e^-800: integrate over that window only.
  const mode = sigmaE * Math.sqrt(Math.max(k - 1, 0));
  const lo = Math.max(r0, mode - 40 * sigmaE);
  const hi = Math.max(lo, mode + 40 * sigmaE);
  const Eru = integrate(
    weighted((r) => r * u(r), law.pdf),
    lo,
    hi,
    Q,
  ).value;
  const Euu = integrate(
    weighted((r) => u(r) * u(r), law.pdf),
    lo,
    hi,
    Q,
  ).value;
  // The survival weight is 1 below the band: u there (if r0 is below it) integrates exactly.
  const below = r0 < lo ? integrate(u, r0, lo, Q).value : 0;
  const EG = s2k * share * (below + integrate(weighted(u, law.survival), lo, hi, Q).value);
  const revenuePerTrader = s2k * share * (Eru - Euu / 2) - EG;
  const holdingCostPerTrader = (s2k * (k * sigmaE * sigmaE - 2 * share * Eru + share * Euu)) / 2;
  return {
    revenuePerTrader,
    holdingCostPerTrader,
    utilityGainPerTrader: EG,
    objective: alpha * revenuePerTrader - (1 - alpha) * holdingCostPerTrader,
  };
}

/**
 * Proposition 7 for k assets (docs/environments/multi-asset.md): v(r) = r - alpha (1 - F_k(r))/f_k(r) outside the
 * ball of radius r*, 0 inside, r* solving r* = alpha (1 - F_k(r*))/f_k(r*), r ~ sigma_e chi_k
 * (for k = 2, r* = sqrt(alpha) sigma_e; for k = 1 it is Theorem 1 for N(mu, sigma_e^2)).
 * Proposition 8's cross-exchange fee has c = -sigma_pi^2 / (kappa (N-1)).
 * Throws TheoryError for bad input.
 */
export function radialMechanism(
  env: MultiAssetEnvironment,
): RadialOutcome & { readonly radius: number; v(r: number): number; readonly feeC: number } {
  const { assets: k, traders: N, kappa, sigmaE, sigmaPi, alpha } = env;
  if (!(Number.isInteger(k) && k >= 1)) throw new TheoryError(`assets must be an integer >= 1, got ${k}`);
  if (!(Number.isInteger(N) && N >= 2)) throw new TheoryError(`traders must be an integer >= 2, got ${N}`);
  if (!(kappa > 0 && sigmaE > 0 && sigmaPi > 0)) throw new TheoryError("kappa, sigma-e and sigma-pi must be > 0");
  if (!(alpha >= 0 && alpha <= 1)) throw new TheoryError(`alpha must be in [0, 1], got ${alpha}`);
  const law = chiLaw(k, sigmaE);
  // At alpha = 0 the branch is r itself (0 times a huge hazard ratio must not make a NaN).
  const branch = (r: number) => (alpha === 0 ? r : r - alpha * law.survivalOverPdf(r));
  let radius = 0;
  if (alpha > 0) {
    let hi = sigmaE;
    while (branch(hi) <= 0) hi *= 2;
    radius = findRoot(branch, 1e-300, hi, { absoluteTolerance: 1e-15 * sigmaE });
  }
  const v = (r: number) => (r <= radius ? 0 : branch(r));
  return { ...radialOutcome(env, v, radius), radius, v, feeC: -(sigmaPi * sigmaPi) / (kappa * (N - 1)) };
}

import { findRoot } from "@optex/numerics";
import { TheoryError } from "../theoryError.ts";

/** Section 5's Gaussian environment for the plain double auction (means 0, mu_pi = 0). */
export interface AdverseSelectionEnvironment {
  readonly traders: number;
  readonly kappa: number;
  /** sd of endowments e_i ~ N(0, sigma_e^2). */
  readonly sigmaE: number;
  /** sd of signals zeta_i = E[pi | zeta_i] ~ N(0, sigma_zeta^2). */
  readonly sigmaZeta: number;
  /** Common pairwise correlation of the signals, in [0, 1). */
  readonly rho: number;
  /** Mean endowment (default 0); it shifts intercepts, not the coefficients. */
  readonly muE?: number;
}

/** The plain double auction's SLE q_i(p) = -a e_i + b zeta_i - c p, or why there is none. */
export type AdverseSelectionSle =
  | {
      readonly exists: true;
      readonly a: number;
      readonly b: number;
      readonly c: number;
      /** Lambda = 1 / ((N-1) c). */
      readonly priceImpact: number;
      /** Lemma 4's regression coefficient beta = 1/(1 + (N-1) rho): E[pi | zeta] = beta sum zeta_i (the paper calls it alpha). */
      readonly beta: number;
      /** sum_i E[(e_i + X_i)^2] / (2 kappa). */
      readonly totalHoldingCost: number;
    }
  | { readonly exists: false; readonly reason: string };

/** Validates a Section 5 environment; throws TheoryError naming the field. */
export function checkAdverseSelection(env: AdverseSelectionEnvironment): void {
  if (!(Number.isInteger(env.traders) && env.traders >= 2)) throw new TheoryError(`traders must be an integer >= 2, got ${env.traders}`);
  if (!(env.kappa > 0 && Number.isFinite(env.kappa))) throw new TheoryError(`kappa must be a finite number > 0, got ${env.kappa}`);
  if (!(env.sigmaE > 0 && Number.isFinite(env.sigmaE))) throw new TheoryError(`sigma-e must be a finite number > 0, got ${env.sigmaE}`);
  if (!(env.sigmaZeta >= 0 && Number.isFinite(env.sigmaZeta)))
    throw new TheoryError(`sigma-zeta must be a finite number >= 0, got ${env.sigmaZeta}`);
  if (!(env.rho >= 0 && env.rho < 1)) throw new TheoryError(`rho must be in [0, 1), got ${env.rho}`);
}

/**
 * Lemma 4 / Theorem 2: the unique SLE, from y = b/a solving (12) (a cubic with exactly one positive
 * root), b from (13), a = b/y, and c from (14) as corrected in docs/environments/adverse-selection.md (the printed (14)
 * is inverted): c = ((N-2)/(N-1)) / (1/kappa + N g), g = b beta sh2 / (a^2 sigma_e^2 + b^2 sh2),
 * sh2 = sigma_zeta^2 (1 + (N-2) rho - (N-1) rho^2). It exists when a, b, c > 0 (second-order
 * condition 1/(2 kappa) + Lambda >= 0 then holds). The coefficients are checked in the tests against
 * an independent best response computed by Gaussian conditioning on the joint covariance.
 * Throws TheoryError for bad input.
 */
export function adverseSelectionSle(env: AdverseSelectionEnvironment): AdverseSelectionSle {
  checkAdverseSelection(env);
  const { traders: N, kappa, sigmaE, sigmaZeta, rho } = env;
  if (N <= 2) return { exists: false, reason: "the plain double auction has no symmetric linear equilibrium with 2 traders" };
  const beta = 1 / (1 + (N - 1) * rho);
  const se2 = sigmaE * sigmaE;
  const sh2 = sigmaZeta * sigmaZeta * (1 + (N - 2) * rho - (N - 1) * rho * rho);
  // (12): y = kappa (1 - y^2 (N-1) rho beta sh2 / (se2 + y^2 sh2)); LHS rises and RHS falls for y > 0.
  const h = (y: number) => y - kappa * (1 - (y * y * (N - 1) * rho * beta * sh2) / (se2 + y * y * sh2));
  const y = sh2 === 0 || rho === 0 ? kappa : findRoot(h, 0, kappa, { absoluteTolerance: 1e-15 * kappa });
  const share = (y * y * sh2) / (se2 + y * y * sh2);
  // (13).
  const b = kappa * ((N - 2) / (N - 1) - 2 * ((1 + ((N - 2) / 2) * rho) / (1 + (N - 1) * rho)) * share);
  const a = b / y;
  if (!(b > 0)) {
    return {
      exists: false,
      reason: `no symmetric linear equilibrium: signals too noisy relative to endowments (b = ${b.toPrecision(4)} <= 0)`,
    };
  }
  const g = (b * beta * sh2) / (a * a * se2 + b * b * sh2);
  const c = (N - 2) / (N - 1) / (1 / kappa + N * g);
  const priceImpact = 1 / ((N - 1) * c);
  // X_i = -a (e_i - ebar) + b (zeta_i - zetabar): E[(e_i + X_i)^2] per trader.
  const perTrader = se2 * ((1 - a + a / N) ** 2 + ((N - 1) * a * a) / (N * N)) + b * b * sigmaZeta * sigmaZeta * (1 - rho) * ((N - 1) / N);
  const muE = env.muE ?? 0;
  return { exists: true, a, b, c, priceImpact, beta, totalHoldingCost: (N * (perTrader + muE * muE)) / (2 * kappa) };
}

/**
 * The largest sigma_zeta for which the SLE exists at this rho, N, kappa, sigma_e (b > 0 exactly
 * below it; b falls as sigma_zeta rises), to 1e-12 relative; Infinity when it exists for every
 * sigma_zeta. At rho = 0 it is (sigma_e/kappa) sqrt(t/(1-t)), t = (N-2)/(2(N-1)) (Theorem 2 part 1).
 */
export function sleExistenceThreshold(env: Omit<AdverseSelectionEnvironment, "sigmaZeta">): number {
  const exists = (s: number) => adverseSelectionSle({ ...env, sigmaZeta: s }).exists;
  if (env.traders <= 2) return 0;
  let hi = env.sigmaE / env.kappa;
  for (let k = 0; exists(hi); k++) {
    hi *= 2;
    if (k > 60) return Infinity;
  }
  let lo = 0;
  while (hi - lo > 1e-12 * hi) {
    const mid = 0.5 * (lo + hi);
    if (exists(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}

/**
 * Interim rules of Theorem 2's SLE in the effective type t = e/kappa - zeta, for independent signals
 * (rho = 0, where b = kappa a, so X_i = -a kappa (t_i - tbar) depends on the types only through t;
 * with rho > 0 it depends on e and zeta separately and there is no interim rule in t).
 * With u = t - mu_t, s^2 = Var t = sigma_e^2/kappa^2 + sigma_zeta^2 and the price
 * p = -mu_e/kappa - (a kappa / c) ubar:
 *   E[X_i | t] = -a kappa ((N-1)/N) u,
 *   E[p X_i | t] = a mu_e ((N-1)/N) u + (a^2 kappa^2 / c) ((N-1)/N^2) (u^2 - s^2)  (no fee).
 * Checked by Monte Carlo in adverseSelectionSle.test.ts. Throws TheoryError unless rho = 0 and an SLE exists.
 */
export function sleInterimRules(env: AdverseSelectionEnvironment): {
  interimAllocation(t: number): number;
  interimTransfer(t: number): number;
} {
  if (env.rho !== 0) throw new TheoryError(`interim rules in the effective type need independent signals (rho = 0), got rho = ${env.rho}`);
  const sle = adverseSelectionSle(env);
  if (!sle.exists) throw new TheoryError(sle.reason);
  const { traders: N, kappa, sigmaE, sigmaZeta } = env;
  const muE = env.muE ?? 0;
  const { a, c } = sle;
  const muT = muE / kappa;
  const s2 = (sigmaE * sigmaE) / (kappa * kappa) + sigmaZeta * sigmaZeta;
  const share = (N - 1) / N;
  return {
    interimAllocation: (t) => -a * kappa * share * (t - muT),
    interimTransfer: (t) => {
      const u = t - muT;
      return a * muE * share * u + ((a * a * kappa * kappa) / c) * (share / N) * (u * u - s2);
    },
  };
}

import type { BasicEnvironment } from "./basicEnvironment.ts";
import type { MechanismOutcome } from "./mechanismOutcome.ts";
import { standardizedLaw } from "../laws/standardizedLaw.ts";
import { expectedAbsoluteCombination, truncatedSupport } from "./tradeVolume.ts";

/** The plain double auction's symmetric linear equilibrium q_i(p) = -a e_i - c (p - mu_pi) (basic model). */
export type SymmetricLinearEquilibrium =
  | { readonly exists: true; readonly a: number; readonly c: number; readonly priceImpact: number }
  | { readonly exists: false; readonly reason: string };

/**
 * a = (N-2)/(N-1), c = kappa (N-2)/(N-1), price impact 1/(kappa (N-2)) (docs/model.md): each
 * trader faces residual supply with slope (N-1) c and shades its demand accordingly. It is an ex-post
 * equilibrium, so it holds for every law of endowments. None for N = 2 (the shading has no fixed point).
 */
export function symmetricLinearEquilibrium(traders: number, kappa: number): SymmetricLinearEquilibrium {
  if (traders <= 2) {
    return { exists: false, reason: "the plain double auction has no symmetric linear equilibrium with 2 traders" };
  }
  const a = (traders - 2) / (traders - 1);
  return { exists: true, a, c: kappa * a, priceImpact: 1 / (kappa * (traders - 2)) };
}

/**
 * Outcome of the plain double auction's SLE in the basic model: X_i = -a (e_i - ebar),
 * p = mu_pi - ebar / kappa, T_i = p X_i (no fee). Conditional on e_i = e, with mu, sigma^2 the
 * mean and variance of F: Xhat(e) = -a ((N-1)/N)(e - mu) and
 * E[ebar (e_i - ebar) | e] = (N-1)((e + (N-1) mu)(e - mu) - sigma^2)/N^2.
 * Returns null when no equilibrium exists (N = 2).
 */
export function doubleAuctionOutcome(env: BasicEnvironment): MechanismOutcome | null {
  const sle = symmetricLinearEquilibrium(env.traders, env.kappa);
  if (!sle.exists) return null;
  const { kappa, traders: N, muPi, dist } = env;
  const { a } = sle;
  const mu = dist.mean;
  const sigma2 = dist.variance;
  const interimAllocation = (e: number) => -a * ((N - 1) / N) * (e - mu);
  const conditionalSecondMoment = (e: number) => a * a * ((((N - 1) / N) * (e - mu)) ** 2 + ((N - 1) * sigma2) / (N * N));
  const interimTransfer = (e: number) => {
    const meanDeviationTimesAverage = ((N - 1) * ((e + (N - 1) * mu) * (e - mu) - sigma2)) / (N * N);
    return muPi * interimAllocation(e) + (a / kappa) * meanDeviationTimesAverage;
  };
  const interimUtilityGain = (e: number) => {
    const x = interimAllocation(e);
    return muPi * x - interimTransfer(e) - (2 * e * x + conditionalSecondMoment(e)) / (2 * kappa);
  };
  const autarky = (mu * mu + sigma2) / (2 * kappa);
  const holdingCostPerTrader = (mu * mu + sigma2 / (N - 1)) / (2 * kappa);
  // On the standardized law: e_i - ebar = sigma (z_i - zbar).
  const zLaw = standardizedLaw(dist);
  const [lo, hi] = truncatedSupport(zLaw);
  const tradeVolumePerTrader =
    Math.sqrt(sigma2) *
    expectedAbsoluteCombination(
      { atomMass: 0, pieces: [{ from: lo, to: hi, value: (t) => t }], density: zLaw.pdf, scale: 1 },
      -a * ((N - 1) / N),
      a / N,
      N - 1,
    );
  return {
    interimAllocation,
    interimTransfer,
    interimUtilityGain,
    // Sum of p X_i is p * 0 and traders are symmetric, so each expects to pay 0.
    revenuePerTrader: 0,
    holdingCostPerTrader,
    // autarky - holding, written without mu^2 (which cancels): exact for any shift of the law.
    utilityGainPerTrader: (sigma2 * (1 - 1 / (N - 1))) / (2 * kappa),
    tradeVolumePerTrader,
    autarkyHoldingCostPerTrader: autarky,
  };
}

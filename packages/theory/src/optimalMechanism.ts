import type { BasicEnvironment } from "./basicEnvironment.ts";
import type { MechanismOutcome } from "./mechanismOutcome.ts";
import { integrate } from "./quadrature.ts";
import { expectedAbsoluteCombination, truncatedSupport } from "./tradeVolume.ts";
import type { VirtualType } from "./virtualType.ts";

/** Quadrature tolerances for the interim and ex-ante integrals (relative 1e-11). */
const QUAD = { absTol: 1e-15, relTol: 1e-11, maxSubdivisions: 4000 };

/**
 * The optimal mechanism of Theorem 1 (first best when alpha = 0) in the basic model:
 * X_i = -v(e_i) + (1/N) sum_j v(e_j), so Xhat(e) = -((N-1)/N)(v(e) - m) (Proposition 2's proof).
 * Utility gain G(e) = -(1/kappa) int_{e*}^{e} Xhat (eq. (3)) with e* in [eA, eB], so participation
 * binds exactly on the flat region; transfers from eq. (4) with mu_pi in place of the printed pi:
 * That(e) = mu_pi Xhat - (e/kappa) Xhat - E[X_i^2 | e]/(2 kappa) - G(e).
 */
export function optimalMechanismOutcome(env: BasicEnvironment, vt: VirtualType): MechanismOutcome {
  const { kappa, traders: N, muPi, dist } = env;
  const { eA, eB, meanVirtualType: m, varianceVirtualType: varV } = vt;
  const { lower: L, upper: U } = dist;
  const share = (N - 1) / N;
  const interimAllocation = (e: number) => -share * (vt.v(e) - m);
  const interimUtilityGain = (e: number) => {
    if (e > eB) return (share / kappa) * integrate((s) => vt.v(s) - m, eB, e, QUAD).value;
    if (e < eA) return (share / kappa) * integrate((s) => m - vt.v(s), e, eA, QUAD).value;
    return 0;
  };
  // Var(X_i | e_i) = (N-1)/N^2 Var[v], whatever e_i.
  const conditionalVariance = ((N - 1) / (N * N)) * varV;
  const interimTransfer = (e: number) => {
    const x = interimAllocation(e);
    return muPi * x - (e / kappa) * x - (x * x + conditionalVariance) / (2 * kappa) - interimUtilityGain(e);
  };
  // E[e (v(e) - m)]: v - m vanishes on the flat region.
  const covEV =
    (eA > L ? integrate((e) => e * (vt.v(e) - m) * dist.pdf(e), L, eA, QUAD).value : 0) +
    (eB < U ? integrate((e) => e * (vt.v(e) - m) * dist.pdf(e), eB, U, QUAD).value : 0);
  // E[G] by Fubini: int_{eB}^U (v - m)(1 - F) + int_L^{eA} (m - v) F, times (N-1)/(N kappa).
  const utilityGainPerTrader =
    (share / kappa) *
    ((eB < U ? integrate((s) => (vt.v(s) - m) * dist.survival(s), eB, U, QUAD).value : 0) +
      (eA > L ? integrate((s) => (m - vt.v(s)) * dist.cdf(s), L, eA, QUAD).value : 0));
  const eXhat = -share * covEV;
  const secondMomentX = share * varV; // E[X_i^2] = ((N-1)/N) Var[v]
  const secondMomentE = dist.variance + dist.mean * dist.mean;
  const revenuePerTrader = -eXhat / kappa - secondMomentX / (2 * kappa) - utilityGainPerTrader;
  const holdingCostPerTrader = (secondMomentE + 2 * eXhat + secondMomentX) / (2 * kappa);
  const [lo, hi] = truncatedSupport(dist);
  const tradeVolumePerTrader = expectedAbsoluteCombination(
    {
      atomMass: vt.flatMass,
      pieces: [
        { from: lo, to: eA, value: (e) => vt.v(e) - m },
        { from: eB, to: hi, value: (e) => vt.v(e) - m },
      ],
      density: (e) => dist.pdf(e),
      scale: Math.sqrt(varV),
    },
    -share,
    1 / N,
    N - 1,
  );
  return {
    interimAllocation,
    interimTransfer,
    interimUtilityGain,
    revenuePerTrader,
    holdingCostPerTrader,
    utilityGainPerTrader,
    tradeVolumePerTrader,
    autarkyHoldingCostPerTrader: secondMomentE / (2 * kappa),
  };
}

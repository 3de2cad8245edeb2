import { integrate } from "@optex/numerics";
import type { BasicEnvironment } from "./basicEnvironment.ts";
import type { MechanismOutcome } from "./mechanismOutcome.ts";
import { expectedAbsoluteCombination, truncatedSupport } from "./tradeVolume.ts";
import type { VirtualType } from "./virtualType.ts";

/** Quadrature tolerances for the interim and ex-ante integrals (relative 1e-11, on the standardized law). */
const QUAD = { absTol: 1e-15, relTol: 1e-11, maxSubdivisions: 4000 };

/**
 * The optimal mechanism of Theorem 1 (first best when alpha = 0) in the basic model:
 * X_i = -v(e_i) + (1/N) sum_j v(e_j), so Xhat(e) = -((N-1)/N)(v(e) - m) (Proposition 2's proof).
 * Utility gain G(e) = -(1/kappa) int_{e*}^{e} Xhat (eq. (3)) with e* in [eA, eB], so participation
 * binds exactly on the flat region; transfers from eq. (4) with mu_pi in place of the printed pi:
 * That(e) = mu_pi Xhat - (e/kappa) Xhat - E[X_i^2 | e]/(2 kappa) - G(e).
 * Integrals are taken on the standardized law (z = (e - mu_e)/sigma_e; v - m scales with sigma_e)
 * and centred on mu_e, so neither the units nor a large mean cost accuracy.
 */
export function optimalMechanismOutcome(env: BasicEnvironment, vt: VirtualType): MechanismOutcome {
  const { kappa, traders: N, muPi, dist } = env;
  const z = vt.standardized;
  const sigma = vt.scale;
  const mu = vt.location;
  const sigma2 = sigma * sigma;
  const { eA: zA, eB: zB, meanVirtualType: zm, varianceVirtualType: zVar } = z;
  const { lower: L, upper: U, pdf } = z.dist;
  const share = (N - 1) / N;
  const m = vt.meanVirtualType;
  const interimAllocation = (e: number) => -share * (vt.v(e) - m);
  const interimUtilityGain = (e: number) => {
    const t = (e - mu) / sigma;
    if (t > zB) return ((share * sigma2) / kappa) * integrate((s) => z.v(s) - zm, zB, t, QUAD).value;
    if (t < zA) return ((share * sigma2) / kappa) * integrate((s) => zm - z.v(s), t, zA, QUAD).value;
    return 0;
  };
  // Var(X_i | e_i) = (N-1)/N^2 Var[v], whatever e_i.
  const conditionalVariance = ((N - 1) / (N * N)) * vt.varianceVirtualType;
  const interimTransfer = (e: number) => {
    const x = interimAllocation(e);
    return muPi * x - (e / kappa) * x - (x * x + conditionalVariance) / (2 * kappa) - interimUtilityGain(e);
  };
  // E[z (v_z - m_z)]; v - m vanishes on the flat region.
  const covZV =
    (zA > L ? integrate((t) => t * (z.v(t) - zm) * pdf(t), L, zA, QUAD).value : 0) +
    (zB < U ? integrate((t) => t * (z.v(t) - zm) * pdf(t), zB, U, QUAD).value : 0);
  // E[G] by Fubini: int_{zB}^U (v - m)(1 - F) + int_L^{zA} (m - v) F, times sigma^2 (N-1)/(N kappa).
  const utilityGainPerTrader =
    ((share * sigma2) / kappa) *
    ((zB < U ? integrate((s) => (z.v(s) - zm) * z.dist.survival(s), zB, U, QUAD).value : 0) +
      (zA > L ? integrate((s) => (zm - z.v(s)) * z.dist.cdf(s), L, zA, QUAD).value : 0));
  // E[e Xhat] = E[(e - mu) Xhat] since E[Xhat] = 0.
  const eXhat = -share * sigma2 * covZV;
  const secondMomentX = share * sigma2 * zVar; // E[X_i^2] = ((N-1)/N) Var[v]
  const secondMomentE = dist.variance + dist.mean * dist.mean;
  const revenuePerTrader = -eXhat / kappa - secondMomentX / (2 * kappa) - utilityGainPerTrader;
  const holdingCostPerTrader = (secondMomentE + 2 * eXhat + secondMomentX) / (2 * kappa);
  const [lo, hi] = truncatedSupport(z.dist);
  // E|X_i| is the costly part (characteristic functions): computed on first use, then kept.
  let tradeVolume: number | undefined;
  const tradeVolumePerTrader = () =>
    (tradeVolume ??=
      sigma *
      expectedAbsoluteCombination(
        {
          atomMass: z.flatMass,
          pieces: [
            { from: lo, to: zA, value: (t) => z.v(t) - zm },
            { from: zB, to: hi, value: (t) => z.v(t) - zm },
          ],
          density: pdf,
          scale: Math.sqrt(zVar),
        },
        -share,
        1 / N,
        N - 1,
      ));
  return {
    interimAllocation,
    interimTransfer,
    interimUtilityGain,
    revenuePerTrader,
    holdingCostPerTrader,
    utilityGainPerTrader,
    get tradeVolumePerTrader() {
      return tradeVolumePerTrader();
    },
    autarkyHoldingCostPerTrader: secondMomentE / (2 * kappa),
  };
}

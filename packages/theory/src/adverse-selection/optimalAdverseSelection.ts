import { integrate } from "@optex/numerics";
import { checkAdverseSelection } from "./adverseSelectionSle.ts";
import { normal } from "../laws/normal.ts";
import { TheoryError } from "../theoryError.ts";
import { solveVirtualTypeWithWeight } from "../basic/virtualType.ts";

/** Theorem 3's optimal mechanism (independent signals) with Gaussian endowments and signals. */
export interface OptimalAdverseSelection {
  /** Binding region in the effective type t = e/kappa - zeta. */
  readonly tA: number;
  readonly tB: number;
  /** E[v(t)] (= mu_e for Gaussian laws). */
  readonly meanVirtualType: number;
  /** Weight w = sigma_e^2 / (sigma_e^2 + kappa^2 sigma_zeta^2) of the endowment in E[e | t]. */
  readonly endowmentWeight: number;
  readonly revenuePerTrader: number;
  readonly holdingCostPerTrader: number;
  readonly utilityGainPerTrader: number;
  /** v(t): allocation X_i = -v(t_i) + (1/N) sum_j v(t_j). */
  v(t: number): number;
  /** G(t) = -int_{t*}^{t} Xhat (envelope in t); 0 on [tA, tB]. */
  interimUtilityGain(t: number): number;
  interimAllocation(t: number): number;
  /** That(t) = -t Xhat + ((N-1)/N) C - E[X^2 | t]/(2 kappa) - G(t): the interim payment of a type reporting t. */
  interimTransfer(t: number): number;
}

/**
 * Theorem 3 / Corollary 3.1 with kappa kept (docs/environments/adverse-selection.md), Gaussian case, rho = 0:
 * t = e/kappa - zeta ~ N(mu_e/kappa, s_t^2), s_t^2 = sigma_e^2/kappa^2 + sigma_zeta^2,
 * ehat(t) = E[e | t] = mu_e + kappa w (t - mu_t), w = sigma_e^2/(sigma_e^2 + kappa^2 sigma_zeta^2),
 * v(t) = ehat(t) +- alpha kappa (H/h or (1-H)/h) off [tA, tB], flat at E[v] between. In z = (t - mu_t)/s_t
 * this is v = mu_e + kappa s_t w v_1(z), with v_1 Theorem 1's virtual type of N(0,1) at weight
 * alpha/w; so z_b solves w z = alpha (1 - Phi(z))/phi(z) and tA, tB = mu_t -+ s_t z_b.
 * A trader's interim utility depends on (e, zeta) only through t: with E[pi | zeta] = sum zeta_j,
 * U - U(autarky) = -t Xhat(t) + ((N-1)/N) C - That(t) - E[X^2 | t]/(2 kappa), C = E[zeta v(t)], so the
 * envelope gives G'(t) = -Xhat(t), G = 0 on [tA, tB], and
 * revenue = -E[t Xhat] + ((N-1)/N) C - E[X^2]/(2 kappa) - E[G] per trader (mu_pi = 0).
 * As sigma_zeta -> 0 it reduces to Theorem 1 (tested). Throws TheoryError for bad input.
 */
export function optimalAdverseSelection(env: {
  traders: number;
  kappa: number;
  muE: number;
  sigmaE: number;
  sigmaZeta: number;
  alpha: number;
}): OptimalAdverseSelection {
  checkAdverseSelection({ ...env, rho: 0 });
  const { traders: N, kappa, muE, sigmaE, sigmaZeta, alpha } = env;
  if (!(alpha >= 0 && alpha <= 1)) throw new TheoryError(`alpha must be in [0, 1], got ${alpha}`);
  if (!Number.isFinite(muE)) throw new TheoryError(`mu-e must be a finite number, got ${muE}`);
  const w = (sigmaE * sigmaE) / (sigmaE * sigmaE + kappa * kappa * sigmaZeta * sigmaZeta);
  const st = Math.sqrt((sigmaE * sigmaE) / (kappa * kappa) + sigmaZeta * sigmaZeta);
  const muT = muE / kappa;
  const std = normal(0, 1);
  const v1 = solveVirtualTypeWithWeight(std, alpha / w);
  const k = kappa * st * w; // v - mu_e = k v_1(z)
  const share = (N - 1) / N;
  const Q = { absTol: 1e-15, relTol: 1e-11, maxSubdivisions: 4000 };
  const zA = v1.eA;
  const zB = v1.eB;
  const m1 = v1.meanVirtualType; // 0 by symmetry
  const Ezv =
    integrate((z) => z * (v1.v(z) - m1) * std.pdf(z), -Infinity, zA, Q).value +
    integrate((z) => z * (v1.v(z) - m1) * std.pdf(z), zB, Infinity, Q).value;
  const varV1 = v1.varianceVirtualType;
  const Gz =
    integrate((z) => (v1.v(z) - m1) * std.survival(z), zB, Infinity, Q).value +
    integrate((z) => (m1 - v1.v(z)) * std.cdf(z), -Infinity, zA, Q).value;
  // In t-units: E[(t - mu_t)(v - m)] = s_t k E[z v_1]; E[(ehat - mu_e)(v - m)] = k^2 E[z v_1]; Var v = k^2 Var v_1.
  const eTX = -share * st * k * Ezv;
  const eEX = -share * k * k * Ezv;
  const C = -(1 - w) * st * k * Ezv; // E[zeta v(t)], E[zeta | t] = -(1 - w) s_t z
  const secondX = share * k * k * varV1;
  const utilityGainPerTrader = share * st * k * Gz;
  const revenuePerTrader = -eTX + share * C - secondX / (2 * kappa) - utilityGainPerTrader;
  const holdingCostPerTrader = (sigmaE * sigmaE + muE * muE + 2 * eEX + secondX) / (2 * kappa);
  const toZ = (t: number) => (t - muT) / st;
  const interimAllocation = (t: number) => -share * k * (v1.v(toZ(t)) - m1);
  const interimUtilityGain = (t: number) => {
    const z = toZ(t);
    if (z > zB) return share * st * k * integrate((x) => v1.v(x) - m1, zB, z, Q).value;
    if (z < zA) return share * st * k * integrate((x) => m1 - v1.v(x), z, zA, Q).value;
    return 0;
  };
  const conditionalVariance = ((N - 1) / (N * N)) * k * k * varV1;
  return {
    tA: muT + st * zA,
    tB: muT + st * zB,
    meanVirtualType: muE + k * m1,
    endowmentWeight: w,
    revenuePerTrader,
    holdingCostPerTrader,
    utilityGainPerTrader,
    v: (t) => muE + k * v1.v(toZ(t)),
    interimAllocation,
    interimUtilityGain,
    interimTransfer: (t) => {
      const x = interimAllocation(t);
      return -t * x + share * C - (x * x + conditionalVariance) / (2 * kappa) - interimUtilityGain(t);
    },
  };
}

/**
 * Theorem 4: the robust (strong maxmin) allocation is Theorem 3's rule at alpha = 0 designed for
 * independent signals, X_i = -kappa w (t_i - tbar); with transfer rule (7) traders report t_i under
 * any information structure. Its holding cost per trader when signals actually have pairwise
 * correlation rho (Gaussian, exact covariance algebra):
 *   [mu_e^2 + sigma_e^2 - 2 k sigma_e^2 (N-1)/(N kappa) + k^2 ((N-1)/N)(sigma_e^2/kappa^2 + (1 - rho) sigma_zeta^2)] / (2 kappa),
 * k = kappa w. It falls as rho rises, so independent signals are the worst case (checked by Monte
 * Carlo in the tests).
 */
export function robustAllocationHoldingCost(env: {
  traders: number;
  kappa: number;
  muE: number;
  sigmaE: number;
  sigmaZeta: number;
  rho: number;
}): number {
  checkAdverseSelection(env);
  const { traders: N, kappa, muE, sigmaE, sigmaZeta, rho } = env;
  const w = (sigmaE * sigmaE) / (sigmaE * sigmaE + kappa * kappa * sigmaZeta * sigmaZeta);
  const k = kappa * w;
  const s2 = sigmaE * sigmaE;
  const variance =
    s2 - (2 * k * s2 * (N - 1)) / (N * kappa) + ((k * k * (N - 1)) / N) * (s2 / (kappa * kappa) + (1 - rho) * sigmaZeta * sigmaZeta);
  return (muE * muE + variance) / (2 * kappa);
}

/**
 * Corollary 3.2 (Gaussian, rho = 0): how much the price tells about S = sum_j zeta_j (and so about
 * pi = S + independent noise). The plain double auction's SLE price reveals sum_j t_j, which is
 * sufficient for S given all effective types (E[zeta_j | t_j] is linear in t_j), so
 * E[Var(S | p)] = N sigma_zeta^2 w, the least possible. With the optimal fee the price reveals
 * sum_j v(t_j); v pools the binding region, so with probability P(all t_j in [tA, tB]) = m^N the
 * price is uninformative about where in that region the types lie, which gives the exact lower bound
 * E[Var(S | p)] >= N sigma_zeta^2 w + (1 - w)^2 s_t^2 m^N N Var(z | z in [zA, zB]) (z = (t - mu_t)/s_t).
 */
export function priceInformativeness(env: {
  traders: number;
  kappa: number;
  muE: number;
  sigmaE: number;
  sigmaZeta: number;
  alpha: number;
}): {
  doubleAuction: number;
  optimalLowerBound: number;
} {
  const o = optimalAdverseSelection(env);
  const { traders: N, kappa, sigmaE, sigmaZeta } = env;
  const w = o.endowmentWeight;
  const st = Math.sqrt((sigmaE * sigmaE) / (kappa * kappa) + sigmaZeta * sigmaZeta);
  const muT = env.muE / kappa;
  const std = normal(0, 1);
  const zA = (o.tA - muT) / st;
  const zB = (o.tB - muT) / st;
  const mass = std.cdf(zB) - std.cdf(zA);
  // Var(z | zA <= z <= zB) for a standard normal truncated to the (symmetric) binding region.
  const truncatedVariance = mass > 0 ? 1 - (zB * std.pdf(zB) - zA * std.pdf(zA)) / mass - ((std.pdf(zA) - std.pdf(zB)) / mass) ** 2 : 0;
  const doubleAuction = N * sigmaZeta * sigmaZeta * w;
  return { doubleAuction, optimalLowerBound: doubleAuction + (1 - w) ** 2 * st * st * mass ** N * N * truncatedVariance };
}

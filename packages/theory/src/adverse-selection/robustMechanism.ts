import { integrate } from "@optex/numerics";
import { checkAdverseSelection } from "./adverseSelectionSle.ts";
import { TheoryError } from "../theoryError.ts";

/** What Theorem 4's robust mechanism needs: the designer's alpha = 0 virtual type and the constants of (7). */
export interface RobustMechanismSpec {
  readonly traders: number;
  readonly kappa: number;
  /** v(t) = E[e | t] under independent signals (Theorem 3 at alpha = 0); nondecreasing (Condition 2 at alpha = 0). */
  readonly v: (t: number) => number;
  /** Lower limit of the integral in (7): the report with v(pivot) = E[v(t)], where the designed interim allocation is 0. */
  readonly pivot: number;
  /** An antiderivative of v; without it the integral in (7) is computed by adaptive quadrature. */
  readonly primitive?: (t: number) => number;
  /** The constant c of (7) (default 0): it shifts every payment and never the incentives. */
  readonly constant?: number;
}

/** Theorem 4's mechanism as functions of the reported effective types m = (m_1, ..., m_N). */
export interface RobustMechanism {
  readonly traders: number;
  readonly kappa: number;
  readonly pivot: number;
  readonly constant: number;
  v(t: number): number;
  /** The designed interim allocation Xhat(m) = -((N-1)/N) (v(m) - v(pivot)): a fixed function of the report. */
  interimAllocation(m: number): number;
  /** tau(m) = -m Xhat(m) + int_{pivot}^{m} Xhat(s) ds + c: the part of (7) that depends on the own report only. */
  ownReportTransfer(m: number): number;
  /** Theorem 3 at alpha = 0: X_i = -v(m_i) + (1/N) sum_j v(m_j) (sums to 0). */
  allocation(reports: readonly number[]): number[];
  /** Transfer rule (7): T_i = tau(m_i) - X_i^2/(2 kappa) (payments to the exchange). */
  transfers(reports: readonly number[]): number[];
}

/**
 * Theorem 4's robust mechanism for any designed virtual type v (the allocation of Theorem 3 at
 * alpha = 0) with transfer rule (7), constants derived here (the printed rule has kappa_i for
 * kappa and leaves the integral's lower limit and c unnamed):
 *   T_i(m) = -m_i Xhat(m_i) + int_{pivot}^{m_i} Xhat(s) ds - X_i(m)^2/(2 kappa) + c.
 * Why it is robust: X_i = A(m_i) + B(m_{-i}) with A = -((N-1)/N) v additively separable, so the
 * trader's expected payoff given (e_i, s_i) is, up to terms free of m_i,
 *   -(e_i/kappa - zeta_i) A(m_i) - X_i^2/(2 kappa) - T_i = -t_i Xhat(m_i) - tau(m_i) + const,
 * whatever she believes about pi and the others' reports (the -X_i^2/(2 kappa) in (7) cancels the
 * only cross term A B); its slope in m_i is (m_i - t_i) Xhat'(m_i), so m_i = t_i is optimal under
 * every information structure and every higher-order belief (Corollary 4.1).
 * Throws TheoryError for bad input.
 * @example robustMechanism({ traders: 3, kappa: 1, v: (t) => 0.5 * t, pivot: 0 }).allocation([1, 0, -1]) // [-0.5, 0, 0.5]
 */
export function robustMechanism(spec: RobustMechanismSpec): RobustMechanism {
  const { traders: N, kappa, v, pivot, primitive } = spec;
  const constant = spec.constant ?? 0;
  if (!(Number.isInteger(N) && N >= 2)) throw new TheoryError(`traders must be an integer >= 2, got ${N}`);
  if (!(kappa > 0 && Number.isFinite(kappa))) throw new TheoryError(`kappa must be a finite number > 0, got ${kappa}`);
  if (!Number.isFinite(pivot)) throw new TheoryError(`pivot must be a finite number, got ${pivot}`);
  if (!Number.isFinite(constant)) throw new TheoryError(`constant must be a finite number, got ${constant}`);
  const share = (N - 1) / N;
  const vPivot = v(pivot);
  if (!Number.isFinite(vPivot)) throw new TheoryError(`v(pivot) must be finite, got ${vPivot}`);
  // int_{pivot}^{m} (v - v(pivot)).
  const excessIntegral = primitive
    ? (m: number) => primitive(m) - primitive(pivot) - vPivot * (m - pivot)
    : (m: number) => integrate((s) => v(s) - vPivot, pivot, m, { absTol: 1e-14, relTol: 1e-12 }).value;
  const interimAllocation = (m: number) => -share * (v(m) - vPivot);
  const ownReportTransfer = (m: number) => -m * interimAllocation(m) - share * excessIntegral(m) + constant;
  const checkReports = (reports: readonly number[]) => {
    if (reports.length !== N) throw new TheoryError(`reports must have length ${N} (traders), got ${reports.length}`);
    for (const m of reports) if (!Number.isFinite(m)) throw new TheoryError(`reports must be finite numbers, got ${m}`);
  };
  const allocationOf = (reports: readonly number[]) => {
    const vs = reports.map(v);
    const mean = vs.reduce((s, x) => s + x, 0) / N;
    return vs.map((x) => mean - x);
  };
  return {
    traders: N,
    kappa,
    pivot,
    constant,
    v,
    interimAllocation,
    ownReportTransfer,
    allocation: (reports) => {
      checkReports(reports);
      return allocationOf(reports);
    },
    transfers: (reports) => {
      checkReports(reports);
      const x = allocationOf(reports);
      return reports.map((m, i) => ownReportTransfer(m) - (x[i]! * x[i]!) / (2 * kappa));
    },
  };
}

/** Theorem 4's mechanism designed for Gaussian endowments and independent Gaussian signals (Section 5.3). */
export interface GaussianRobustMechanism extends RobustMechanism {
  /** w = sigma_e^2 / (sigma_e^2 + kappa^2 sigma_zeta^2): v(t) = mu_e + kappa w (t - mu_e/kappa). */
  readonly endowmentWeight: number;
  /**
   * Expected payment per trader when every trader reports t_i and the signals have mean 0, variance
   * sigma_zeta^2 and average pairwise covariance `signalCovariance` (default 0: the designed,
   * worst-case structure). Negative = deficit.
   */
  expectedRevenuePerTrader(signalCovariance?: number): number;
  /** Interim utility gain of a truthful type t under the designed independent structure: ((N-1)/N) kappa w (t - mu_t)^2 / 2 >= 0. */
  interimUtilityGainIndependent(t: number): number;
}

/**
 * Theorem 4 with Gaussian laws: v(t) = mu_e + k (t - mu_t), k = kappa w, mu_t = mu_e/kappa, so
 * Xhat(m) = -((N-1)/N) k (m - mu_t) and tau(m) = ((N-1)/N) k [m (m - mu_t) - (m - mu_t)^2/2] + c.
 * c = ((N-1)/N) E[zeta v(t)] = -((N-1)/N) k sigma_zeta^2 makes participation bind at t = mu_t under
 * independent signals (the first-best normalisation of Proposition 1); then E[T_i | t_i = t] is
 * Theorem 3's interim transfer at alpha = 0.
 * Budget: tau is quadratic, so E[tau(t)] = ((N-1)/N) k s_t^2 / 2 + c needs only the first two moments
 * of t (s_t^2 = sigma_e^2/kappa^2 + sigma_zeta^2), and E[X_i^2] = ((N-1)/N) k^2 (s_t^2 - cov) only the
 * signals' average pairwise covariance; revenue = E[tau] - E[X^2]/(2 kappa)
 *   = ((N-1)/N) [kappa w^2 cov / 2 - sigma_e^2 (1 - w)/(2 kappa)],
 * a deficit under independent signals (the text after Theorem 4), for every law with these moments.
 * Throws TheoryError for bad input.
 */
export function gaussianRobustMechanism(env: {
  traders: number;
  kappa: number;
  muE: number;
  sigmaE: number;
  sigmaZeta: number;
}): GaussianRobustMechanism {
  checkAdverseSelection({ ...env, rho: 0 });
  const { traders: N, kappa, muE, sigmaE, sigmaZeta } = env;
  if (!Number.isFinite(muE)) throw new TheoryError(`mu-e must be a finite number, got ${muE}`);
  const se2 = sigmaE * sigmaE;
  const sz2 = sigmaZeta * sigmaZeta;
  const w = se2 / (se2 + kappa * kappa * sz2);
  const k = kappa * w;
  const muT = muE / kappa;
  const st2 = se2 / (kappa * kappa) + sz2;
  const share = (N - 1) / N;
  const constant = -share * k * sz2; // ((N-1)/N) E[zeta v(t)], E[zeta (t - mu_t)] = -sigma_zeta^2
  const base = robustMechanism({
    traders: N,
    kappa,
    v: (t) => muE + k * (t - muT),
    primitive: (t) => muE * t + (k * (t - muT) ** 2) / 2,
    pivot: muT,
    constant,
  });
  return {
    ...base,
    endowmentWeight: w,
    expectedRevenuePerTrader: (signalCovariance = 0) => {
      if (!(signalCovariance >= -sz2 / (N - 1) && signalCovariance <= sz2)) {
        throw new TheoryError(
          `signalCovariance must be in [-sigma_zeta^2/(N-1), sigma_zeta^2] = [${-sz2 / (N - 1)}, ${sz2}], got ${signalCovariance}`,
        );
      }
      const meanTau = (share * k * st2) / 2 + constant;
      const secondX = share * k * k * (st2 - signalCovariance);
      return meanTau - secondX / (2 * kappa);
    },
    interimUtilityGainIndependent: (t) => (share * k * (t - muT) ** 2) / 2,
  };
}

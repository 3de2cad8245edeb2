import tQuantile from "@stdlib/stats-base-dists-t-quantile";
import { mean, sampleStandardDeviation } from "simple-statistics";

/** A Monte Carlo mean with Student-t confidence intervals (null with fewer than 2 samples). */
export interface Estimate {
  readonly mean: number;
  readonly standardError: number | null;
  readonly ci95: [number, number] | null;
  readonly ci99: [number, number] | null;
}

/**
 * Estimate from iid samples (here: per-market averages, which are independent across markets even
 * though traders within a market are not).
 */
export function estimate(samples: Float64Array): Estimate {
  const n = samples.length;
  const m = mean(samples as unknown as number[]);
  if (n < 2) return { mean: m, standardError: null, ci95: null, ci99: null };
  return withIntervals(n, m, sampleStandardDeviation(samples as unknown as number[]) / Math.sqrt(n));
}

/**
 * Whether a theoretical value lies inside the 99% interval, widened by `resolution` for
 * floating-point rounding (a quantity that is exactly 0 in theory, such as the plain double
 * auction's revenue p sum q_i, is simulated as ~1e-17 with a tiny interval). Null without an interval.
 */
export function agrees(theory: number, est: Estimate, resolution = 0): boolean | null {
  if (!est.ci99) return null;
  return theory >= est.ci99[0] - resolution && theory <= est.ci99[1] + resolution;
}

/**
 * The estimate from a sample's size, mean and sum of squared deviations (Monte Carlo summarised
 * chunk by chunk): the same intervals as estimate() on the samples.
 */
export function estimateFromMoments(markets: number, mean: number, m2: number): Estimate {
  if (markets < 2) return { mean, standardError: null, ci95: null, ci99: null };
  return withIntervals(markets, mean, Math.sqrt(m2 / (markets - 1) / markets));
}

/** Student-t intervals (n - 1 degrees of freedom) around the mean. */
function withIntervals(n: number, mean: number, se: number): Estimate {
  const interval = (level: number): [number, number] => {
    const z = tQuantile(0.5 + level / 2, n - 1);
    return [mean - z * se, mean + z * se];
  };
  return { mean, standardError: se, ci95: interval(0.95), ci99: interval(0.99) };
}

/** Family-wise level of the verdicts: a family of checks is inconsistent with the theory when Holm's step-down rejects at 1%. */
export const FAMILY_LEVEL = 0.01;

/** One check's statistics: z = (simulated mean - theory) / standard error, and its two-sided Student-t p-value. */
export interface CheckStatistics {
  readonly z: number;
  readonly pValue: number;
}

/**
 * The two-sided p-value of `theory` against the estimate (Student-t with markets - 1 degrees of
 * freedom: the t distribution function is found by bisection on the quantile function, to 1e-12),
 * and its z-score. Theory within `rounding` of the mean counts as z = 0, p = 1 (a quantity that is 0
 * in exact arithmetic simulated as a few roundings). Null without a standard error or when it is 0
 * and the theory differs beyond rounding (z infinite: p = 0).
 */
export function checkStatistics(theory: number, est: Estimate, markets: number, rounding = 0): CheckStatistics | null {
  if (est.standardError === null || markets < 2) return null;
  // A NaN mean or theory is evidence against the theory, never a pass.
  if (!Number.isFinite(est.mean) || !Number.isFinite(theory) || !Number.isFinite(est.standardError))
    return { z: Number.MAX_VALUE, pValue: 0 };
  const gap = Math.abs(est.mean - theory);
  if (gap <= rounding) return { z: 0, pValue: 1 };
  // The rounding allowance narrows the gap as it widens the interval (agrees): both judge the same distance.
  const sign = Math.sign(est.mean - theory);
  if (est.standardError === 0) return { z: sign * Number.MAX_VALUE, pValue: 0 };
  const z = (sign * (gap - rounding)) / est.standardError;
  return { z, pValue: 2 * (1 - tCdf(Math.abs(z), markets - 1)) };
}

/** P(T <= t) for t >= 0, by bisection on the library's quantile function. */
function tCdf(t: number, df: number): number {
  let lo = 0.5;
  let hi = 1;
  if (tQuantile(1 - 1e-16, df) <= t) return 1;
  for (let k = 0; k < 60 && hi - lo > 1e-13; k++) {
    const mid = 0.5 * (lo + hi);
    if (tQuantile(mid, df) <= t) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}

/** A family of checks judged together (every check of a scenario run, or of one optex simulate). */
export interface FamilyVerdict {
  readonly checks: number;
  /** Checks whose theory is outside the simulated 99% interval (rounding allowance included). */
  readonly outside: number;
  /** Holm's adjusted p-value of the family: min(1, m p_(1)); the family is consistent when it exceeds the level. */
  readonly familyWisePValue: number;
  /** P(at least `outside` of `checks` independent 99% checks fail by chance): a guide, checks of one task are correlated. */
  readonly binomialPValue: number;
  /** No check rejected by Holm's step-down at FAMILY_LEVEL (valid whatever the checks' dependence). */
  readonly consistent: boolean;
  readonly method: string;
}

/** Holm's step-down at `level` over the checks' p-values, with the count outside the 99% intervals. */
export function familyVerdict(pValues: readonly number[], outside: number, level = FAMILY_LEVEL): FamilyVerdict {
  const m = pValues.length;
  const sorted = [...pValues].sort((a, b) => a - b);
  let rejected = 0;
  while (rejected < m && sorted[rejected]! <= level / (m - rejected)) rejected++;
  return {
    checks: m,
    outside,
    familyWisePValue: m === 0 ? 1 : Math.min(1, m * sorted[0]!),
    binomialPValue: binomialTail(m, outside, 0.01),
    consistent: rejected === 0,
    method: `Holm's step-down at ${level} over the checks' two-sided Student-t p-values`,
  };
}

/** P(X >= k) for X ~ Binomial(n, p): the terms' logs summed with a running maximum (no underflow for large n). */
export function binomialTail(n: number, k: number, p: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  // log C(n, k) p^k (1-p)^(n-k), then the ratio of successive terms.
  let logTerm = 0;
  for (let i = 0; i < k; i++) logTerm += Math.log(n - i) - Math.log(i + 1);
  logTerm += k * Math.log(p) + (n - k) * Math.log1p(-p);
  let logMax = logTerm;
  let scaled = 0; // sum of exp(logTerm_j - logMax)
  for (let j = k; j <= n; j++) {
    if (logTerm > logMax) {
      scaled *= Math.exp(logMax - logTerm);
      logMax = logTerm;
    }
    scaled += Math.exp(logTerm - logMax);
    // Past the mode the terms fall geometrically: stop once they no longer count.
    if (j > n * p && logTerm < logMax - 60) break;
    logTerm += Math.log((n - j) / (j + 1)) + Math.log(p / (1 - p));
  }
  return Math.min(1, Math.exp(logMax + Math.log(scaled)));
}

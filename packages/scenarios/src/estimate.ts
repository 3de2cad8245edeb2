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
  const se = sampleStandardDeviation(samples as unknown as number[]) / Math.sqrt(n);
  const interval = (level: number): [number, number] => {
    const z = tQuantile(0.5 + level / 2, n - 1);
    return [m - z * se, m + z * se];
  };
  return { mean: m, standardError: se, ci95: interval(0.95), ci99: interval(0.99) };
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

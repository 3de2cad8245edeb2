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

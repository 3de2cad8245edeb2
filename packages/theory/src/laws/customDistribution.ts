import { findRoot, integrate } from "@optex/numerics";
import type { Distribution } from "./distribution.ts";
import { lawFromFunctions } from "./lawFromFunctions.ts";
import { TheoryError } from "../theoryError.ts";

export interface CustomDistributionSpec {
  id?: string;
  /** Support; either end may be infinite. */
  lower: number;
  upper: number;
  cdf: (x: number) => number;
  pdf: (x: number) => number;
  /** Inverse cdf; found by Brent on the cdf when omitted. */
  quantile?: (u: number) => number;
  /** A sampler taking a uniform generator; quantile(rng()) when omitted. */
  sample?: (rng: () => number) => number;
  /** Computed by quadrature when omitted. */
  mean?: number;
  variance?: number;
  symmetric?: boolean;
}

/**
 * A user-supplied law of endowments. Mean and variance come from quadrature (tolerance 1e-11
 * relative) unless given. Throws TheoryError when the support is empty or the density does not
 * integrate to 1 within 1e-8.
 */
export function customDistribution(spec: CustomDistributionSpec): Distribution {
  const { lower, upper, cdf, pdf } = spec;
  if (Number.isNaN(lower) || Number.isNaN(upper) || !(lower < upper)) {
    throw new TheoryError(`custom distribution: need lower < upper, got [${lower}, ${upper}]`);
  }
  const mass = integrate(pdf, lower, upper).value;
  if (!(Math.abs(mass - 1) <= 1e-8)) throw new TheoryError(`custom distribution: pdf integrates to ${mass}, not 1`);
  const mean = spec.mean ?? integrate((x) => x * pdf(x), lower, upper).value;
  const variance = spec.variance ?? integrate((x) => (x - mean) * (x - mean) * pdf(x), lower, upper).value;
  const quantile =
    spec.quantile ??
    ((u: number) => {
      if (u <= 0) return lower;
      if (u >= 1) return upper;
      const sd = Math.sqrt(variance);
      let lo = Number.isFinite(lower) ? lower : mean - sd;
      let hi = Number.isFinite(upper) ? upper : mean + sd;
      while (cdf(lo) > u) lo = mean - 2 * (mean - lo);
      while (cdf(hi) < u) hi = mean + 2 * (hi - mean);
      return findRoot((x) => cdf(x) - u, lo, hi, { absoluteTolerance: 1e-13 * Math.max(1, sd) });
    });
  // rng() = 0 would map to the lower end, -Infinity on an unbounded support: use 2^-33 instead.
  const sample = spec.sample ?? ((rng: () => number) => quantile(rng() || 2 ** -33));
  // Ratios where both underflow are taken as 0 (light tails); supply a built-in law for exact tails.
  return lawFromFunctions({
    id: spec.id ?? "custom",
    lower,
    upper,
    mean,
    variance,
    symmetric: spec.symmetric ?? false,
    cdf,
    survival: (x) => 1 - cdf(x),
    pdf,
    quantile,
    sample,
  });
}

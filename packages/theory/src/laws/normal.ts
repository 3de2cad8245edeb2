import erfc from "@stdlib/math-base-special-erfc";
import erfcx from "@stdlib/math-base-special-erfcx";
import normalCdf from "@stdlib/stats-base-dists-normal-cdf";
import normalPdf from "@stdlib/stats-base-dists-normal-pdf";
import normalQuantile from "@stdlib/stats-base-dists-normal-quantile";
import type { Distribution } from "./distribution.ts";
import { TheoryError } from "../theoryError.ts";

const SQRT_HALF_PI = Math.sqrt(Math.PI / 2);
const FIRST_CELL = 2 ** -33;

/** N(mu, sigma^2). Mills ratios use erfcx so they stay accurate far in the tails. Throws TheoryError unless sigma > 0. */
export function normal(mu: number, sigma: number): Distribution {
  if (!Number.isFinite(mu)) throw new TheoryError(`normal: MU must be finite, got ${mu}`);
  if (!Number.isFinite(sigma) || !(sigma > 0)) throw new TheoryError(`normal: need a finite SIGMA > 0, got ${sigma}`);
  const z = (x: number) => (x - mu) / sigma;
  return {
    id: `normal:${mu},${sigma}`,
    lower: -Infinity,
    upper: Infinity,
    mean: mu,
    variance: sigma * sigma,
    symmetric: true,
    cdf: (x) => normalCdf(x, mu, sigma),
    survival: (x) => 0.5 * erfc(z(x) / Math.SQRT2),
    pdf: (x) => normalPdf(x, mu, sigma),
    quantile: (u) => normalQuantile(u, mu, sigma),
    // (1 - Phi(z))/phi(z) = sqrt(pi/2) erfcx(z/sqrt 2), in units of x.
    cdfOverPdf: (x) => sigma * SQRT_HALF_PI * erfcx(-z(x) / Math.SQRT2),
    survivalOverPdf: (x) => sigma * SQRT_HALF_PI * erfcx(z(x) / Math.SQRT2),
    standardized: () => normal(0, 1),
    // A generator returning exactly 0 (alea's resolution is 2^-32) would give -Infinity: use the
    // midpoint of that first cell instead.
    sample: (rng) => normalQuantile(rng() || FIRST_CELL, mu, sigma),
    sampleInto: (rng, out) => {
      for (let k = 0; k < out.length; k++) out[k] = normalQuantile(rng() || FIRST_CELL, mu, sigma);
    },
  };
}

import type { Distribution } from "./distribution.ts";

/** Builds the Distribution from cdf, survival, pdf and quantile: ratios, sampling by inversion. */
export function lawFromFunctions(spec: {
  id: string;
  lower: number;
  upper: number;
  mean: number;
  variance: number;
  symmetric: boolean;
  cdf: (x: number) => number;
  survival: (x: number) => number;
  pdf: (x: number) => number;
  quantile: (u: number) => number;
  sample?: (rng: () => number) => number;
  kinks?: readonly number[];
}): Distribution {
  const { cdf, survival, pdf, quantile } = spec;
  // rng() = 0 would map to the lower end (-Infinity on an unbounded support): 2^-53 instead.
  const sample = spec.sample ?? ((rng: () => number) => quantile(rng() || 2 ** -53));
  return {
    id: spec.id,
    lower: spec.lower,
    upper: spec.upper,
    mean: spec.mean,
    variance: spec.variance,
    symmetric: spec.symmetric,
    ...(spec.kinks && spec.kinks.length > 0 ? { kinks: spec.kinks } : {}),
    cdf,
    survival,
    pdf,
    quantile,
    // Where both underflow the ratio is taken as 0 (the tail carries no mass in double precision).
    cdfOverPdf: (x) => {
      const F = cdf(x);
      return F === 0 ? 0 : F / pdf(x);
    },
    survivalOverPdf: (x) => {
      const S = survival(x);
      return S === 0 ? 0 : S / pdf(x);
    },
    sample,
    sampleInto: (rng, out) => {
      for (let k = 0; k < out.length; k++) out[k] = sample(rng);
    },
  };
}

import type { Distribution } from "./distribution.ts";

/**
 * The law of z = (e - mu)/sigma, so that solvers, quadrature and their tolerances work at unit
 * scale whatever the user's units (a law with sigma = 1e-5 or mean 1e9 is solved as well as U[-1,1]).
 * Built-in families supply an exact standardized law (`standardized`); otherwise the law is
 * wrapped, evaluating the original at mu + sigma z.
 */
export function standardizedLaw(dist: Distribution): Distribution {
  const mu = dist.mean;
  const sigma = Math.sqrt(dist.variance);
  if (mu === 0 && sigma === 1) return dist;
  if (dist.standardized) return dist.standardized();
  const x = (z: number) => mu + sigma * z;
  const toZ = (e: number) => (e - mu) / sigma;
  return {
    id: `(${dist.id} - ${mu}) / ${sigma}`,
    lower: toZ(dist.lower),
    upper: toZ(dist.upper),
    mean: 0,
    variance: 1,
    symmetric: dist.symmetric,
    ...(dist.kinks ? { kinks: dist.kinks.map(toZ) } : {}),
    cdf: (z) => dist.cdf(x(z)),
    survival: (z) => dist.survival(x(z)),
    pdf: (z) => sigma * dist.pdf(x(z)),
    quantile: (u) => toZ(dist.quantile(u)),
    cdfOverPdf: (z) => dist.cdfOverPdf(x(z)) / sigma,
    survivalOverPdf: (z) => dist.survivalOverPdf(x(z)) / sigma,
    sample: (rng) => toZ(dist.sample(rng)),
    sampleInto: (rng, out) => {
      dist.sampleInto(rng, out);
      for (let k = 0; k < out.length; k++) out[k] = toZ(out[k]!);
    },
  };
}

import type { Distribution } from "./distribution.ts";
import { TheoryError } from "../theoryError.ts";

/** Exp(rate) on [0, infinity). Throws TheoryError unless rate > 0 is finite. */
export function exponential(rate: number): Distribution {
  if (!Number.isFinite(rate) || !(rate > 0)) throw new TheoryError(`exponential: need a finite RATE > 0, got ${rate}`);
  return {
    id: `exponential:${rate}`,
    lower: 0,
    upper: Infinity,
    mean: 1 / rate,
    variance: 1 / (rate * rate),
    symmetric: false,
    cdf: (x) => (x <= 0 ? 0 : -Math.expm1(-rate * x)),
    survival: (x) => (x <= 0 ? 1 : Math.exp(-rate * x)),
    pdf: (x) => (x < 0 ? 0 : rate * Math.exp(-rate * x)),
    quantile: (u) => -Math.log1p(-u) / rate,
    cdfOverPdf: (x) => (x <= 0 ? 0 : Math.expm1(rate * x) / rate),
    // Constant hazard: the upper branch of v is e - alpha/rate (docs/model.md).
    survivalOverPdf: () => 1 / rate,
    sample: (rng) => -Math.log1p(-rng()) / rate,
    sampleInto: (rng, out) => {
      for (let k = 0; k < out.length; k++) out[k] = -Math.log1p(-rng()) / rate;
    },
  };
}

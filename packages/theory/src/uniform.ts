import type { Distribution } from "./distribution.ts";
import { TheoryError } from "./theoryError.ts";

/** U[a, b]. Throws TheoryError unless a < b are finite. */
export function uniform(a: number, b: number): Distribution {
  if (!Number.isFinite(a) || !Number.isFinite(b) || !(a < b)) {
    throw new TheoryError(`uniform: need finite A < B, got A=${a}, B=${b}`);
  }
  const width = b - a;
  const clamp = (x: number) => (x <= a ? 0 : x >= b ? 1 : (x - a) / width);
  return {
    id: `uniform:${a},${b}`,
    lower: a,
    upper: b,
    mean: 0.5 * (a + b),
    variance: (width * width) / 12,
    symmetric: true,
    cdf: clamp,
    survival: (x) => 1 - clamp(x),
    pdf: (x) => (x < a || x > b ? 0 : 1 / width),
    quantile: (u) => a + u * width,
    cdfOverPdf: (x) => Math.min(Math.max(x - a, 0), width),
    survivalOverPdf: (x) => Math.min(Math.max(b - x, 0), width),
    standardized: () => uniform(-Math.sqrt(3), Math.sqrt(3)),
    sample: (rng) => a + rng() * width,
    sampleInto: (rng, out) => {
      for (let k = 0; k < out.length; k++) out[k] = a + rng() * width;
    },
  };
}

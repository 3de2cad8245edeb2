import { PiecewiseQuadratic } from "@optex/numerics";
import type { Distribution } from "./distribution.ts";
import { TheoryError } from "../theoryError.ts";

/** U[a, b]. Throws TheoryError unless a < b are finite. */
export function uniform(a: number, b: number): Distribution {
  if (!Number.isFinite(a) || !Number.isFinite(b) || !(a < b)) {
    throw new TheoryError(`uniform: need finite A < B, got A=${a}, B=${b}`);
  }
  const width = b - a;
  const clamp = (x: number) => (x <= a ? 0 : x >= b ? 1 : (x - a) / width);
  // F/f = min(max(x - a, 0), width) and (1 - F)/f = min(max(b - x, 0), width): three linear pieces each.
  const ratioPieces = {
    cdfOverPdf: new PiecewiseQuadratic([
      { start: -Infinity, origin: a, c0: 0, c1: 0, c2: 0 },
      { start: a, origin: a, c0: 0, c1: 1, c2: 0 },
      { start: b, origin: b, c0: width, c1: 0, c2: 0 },
    ]),
    survivalOverPdf: new PiecewiseQuadratic([
      { start: -Infinity, origin: a, c0: width, c1: 0, c2: 0 },
      { start: a, origin: b, c0: 0, c1: -1, c2: 0 },
      { start: b, origin: b, c0: 0, c1: 0, c2: 0 },
    ]),
  };
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
    ratioPieces,
    standardized: () => uniform(-Math.sqrt(3), Math.sqrt(3)),
    sample: (rng) => a + rng() * width,
    sampleInto: (rng, out) => {
      for (let k = 0; k < out.length; k++) out[k] = a + rng() * width;
    },
  };
}

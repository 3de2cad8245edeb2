import { integrate } from "@optex/numerics";
import seedrandom from "seedrandom";
import { describe, expect, test } from "vitest";
import { customDistribution } from "./customDistribution.ts";
import type { Distribution } from "./distribution.ts";
import { exponential } from "./exponential.ts";
import { normal } from "./normal.ts";
import { parseDistribution } from "./parseDistribution.ts";
import { uniform } from "./uniform.ts";

const logistic = customDistribution({
  id: "logistic",
  lower: -Infinity,
  upper: Infinity,
  cdf: (x) => 1 / (1 + Math.exp(-x)),
  pdf: (x) => Math.exp(-Math.abs(x)) / (1 + Math.exp(-Math.abs(x))) ** 2,
  symmetric: true,
});
const laws: Distribution[] = [uniform(-1, 2), normal(0.5, 2), exponential(1.5), logistic];

describe.each(laws.map((d) => [d.id, d] as const))("%s", (_id, d) => {
  test("pdf integrates to 1; mean and variance agree with quadrature", () => {
    expect(integrate(d.pdf, d.lower, d.upper).value).toBeCloseTo(1, 10);
    const mean = integrate((x) => x * d.pdf(x), d.lower, d.upper).value;
    expect(mean).toBeCloseTo(d.mean, 9);
    expect(integrate((x) => (x - mean) ** 2 * d.pdf(x), d.lower, d.upper).value).toBeCloseTo(d.variance, 9);
  });
  test("quantile inverts cdf; pdf is the derivative of cdf; ratios match", () => {
    for (const u of [1e-6, 0.01, 0.3, 0.5, 0.77, 0.999]) {
      const x = d.quantile(u);
      expect(d.cdf(x)).toBeCloseTo(u, 10);
      const h = 1e-5 * Math.sqrt(d.variance);
      // Central difference, away from a finite end of the support.
      if (x - h > d.lower) expect((d.cdf(x + h) - d.cdf(x - h)) / (2 * h)).toBeCloseTo(d.pdf(x), 6);
      expect(d.cdfOverPdf(x)).toBeCloseTo(d.cdf(x) / d.pdf(x), 8);
      expect(d.survivalOverPdf(x)).toBeCloseTo((1 - d.cdf(x)) / d.pdf(x), 7);
      expect(d.survival(x)).toBeCloseTo(1 - u, 10);
    }
  });
  test("sampler draws from the law (Kolmogorov distance, seeded)", () => {
    const rng = seedrandom.alea(`sample-${d.id}`);
    const n = 20000;
    const xs = Float64Array.from({ length: n }, () => d.sample(rng)).sort();
    let ks = 0;
    for (let k = 0; k < n; k++) ks = Math.max(ks, Math.abs(d.cdf(xs[k]!) - (k + 0.5) / n));
    // 99.9% critical value of the KS statistic is 1.95/sqrt(n).
    expect(ks).toBeLessThan(1.95 / Math.sqrt(n));
  });
});

describe("normal tails", () => {
  test("Mills ratio matches its asymptotic series far in the tail (where 1-Phi underflows naively)", () => {
    const d = normal(0, 1);
    for (const z of [20, 30, 40]) {
      // The four-term series is accurate to about 105/z^8 relative.
      const series = 1 / z - 1 / z ** 3 + 3 / z ** 5 - 15 / z ** 7;
      expect(Math.abs(d.survivalOverPdf(z) / series - 1)).toBeLessThan(1e-8);
      expect(Math.abs(d.cdfOverPdf(-z) / series - 1)).toBeLessThan(1e-8);
    }
    expect(d.survival(30)).toBeGreaterThan(0);
  });
});

describe("parseDistribution", () => {
  test("parses the three families", () => {
    expect(parseDistribution("uniform:-1,1").id).toBe("uniform:-1,1");
    expect(parseDistribution("normal: 0, 2").variance).toBe(4);
    expect(parseDistribution("exponential:2").mean).toBe(0.5);
  });
  test.each([
    ["cauchy:0,1", /unknown distribution family/],
    ["uniform:1", /needs 2 finite numbers/],
    ["uniform:1,-1", /A < B/],
    ["normal:0,-1", /SIGMA > 0/],
    ["normal:0,abc", /needs 2 finite numbers/],
    ["exponential:0", /RATE > 0/],
    ["nonsense", /not a distribution/],
  ])("rejects %s with a one-line message", (spec, pattern) => {
    expect(() => parseDistribution(spec)).toThrow(pattern);
    try {
      parseDistribution(spec);
    } catch (e) {
      expect((e as Error).message).not.toContain("\n");
    }
  });
});

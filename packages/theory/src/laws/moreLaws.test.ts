import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { integrate } from "@optex/numerics";
import seedrandom from "seedrandom";
import { describe, expect, test } from "vitest";
import { solveVirtualType } from "../basic/virtualType.ts";
import type { Distribution } from "./distribution.ts";
import { kernelDensity, silvermanBandwidth } from "./moreLaws.ts";
import { parseDistribution } from "./parseDistribution.ts";

const dir = mkdtempSync(join(tmpdir(), "optex-laws-"));
const observations = Array.from({ length: 400 }, (_, i) => 2 * Math.sin(1 + i * 12.9898) + (i % 7) / 10);
const dataFile = join(dir, "obs.csv");
writeFileSync(dataFile, `# endowments\n${observations.join("\n")}\n`);

const SPECS = [
  "laplace:0.5,2",
  "student-t:5,1,0.5",
  "student-t:3,0,1",
  "lognormal:0,0.5",
  "lognormal:-1,0.25,-2",
  "mixture:0.5*normal:-1,0.5+0.5*normal:1,0.5",
  "mixture:0.9*normal:0,0.5+0.1*normal:3,0.3",
  "mixture:0.3*uniform:-1,0+0.7*laplace:1e+0,0.5",
  `empirical:${dataFile}`,
];

describe.each(SPECS)("%s", (spec) => {
  const d: Distribution = parseDistribution(spec);
  const sd = Math.sqrt(d.variance);
  test("quantile inverts cdf; cdf + survival = 1; pdf is the cdf's derivative", () => {
    for (const u of [1e-9, 1e-4, 0.02, 0.3, 0.5, 0.71, 0.98, 1 - 1e-6]) {
      const x = d.quantile(u);
      expect(Math.abs(d.cdf(x) - u), `u = ${u}`).toBeLessThan(1e-12);
      expect(Math.abs(d.cdf(x) + d.survival(x) - 1)).toBeLessThan(1e-14);
    }
    for (const u of [0.05, 0.35, 0.65, 0.95]) {
      const x = d.quantile(u);
      const h = 1e-4 * sd;
      const slope = (d.cdf(x + h) - d.cdf(x - h)) / (2 * h);
      // Central differences: error ~ h^2 f''/6 (1e-8 relative here); a point within h of a kink or a
      // jump of the density (a uniform component's end) is skipped.
      const [below, at, above] = [d.pdf(x - h), d.pdf(x), d.pdf(x + h)];
      if (Math.abs(above - below) > 1e-3 * at || Math.abs(above + below - 2 * at) > 1e-6 * at) continue;
      expect(Math.abs(slope - d.pdf(x)) / d.pdf(x)).toBeLessThan(1e-6);
    }
  });

  test("declared mean and variance match quadrature of the density (1e-8 relative)", () => {
    const lo = Number.isFinite(d.lower) ? d.lower : d.quantile(1e-15);
    const hi = Number.isFinite(d.upper) ? d.upper : d.quantile(1 - 1e-15);
    // Student t's tails beyond the 1e-15 quantiles hold a variance share of order 1e-15^(1 - 2/nu): 1e-5 at nu = 3.
    const tolerance = spec.startsWith("student-t:3") ? 1e-4 : 1e-8;
    // Pieces between percentiles and at the components' kinks and ends (-1, 0, 0.5, 1 here), so that
    // no piece holds a kink the adaptive rule would have to chase.
    const breaks = [lo, hi, -1, 0, 0.5, 1, ...Array.from({ length: 99 }, (_, i) => d.quantile((i + 1) / 100))]
      .filter((x) => x >= lo && x <= hi)
      .sort((a, b) => a - b);
    const piecewise = (f: (x: number) => number) => {
      let total = 0;
      for (let i = 1; i < breaks.length; i++)
        if (breaks[i]! > breaks[i - 1]!) total += integrate(f, breaks[i - 1]!, breaks[i]!, { relTol: 1e-13 }).value;
      return total;
    };
    const mass = piecewise((x) => d.pdf(x));
    const mean = piecewise((x) => x * d.pdf(x));
    const variance = piecewise((x) => (x - d.mean) ** 2 * d.pdf(x));
    expect(Math.abs(mass - 1)).toBeLessThan(1e-8);
    expect(Math.abs(mean - d.mean) / sd).toBeLessThan(1e-8);
    expect(Math.abs(variance - d.variance) / d.variance).toBeLessThan(tolerance);
  });

  test("draws have the declared mean and variance (99.9% intervals, fixed seed); sampleInto = repeated sample", () => {
    const n = 200_000;
    const out = new Float64Array(n);
    d.sampleInto(seedrandom.alea(`laws/${spec}`), out);
    const rng = seedrandom.alea(`laws/${spec}`);
    for (let i = 0; i < 100; i++) expect(d.sample(rng)).toBe(out[i]);
    let mean = 0;
    for (const x of out) mean += x / n;
    let m2 = 0;
    let m4 = 0;
    for (const x of out) {
      m2 += (x - d.mean) ** 2 / n;
      m4 += (x - d.mean) ** 4 / n;
    }
    expect(Math.abs(mean - d.mean)).toBeLessThan(3.29 * Math.sqrt(d.variance / n));
    // The variance's sampling sd is sqrt((mu4 - sigma^4)/n), from the sample's own fourth moment
    // (Student t with nu = 3 has none: only the mean is checked).
    if (!spec.startsWith("student-t:3")) expect(Math.abs(m2 - d.variance)).toBeLessThan(3.29 * Math.sqrt((m4 - m2 * m2) / n));
  });
});

describe("parsing laws", () => {
  test.each([
    ["student-t:2,0,1", /student-t: need NU > 2/],
    ["laplace:0", /needs 2 finite numbers/],
    ["lognormal:0,6", /SIGMA must be <= 5/],
    ["mixture:0.5*normal:0,1+0.6*normal:1,1", /weights must sum to 1, got 1.1/],
    ["mixture:0.5*normal:0,1+0.5*normal:1,-1", /component 2: normal/],
    ["mixture:0.5*normal:0,1+normal:1,1", /component 1: "normal:0,1\+normal:1,1" needs 2 finite numbers/],
    ["cauchy:0,1", /unknown distribution family "cauchy"/],
    ["empirical:", /needs a file/],
    [`empirical:${join(dir, "missing.csv")}`, /cannot read the file \(ENOENT\)/],
  ])("%s is refused in one line", (spec, message) => {
    expect(() => parseDistribution(spec)).toThrow(message);
  });

  test("a file with a bad line or too few observations names the file and the line", () => {
    const bad = join(dir, "bad.csv");
    writeFileSync(bad, "1.5\n2\nabc\n3\n");
    expect(() => parseDistribution(`empirical:${bad}`)).toThrow(/empirical:.*bad\.csv: line 3 is not a finite number: "abc"/);
    const few = join(dir, "few.txt");
    writeFileSync(few, "1\n2\n3\n");
    expect(() => parseDistribution(`empirical:${few}`)).toThrow(/3 observations; at least 10 are needed/);
  });

  test("a CSV row counts its first field; comments and blank lines are skipped", () => {
    const csv = join(dir, "rows.csv");
    writeFileSync(csv, `# e, weight\n${observations.map((x) => `${x},1`).join("\n")}\n\n`);
    expect(parseDistribution(`empirical:${csv}`).mean).toBeCloseTo(parseDistribution(`empirical:${dataFile}`).mean, 14);
  });
});

describe("the kernel density", () => {
  test("of a large normal sample is close to the normal law; its bandwidth is Silverman's rule", () => {
    const rng = seedrandom.alea("kde");
    const normal = parseDistribution("normal:0,1");
    const xs = Array.from({ length: 5_000 }, () => normal.sample(rng));
    const law = kernelDensity(xs);
    const sorted = [...xs].sort((a, b) => a - b);
    const h = silvermanBandwidth(sorted);
    expect(h).toBeCloseTo(0.9 * 1 * 5_000 ** -0.2, 1);
    // Distance of the smoothed sample: sampling sd at most 0.5/sqrt(n) = 0.007, smoothing bias ~ h^2 phi/2 (0.005).
    for (const x of [-2, -1, 0, 0.5, 1.5]) expect(Math.abs(law.cdf(x) - normal.cdf(x))).toBeLessThan(0.02);
    expect(law.variance).toBeCloseTo(1 + h * h, 1);
  });
});

describe("Theorem 1 with the new laws", () => {
  test("symmetric laws (Laplace, Student t) put E[v] at the mean and the binding region symmetric about it (Corollary 1.1)", () => {
    for (const spec of ["laplace:0.5,2", "student-t:5,1,0.5"]) {
      const d = parseDistribution(spec);
      const vt = solveVirtualType(d, 0.5);
      expect(vt.meanVirtualType).toBeCloseTo(d.mean, 9);
      expect(vt.eA + vt.eB).toBeCloseTo(2 * d.mean, 9);
    }
  });
  test("a bimodal mixture fails Condition 1 at its dip: the virtual type comes ironed and says so", () => {
    expect(solveVirtualType(parseDistribution("mixture:0.5*normal:-1,0.5+0.5*normal:1,0.5"), 0.5).condition1Holds).toBe(false);
  });
});

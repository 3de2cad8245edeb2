import { findRoot } from "@optex/numerics";
import normalCdf from "@stdlib/stats-base-dists-normal-cdf";
import normalPdf from "@stdlib/stats-base-dists-normal-pdf";
import normalQuantile from "@stdlib/stats-base-dists-normal-quantile";
import tCdf from "@stdlib/stats-base-dists-t-cdf";
import tPdf from "@stdlib/stats-base-dists-t-pdf";
import tQuantile from "@stdlib/stats-base-dists-t-quantile";
import type { Distribution } from "./distribution.ts";
import { lawFromFunctions as fromFunctions } from "./lawFromFunctions.ts";
import { TheoryError } from "../theoryError.ts";

// Laws beyond the log-concave three: heavy tails (Student t), a kink (Laplace), skew (lognormal),
// several modes (mixtures) and laws estimated from data (a kernel density). Condition 1 may fail for
// them (a bimodal mixture's dip); Theorem 1's solve then says where.

/** Laplace(mu, b): density exp(-|x - mu|/b) / (2 b). Log-concave (Condition 1 holds). */
export function laplace(mu: number, b: number): Distribution {
  if (!(Number.isFinite(mu) && Number.isFinite(b) && b > 0)) throw new TheoryError(`laplace: need a finite MU and B > 0, got ${mu}, ${b}`);
  return fromFunctions({
    id: `laplace:${mu},${b}`,
    lower: Number.NEGATIVE_INFINITY,
    upper: Number.POSITIVE_INFINITY,
    mean: mu,
    variance: 2 * b * b,
    symmetric: true,
    kinks: [mu],
    cdf: (x) => (x < mu ? 0.5 * Math.exp((x - mu) / b) : 1 - 0.5 * Math.exp(-(x - mu) / b)),
    survival: (x) => (x < mu ? 1 - 0.5 * Math.exp((x - mu) / b) : 0.5 * Math.exp(-(x - mu) / b)),
    pdf: (x) => Math.exp(-Math.abs(x - mu) / b) / (2 * b),
    quantile: (u) =>
      u <= 0
        ? Number.NEGATIVE_INFINITY
        : u >= 1
          ? Number.POSITIVE_INFINITY
          : u < 0.5
            ? mu + b * Math.log(2 * u)
            : mu - b * Math.log(2 * (1 - u)),
  });
}

/**
 * Student's t with NU > 2 degrees of freedom (a finite variance: holding costs need it), location MU
 * and scale SIGMA. Heavy-tailed: Condition 1 fails in the tails for any alpha > 0 (the hazard ratio
 * grows like |x|), which Theorem 1's solve irons.
 */
export function studentT(nu: number, mu: number, sigma: number): Distribution {
  if (!(Number.isFinite(nu) && nu > 2)) throw new TheoryError(`student-t: need NU > 2 (a finite variance), got ${nu}`);
  if (!(Number.isFinite(mu) && Number.isFinite(sigma) && sigma > 0))
    throw new TheoryError(`student-t: need a finite MU and SIGMA > 0, got ${mu}, ${sigma}`);
  const z = (x: number) => (x - mu) / sigma;
  return fromFunctions({
    id: `student-t:${nu},${mu},${sigma}`,
    lower: Number.NEGATIVE_INFINITY,
    upper: Number.POSITIVE_INFINITY,
    mean: mu,
    variance: (sigma * sigma * nu) / (nu - 2),
    symmetric: true,
    cdf: (x) => tCdf(z(x), nu),
    // By symmetry, accurate in the upper tail.
    survival: (x) => tCdf(-z(x), nu),
    pdf: (x) => tPdf(z(x), nu) / sigma,
    quantile: (u) => (u <= 0 ? Number.NEGATIVE_INFINITY : u >= 1 ? Number.POSITIVE_INFINITY : mu + sigma * tQuantile(u, nu)),
  });
}

/** LOC + exp(N(MU, SIGMA^2)): a lognormal law shifted by LOC (default 0), support (LOC, infinity). */
export function lognormal(mu: number, sigma: number, loc = 0): Distribution {
  if (!(Number.isFinite(mu) && Number.isFinite(sigma) && sigma > 0 && Number.isFinite(loc)))
    throw new TheoryError(`lognormal: need finite MU and LOC and SIGMA > 0, got ${mu}, ${sigma}, ${loc}`);
  if (sigma > 5) throw new TheoryError(`lognormal: SIGMA must be <= 5 (its variance overflows beyond), got ${sigma}`);
  const w = (x: number) => (Math.log(x - loc) - mu) / sigma;
  const m = Math.exp(mu + (sigma * sigma) / 2);
  return fromFunctions({
    id: loc === 0 ? `lognormal:${mu},${sigma}` : `lognormal:${mu},${sigma},${loc}`,
    lower: loc,
    upper: Number.POSITIVE_INFINITY,
    mean: loc + m,
    variance: m * m * Math.expm1(sigma * sigma),
    symmetric: false,
    cdf: (x) => (x <= loc ? 0 : normalCdf(w(x), 0, 1)),
    survival: (x) => (x <= loc ? 1 : normalCdf(-w(x), 0, 1)),
    pdf: (x) => (x <= loc ? 0 : normalPdf(w(x), 0, 1) / (sigma * (x - loc))),
    quantile: (u) => (u <= 0 ? loc : u >= 1 ? Number.POSITIVE_INFINITY : loc + Math.exp(mu + sigma * normalQuantile(u, 0, 1))),
  });
}

/**
 * A mixture sum_i w_i F_i of laws (weights > 0 summing to 1 within 1e-9). A bimodal mixture (traders
 * arriving long or short) fails Condition 1 where its density dips.
 */
export function mixture(components: readonly { readonly weight: number; readonly law: Distribution }[], id?: string): Distribution {
  if (components.length < 2) throw new TheoryError(`mixture: need at least 2 components, got ${components.length}`);
  for (const c of components)
    if (!(Number.isFinite(c.weight) && c.weight > 0)) throw new TheoryError(`mixture: weights must be > 0, got ${c.weight}`);
  const total = components.reduce((a, c) => a + c.weight, 0);
  if (!(Math.abs(total - 1) <= 1e-9)) throw new TheoryError(`mixture: weights must sum to 1, got ${total}`);
  const w = components.map((c) => c.weight / total);
  const laws = components.map((c) => c.law);
  const mean = laws.reduce((a, l, i) => a + w[i]! * l.mean, 0);
  const variance = laws.reduce((a, l, i) => a + w[i]! * (l.variance + (l.mean - mean) ** 2), 0);
  const sum = (f: (l: Distribution) => number) => laws.reduce((a, l, i) => a + w[i]! * f(l), 0);
  const cdf = (x: number) =>
    Math.min(
      1,
      sum((l) => l.cdf(x)),
    );
  const survival = (x: number) =>
    Math.min(
      1,
      sum((l) => l.survival(x)),
    );
  const lower = Math.min(...laws.map((l) => l.lower));
  const upper = Math.max(...laws.map((l) => l.upper));
  const cumulative = w.map((_, i) => w.slice(0, i + 1).reduce((a, b) => a + b, 0));
  const sd = Math.sqrt(variance);
  // The components' kinks and finite ends inside the mixture's support are its kinks.
  const kinks = [...new Set(laws.flatMap((l) => [...(l.kinks ?? []), l.lower, l.upper]))]
    .filter((x) => Number.isFinite(x) && x > lower && x < upper)
    .sort((a, b) => a - b);
  return fromFunctions({
    id: id ?? `mixture:${components.map((c) => `${c.weight}*${c.law.id}`).join("+")}`,
    lower,
    upper,
    mean,
    variance,
    symmetric: false,
    kinks,
    cdf,
    survival,
    pdf: (x) => sum((l) => l.pdf(x)),
    // The mixture's quantile lies between its components' quantiles at the same level.
    quantile: (u) => {
      if (u <= 0) return lower;
      if (u >= 1) return upper;
      const qs = laws.map((l) => l.quantile(u));
      const lo = Math.min(...qs);
      const hi = Math.max(...qs);
      if (!(hi > lo)) return lo;
      const upperTail = u > 0.5;
      return findRoot((x) => (upperTail ? 1 - u - survival(x) : cdf(x) - u), lo, hi, { absoluteTolerance: 1e-14 * Math.max(1, sd) });
    },
    // A component by one uniform, then its own draw (two uniforms per draw).
    sample: (rng) => {
      const u = rng();
      let i = 0;
      while (i < laws.length - 1 && u >= cumulative[i]!) i++;
      return laws[i]!.sample(rng);
    },
  });
}

/** The bandwidth rule of `kernelDensity`: Silverman's 0.9 min(sd, IQR / 1.34) n^(-1/5). */
export function silvermanBandwidth(sorted: readonly number[]): number {
  const n = sorted.length;
  const mean = sorted.reduce((a, b) => a + b, 0) / n;
  const sd = Math.sqrt(sorted.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
  const at = (p: number) => {
    const h = (n - 1) * p;
    const i = Math.floor(h);
    return sorted[i]! + (h - i) * ((sorted[Math.min(i + 1, n - 1)] ?? sorted[i]!) - sorted[i]!);
  };
  const iqr = at(0.75) - at(0.25);
  const spread = iqr > 0 ? Math.min(sd, iqr / 1.34) : sd;
  return 0.9 * spread * n ** -0.2;
}

/** Fewest observations `kernelDensity` accepts. */
export const MIN_OBSERVATIONS = 10;

/**
 * A law estimated from observations: the Gaussian kernel density with Silverman's bandwidth (or the
 * one given), so that cdf, pdf and quantile are defined everywhere. Its mean is the sample mean and
 * its variance the sample's (divided by n) plus the bandwidth squared. Throws TheoryError for fewer
 * than 10 observations, a non-finite one, or no spread.
 */
export function kernelDensity(observations: readonly number[], options: { bandwidth?: number; id?: string } = {}): Distribution {
  const n = observations.length;
  if (n < MIN_OBSERVATIONS) throw new TheoryError(`empirical: need at least ${MIN_OBSERVATIONS} observations, got ${n}`);
  if (!observations.every(Number.isFinite)) throw new TheoryError("empirical: every observation must be a finite number");
  const x = Float64Array.from(observations).sort();
  const h = options.bandwidth ?? silvermanBandwidth(Array.from(x));
  if (!(h > 0 && Number.isFinite(h))) throw new TheoryError(`empirical: the observations have no spread (bandwidth ${h})`);
  const mean = x.reduce((a, b) => a + b, 0) / n;
  const variance = x.reduce((a, b) => a + (b - mean) ** 2, 0) / n + h * h;
  // Kernels beyond 9 bandwidths contribute nothing in double precision (Phi(-9) ~ 1e-19 of one).
  const reach = 9 * h;
  const firstAbove = (v: number) => {
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (x[mid]! < v) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  // Direct sums (O(kernels within 9 bandwidths) per call), tabulated below for speed.
  const sums = (v: number) => {
    const a = firstAbove(v - reach);
    const b = firstAbove(v + reach);
    let below = a; // kernels wholly below v count 1
    let above = n - b;
    let density = 0;
    let slope = 0;
    for (let i = a; i < b; i++) {
      const z = (v - x[i]!) / h;
      below += normalCdf(z, 0, 1);
      above += normalCdf(-z, 0, 1);
      const phi = normalPdf(z, 0, 1);
      density += phi;
      slope -= z * phi;
    }
    return { cdf: Math.min(1, below / n), survival: Math.min(1, above / n), pdf: density / (n * h), dpdf: slope / (n * h * h) };
  };
  // Cubic Hermite tables on [x_1 - 9h, x_n + 9h] (cdf with the pdf as its slope, pdf with its
  // derivative), with cells no wider than h/16: the interpolation error is of order
  // (1/16)^4 / 384, about 1e-7 of the density and far less for the cdf; outside the tables the sums
  // are exact and cheap (no kernel, or few, within reach). Built once: 4,096 or more cells.
  const tableLo = x[0]! - reach;
  const tableHi = x[n - 1]! + reach;
  const cells = Math.min(65_536, Math.max(4096, Math.ceil((16 * (tableHi - tableLo)) / h)));
  const step = (tableHi - tableLo) / cells;
  const C = new Float64Array(cells + 1);
  const S = new Float64Array(cells + 1);
  const P = new Float64Array(cells + 1);
  const D = new Float64Array(cells + 1);
  for (let j = 0; j <= cells; j++) {
    const t = sums(tableLo + j * step);
    C[j] = t.cdf;
    S[j] = t.survival;
    P[j] = t.pdf;
    D[j] = t.dpdf;
  }
  const hermite = (values: Float64Array, slopes: Float64Array, v: number, sign: number) => {
    const r = (v - tableLo) / step;
    const j = Math.min(cells - 1, Math.floor(r));
    const t = r - j;
    const t2 = t * t;
    const t3 = t2 * t;
    return (
      (2 * t3 - 3 * t2 + 1) * values[j]! +
      (t3 - 2 * t2 + t) * step * sign * slopes[j]! +
      (-2 * t3 + 3 * t2) * values[j + 1]! +
      (t3 - t2) * step * sign * slopes[j + 1]!
    );
  };
  const inTable = (v: number) => v > tableLo && v < tableHi;
  const cdf = (v: number) => (inTable(v) ? Math.min(1, Math.max(0, hermite(C, P, v, 1))) : sums(v).cdf);
  const survival = (v: number) => (inTable(v) ? Math.min(1, Math.max(0, hermite(S, P, v, -1))) : sums(v).survival);
  const pdf = (v: number) => (inTable(v) ? Math.max(0, hermite(P, D, v, 1)) : sums(v).pdf);
  const lo = x[0]! - 12 * h;
  const hi = x[n - 1]! + 12 * h;
  return fromFunctions({
    id: options.id ?? "empirical",
    lower: Number.NEGATIVE_INFINITY,
    upper: Number.POSITIVE_INFINITY,
    mean,
    variance,
    symmetric: false,
    cdf,
    survival,
    pdf,
    quantile: (u) => {
      if (u <= 0) return Number.NEGATIVE_INFINITY;
      if (u >= 1) return Number.POSITIVE_INFINITY;
      const upperTail = u > 0.5;
      let a = lo;
      let b = hi;
      while (cdf(a) > u) a -= 12 * h;
      while (survival(b) > 1 - u) b += 12 * h;
      return findRoot((v) => (upperTail ? 1 - u - survival(v) : cdf(v) - u), a, b, {
        absoluteTolerance: 1e-13 * Math.max(h, Math.sqrt(variance)),
      });
    },
    // An observation at random, plus a kernel's draw (two uniforms per draw).
    sample: (rng) => x[Math.min(n - 1, Math.floor(rng() * n))]! + h * normalQuantile(rng() || 2 ** -53, 0, 1),
  });
}

import { fft, integrate } from "@optex/numerics";
import { normal, TheoryError } from "@optex/theory";

/** Cells of the FFT grid; the trapezoid error of the convolutions is O(h^2) (measured ~1e-7 relative). */
const CELLS = 2 ** 15;
/** Cells per sign of the n = 1 table (no FFT grid there): Hermite error at round-off (tested). */
const SINGLE_CELLS = 4096;
/** Numbers per table cell: numerator and denominator quintics in s. */
const STRIDE = 12;
const DEN = 6;

/**
 * phi_n(y) = E[z_1 + ... + z_n | u(z_1) + ... + u(z_n) = y] for iid z_j ~ N(0, 1), u Theorem 1's
 * virtual type of N(0, 1) at hazard weight a (u(z) = z - a (1-Phi)/phi above zB, -u(-z) below -zB, 0 on
 * [-zB, zB]). u(z_j) has an atom p0 = P(|z| <= zB) at 0 and a density g elsewhere. At y = 0 exactly
 * (everybody pooled) phi = 0. Otherwise
 *   phi(y) = [n p0^{n-1} z(y) g(y) + R(y)] / [n p0^{n-1} g(y) + D(y)],
 * the first terms exact (one trader unpooled: z(y) = u^{-1}(y), g = pdf/u'), and D, R the density and
 * first moment of configurations with at least two unpooled traders, by FFT: with hats the discrete
 * Fourier transforms of h g and h z g on a grid of step h (trapezoid), D = IFFT[sum_{i>=2} C(n,i) p0^(n-i) g^i]
 * and R = n IFFT[(z g)^ sum_{i>=1} C(n-1,i) p0^(n-1-i) g^i] (symmetry: E[z | pooled] = 0), read between
 * grid points by four-point Lagrange interpolation; body error ~1e-7 (tested against quadrature at
 * n = 2). Where 10x the FFT's round-off exceeds 1e-6 of the density (measured: 6 to 9 standard
 * deviations of the sum, probability < 1e-9) the table stops and phi continues as the equal-split
 * value n z(y/n), shifted to be continuous (Laplace: the conditional law concentrates on equal shares
 * for log-concave shares): an approximation there (~1e-3 relative at 9 standard deviations). For
 * a = 0, phi(y) = y exactly. This is the direct evaluation (a root finding per call, ~2 us);
 * pooledSumPosteriorTable reproduces it to 1e-12 sqrt(n) in a few tens of ns. Throws TheoryError for
 * bad input.
 */
export function pooledSumPosterior(n: number, a: number, zB: number): (y: number) => number {
  return posteriorModel(n, a, zB).direct;
}

/** phi_n tabulated (pooledSumPosteriorTable), with the direct evaluation it reproduces. */
export interface PooledSumPosteriorTable {
  /** phi_n(y): from the table on [-edge, edge], exactly as `direct` outside it and at y = 0. */
  readonly evaluate: (y: number) => number;
  /** pooledSumPosterior(n, a, zB): the direct evaluation. */
  readonly direct: (y: number) => number;
  /** The table covers [-edge, edge] (0 when there is none: a = 0, where phi(y) = y). */
  readonly edge: number;
  /** Cell width: the FFT grid's step h (n >= 2), edge / 4096 (n = 1). */
  readonly step: number;
}

/**
 * pooledSumPosterior as a table, built once, for Monte Carlo. On each cell [j h, (j+1) h] of the
 * direct evaluation's own grid (n >= 2) the direct value is the ratio num/den of
 *   num = n p0^{n-1} z(y) g(y) + L_R(s)/h,   den = n p0^{n-1} g(y) + L_D(s)/h,   s = y/h - j,
 * where L_R and L_D are the four-point Lagrange cubics in s the direct evaluation interpolates the
 * FFT tables with: they are stored exactly (as monomials in s), so the kinks of the Lagrange
 * interpolation at the grid points are cell edges and cost no accuracy. Only the one-unpooled terms
 * g and z g (smooth in y on either side of the atom at 0, where z jumps from -zB to zB) are
 * approximated: quintic Hermite in s from their values and exact first and second y-derivatives at
 * the cell's ends (one-sided at 0; error h^6 max|f^(6)|/46080 with h ~ 2e-3, where a cubic's
 * h^4 max|f^(4)|/384 reached 3e-11 at zB = 3, the Gaussian tail's derivatives growing like powers of z).
 * Each cell is 12 numbers (two quintics); phi = num/den: two Horner quintics and a division.
 * n = 1: phi = z(y), quintic Hermite on 4096 cells per sign of [-u(zMax), u(zMax)] (zMax as in the
 * FFT grid). Outside the table (|y| beyond the direct evaluation's trusted FFT range, probability
 * < 1e-9; |y| > u(zMax) for n = 1), at y = 0 and for NaN, phi is the direct evaluation.
 * Accuracy (tested against the direct evaluation on ~5 10^4 points per environment, n = 1 to 9,
 * zB from 0.06 to 10, including both sides of the atom, every cell edge near it, the table's
 * edges and the tails): |table - direct| <= 1e-12 sqrt(n) (the worst measured is 3e-14, at
 * round-off, also at n = 49 and zB = 32); the FFT itself is ~1e-7 from the exact phi. The table is
 * a few thousand cells per sign (~1 MB at n = 4) and costs one root finding per grid point to build.
 * Throws TheoryError for bad input (as pooledSumPosterior).
 * @example pooledSumPosteriorTable(3, 0.8, 0.6).evaluate(0.4) // pooledSumPosterior(3, 0.8, 0.6)(0.4) to 1e-12
 */
export function pooledSumPosteriorTable(n: number, a: number, zB: number): PooledSumPosteriorTable {
  const model = posteriorModel(n, a, zB);
  const { direct, tabulation } = model;
  if (tabulation === null) return { evaluate: direct, direct, edge: 0, step: 0 };
  const { h, half: cellsPerSign, coefficients: c } = tabulation();
  const edge = cellsPerSign * h;
  const last = cellsPerSign - 1;
  const evaluate = (y: number): number => {
    // NaN and |y| > edge fail the test; y = 0 is the atom (phi = 0 there).
    if (!(Math.abs(y) <= edge) || y === 0) return direct(y);
    const x = y / h;
    let j = Math.floor(x);
    if (j > last)
      j = last; // |y| = edge: y/h may round past the last cell
    else if (j < -cellsPerSign) j = -cellsPerSign;
    const s = x - j;
    const o = (j + cellsPerSign) * STRIDE;
    const num = ((((c[o + 5]! * s + c[o + 4]!) * s + c[o + 3]!) * s + c[o + 2]!) * s + c[o + 1]!) * s + c[o]!;
    const den = ((((c[o + 11]! * s + c[o + 10]!) * s + c[o + 9]!) * s + c[o + 8]!) * s + c[o + 7]!) * s + c[o + 6]!;
    return num / den;
  };
  return { evaluate, direct, edge, step: h };
}

/** Per-cell quintics in s for cells j = -half..half-1 of width h: num at STRIDE (j + half) + 0..5, den at + DEN + 0..5 (coefficients of s^0..s^5). */
interface Tabulation {
  readonly h: number;
  readonly half: number;
  readonly coefficients: Float64Array;
}

interface PosteriorModel {
  readonly direct: (y: number) => number;
  /** Builds the table (null when phi(y) = y). */
  readonly tabulation: (() => Tabulation) | null;
}

function posteriorModel(n: number, a: number, zB: number): PosteriorModel {
  if (!(Number.isInteger(n) && n >= 1)) throw new TheoryError(`others must be an integer >= 1, got ${n}`);
  if (!(a >= 0 && Number.isFinite(a))) throw new TheoryError(`hazard weight must be a finite number >= 0, got ${a}`);
  if (!(zB >= 0 && Number.isFinite(zB))) throw new TheoryError(`zB must be a finite number >= 0, got ${zB}`);
  if (a === 0) return { direct: (y) => y, tabulation: null };
  const std = normal(0, 1);
  const mills = (z: number) => std.survivalOverPdf(z);
  const uUp = (z: number) => z - a * mills(z); // z >= zB
  const slopeUp = (z: number) => 1 + a * (1 - z * mills(z)); // (1-Phi)/phi has derivative z M - 1
  // u is increasing and concave above zB ((1 + z^2) M > z), so Newton from a point left of the root
  // climbs monotonically to it.
  const zUp = (y: number, start: number) => {
    let z = Math.max(start, zB);
    for (let it = 0; it < 100; it++) {
      const step = (y - uUp(z)) / slopeUp(z);
      z += step;
      if (!(Math.abs(step) > 1e-15 * (1 + z))) break;
    }
    return z;
  };
  const zOf = (y: number) => (y >= 0 ? zUp(y, y) : -zUp(-y, -y));
  const g = (z: number) => std.pdf(z) / slopeUp(Math.abs(z)); // density of u at u(z)
  const tail = std.survival(zB);
  const p0 = 1 - 2 * tail;
  const single = n * p0 ** (n - 1);
  // Grid: z up to where pdf(z)/pdf(zB) < 1e-19.
  const zMax = Math.sqrt(zB * zB + 90);
  const uMax = uUp(zMax);
  // One-unpooled terms at nodes y_m = m h >= 0 (z from zB at m = 0, the limit 0+): values and first
  // and second y-derivatives of z(y), E0 = g(z(y)) and E1 = z(y) g(z(y)). With M = (1-Phi)/phi
  // (M' = z M - 1): u' = 1 + a (1 - z M), u'' = -a ((1 + z^2) M - z), u''' = -a ((z^3 + 3z) M - z^2 - 2);
  // z' = 1/u', z'' = -u''/u'^3; g = pdf/u' has g_z = -g r and g_zz = g (r^2 - r_z) with r = z + u''/u',
  // r_z = 1 + (u''' u' - u''^2)/u'^2; f(y) = F(z(y)) has f' = F_z z' and f'' = F_zz z'^2 + F_z z''.
  const nodeTerms = (h: number, nodes: number): NodeTerms => {
    const terms = { z: new Float64Array(3 * (nodes + 1)), e0: new Float64Array(3 * (nodes + 1)), e1: new Float64Array(3 * (nodes + 1)) };
    let z = zB;
    for (let m = 0; m <= nodes; m++) {
      z = m === 0 ? zB : zUp(m * h, z);
      const M = mills(z);
      const u1 = 1 + a * (1 - z * M);
      const u2 = -a * ((1 + z * z) * M - z);
      const u3 = -a * ((z * z * z + 3 * z) * M - z * z - 2);
      const z1 = 1 / u1;
      const z2 = -u2 * z1 * z1 * z1;
      const G = std.pdf(z) / u1;
      const r = z + u2 / u1;
      const rz = 1 + (u3 * u1 - u2 * u2) / (u1 * u1);
      const Gz = -G * r;
      const Gzz = G * (r * r - rz);
      const Fz = G + z * Gz; // (z g)_z
      const Fzz = 2 * Gz + z * Gzz;
      const k = 3 * m;
      terms.z.set([z, z1, z2], k);
      terms.e0.set([G, Gz * z1, Gzz * z1 * z1 + Gz * z2], k);
      terms.e1.set([z * G, Fz * z1, Fzz * z1 * z1 + Fz * z2], k);
    }
    return terms;
  };

  if (n === 1) {
    const direct = (y: number) => (y === 0 ? 0 : zOf(y));
    const tabulation = (): Tabulation => {
      const h = uMax / SINGLE_CELLS;
      const t = nodeTerms(h, SINGLE_CELLS);
      const coefficients = new Float64Array(2 * SINGLE_CELLS * STRIDE);
      // z(y) is odd, z(0+) = zB and z(0-) = -zB; den = 1.
      for (let j = -SINGLE_CELLS; j < SINGLE_CELLS; j++) {
        const o = (j + SINGLE_CELLS) * STRIDE;
        addHermite(coefficients, o, 1, t.z, j, true, h);
        coefficients[o + DEN] = 1;
      }
      return { h, half: SINGLE_CELLS, coefficients };
    };
    return { direct, tabulation };
  }

  // FFT grid: a period wide enough that the sum of n shares (sd <= sqrt(n) times a share's) wraps
  // around only beyond 13 sd.
  // Variance of an unpooled share (conditioning keeps the margin when pooling is nearly certain).
  const shareVariance = integrate((z) => uUp(z) ** 2 * std.pdf(z), zB, zMax, { relTol: 1e-8 }).value / tail;
  const half = uMax + 13 * Math.sqrt(n * shareVariance);
  const h = (2 * half) / CELLS;
  const gRe = new Float64Array(CELLS);
  const gIm = new Float64Array(CELLS);
  const rRe = new Float64Array(CELLS);
  const rIm = new Float64Array(CELLS);
  gRe[0] = h * g(zB); // g is continuous at 0; z g jumps from -zB g to zB g: the trapezoid takes 0
  let z = zB;
  for (let j = 1; j * h <= uMax && j < CELLS / 2; j++) {
    z = zUp(j * h, z);
    const mass = h * g(z);
    gRe[j] = mass;
    gRe[CELLS - j] = mass;
    rRe[j] = z * mass;
    rRe[CELLS - j] = -z * mass;
  }
  fft(gRe, gIm, false);
  fft(rRe, rIm, false);
  // Binomial weights C(n,i) p0^(n-i), i = 0..n, and C(n-1,i) p0^(n-1-i), i = 0..n-1.
  const wD = binomialWeights(n, p0);
  const wR = binomialWeights(n - 1, p0);
  const dRe = new Float64Array(CELLS);
  const dIm = new Float64Array(CELLS);
  const nRe = new Float64Array(CELLS);
  const nIm = new Float64Array(CELLS);
  for (let j = 0; j < CELLS; j++) {
    const xr = gRe[j]!;
    const xi = gIm[j]!;
    // Horner for sum_{i>=2} wD[i] x^i = x^2 P(x) and sum_{i>=1} wR[i] x^i = x Q(x): no cancellation
    // between (p0 + x)^n and its first terms when the pooled mass p0 is close to 1.
    let pr = wD[n]!;
    let pi = 0;
    for (let i = n - 1; i >= 2; i--) {
      const t = pr * xr - pi * xi + wD[i]!;
      pi = pr * xi + pi * xr;
      pr = t;
    }
    const x2r = xr * xr - xi * xi;
    const x2i = 2 * xr * xi;
    dRe[j] = pr * x2r - pi * x2i;
    dIm[j] = pr * x2i + pi * x2r;
    let qr = wR[n - 1]!;
    let qi = 0;
    for (let i = n - 2; i >= 1; i--) {
      const t = qr * xr - qi * xi + wR[i]!;
      qi = qr * xi + qi * xr;
      qr = t;
    }
    const sr = qr * xr - qi * xi;
    const si = qr * xi + qi * xr;
    nRe[j] = n * (rRe[j]! * sr - rIm[j]! * si);
    nIm[j] = n * (rRe[j]! * si + rIm[j]! * sr);
  }
  fft(dRe, dIm, true);
  fft(nRe, nIm, true);
  // dRe[j] / h is D at y = j h (indices past CELLS/2 are negative y). The imaginary parts of the
  // inverse transforms (0 in exact arithmetic) and any negative density measure the round-off.
  let noiseD = 0;
  let noiseR = 0;
  for (let j = 0; j < CELLS; j++) {
    noiseD = Math.max(noiseD, Math.abs(dIm[j]!), -dRe[j]!);
    noiseR = Math.max(noiseR, Math.abs(nIm[j]!));
  }
  const exact = (y: number) => {
    const zy = zOf(y);
    const gy = g(zy);
    return { num: single * zy * gy, den: single * gy };
  };
  const at = (table: Float64Array, y: number) => {
    // Four-point Lagrange interpolation (error O(h^4)) on the periodic grid.
    const x = y / h;
    const j = Math.floor(x);
    const s = x - j;
    const v = (m: number) => table[(m + CELLS) % CELLS]!;
    return (
      (-s * (s - 1) * (s - 2) * v(j - 1)) / 6 +
      ((s + 1) * (s - 1) * (s - 2) * v(j)) / 2 -
      ((s + 1) * s * (s - 2) * v(j + 1)) / 2 +
      ((s + 1) * s * (s - 1) * v(j + 2)) / 6
    );
  };
  const parts = (y: number) => {
    const e = exact(y);
    return { num: e.num + at(nRe, y) / h, den: e.den + at(dRe, y) / h };
  };
  // The table is trusted where 10x its round-off is below 1e-6 of the density (numerator likewise):
  // scanning outwards from 0 in strides of 16 cells (each check inverts u), yEdge is the last point
  // that passes.
  const trusted = (y: number) => {
    const { den } = parts(y);
    return 10 * noiseD <= 1e-6 * den * h && 10 * noiseR <= 1e-6 * den * h * (1 + Math.abs(y));
  };
  let last = 16;
  while (last + 18 < CELLS / 2 && trusted((last + 16) * h) && trusted(-(last + 16) * h)) last += 16;
  const yEdge = last * h;
  const inTable = (y: number) => {
    const { num, den } = parts(y);
    return num / den;
  };
  const split = (y: number) => n * zOf(y / n);
  const shiftUp = inTable(yEdge) - split(yEdge);
  const direct = (y: number) => {
    if (y === 0) return 0;
    if (Math.abs(y) <= yEdge) return inTable(y);
    return y > 0 ? split(y) + shiftUp : split(y) - shiftUp; // phi is odd
  };
  const tabulation = (): Tabulation => {
    const t = nodeTerms(h, last);
    const coefficients = new Float64Array(2 * last * STRIDE);
    for (let j = -last; j < last; j++) {
      const o = (j + last) * STRIDE;
      // The Lagrange cubic of `at` on cell j as monomials in s (at = sum_k c_k s^k), divided by h.
      const lagrange = (table: Float64Array, k: number) => {
        const v = (m: number) => table[(m + CELLS) % CELLS]!;
        const vm = v(j - 1);
        const v0 = v(j);
        const v1 = v(j + 1);
        const v2 = v(j + 2);
        coefficients[k] = v0 / h;
        coefficients[k + 1] = (-vm / 3 - v0 / 2 + v1 - v2 / 6) / h;
        coefficients[k + 2] = (vm / 2 - v0 + v1 / 2) / h;
        coefficients[k + 3] = (-vm / 6 + v0 / 2 - v1 / 2 + v2 / 6) / h;
      };
      lagrange(nRe, o);
      lagrange(dRe, o + DEN);
      // The one-unpooled terms: E1 odd and E0 even in y (exactly so in the direct evaluation).
      addHermite(coefficients, o, single, t.e1, j, true, h);
      addHermite(coefficients, o + DEN, single, t.e0, j, false, h);
    }
    return { h, half: last, coefficients };
  };
  return { direct, tabulation };
}

/** Values, first and second y-derivatives of a function at nodes m h, m >= 0: f(m h) at 3m, f' at 3m + 1, f'' at 3m + 2. */
interface NodeTerms {
  readonly z: Float64Array;
  readonly e0: Float64Array;
  readonly e1: Float64Array;
}

/**
 * Adds scale times the quintic Hermite interpolant in s of f on cell j, [j h, (j+1) h], to out[o..o+5]
 * (coefficients of s^0..s^5), from f's values and first and second derivatives at the cell's ends;
 * f is tabulated at m h >= 0 (at 0 the limit 0+) and extended to y < 0 as an odd or even function.
 * Error h^6 max|f^(6)| / 46080 on the cell.
 */
function addHermite(out: Float64Array, o: number, scale: number, f: Float64Array, j: number, odd: boolean, h: number): void {
  // Node m at y = sign m h: (value, derivative, second derivative).
  const at = (m: number, sign: number, d: 0 | 1 | 2) => {
    const x = f[3 * m + d]!;
    if (sign > 0) return x;
    return (odd ? d !== 1 : d === 1) ? -x : x;
  };
  const left = j >= 0 ? [j, 1] : [-j, -1];
  const right = j >= 0 ? [j + 1, 1] : [-j - 1, -1];
  const a0 = at(left[0]!, left[1]!, 0);
  const A1 = h * at(left[0]!, left[1]!, 1);
  const A2 = h * h * at(left[0]!, left[1]!, 2);
  const b0 = at(right[0]!, right[1]!, 0);
  const B1 = h * at(right[0]!, right[1]!, 1);
  const B2 = h * h * at(right[0]!, right[1]!, 2);
  out[o] = out[o]! + scale * a0;
  out[o + 1] = out[o + 1]! + scale * A1;
  out[o + 2] = out[o + 2]! + scale * 0.5 * A2;
  out[o + 3] = out[o + 3]! + scale * (10 * (b0 - a0) - 6 * A1 - 4 * B1 - 1.5 * A2 + 0.5 * B2);
  out[o + 4] = out[o + 4]! + scale * (15 * (a0 - b0) + 8 * A1 + 7 * B1 + 1.5 * A2 - B2);
  out[o + 5] = out[o + 5]! + scale * (6 * (b0 - a0) - 3 * A1 - 3 * B1 - 0.5 * A2 + 0.5 * B2);
}

function binomialWeights(n: number, p0: number): Float64Array {
  const out = new Float64Array(n + 1);
  let choose = 1;
  for (let i = 0; i <= n; i++) {
    out[i] = choose * p0 ** (n - i);
    choose = (choose * (n - i)) / (i + 1);
  }
  return out;
}

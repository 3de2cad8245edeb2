import { type DemandSchedule, type FeeSchedule, linearSchedule } from "@optex/engine";
import { type InverseIntegral, integrate, inverseVirtualTypeIntegral, normal, type OptimalAdverseSelection, optimalAdverseSelection, solveVirtualTypeWithWeight, TheoryError } from "@optex/theory";

/** Section 5.3's Gaussian environment: e_i ~ N(mu_e, sigma_e^2), zeta_i ~ N(0, sigma_zeta^2) independent, E[pi | zeta] = sum_j zeta_j. */
export interface AdverseSelectionFeeEnvironment {
  readonly traders: number;
  readonly kappa: number;
  readonly muE: number;
  readonly sigmaE: number;
  readonly sigmaZeta: number;
  readonly alpha: number;
}

/** The Proposition 5 fee with its parts exposed for tests, reports and the truthful strategy. */
export interface Prop5Fee extends FeeSchedule {
  readonly id: "prop5";
  /** Theorem 3's mechanism the fee implements (v(t), tA, tB, revenue...). */
  readonly mechanism: OptimalAdverseSelection;
  /** Quadratic coefficient: minus the price impact 1/((N-1) kappa), as in Proposition 3. */
  readonly c: number;
  /** Participation constant Var[v]/(2 N kappa) + B(E[v]) (B(E[v]) = 0 with optex's centring). */
  readonly d: number;
  /** B(l) = ((N-1)/(N kappa)) [(l - mu_e)^2/2 - int_{mu_e}^{l} (kappa v^{-1}(s) - mu_e) ds], v^{-1} the inverse of v(t). */
  B(l: number): number;
  /** l = -q - kappa p: the intercept of the prescribed schedule through (p, q); equals v(t_i) for a truthful bid. */
  impliedIntercept(q: number, p: number): number;
  /** S = q - (N-1) kappa p: sum_{j != i} v(t_j) when the others bid truthfully (read off the residual supply). */
  revealedOthers(q: number, p: number): number;
  /** psi(S) = E[sum_{j != i} zeta_j | sum_{j != i} v(t_j) = S]. */
  othersSignal(S: number): number;
  /** t = e/kappa - zeta (Lemma 1). */
  effectiveType(endowment: number, signal: number): number;
  /** The prescribed (truthful) bid q(p) = -v(t) - kappa p (mu_pi = 0 in Section 5). */
  bid(endowment: number, signal: number): DemandSchedule;
}

/**
 * Proposition 5 (the paper states only the shape; derived here from its proof in Appendix B, which
 * carries the typos of Proposition 3 listed in MODEL.md section 5). Trader i pays, on top of p q,
 *   T(q, p) = (c/2) q^2 - B(l) + psi(S) q + d,   l = -q - kappa p,   S = q - (N-1) kappa p,
 *   c = -1/((N-1) kappa),  B(l) = ((N-1)/(N kappa)) [(l - mu_e)^2/2 - int_{mu_e}^{l} (kappa v^{-1}(s) - mu_e) ds],
 *   d = Var[v]/(2 N kappa),  psi(S) = E[sum_{j != i} zeta_j | sum_{j != i} v(t_j) = S],
 * with v Theorem 3's virtual type of the effective type t = e/kappa - zeta.
 * Why: when everybody bids q_j(p) = -v(t_j) - kappa p, trader i's residual supply is
 * p = (q - S)/((N-1) kappa), so S = q - (N-1) kappa p is the same at every point of it: the exchange
 * reads S off the trade and the price, and the trader learns it from the price. Her expected gain
 * at a point is (Lemma 1) -t q - q^2/(2 kappa) + psi(S) q - p q - T; the psi(S) q in T cancels the
 * price's news about the others' signals, and what remains is Proposition 3's problem in units
 * e = kappa t: the slope along the residual supply is v^{-1}(l) - t with l falling in q, so the
 * payoff is concave and peaks at l = v(t), i.e. at the truthful bid, for every S. Clearing then gives
 * Theorem 3's allocation X_i = -v(t_i) + (1/N) sum_j v(t_j). A flat type (v = E[v] = mu_e) earns
 * Var[v]/(2 N kappa) + B(mu_e) - d in expectation, so d makes participation bind on [tA, tB]
 * (B(mu_e) = 0 because B is centred on mu_e, like optex's Proposition 3 fee).
 * Gaussian laws: v(t) = mu_e + k u((t - mu_t)/s_t), k = kappa s_t w, with u Theorem 1's virtual type of
 * N(0, 1) at hazard weight alpha/w, so B(l) = ((N-1)/(N kappa)) k^2 [x^2/2 - K(x)/w], x = (l - mu_e)/k,
 * K(x) = int_0^x u^{-1}; and E[zeta_j | t_j] = -(1 - w) s_t z_j gives psi(S) = -(1 - w) s_t phi_{N-1}((S - (N-1) mu_e)/k)
 * with phi_n from pooledSumPosterior. psi is odd around the all-pooled atom S = (N-1) mu_e, where it
 * is 0, and jumps there (a single unpooled trader contributes +-zB). The fee does not depend on the
 * trader's identity. Throws TheoryError for a bad environment (as optimalAdverseSelection).
 * @example prop5Fee({ traders: 4, kappa: 1, muE: 0, sigmaE: 1, sigmaZeta: 0.5, alpha: 0.5 }).fee(0, 0.2, -0.1)
 */
export function prop5Fee(env: AdverseSelectionFeeEnvironment): Prop5Fee {
  const mechanism = optimalAdverseSelection(env);
  const { traders: N, kappa, muE, sigmaE, sigmaZeta, alpha } = env;
  const w = mechanism.endowmentWeight;
  const st = Math.sqrt((sigmaE * sigmaE) / (kappa * kappa) + sigmaZeta * sigmaZeta);
  const k = kappa * st * w;
  const weight = alpha / w;
  const unit = solveVirtualTypeWithWeight(normal(0, 1), weight);
  const scale = (N - 1) / (N * kappa);
  const c = -1 / ((N - 1) * kappa);
  const d = (k * k * unit.varianceVirtualType) / (2 * N * kappa);
  // K's tables cost a few thousand root findings: built on the first fee, not for c and d.
  let K: InverseIntegral | undefined;
  const B = (l: number) => {
    K ??= inverseVirtualTypeIntegral(unit);
    const x = (l - muE) / k;
    return scale * k * k * (0.5 * x * x - K.evaluate(x) / w);
  };
  const n = N - 1;
  const signalSlope = (1 - w) * st; // E[zeta_j | t_j] = -(1 - w) s_t z_j
  let phi: ((y: number) => number) | undefined;
  // S recovered from (q, p) carries rounding of order 1e-16 (|q| + (N-1) kappa |p|); closer than this
  // to the atom it is the atom (the continuous part of S has probability ~1e-9 (1 + |mu_e|/k) there).
  const atomTolerance = 1e-9 * n * (k + Math.abs(muE));
  // Along one residual supply S is constant: remember the last value (invisible to callers).
  let lastS = Number.NaN;
  let lastPsi = 0;
  const othersSignal = (S: number): number => {
    if (S === lastS) return lastPsi;
    const offset = S - n * muE;
    let psi = 0;
    if (signalSlope > 0 && Math.abs(offset) > atomTolerance) {
      phi ??= pooledSumPosterior(n, weight, unit.eB);
      psi = -signalSlope * phi(offset / k);
    }
    lastS = S;
    lastPsi = psi;
    return psi;
  };
  const halfC = 0.5 * c;
  const fee = (q: number, p: number) => halfC * q * q - B(-q - kappa * p) + othersSignal(q - n * kappa * p) * q + d;
  return {
    id: "prop5",
    mechanism,
    c,
    d,
    B,
    impliedIntercept: (q, p) => -q - kappa * p,
    revealedOthers: (q, p) => q - n * kappa * p,
    othersSignal,
    effectiveType: (e, zeta) => e / kappa - zeta,
    bid: (e, zeta) => linearSchedule(-mechanism.v(e / kappa - zeta), kappa),
    fee: (_trader, q, p) => fee(q, p),
  };
}

/** Cells of the FFT grid; the trapezoid error of the convolutions is O(h^2) (measured ~1e-7 relative). */
const CELLS = 2 ** 15;

/**
 * phi_n(y) = E[z_1 + ... + z_n | u(z_1) + ... + u(z_n) = y] for iid z_j ~ N(0, 1), u Theorem 1's
 * virtual type of N(0, 1) at hazard weight a (u(z) = z - a (1-Phi)/phi above zB, -u(-z) below -zB, 0 on
 * [-zB, zB]). u(z_j) has an atom p0 = P(|z| <= zB) at 0 and a density g elsewhere. At y = 0 exactly
 * (everybody pooled) phi = 0. Otherwise
 *   phi(y) = [n p0^{n-1} z(y) g(y) + R(y)] / [n p0^{n-1} g(y) + D(y)],
 * the first terms exact (one trader unpooled: z(y) = u^{-1}(y), g = pdf/u'), and D, R the density and
 * first moment of configurations with at least two unpooled traders, by FFT: with hats the discrete
 * Fourier transforms of h g and h z g on a grid of step h (trapezoid), D = IFFT[sum_{i>=2} C(n,i) p0^(n-i) g^i]
 * and R = n IFFT[(z g)^ sum_{i>=1} C(n-1,i) p0^(n-1-i) g^i] (symmetry: E[z | pooled] = 0); body
 * error ~1e-7 (tested against quadrature at n = 2). Where 10x the FFT's round-off exceeds 1e-6 of the
 * density (measured: 6 to 9 standard deviations of the sum, probability < 1e-9) the table stops and
 * phi continues as the equal-split value n z(y/n), shifted to be continuous (Laplace: the conditional
 * law concentrates on equal shares for log-concave shares): an approximation there (~1e-3 relative
 * at 9 standard deviations). For a = 0, phi(y) = y exactly. Throws TheoryError for bad input.
 */
export function pooledSumPosterior(n: number, a: number, zB: number): (y: number) => number {
  if (!(Number.isInteger(n) && n >= 1)) throw new TheoryError(`others must be an integer >= 1, got ${n}`);
  if (!(a >= 0 && Number.isFinite(a))) throw new TheoryError(`hazard weight must be a finite number >= 0, got ${a}`);
  if (!(zB >= 0 && Number.isFinite(zB))) throw new TheoryError(`zB must be a finite number >= 0, got ${zB}`);
  if (a === 0) return (y) => y;
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
  const exact = (y: number) => {
    const z = zOf(y);
    const gy = g(z);
    return { z, num: single * z * gy, den: single * gy };
  };
  if (n === 1) return (y) => (y === 0 ? 0 : zOf(y));

  // Grid: z up to where pdf(z)/pdf(zB) < 1e-19, and a period wide enough that the sum of n shares
  // (sd <= sqrt(n) times a share's) wraps around only beyond 13 sd.
  const zMax = Math.sqrt(zB * zB + 90);
  const uMax = uUp(zMax);
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
  const at = (table: Float64Array, y: number) => {
    // Four-point Lagrange interpolation (error O(h^4)) on the periodic grid.
    const x = y / h;
    const j = Math.floor(x);
    const s = x - j;
    const v = (m: number) => table[(m + CELLS) % CELLS]!;
    return (-s * (s - 1) * (s - 2) * v(j - 1)) / 6 + ((s + 1) * (s - 1) * (s - 2) * v(j)) / 2 - ((s + 1) * s * (s - 2) * v(j + 1)) / 2 + ((s + 1) * s * (s - 1) * v(j + 2)) / 6;
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
  return (y: number) => {
    if (y === 0) return 0;
    if (Math.abs(y) <= yEdge) return inTable(y);
    return y > 0 ? split(y) + shiftUp : split(y) - shiftUp; // phi is odd
  };
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

/** In-place radix-2 FFT (length a power of 2); the inverse divides by the length. */
function fft(re: Float64Array, im: Float64Array, inverse: boolean): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j]!, re[i]!];
      [im[i], im[j]] = [im[j]!, im[i]!];
    }
  }
  const sign = inverse ? 1 : -1;
  for (let len = 2; len <= n; len <<= 1) {
    const angle = (sign * 2 * Math.PI) / len;
    const halfLen = len >> 1;
    for (let k = 0; k < halfLen; k++) {
      const cr = Math.cos(angle * k);
      const ci = Math.sin(angle * k);
      for (let i = k; i < n; i += len) {
        const j = i + halfLen;
        const tr = re[j]! * cr - im[j]! * ci;
        const ti = re[j]! * ci + im[j]! * cr;
        re[j] = re[i]! - tr;
        im[j] = im[i]! - ti;
        re[i] = re[i]! + tr;
        im[i] = im[i]! + ti;
      }
    }
  }
  if (inverse) {
    for (let i = 0; i < n; i++) {
      re[i] = re[i]! / n;
      im[i] = im[i]! / n;
    }
  }
}

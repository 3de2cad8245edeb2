import { NumericsError } from "./numericsError.ts";

// Gauss-Kronrod 10/21 rule (QUADPACK qk21): Kronrod nodes on [0, 1], the 21-point
// Kronrod weights and the 10-point Gauss weights of the odd-indexed nodes.
// quadrature.test.ts checks the exactness degrees (31 and 19) so a mistyped digit fails.
const XGK = [
  0.995657163025808080735527280689003, 0.973906528517171720077964012084452, 0.930157491355708226001207180059508,
  0.865063366688984510732096688423493, 0.780817726586416897063717578345042, 0.679409568299024406234327365114874,
  0.562757134668604683339000099272694, 0.433395394129247190799265943165784, 0.294392862701460198131126603103866,
  0.14887433898163121088482600112972, 0,
];
const WGK = [
  0.011694638867371874278064396062192, 0.03255816230796472747881897245939, 0.05475589657435199603138130024458,
  0.07503967481091995276704314091619, 0.093125454583697605535065465083366, 0.109387158802297641899210590325805,
  0.123491976262065851077600525164714, 0.134709217311473325928054001771707, 0.142775938577060080797094273138717,
  0.147739104901338491374841515972068, 0.149445554002916905664936468389821,
];
const WG = [
  0.066671344308688137593568809893332, 0.149451349150580593145776339657697, 0.219086362515982043995534934228163,
  0.269266719309996355091226921569469, 0.295524224714752870173892994651338,
];

/** Nodes and weights of the 21-point Kronrod rule on [a, b], for fixed-node sums. */
export function kronrod21Nodes(a: number, b: number): { nodes: number[]; weights: number[] } {
  const center = 0.5 * (a + b);
  const half = 0.5 * (b - a);
  const nodes = [center];
  const weights = [WGK[10]! * half];
  for (let j = 0; j < 10; j++) {
    nodes.push(center - half * XGK[j]!, center + half * XGK[j]!);
    weights.push(WGK[j]! * half, WGK[j]! * half);
  }
  return { nodes, weights };
}

/** One application of the 21-point Kronrod rule and its embedded 10-point Gauss rule on [a, b]. */
export function gaussKronrod21(f: (x: number) => number, a: number, b: number): { value: number; error: number } {
  const center = 0.5 * (a + b);
  const half = 0.5 * (b - a);
  const fc = f(center);
  let kronrod = WGK[10]! * fc;
  let gauss = 0;
  for (let j = 0; j < 10; j++) {
    const dx = half * XGK[j]!;
    const sum = f(center - dx) + f(center + dx);
    kronrod += WGK[j]! * sum;
    if (j % 2 === 1) gauss += WG[(j - 1) / 2]! * sum;
  }
  return { value: kronrod * half, error: Math.abs((kronrod - gauss) * half) };
}

export interface QuadratureOptions {
  /** Absolute error target (default 1e-13). */
  absTol?: number;
  /** Relative error target (default 1e-11). */
  relTol?: number;
  /** Most subintervals before giving up (default 2000). */
  maxSubdivisions?: number;
}

export interface QuadratureResult {
  value: number;
  /** Estimated absolute error (|Kronrod - Gauss| summed over subintervals; conservative for smooth integrands). */
  error: number;
  evaluations: number;
}

/**
 * Globally adaptive Gauss-Kronrod quadrature of f over [a, b]; a and b may be infinite
 * (mapped to a finite interval by x = a + t/(1-t) or x = t/(1-t^2)).
 * Stops when the error estimate is below max(absTol, relTol * |value|).
 * Throws NumericsError if that is not reached within maxSubdivisions, or on a non-finite integrand.
 * @example integrate(Math.exp, 0, 1).value // 1.718281828459045
 */
export function integrate(f: (x: number) => number, a: number, b: number, options: QuadratureOptions = {}): QuadratureResult {
  if (Number.isNaN(a) || Number.isNaN(b)) throw new NumericsError("integrate: limits must not be NaN");
  if (a === b) return { value: 0, error: 0, evaluations: 0 };
  if (a > b) {
    const r = integrate(f, b, a, options);
    return { value: -r.value, error: r.error, evaluations: r.evaluations };
  }
  const finiteA = Number.isFinite(a);
  const finiteB = Number.isFinite(b);
  if (finiteA && finiteB) return adaptive(f, a, b, options);
  if (finiteA) {
    // x = a + t/(1-t), t in [0, 1)
    return adaptive((t) => (t >= 1 ? 0 : f(a + t / (1 - t)) / ((1 - t) * (1 - t))), 0, 1, options);
  }
  if (finiteB) {
    return adaptive((t) => (t >= 1 ? 0 : f(b - t / (1 - t)) / ((1 - t) * (1 - t))), 0, 1, options);
  }
  // x = t/(1-t^2), t in (-1, 1)
  return adaptive(
    (t) => {
      const d = 1 - t * t;
      if (d <= 0) return 0;
      return (f(t / d) * (1 + t * t)) / (d * d);
    },
    -1,
    1,
    options,
  );
}

interface Piece {
  a: number;
  b: number;
  value: number;
  error: number;
}

function adaptive(f: (x: number) => number, a: number, b: number, options: QuadratureOptions): QuadratureResult {
  const absTol = options.absTol ?? 1e-13;
  const relTol = options.relTol ?? 1e-11;
  const maxSubdivisions = options.maxSubdivisions ?? 2000;
  const first = gaussKronrod21(f, a, b);
  const pieces: Piece[] = [{ a, b, ...first }];
  let evaluations = 21;
  let value = first.value;
  let error = first.error;
  while (error > Math.max(absTol, relTol * Math.abs(value))) {
    if (!Number.isFinite(value)) throw new NumericsError("integrate: the integrand is not finite on the interval");
    if (pieces.length >= maxSubdivisions) {
      throw new NumericsError(`integrate: no convergence after ${maxSubdivisions} subintervals (error estimate ${error.toExponential(2)})`);
    }
    // Bisect the piece with the largest error (linear scan: piece counts stay small).
    let worst = 0;
    for (let k = 1; k < pieces.length; k++) if (pieces[k]!.error > pieces[worst]!.error) worst = k;
    const p = pieces[worst]!;
    const mid = 0.5 * (p.a + p.b);
    if (!(mid > p.a && mid < p.b)) break; // interval at floating-point resolution: accept
    const left = gaussKronrod21(f, p.a, mid);
    const right = gaussKronrod21(f, mid, p.b);
    evaluations += 42;
    pieces[worst] = { a: p.a, b: mid, ...left };
    pieces.push({ a: mid, b: p.b, ...right });
    value = 0;
    error = 0;
    for (const q of pieces) {
      value += q.value;
      error += q.error;
    }
  }
  if (!Number.isFinite(value)) throw new NumericsError("integrate: the integrand is not finite on the interval");
  return { value, error, evaluations };
}

const gaussRules = new Map<number, { nodes: Float64Array; weights: Float64Array }>();

/** P_n(x) and P_n'(x) by the three-term recurrence (|x| < 1). */
function legendreWithSlope(n: number, x: number): [number, number] {
  let p0 = 1;
  let p1 = x;
  for (let k = 2; k <= n; k++) {
    const p2 = ((2 * k - 1) * x * p1 - (k - 1) * p0) / k;
    p0 = p1;
    p1 = p2;
  }
  return [p1, (n * (x * p1 - p0)) / (x * x - 1)];
}

/** Gauss-Legendre nodes (ascending) and weights on [-1, 1] for n points, by Newton on P_n; cached per n. Exact for polynomials of degree 2n - 1. */
export function gaussLegendreRule(n: number): { nodes: Float64Array; weights: Float64Array } {
  const cached = gaussRules.get(n);
  if (cached) return cached;
  const nodes = new Float64Array(n);
  const weights = new Float64Array(n);
  for (let i = 0; i < Math.ceil(n / 2); i++) {
    let x = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5));
    for (let iter = 0; iter < 100; iter++) {
      const [p, dp] = legendreWithSlope(n, x);
      const dx = p / dp;
      x -= dx;
      if (Math.abs(dx) < 1e-16) break;
    }
    // The weight needs the slope at the converged node.
    const dp = legendreWithSlope(n, x)[1];
    const w = 2 / ((1 - x * x) * dp * dp);
    nodes[i] = -x;
    nodes[n - 1 - i] = x;
    weights[i] = w;
    weights[n - 1 - i] = w;
  }
  if (n % 2 === 1) nodes[(n - 1) / 2] = 0;
  const rule = { nodes, weights };
  gaussRules.set(n, rule);
  return rule;
}

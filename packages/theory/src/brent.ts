import { TheoryError } from "./theoryError.ts";

export interface RootOptions {
  /** Absolute tolerance on the root (default 1e-14); the relative part is 4 eps |x|. */
  tolerance?: number;
  maxIterations?: number;
}

/**
 * Brent's method (R. P. Brent, Algorithms for Minimization without Derivatives, ch. 4):
 * a root of f in [a, b], where f(a) and f(b) differ in sign (or one is 0).
 * The root is located to within 2 * (4 eps |x| + tolerance / 2).
 * f may be +-Infinity (bisection is used there); throws TheoryError when the bracket does
 * not change sign or f is NaN.
 * @example findRoot((x) => x * x - 2, 0, 2) // 1.4142135623730951
 */
export function findRoot(f: (x: number) => number, a: number, b: number, options: RootOptions = {}): number {
  const tolerance = options.tolerance ?? 1e-14;
  const maxIterations = options.maxIterations ?? 200;
  let fa = f(a);
  let fb = f(b);
  if (Number.isNaN(fa) || Number.isNaN(fb)) throw new TheoryError(`findRoot: f is NaN at the bracket [${a}, ${b}]`);
  if (fa === 0) return a;
  if (fb === 0) return b;
  if (fa > 0 === fb > 0) throw new TheoryError(`findRoot: f(${a}) and f(${b}) have the same sign`);
  let c = a;
  let fc = fa;
  let d = b - a;
  let e = d;
  for (let iter = 0; iter < maxIterations; iter++) {
    if (fb > 0 === fc > 0) {
      c = a;
      fc = fa;
      d = b - a;
      e = d;
    }
    if (Math.abs(fc) < Math.abs(fb)) {
      a = b;
      b = c;
      c = a;
      fa = fb;
      fb = fc;
      fc = fa;
    }
    const tol = 2 * Number.EPSILON * Math.abs(b) + 0.5 * tolerance;
    const m = 0.5 * (c - b);
    if (Math.abs(m) <= tol || fb === 0) return b;
    // Interpolate only between finite values (an infinite f at a bracket end forces bisection).
    if (Math.abs(e) >= tol && Math.abs(fa) > Math.abs(fb) && Number.isFinite(fa) && Number.isFinite(fc)) {
      // Inverse quadratic interpolation, or the secant step when only two points differ.
      let p: number;
      let q: number;
      const s = fb / fa;
      if (a === c) {
        p = 2 * m * s;
        q = 1 - s;
      } else {
        const qa = fa / fc;
        const r = fb / fc;
        p = s * (2 * m * qa * (qa - r) - (b - a) * (r - 1));
        q = (qa - 1) * (r - 1) * (s - 1);
      }
      if (p > 0) q = -q;
      else p = -p;
      if (2 * p < Math.min(3 * m * q - Math.abs(tol * q), Math.abs(e * q))) {
        e = d;
        d = p / q;
      } else {
        d = m;
        e = m;
      }
    } else {
      d = m;
      e = m;
    }
    a = b;
    fa = fb;
    b += Math.abs(d) > tol ? d : m > 0 ? tol : -tol;
    fb = f(b);
    if (Number.isNaN(fb)) throw new TheoryError(`findRoot: f is NaN at ${b}`);
  }
  throw new TheoryError(`findRoot: no convergence in ${maxIterations} iterations`);
}

/**
 * Root of a monotone f starting from a guess: expands [x0 - step, x0 + step] geometrically
 * within [lower, upper] until f changes sign, then calls findRoot.
 * Throws TheoryError when no sign change is found.
 */
export function findRootExpanding(
  f: (x: number) => number,
  x0: number,
  step: number,
  lower = -Infinity,
  upper = Infinity,
  options: RootOptions = {},
): number {
  let lo = Math.max(lower, x0 - step);
  let hi = Math.min(upper, x0 + step);
  let flo = f(lo);
  let fhi = f(hi);
  for (let k = 0; k < 200 && flo > 0 === fhi > 0 && flo !== 0 && fhi !== 0; k++) {
    step *= 2;
    const nlo = Math.max(lower, x0 - step);
    const nhi = Math.min(upper, x0 + step);
    if (nlo === lo && nhi === hi) break;
    lo = nlo;
    hi = nhi;
    flo = f(lo);
    fhi = f(hi);
  }
  if (flo > 0 === fhi > 0 && flo !== 0 && fhi !== 0) {
    throw new TheoryError(`findRoot: no sign change found in [${lo}, ${hi}]`);
  }
  return findRoot(f, lo, hi, options);
}

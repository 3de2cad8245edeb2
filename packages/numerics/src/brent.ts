import { NumericsError } from "./numericsError.ts";

/** Options of brent(), findRoot() and findRootExpanding(). */
export interface BrentOptions {
  /** Relative tolerance on the root (default 0; 4 eps |x| always applies). */
  readonly relativeTolerance?: number;
  /** Absolute tolerance on the root (default 1e-14), the floor for roots at or near 0. */
  readonly absoluteTolerance?: number;
  /** Evaluations allowed after the two bracket ends (default 200). */
  readonly maxIterations?: number;
  /** f(lo) and f(hi) if the caller already has them, to save two evaluations. */
  readonly fLo?: number;
  readonly fHi?: number;
}

/**
 * Result of brent(): `converged` is false when maxIterations ran out or f returned NaN
 * inside the bracket (root is then the last point tried).
 */
export interface BrentResult {
  readonly root: number;
  /** f(root). */
  readonly value: number;
  /** Evaluations of f made inside the loop (the bracket ends are not counted). */
  readonly iterations: number;
  readonly converged: boolean;
}

/**
 * Brent's method (R. P. Brent, Algorithms for Minimization without Derivatives, ch. 4):
 * a root of f in [lo, hi], where f(lo) and f(hi) differ in sign (or one is 0). Inverse
 * quadratic / secant steps, falling back to bisection, so it never leaves the bracket and
 * converges even for kinked monotone functions; f may be +-Infinity (bisection is used
 * there). Stops when f is exactly 0 or the bracket is narrower than
 * 2 * (2 eps |x| + (relativeTolerance * |x| + absoluteTolerance) / 2), i.e. the root is within
 * about 4 eps |x| + relativeTolerance * |x| + absoluteTolerance.
 * Reports instead of throwing when it does not converge (see BrentResult); findRoot() throws.
 * Throws NumericsError (a RangeError) when f is NaN at a bracket end, when f(lo) and f(hi)
 * have the same strict sign, or when a tolerance is not a finite number >= 0 or maxIterations
 * not an integer >= 1.
 * @example brent((x) => 2 - x * x, 0, 2).root // 1.4142135623730951
 */
export function brent(f: (x: number) => number, lo: number, hi: number, options: BrentOptions = {}): BrentResult {
  const relativeTolerance = options.relativeTolerance ?? 0;
  const absoluteTolerance = options.absoluteTolerance ?? 1e-14;
  const maxIterations = options.maxIterations ?? 200;
  if (!(relativeTolerance >= 0 && Number.isFinite(relativeTolerance)))
    throw new NumericsError(`brent: relativeTolerance must be a finite number >= 0, got ${relativeTolerance}`);
  if (!(absoluteTolerance >= 0 && Number.isFinite(absoluteTolerance)))
    throw new NumericsError(`brent: absoluteTolerance must be a finite number >= 0, got ${absoluteTolerance}`);
  if (!(Number.isInteger(maxIterations) && maxIterations >= 1))
    throw new NumericsError(`brent: maxIterations must be an integer >= 1, got ${maxIterations}`);
  let a = lo;
  let b = hi;
  let fa = options.fLo ?? f(a);
  let fb = options.fHi ?? f(b);
  if (Number.isNaN(fa) || Number.isNaN(fb)) throw new NumericsError(`brent: f is NaN at the bracket [${lo}, ${hi}]`);
  if (fa === 0) return { root: a, value: fa, iterations: 0, converged: true };
  if (fb === 0) return { root: b, value: fb, iterations: 0, converged: true };
  if (fa > 0 === fb > 0) throw new NumericsError(`brent: f(${lo}) = ${fa} and f(${hi}) = ${fb} have the same sign`);
  let c = a;
  let fc = fa;
  let d = b - a;
  let e = d;
  for (let iteration = 0; ; iteration++) {
    if (fb > 0 === fc > 0) {
      // Keep the root between b and c.
      c = a;
      fc = fa;
      d = b - a;
      e = d;
    }
    if (Math.abs(fc) < Math.abs(fb)) {
      // b is always the best estimate so far.
      a = b;
      b = c;
      c = a;
      fa = fb;
      fb = fc;
      fc = fa;
    }
    const tol = 2 * Number.EPSILON * Math.abs(b) + 0.5 * (relativeTolerance * Math.abs(b) + absoluteTolerance);
    const m = 0.5 * (c - b);
    if (Math.abs(m) <= tol || fb === 0) return { root: b, value: fb, iterations: iteration, converged: true };
    if (iteration >= maxIterations) return { root: b, value: fb, iterations: iteration, converged: false };
    // Interpolate only between finite values (an infinite f at a bracket end forces bisection).
    if (Math.abs(e) >= tol && Math.abs(fa) > Math.abs(fb) && Number.isFinite(fa) && Number.isFinite(fc)) {
      let p: number;
      let q: number;
      const s = fb / fa;
      if (a === c) {
        // Secant step: only two distinct points.
        p = 2 * m * s;
        q = 1 - s;
      } else {
        // Inverse quadratic interpolation through a, b, c.
        const qa = fa / fc;
        const r = fb / fc;
        p = s * (2 * m * qa * (qa - r) - (b - a) * (r - 1));
        q = (qa - 1) * (r - 1) * (s - 1);
      }
      if (p > 0) q = -q;
      else p = -p;
      // Accept the interpolation only if it falls well inside the bracket and shrinks fast enough.
      if (2 * p < Math.min(3 * m * q - Math.abs(tol * q), Math.abs(e * q))) {
        e = d;
        d = p / q;
      } else {
        d = m;
        e = d;
      }
    } else {
      d = m;
      e = d;
    }
    a = b;
    fa = fb;
    b += Math.abs(d) > tol ? d : m > 0 ? tol : -tol;
    fb = f(b);
    if (Number.isNaN(fb)) return { root: b, value: fb, iterations: iteration + 1, converged: false };
  }
}

/**
 * The root brent() finds, or a NumericsError (a RangeError) where brent() would throw or
 * report non-convergence (maxIterations ran out, or f is NaN inside the bracket).
 * @example findRoot((x) => x * x - 2, 0, 2) // 1.4142135623730951
 */
export function findRoot(f: (x: number) => number, lo: number, hi: number, options: BrentOptions = {}): number {
  const found = brent(f, lo, hi, options);
  if (found.converged) return found.root;
  if (Number.isNaN(found.value)) throw new NumericsError(`findRoot: f is NaN at ${found.root}`);
  throw new NumericsError(`findRoot: no convergence in ${found.iterations} iterations in [${Math.min(lo, hi)}, ${Math.max(lo, hi)}]`);
}

/**
 * Root of a monotone f starting from a guess: expands [x0 - step, x0 + step] geometrically
 * (at most 200 doublings) within [lower, upper] until f changes sign, then calls findRoot
 * (with the ends' values, so they are not evaluated twice).
 * Throws NumericsError when no sign change is found, and as findRoot does.
 * @example findRootExpanding((x) => x - 1000, 0, 1) // 1000
 */
export function findRootExpanding(
  f: (x: number) => number,
  x0: number,
  step: number,
  lower = -Infinity,
  upper = Infinity,
  options: BrentOptions = {},
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
    throw new NumericsError(`findRootExpanding: no sign change found in [${lo}, ${hi}]`);
  }
  return findRoot(f, lo, hi, { ...options, fLo: flo, fHi: fhi });
}

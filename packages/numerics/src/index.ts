// @optex/numerics: general numerical routines, free of the paper's model (no laws, fees or markets),
// imported by theory, engine, fees, agents and scenarios. It imports nothing of ours.

// Errors
/** What every routine here throws when it cannot return a value (a RangeError; one-line message naming the routine). */
export { NumericsError } from "./numericsError.ts";

// Root finding (Brent's method)
/** Root of f in a sign-changing bracket, reported as a BrentResult (converged or not); throws only for bad arguments. */
export { brent } from "./brent.ts";
/** The root brent() finds, or a NumericsError when it does not converge. */
export { findRoot } from "./brent.ts";
/** Root of a monotone f from a guess: widens a bracket geometrically, then findRoot. */
export { findRootExpanding } from "./brent.ts";
/** Tolerances (relative, absolute), iteration limit and known end values for brent / findRoot / findRootExpanding. */
export type { BrentOptions } from "./brent.ts";
/** brent()'s answer: root, f(root), iterations, converged. */
export type { BrentResult } from "./brent.ts";

// One-dimensional maximisation
/** Local maximum of f on [a, b] by Brent's golden-section / parabolic search (the global one for unimodal f). */
export { maximize } from "./maximize.ts";

// Multidimensional maximisation
/** Derivative-free maximisation of f: R^k -> R by Nelder-Mead from a starting point. */
export { nelderMead } from "./nelderMead.ts";
/** Sort order of maximisation results { value }: higher first, NaN last. */
export { bestFirst } from "./nelderMead.ts";

// Quadrature
/** Globally adaptive Gauss-Kronrod (10/21) integral over a finite or infinite interval, with an error estimate. */
export { integrate } from "./quadrature.ts";
/** One 21-point Gauss-Kronrod step on [a, b]: value and |Kronrod - Gauss|. */
export { gaussKronrod21 } from "./quadrature.ts";
/** Nodes and weights of the 21-point Kronrod rule on [a, b], for fixed-node sums. */
export { kronrod21Nodes } from "./quadrature.ts";
/** n-point Gauss-Legendre nodes and weights on [-1, 1] (exact to degree 2n - 1), cached per n. */
export { gaussLegendreRule } from "./quadrature.ts";
/** Error targets and subdivision limit of integrate(). */
export type { QuadratureOptions } from "./quadrature.ts";
/** integrate()'s answer: value, error estimate, evaluations. */
export type { QuadratureResult } from "./quadrature.ts";

// Compensated summation
/** Neumaier's compensated sum of an array: error about one rounding of the result. */
export { compensatedSum } from "./compensatedSum.ts";
/** Running Neumaier sum, one term at a time. */
export { CompensatedAdder } from "./compensatedSum.ts";

// Polynomial kits
/** Exact piecewise polynomial of degree <= 2 with branch-free evaluation (single and batched). */
export { PiecewiseQuadratic } from "./piecewiseQuadratic.ts";
/** One piece of a PiecewiseQuadratic: start, origin and coefficients in s = x - origin. */
export type { QuadraticPiece } from "./piecewiseQuadratic.ts";
/** The smallest double above x. */
export { nextUp } from "./piecewiseQuadratic.ts";
/** Cubic Hermite interpolation in a uniform table of values and slopes. */
export { cubicHermite } from "./hermite.ts";
/** Uniform grid of values and slopes that cubicHermite interpolates. */
export type { CubicHermiteTable } from "./hermite.ts";
/** Quintic Hermite table of f on [from, to] built from (f, f', f'') at the nodes. */
export { quinticHermiteTable } from "./hermite.ts";
/** What quinticHermiteTable returns: at(x). */
export type { QuinticHermiteTable } from "./hermite.ts";

/** In-place radix-2 FFT. */
export { fft } from "./fft.ts";

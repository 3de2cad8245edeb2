import type { PiecewiseQuadratic } from "@optex/numerics";

/**
 * A continuous law of endowments on the interval [lower, upper] (either end may be infinite),
 * with a density f > 0 inside (Section 3.1 of the paper).
 */
export interface Distribution {
  /** Canonical spec, e.g. "uniform:-1,1". */
  readonly id: string;
  readonly lower: number;
  readonly upper: number;
  readonly mean: number;
  readonly variance: number;
  /** Symmetric about its mean (Corollary 1.1 then gives E[v] = mean). */
  readonly symmetric: boolean;
  cdf(x: number): number;
  /** 1 - F(x), accurate in the upper tail. */
  survival(x: number): number;
  pdf(x: number): number;
  quantile(u: number): number;
  /** F(x)/f(x), accurate in the lower tail (0 at a finite lower end). */
  cdfOverPdf(x: number): number;
  /** (1 - F(x))/f(x), the inverse hazard rate, accurate in the upper tail. */
  survivalOverPdf(x: number): number;
  /** One draw, using only the supplied uniform generator on [0, 1). */
  sample(rng: () => number): number;
  /** Fills `out` with draws, in the same order and with the same values as repeated sample(rng). */
  sampleInto(rng: () => number, out: Float64Array): void;
  /**
   * cdfOverPdf and survivalOverPdf as exact piecewise polynomials on the whole line, when they are
   * (uniform: piecewise linear): the virtual type and the fee then have closed forms (see
   * VirtualType.vPieces), which Monte Carlo evaluates in place of closures and tables.
   */
  readonly ratioPieces?: { readonly cdfOverPdf: PiecewiseQuadratic; readonly survivalOverPdf: PiecewiseQuadratic };
  /**
   * Points strictly inside (lower, upper) where the density is not smooth (a kink or a jump), for
   * quadratures that must split there (Laplace: its centre; a mixture: its components' kinks and
   * ends). Omitted: smooth inside the support.
   */
  readonly kinks?: readonly number[];
  /** The exact law of (e - mean)/sd, when the family has one (see standardizedLaw). */
  standardized?(): Distribution;
}

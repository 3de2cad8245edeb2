import { integrate } from "@optex/numerics";
import type { Distribution } from "../laws/distribution.ts";

/** A partition of the (standardized) type space into intervals; the designer's mechanism is constant on each. */
export interface DesignCells {
  /** Cell boundaries c_0 < ... < c_m (c_0 and c_m may be infinite: the law's support). */
  readonly bounds: Float64Array;
  /** P(cell k). */
  readonly mass: Float64Array;
  /** E[z | cell k]. */
  readonly mean: Float64Array;
}

/** Smallest tail cell, at least 1e-10 (mass times the variance of the allocation inside is then negligible). */
const TAIL_MASS = 1e-10;
const QUAD = { absTol: 1e-16, relTol: 1e-12, maxSubdivisions: 2000 };

/**
 * About `n` cells for a law of unit scale: half of the boundaries at equal steps of probability, half
 * at equal steps of z between the 0.001 and 0.999 quantiles (a bimodal law's dip, where the
 * ironing happens, has little mass and would otherwise get few, wide cells), and the extreme cells of an unbounded side
 * split again at probabilities shrinking geometrically down to 1/n^2 (the allocation grows without bound in an
 * unbounded tail; one wide tail cell would dominate the discretisation error).
 * Cell means are adaptive quadratures of z f(z) (1e-12 relative).
 */
export function designCells(law: Distribution, n: number): DesignCells {
  const half = Math.max(2, Math.floor(n / 2));
  const quantiles = new Set<number>();
  for (let k = 1; k < half; k++) quantiles.add(k / half);
  // Down to 1/n^2: the extreme cell's share of the error, its mass times the variance of the
  // allocation inside, is then of the order of the other cells' (1/n^2), not 1/n. The steps in
  // probability shrink with n (ratio e^(-12/n)), so that a cell's width in z does too: an exponential
  // tail halved in probability gets cells of constant width ln 2, and a constant error.
  const tailMass = Math.max(TAIL_MASS, 1 / (n * n));
  const ratio = Math.exp(-12 / n);
  for (let p = (1 / half) * ratio; p >= tailMass; p *= ratio) {
    // Only an unbounded side: near a finite end the allocation is bounded and the cells are short.
    if (law.lower === Number.NEGATIVE_INFINITY) quantiles.add(p);
    if (law.upper === Number.POSITIVE_INFINITY) quantiles.add(1 - p);
  }
  const inner: number[] = [...quantiles].map((u) => law.quantile(u));
  const zLo = law.quantile(1e-3);
  const zHi = law.quantile(1 - 1e-3);
  for (let k = 0; k <= half; k++) inner.push(zLo + ((zHi - zLo) * k) / half);
  inner.sort((a, b) => a - b);
  const bounds: number[] = [law.lower];
  // Boundaries closer than 1e-9 sd would make cells of no mass (and rows the solver finds degenerate).
  for (const c of inner) if (c > law.lower && c < law.upper && c - bounds[bounds.length - 1]! > 1e-9) bounds.push(c);
  if (law.upper - bounds[bounds.length - 1]! <= 1e-9) bounds.pop();
  bounds.push(law.upper);
  const m = bounds.length - 1;
  const mass = new Float64Array(m);
  const mean = new Float64Array(m);
  for (let k = 0; k < m; k++) {
    const a = bounds[k]!;
    const b = bounds[k + 1]!;
    mass[k] = cellMass(law, a, b);
    mean[k] = integrate((z) => z * law.pdf(z), a, b, QUAD).value / mass[k]!;
  }
  return { bounds: Float64Array.from(bounds), mass, mean };
}

/** P(a < z < b), from the side where it is not a difference of two numbers near 1. */
function cellMass(law: Distribution, a: number, b: number): number {
  const right = a > law.mean;
  return right ? law.survival(a) - law.survival(b) : law.cdf(b) - law.cdf(a);
}

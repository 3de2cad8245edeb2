/**
 * Relative size under which a sum counts as zero: a few dozen roundings of the
 * magnitude of its terms. Clearing uses it to decide whether aggregate excess demand
 * vanishes at a price (a flat zero segment made of 0.1 + 0.2 - 0.3 is still flat).
 */
export const NEGLIGIBLE_RELATIVE = 32 * Number.EPSILON;

/**
 * True when `value` is zero up to rounding, given `magnitude`, the sum of the absolute
 * values of the terms that produced it: |value| <= NEGLIGIBLE_RELATIVE * magnitude.
 * Throws nothing; NaN is never negligible.
 * @example isNegligible(0.1 + 0.2 - 0.3, 0.6) // true
 */
export function isNegligible(value: number, magnitude: number): boolean {
  return Math.abs(value) <= NEGLIGIBLE_RELATIVE * magnitude;
}

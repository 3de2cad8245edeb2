/**
 * Relative size under which a sum counts as zero: a few dozen roundings of the
 * magnitude of its terms. Clearing uses it to decide whether aggregate excess demand
 * vanishes at a price (a flat zero segment made of 0.1 + 0.2 - 0.3 is still flat).
 */
export const NEGLIGIBLE_RELATIVE = 32 * Number.EPSILON;

/**
 * Weight of an exact term in the magnitude passed to isNegligible(): an input used
 * unchanged (an intercept where slope * p = 0, a breakpoint quantity at its breakpoint or
 * on a flat piece) carries no rounding of its own, only its representation error, so a
 * compensated sum of such terms is held to NEGLIGIBLE_RELATIVE / 16 = 2 eps of them
 * (0.1 + 0.2 - 0.3 is still 0; 1e12 - 1e12 + 0.01 is not). Internal.
 */
export const EXACT_TERM_WEIGHT = 1 / 16;

/**
 * True when `value` is zero up to rounding, given `magnitude`, the sum of the absolute
 * values of the terms that produced it: |value| <= NEGLIGIBLE_RELATIVE * magnitude.
 * Throws nothing; a non-finite value or magnitude (NaN, an overflow) is never negligible.
 * @example isNegligible(0.1 + 0.2 - 0.3, 0.6) // true
 */
export function isNegligible(value: number, magnitude: number): boolean {
  // x - x === 0 is false exactly for NaN and +-Infinity.
  return value - value === 0 && magnitude - magnitude === 0 && Math.abs(value) <= NEGLIGIBLE_RELATIVE * magnitude;
}

import { EXACT_TERM_WEIGHT } from "./isNegligible.ts";

/**
 * A trader's demand schedule: a non-increasing map from price to quantity
 * (positive = buy, negative = sell).
 * - `linear`: q(p) = intercept - slope * p, slope >= 0.
 * - `piecewiseLinear`: linear interpolation between breakpoints (prices strictly
 *   increasing, quantities non-increasing); beyond the first / last breakpoint the
 *   schedule continues with slope -lowerTailSlope / -upperTailSlope (both >= 0).
 * - `fn`: any non-increasing function; cleared numerically.
 */
export type DemandSchedule =
  | { readonly kind: "linear"; readonly intercept: number; readonly slope: number }
  | {
      readonly kind: "piecewiseLinear";
      readonly prices: readonly number[];
      readonly quantities: readonly number[];
      readonly lowerTailSlope: number;
      readonly upperTailSlope: number;
    }
  | { readonly kind: "fn"; readonly quantity: (p: number) => number };

/** Raised by the schedule constructors; the message is one line naming the field and its allowed range. */
export class ScheduleError extends Error {
  override readonly name = "ScheduleError";
}

// Brand of schedules built (and frozen) by the constructors: clear() can skip re-validating
// them, which matters for books of millions of traders. Non-enumerable, so invisible to
// JSON and deep equality.
const VALIDATED = Symbol("optex.validatedSchedule");

function validated(s: DemandSchedule): DemandSchedule {
  Object.defineProperty(s, VALIDATED, { value: true });
  return Object.freeze(s);
}

/** True when `s` was built by a constructor of this module (hence valid and frozen). Internal. */
export function isValidated(s: DemandSchedule): boolean {
  return typeof s === "object" && s !== null && (s as { [VALIDATED]?: boolean })[VALIDATED] === true;
}

/**
 * The linear schedule q(p) = intercept - slope * p.
 * Throws ScheduleError when intercept is not finite or slope is not a finite number >= 0.
 * @example evaluateSchedule(linearSchedule(3, 2), 1) // 1
 */
export function linearSchedule(intercept: number, slope: number): DemandSchedule {
  const problem = finiteProblem("intercept", intercept) ?? nonNegativeProblem("slope", slope);
  if (problem !== null) throw new ScheduleError(problem);
  return validated({ kind: "linear", intercept, slope });
}

/**
 * A piecewise-linear schedule through the breakpoints (prices[j], quantities[j]);
 * `tails.lower` / `tails.upper` (default 0, flat) are the absolute slopes beyond the
 * first / last breakpoint. The arrays are copied and frozen: later changes by the
 * caller do not affect the schedule.
 * Throws ScheduleError when there is no breakpoint, the lengths differ, a value is not
 * finite, prices are not strictly increasing, quantities increase, the slope of a piece
 * (or a difference of consecutive prices or quantities) overflows, or a tail slope is
 * not a finite number >= 0.
 * @example evaluateSchedule(piecewiseLinearSchedule([0, 2], [1, -1]), 1) // 0
 */
export function piecewiseLinearSchedule(
  prices: readonly number[],
  quantities: readonly number[],
  tails: { lower?: number; upper?: number } = {},
): DemandSchedule {
  const lowerTailSlope = tails.lower ?? 0;
  const upperTailSlope = tails.upper ?? 0;
  const problem =
    breakpointsProblem(prices, quantities) ??
    nonNegativeProblem("tails.lower", lowerTailSlope) ??
    nonNegativeProblem("tails.upper", upperTailSlope);
  if (problem !== null) throw new ScheduleError(problem);
  return validated({
    kind: "piecewiseLinear",
    prices: Object.freeze(Array.from(prices)),
    quantities: Object.freeze(Array.from(quantities)),
    lowerTailSlope,
    upperTailSlope,
  });
}

/**
 * A schedule given by any function of the price. The function must be pure and
 * non-increasing; clearing checks this only on the prices it samples.
 * Throws ScheduleError when `quantity` is not a function.
 * @example evaluateSchedule(fnSchedule((p) => 1 - p ** 3), 1) // 0
 */
export function fnSchedule(quantity: (p: number) => number): DemandSchedule {
  if (typeof quantity !== "function") throw new ScheduleError(`quantity must be a function, got ${describe(quantity)}`);
  return validated({ kind: "fn", quantity });
}

/**
 * The quantity demanded at price p. Throws only what an `fn` schedule's function throws.
 * @example evaluateSchedule(linearSchedule(3, 2), 1) // 1
 */
export function evaluateSchedule(s: DemandSchedule, p: number): number {
  switch (s.kind) {
    case "linear":
      return s.intercept - s.slope * p;
    case "piecewiseLinear":
      return evaluatePiecewise(s.prices, s.quantities, s.lowerTailSlope, s.upperTailSlope, p);
    case "fn":
      return s.quantity(p);
  }
}

/**
 * Sum of the magnitudes of the terms that make up q(p) (given q = evaluateSchedule(s, p)),
 * so that clearing can tell a rounding residue from a real excess demand: only the terms
 * actually summed at p count (the active segment's left breakpoint quantity and the
 * interpolated or tail increment; intercept and slope * p), and a term used unchanged
 * counts EXACT_TERM_WEIGHT (see isNegligible.ts). Internal.
 */
export function quantityMagnitude(s: DemandSchedule, p: number, q: number): number {
  switch (s.kind) {
    case "linear": {
      const moved = s.slope * p;
      return moved === 0 ? EXACT_TERM_WEIGHT * Math.abs(s.intercept) : Math.abs(s.intercept) + Math.abs(moved);
    }
    case "piecewiseLinear": {
      // q = base + increment, base the quantity at the active segment's left breakpoint
      // (the first one in the lower tail); q - base recovers the increment up to rounding.
      const base = s.quantities[Math.max(0, segmentIndex(s.prices, p))];
      const moved = q - base;
      return moved === 0 ? EXACT_TERM_WEIGHT * Math.abs(base) : Math.abs(base) + Math.abs(moved);
    }
    case "fn":
      return Math.abs(q);
  }
}

/**
 * Slope of a linear or piecewise-linear schedule just above p (0 for `fn`, which has
 * none to report). Slopes are differences of breakpoint quantities, so a flat piece is
 * exactly 0. Internal.
 */
export function slopeAbove(s: DemandSchedule, p: number): number {
  switch (s.kind) {
    case "linear":
      return -s.slope;
    case "piecewiseLinear": {
      const j = segmentIndex(s.prices, p);
      if (j < 0) return -s.lowerTailSlope;
      if (j === s.prices.length - 1) return -s.upperTailSlope;
      return (s.quantities[j + 1] - s.quantities[j]) / (s.prices[j + 1] - s.prices[j]);
    }
    case "fn":
      return 0;
  }
}

/**
 * Why `s` is not a valid schedule (one line, same wording as the constructors), or null.
 * Used by clear() for schedules built as object literals. Internal.
 */
export function scheduleProblem(s: DemandSchedule): string | null {
  if (s === null || typeof s !== "object") return `schedule must be an object, got ${describe(s)}`;
  switch (s.kind) {
    case "linear":
      return finiteProblem("intercept", s.intercept) ?? nonNegativeProblem("slope", s.slope);
    case "piecewiseLinear":
      return (
        breakpointsProblem(s.prices, s.quantities) ??
        nonNegativeProblem("lowerTailSlope", s.lowerTailSlope) ??
        nonNegativeProblem("upperTailSlope", s.upperTailSlope)
      );
    case "fn":
      return typeof s.quantity === "function" ? null : `quantity must be a function, got ${describe(s.quantity)}`;
    default:
      return `kind must be "linear", "piecewiseLinear" or "fn", got ${describe((s as { kind: unknown }).kind)}`;
  }
}

/** Index j of the last breakpoint with prices[j] <= p (-1 below the first). */
function segmentIndex(prices: readonly number[], p: number): number {
  let lo = -1;
  let hi = prices.length;
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (prices[mid] <= p) lo = mid;
    else hi = mid;
  }
  return lo;
}

function evaluatePiecewise(
  prices: readonly number[],
  quantities: readonly number[],
  lowerTailSlope: number,
  upperTailSlope: number,
  p: number,
): number {
  const last = prices.length - 1;
  if (p <= prices[0]) return quantities[0] - lowerTailSlope * (p - prices[0]);
  if (p >= prices[last]) return quantities[last] - upperTailSlope * (p - prices[last]);
  const j = segmentIndex(prices, p);
  // Interpolating from the left breakpoint returns it exactly when p equals it.
  const t = (p - prices[j]) / (prices[j + 1] - prices[j]);
  return quantities[j] + t * (quantities[j + 1] - quantities[j]);
}

function breakpointsProblem(prices: readonly number[], quantities: readonly number[]): string | null {
  if (!isArrayLike(prices)) return `prices must be an array of numbers, got ${describe(prices)}`;
  if (!isArrayLike(quantities)) return `quantities must be an array of numbers, got ${describe(quantities)}`;
  if (prices.length < 1) return `prices must have at least 1 breakpoint, got ${prices.length}`;
  if (quantities.length !== prices.length) return `quantities.length must equal prices.length = ${prices.length}, got ${quantities.length}`;
  for (let j = 0; j < prices.length; j++) {
    // Messages are built only on failure: clear() validates millions of breakpoints.
    if (!isFiniteNumber(prices[j])) return finiteProblem(`prices[${j}]`, prices[j]);
    if (!isFiniteNumber(quantities[j])) return finiteProblem(`quantities[${j}]`, quantities[j]);
    if (j > 0 && !(prices[j] > prices[j - 1]))
      return `prices[${j}] must be > prices[${j - 1}] = ${prices[j - 1]} (strictly increasing), got ${prices[j]}`;
    if (j > 0 && !(quantities[j] <= quantities[j - 1]))
      return `quantities[${j}] must be <= quantities[${j - 1}] = ${quantities[j - 1]} (non-increasing), got ${quantities[j]}`;
    if (j > 0) {
      // Clearing works with the slopes of the pieces: they, and the differences they are made of, must be finite.
      const rise = quantities[j] - quantities[j - 1];
      const run = prices[j] - prices[j - 1];
      if (!(rise - rise === 0 && run - run === 0 && Number.isFinite(rise / run)))
        return `slope (quantities[${j}] - quantities[${j - 1}]) / (prices[${j}] - prices[${j - 1}]) must be finite, got ${rise} / ${run}`;
    }
  }
  return null;
}

function isFiniteNumber(x: unknown): boolean {
  return typeof x === "number" && Number.isFinite(x);
}

function finiteProblem(field: string, x: unknown): string | null {
  return isFiniteNumber(x) ? null : `${field} must be a finite number, got ${describe(x)}`;
}

function nonNegativeProblem(field: string, x: unknown): string | null {
  return typeof x === "number" && Number.isFinite(x) && x >= 0 ? null : `${field} must be a finite number >= 0, got ${describe(x)}`;
}

function isArrayLike(x: unknown): x is ArrayLike<unknown> {
  return (Array.isArray(x) || ArrayBuffer.isView(x)) && typeof (x as { length?: unknown }).length === "number";
}

function describe(x: unknown): string {
  if (typeof x === "number") return String(x);
  if (typeof x === "string") return JSON.stringify(x).slice(0, 40);
  return x === null ? "null" : typeof x;
}

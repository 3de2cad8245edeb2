import { clearedResult, failedResult } from "./clearingResult.ts";
import type { ClearingResult } from "./clearingResult.ts";
import { clearMonotone } from "./clearMonotone.ts";
import { clearPiecewiseLinear } from "./clearPiecewiseLinear.ts";
import { isValidated, scheduleProblem } from "./demandSchedule.ts";
import type { DemandSchedule } from "./demandSchedule.ts";
import { clearLinearBook, createLinearBook, linearBookFailure } from "./linearBook.ts";

/** Options of clear(); they matter only when some schedule is `fn`. */
export interface ClearOptions {
  /** Relative tolerance on the price for `fn` schedules (default 1e-12). */
  readonly tolerance?: number;
  /** Iterations of Brent's method for `fn` schedules (default 200). */
  readonly maxIterations?: number;
}

/**
 * Uniform-price clearing: the unique p with sum_i q_i(p) = 0 (paper, Example 1 and
 * Definition 4.1); when none exists or it is not unique, no trade and no transfer.
 * - all linear: closed form p = sum(intercepts) / sum(slopes) (see clearLinearBook);
 * - linear and piecewise linear: exact; the segment of aggregate demand holding the zero
 *   is found by selection over the breakpoints (expected linear time) and solved linearly;
 * - any `fn`: geometric bracketing from p = 0 up to |p| = 2^50, then Brent's method to
 *   `tolerance` relative in price; non-uniqueness, jumps and increasing demand are
 *   detected only on the sampled prices, at resolution 1e-6 * max(1, |p|).
 * Aggregate excess demand counts as 0 where it is negligible relative to its terms
 * (isNegligible). An empty market is non-unique-price (every price clears).
 * Never throws for market outcomes, malformed schedules or a throwing `fn` (status
 * "invalid" with a one-line reason naming the trader); throws RangeError for a tolerance that is not a
 * finite number >= 0 or maxIterations that is not an integer >= 1.
 * @example clear([linearSchedule(2, 1), linearSchedule(-1, 2)]) // { status: "cleared", price: 1/3, ... }
 */
export function clear(schedules: readonly DemandSchedule[], options: ClearOptions = {}): ClearingResult {
  const tolerance = options.tolerance ?? 1e-12;
  const maxIterations = options.maxIterations ?? 200;
  if (!(typeof tolerance === "number" && Number.isFinite(tolerance) && tolerance >= 0))
    throw new RangeError(`tolerance must be a finite number >= 0, got ${tolerance}`);
  if (!(Number.isInteger(maxIterations) && maxIterations >= 1))
    throw new RangeError(`maxIterations must be an integer >= 1, got ${maxIterations}`);

  const n = schedules.length;
  if (n === 0) return failedResult("non-unique-price", "no traders: every price clears an empty market");
  let allLinear = true;
  let anyFn = false;
  for (let i = 0; i < n; i++) {
    const problem = isValidated(schedules[i]) ? null : scheduleProblem(schedules[i]);
    if (problem !== null) return failedResult("invalid", `trader ${i}: ${problem}`);
    allLinear &&= schedules[i].kind === "linear";
    anyFn ||= schedules[i].kind === "fn";
  }
  if (allLinear) return clearLinear(schedules);
  if (!anyFn) return clearPiecewiseLinear(schedules);
  return clearMonotone(schedules, tolerance, maxIterations);
}

/** The closed form, shared with the Monte Carlo fast path so that both agree to the bit. */
function clearLinear(schedules: readonly DemandSchedule[]): ClearingResult {
  const book = createLinearBook(schedules.length);
  for (let i = 0; i < schedules.length; i++) {
    const s = schedules[i];
    // clear() sends only all-linear books here; the guard is for the type checker.
    if (s.kind !== "linear") continue;
    book.intercepts[i] = s.intercept;
    book.slopes[i] = s.slope;
  }
  const quantities = new Float64Array(schedules.length);
  const price = clearLinearBook(book, quantities);
  const failure = linearBookFailure(book);
  if (failure !== null) return failedResult(failure.status, failure.reason);
  return clearedResult(price, quantities);
}

import { EXACT_TERM_WEIGHT, isNegligible } from "./isNegligible.ts";

/**
 * A book of linear schedules q_i(p) = intercepts[i] - slopes[i] * p stored in typed
 * arrays, for Monte Carlo loops that clear millions of markets without allocating.
 * Fill the arrays in place and call clearLinearBook().
 */
export interface LinearBook {
  readonly size: number;
  readonly intercepts: Float64Array;
  readonly slopes: Float64Array;
}

/** Why the last clearLinearBook() call returned NaN. */
export interface LinearBookFailure {
  readonly status: "no-price" | "non-unique-price" | "invalid";
  readonly reason: string;
}

const OK = 0;
const INVALID_TRADER = 1;
const FLAT_NONZERO = 2;
const FLAT_ZERO = 3;
const PRICE_OVERFLOW = 4;
const SUM_OVERFLOW = 5;

/** Mutable record of the last outcome, so the hot path allocates nothing. */
interface Outcome {
  code: number;
  trader: number;
  first: number;
  second: number;
}

/**
 * Books made by createLinearBook carry their outcome record as fields (a field write costs
 * nothing next to a WeakMap lookup, which dominated clearing of 10-trader books).
 */
class Book implements LinearBook, Outcome {
  code = OK;
  trader = -1;
  first = 0;
  second = 0;
  constructor(
    readonly size: number,
    readonly intercepts: Float64Array,
    readonly slopes: Float64Array,
  ) {}
}

// Outcome records of books built by hand (plain objects satisfying LinearBook).
const outcomes = new WeakMap<LinearBook, Outcome>();

function outcomeOf(book: LinearBook): Outcome {
  if (book instanceof Book) return book;
  let outcome = outcomes.get(book);
  if (outcome === undefined) {
    outcome = { code: OK, trader: -1, first: 0, second: 0 };
    outcomes.set(book, outcome);
  }
  return outcome;
}

/**
 * A book of `size` traders, all intercepts and slopes 0.
 * Throws RangeError when size is not an integer >= 0.
 * @example const book = createLinearBook(2); book.intercepts.set([1, -1]); book.slopes.set([1, 1]);
 */
export function createLinearBook(size: number): LinearBook {
  if (!(Number.isInteger(size) && size >= 0)) throw new RangeError(`size must be an integer >= 0, got ${size}`);
  return new Book(size, new Float64Array(size), new Float64Array(size));
}

/**
 * Clears the book in closed form, p = sum(intercepts) / sum(slopes) (compensated sums),
 * and writes q_i = intercepts[i] - slopes[i] * p into quantitiesOut[0 .. size), taken at
 * the exact quotient rather than the rounded p (a shift of q_i by slopes[i] times the
 * rounding of p), so that the q_i balance to rounding of their own size whatever the slopes.
 * Returns the clearing price; returns NaN (and writes zeros) when there is no unique
 * price or the book is invalid (a non-finite intercept, a NaN, infinite or negative
 * slope); linearBookFailure(book) then says why. All slopes 0 means no-price, or
 * non-unique-price when the intercepts sum to 0 up to their representation error
 * (2 eps of sum |intercepts|, see isNegligible.ts).
 * Throws RangeError when an array of the book or quantitiesOut is shorter than size.
 * @example clearLinearBook(book, new Float64Array(2)) // 0 for intercepts [1, -1], slopes [1, 1]
 */
export function clearLinearBook(book: LinearBook, quantitiesOut: Float64Array): number {
  const n = book.size;
  const intercepts = book.intercepts;
  const slopes = book.slopes;
  if (intercepts.length < n || slopes.length < n || quantitiesOut.length < n)
    throw new RangeError(
      `clearLinearBook: intercepts, slopes and quantitiesOut need length >= size = ${n}, got ${intercepts.length}, ${slopes.length}, ${quantitiesOut.length}`,
    );
  const outcome = outcomeOf(book);
  // Compensated sums by Knuth's branch-free two-sum, inlined: this is the Monte Carlo hot path, and
  // Neumaier's |s| >= |x| test mispredicts on random intercepts.
  let sumA = 0;
  let compA = 0;
  let sumB = 0;
  let compB = 0;
  let magnitudeA = 0;
  for (let i = 0; i < n; i++) {
    const a = intercepts[i];
    const b = slopes[i];
    // x - x === 0 is false exactly for NaN and +-Infinity.
    if (!(a - a === 0 && b - b === 0 && b >= 0)) return fail(outcome, INVALID_TRADER, i, a, b, quantitiesOut, n);
    let t = sumA + a;
    let z = t - sumA;
    compA += sumA - (t - z) + (a - z);
    sumA = t;
    t = sumB + b;
    z = t - sumB;
    compB += sumB - (t - z) + (b - z);
    sumB = t;
    magnitudeA += Math.abs(a);
  }
  const totalA = sumA + compA;
  const totalB = sumB + compB;
  if (!(Number.isFinite(totalA) && Number.isFinite(totalB))) return fail(outcome, SUM_OVERFLOW, -1, sumA, sumB, quantitiesOut, n);
  if (totalB === 0)
    // The intercepts are summed unchanged: exact terms, whose compensated sum is held to the tight bound.
    return fail(outcome, isNegligible(totalA, EXACT_TERM_WEIGHT * magnitudeA) ? FLAT_ZERO : FLAT_NONZERO, -1, totalA, 0, quantitiesOut, n);
  // + 0 turns -0 into 0.
  const price = totalA / totalB + 0;
  if (!Number.isFinite(price)) return fail(outcome, PRICE_OVERFLOW, -1, totalA, totalB, quantitiesOut, n);
  // Rounding p leaves sum q_i = sum(slopes) * (A/B - p), large next to small trades when
  // the slopes are steep; the quantities at the exact price A/B are q_i - slopes[i] * shift.
  // A plain sum decides whether that correction matters (it rarely does), so the common case
  // costs one pass; the correction itself uses a compensated sum.
  let sumQ = 0;
  let absQ = 0;
  for (let i = 0; i < n; i++) {
    const q = intercepts[i] - slopes[i] * price;
    quantitiesOut[i] = q;
    sumQ += q;
    absQ += Math.abs(q);
  }
  if (Math.abs(sumQ) > 4 * Number.EPSILON * absQ) balance(intercepts, slopes, price, totalB, quantitiesOut, n);
  outcome.code = OK;
  return price;
}

/** Shifts the quantities to the exact clearing price A/B (see clearLinearBook). */
function balance(
  intercepts: Float64Array,
  slopes: Float64Array,
  price: number,
  totalB: number,
  quantitiesOut: Float64Array,
  n: number,
): void {
  // Two-sum inlined, not compensatedSum: many books take this pass, where Neumaier's branch measured 1.5-2x slower.
  let sumQ = 0;
  let compQ = 0;
  for (let i = 0; i < n; i++) {
    const q = intercepts[i] - slopes[i] * price;
    const t = sumQ + q;
    const z = t - sumQ;
    compQ += sumQ - (t - z) + (q - z);
    sumQ = t;
  }
  const shift = (sumQ + compQ) / totalB;
  if (shift !== 0) for (let i = 0; i < n; i++) quantitiesOut[i] -= slopes[i] * shift;
}

/**
 * Why the last clearLinearBook(book, ...) returned NaN, or null when it returned a price
 * (or the book was never cleared). The reason is one line. Throws nothing.
 * @example linearBookFailure(book)?.reason // "all slopes are 0 and the intercepts sum to 2: no price clears"
 */
export function linearBookFailure(book: LinearBook): LinearBookFailure | null {
  const outcome = book instanceof Book ? book : outcomes.get(book);
  if (outcome === undefined) return null;
  const { trader, first, second } = outcome;
  switch (outcome.code) {
    case INVALID_TRADER:
      return {
        status: "invalid",
        reason:
          first - first === 0
            ? `trader ${trader}: slope must be a finite number >= 0, got ${second}`
            : `trader ${trader}: intercept must be a finite number, got ${first}`,
      };
    case SUM_OVERFLOW:
      return { status: "invalid", reason: `sums of intercepts (${first}) and slopes (${second}) overflow` };
    case FLAT_NONZERO:
      return { status: "no-price", reason: `all slopes are 0 and the intercepts sum to ${first}: no price clears` };
    case FLAT_ZERO:
      return { status: "non-unique-price", reason: "all slopes are 0 and the intercepts sum to 0: every price clears" };
    case PRICE_OVERFLOW:
      return {
        status: "no-price",
        reason: `clearing price sum(intercepts) / sum(slopes) = ${first} / ${second} is not finite`,
      };
    default:
      return null;
  }
}

function fail(
  outcome: Outcome,
  code: number,
  trader: number,
  first: number,
  second: number,
  quantitiesOut: Float64Array,
  n: number,
): number {
  outcome.code = code;
  outcome.trader = trader;
  outcome.first = first;
  outcome.second = second;
  quantitiesOut.fill(0, 0, n);
  return Number.NaN;
}

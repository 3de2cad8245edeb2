import { clearedResult, failedResult } from "./clearingResult.ts";
import type { ClearingResult } from "./clearingResult.ts";
import { CompensatedAdder } from "./compensatedSum.ts";
import { evaluateSchedule, quantityMagnitude, slopeAbove } from "./demandSchedule.ts";
import type { DemandSchedule } from "./demandSchedule.ts";
import { isNegligible } from "./isNegligible.ts";

/**
 * The segment holding the zero of aggregate excess demand D: `below` is the last
 * breakpoint with D > 0 (-Infinity if none), `at` the first with D <= 0 (Infinity if
 * none), `next` the breakpoint after `at` (Infinity if none).
 */
interface Bracket {
  readonly below: number;
  readonly at: number;
  readonly next: number;
}

/** D at two prices of one linear piece, with each trader's quantity there. */
interface Probe {
  readonly lo: number;
  readonly hi: number;
  readonly qLo: Float64Array;
  readonly qHi: Float64Array;
  readonly dLo: number;
  readonly dHi: number;
  readonly signLo: number;
  readonly signHi: number;
}

/**
 * Exact clearing of valid linear and piecewise-linear schedules, at least one piecewise
 * (clear() validates and dispatches). Aggregate excess demand D is piecewise linear with
 * breakpoints at the union of the schedules' breakpoints. Writing it as
 * C + S p + sum_e delta_e max(0, p - x_e) (one term per breakpoint e), a selection on the
 * breakpoints (partition around a pivot, evaluate D there with the running slope sum,
 * keep the side holding the zero, fold the other side into C and S) finds the segment
 * holding the zero in expected O(B) for B breakpoints; a full sort would be O(B log B)
 * and, at millions of breakpoints, slower than everything else together. One direct
 * compensated pass over the schedules at the segment's ends confirms the segment
 * (falling back to sorting the breakpoints and bisecting on direct evaluations) and
 * gives every trader's quantity there; the zero is solved linearly on the segment or
 * tail and quantities are interpolated. D counts as 0 where it is negligible
 * (isNegligible) relative to its terms; 0 at a breakpoint followed by a flat piece (every
 * schedule's slope exactly 0) or a flat tail gives non-unique-price; no crossing (flat
 * tails included) gives no-price.
 * Throws nothing for valid schedules. Internal.
 */
export function clearPiecewiseLinear(schedules: readonly DemandSchedule[]): ClearingResult {
  const n = schedules.length;
  // Tail slopes of D as sums of non-negative terms: exactly 0 only when every term is.
  const lowerTail = new CompensatedAdder();
  const upperTail = new CompensatedAdder();
  // Below every breakpoint D(p) = C + leftSlope * p; breakpoint e adds delta_e * (p - x_e) above it.
  const constant = new CompensatedAdder();
  // Exact sizes: large typed arrays count against V8's external memory and trigger full collections.
  let total = 0;
  for (let i = 0; i < n; i++) {
    const s = schedules[i];
    if (s.kind === "piecewiseLinear") total += s.prices.length;
  }
  const breakpoints = new Float64Array(total);
  const slopeChanges = new Float64Array(total);
  let count = 0;
  for (let i = 0; i < n; i++) {
    const s = schedules[i];
    if (s.kind === "linear") {
      lowerTail.add(s.slope);
      upperTail.add(s.slope);
      constant.add(s.intercept);
      continue;
    }
    if (s.kind !== "piecewiseLinear") continue;
    const { prices, quantities, lowerTailSlope, upperTailSlope } = s;
    lowerTail.add(lowerTailSlope);
    upperTail.add(upperTailSlope);
    constant.add(quantities[0] + lowerTailSlope * prices[0]);
    const last = prices.length - 1;
    let before = -lowerTailSlope;
    for (let j = 0; j <= last; j++) {
      const after = j < last ? (quantities[j + 1] - quantities[j]) / (prices[j + 1] - prices[j]) : -upperTailSlope;
      breakpoints[count] = prices[j];
      slopeChanges[count] = after - before;
      count++;
      before = after;
    }
  }
  const leftSlope = -lowerTail.value;
  const rightSlope = -upperTail.value;

  let bracket = selectBracket(breakpoints, slopeChanges, constant, leftSlope);
  let probe = probeBracket(schedules, bracket);
  // The selection accumulates rounding over all breakpoints; trust only direct evaluations.
  if (!(probe.signLo > 0 || bracket.below === -Infinity) || !(probe.signHi <= 0 || bracket.at === Infinity)) {
    bracket = sortBracket(schedules, breakpoints);
    probe = probeBracket(schedules, bracket);
  }
  const { below, at, next } = bracket;

  let price: number;
  if (at === Infinity) {
    if (rightSlope === 0)
      return failedResult(
        "no-price",
        `aggregate excess demand stays positive: ${probe.dLo} at the last breakpoint p = ${below} and flat above it`,
      );
    price = below - probe.dLo / rightSlope;
  } else if (probe.signHi < 0) {
    if (below === -Infinity) {
      if (leftSlope === 0)
        return failedResult(
          "no-price",
          `aggregate excess demand stays negative: ${probe.dHi} at the first breakpoint p = ${at} and flat below it`,
        );
      price = at - probe.dHi / leftSlope;
    } else {
      const t = probe.dLo / (probe.dLo - probe.dHi);
      price = Math.min(at, Math.max(below, below + t * (at - below)));
    }
  } else {
    // D(at) = 0 and D(below) > 0, so the zero set extends only to the right (or into a flat
    // left tail). Slopes are sums of non-positive terms, so "flat" is an exact test, immune
    // to values that underflow near a breakpoint.
    const flatBelow = below === -Infinity && leftSlope === 0;
    const flatAbove = next === Infinity ? rightSlope === 0 : isFlatAbove(schedules, at);
    if (flatBelow || flatAbove) {
      const from = flatBelow ? -Infinity : at;
      const to = flatAbove ? next : at;
      return failedResult(
        "non-unique-price",
        `aggregate excess demand is 0 on [${from}, ${to}] (at least): every price there clears`,
      );
    }
    price = at;
  }

  // Every schedule is linear on the piece probed, so quantities interpolate (or extrapolate into a tail) exactly.
  const { lo, hi, qLo, qHi } = probe;
  // Written over qLo: one large allocation less.
  if (price === hi) return clearedResult(price, qHi);
  const t = (price - lo) / (hi - lo);
  for (let i = 0; i < n; i++) qLo[i] += t * (qHi[i] - qLo[i]);
  return clearedResult(price, qLo);
}

/**
 * Quickselect-style search for the bracket, on D(p) = C + S p + sum delta_e max(0, p - x_e).
 * Reorders breakpoints and slopeChanges in place (together). Pivots come from a fixed
 * xorshift sequence, so the result is deterministic and sorted inputs are not a worst case.
 */
function selectBracket(
  breakpoints: Float64Array,
  slopeChanges: Float64Array,
  constant: CompensatedAdder,
  leftSlope: number,
): Bracket {
  const slope = new CompensatedAdder();
  slope.add(leftSlope);
  let lo = 0;
  let hi = breakpoints.length;
  let below = -Infinity;
  let at = Infinity;
  let next = Infinity;
  let state = 0x9e3779b9;
  while (lo < hi) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    const pivot = breakpoints[lo + ((state >>> 0) % (hi - lo))];
    // Three-way partition of [lo, hi) into < pivot, == pivot, > pivot, summing the active terms.
    let less = lo;
    let i = lo;
    let greater = hi;
    let sum = 0;
    let compensation = 0;
    let smallestAbove = Infinity;
    while (i < greater) {
      const x = breakpoints[i];
      if (x < pivot) {
        const term = slopeChanges[i] * (pivot - x);
        const t = sum + term;
        compensation += Math.abs(sum) >= Math.abs(term) ? sum - t + term : term - t + sum;
        sum = t;
        swap(breakpoints, slopeChanges, less++, i++);
      } else if (x > pivot) {
        if (x < smallestAbove) smallestAbove = x;
        swap(breakpoints, slopeChanges, i, --greater);
      } else i++;
    }
    const excess = constant.value + slope.value * pivot + (sum + compensation);
    if (excess > 0) {
      // The zero is above the pivot: every breakpoint <= pivot becomes a fixed linear term.
      for (let j = lo; j < greater; j++) {
        slope.add(slopeChanges[j]);
        constant.add(-slopeChanges[j] * breakpoints[j]);
      }
      below = pivot;
      lo = greater;
    } else {
      next = smallestAbove < Infinity ? smallestAbove : at;
      at = pivot;
      hi = less;
    }
  }
  return { below, at, next };
}

/** Robust fallback: sort the distinct breakpoints and bisect on direct evaluations of the sign of D. */
function sortBracket(schedules: readonly DemandSchedule[], breakpoints: Float64Array): Bracket {
  const sorted = breakpoints.slice().sort();
  let m = 1;
  for (let i = 1; i < sorted.length; i++) if (sorted[i] !== sorted[m - 1]) sorted[m++] = sorted[i];
  let lo = 0;
  let hi = m;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (directSign(schedules, sorted[mid]) <= 0) hi = mid;
    else lo = mid + 1;
  }
  return {
    below: lo > 0 ? sorted[lo - 1] : -Infinity,
    at: lo < m ? sorted[lo] : Infinity,
    next: lo + 1 < m ? sorted[lo + 1] : Infinity,
  };
}

/**
 * One pass over the schedules at the bracket's ends (a point inside the tail stands in
 * for an infinite end): each trader's quantity and the compensated D with its sign.
 */
function probeBracket(schedules: readonly DemandSchedule[], bracket: Bracket): Probe {
  const { below, at } = bracket;
  const lo = below === -Infinity ? at - (1 + Math.abs(at)) : below;
  const hi = at === Infinity ? below + (1 + Math.abs(below)) : at;
  const n = schedules.length;
  const qLo = new Float64Array(n);
  const qHi = new Float64Array(n);
  // Neumaier sums inlined: this is one of the two passes over millions of schedules.
  let sumLo = 0;
  let compLo = 0;
  let sumHi = 0;
  let compHi = 0;
  let magnitudeLo = 0;
  let magnitudeHi = 0;
  for (let i = 0; i < n; i++) {
    const s = schedules[i];
    const a = evaluateSchedule(s, lo);
    const b = evaluateSchedule(s, hi);
    qLo[i] = a;
    qHi[i] = b;
    let t = sumLo + a;
    compLo += Math.abs(sumLo) >= Math.abs(a) ? sumLo - t + a : a - t + sumLo;
    sumLo = t;
    t = sumHi + b;
    compHi += Math.abs(sumHi) >= Math.abs(b) ? sumHi - t + b : b - t + sumHi;
    sumHi = t;
    magnitudeLo += quantityMagnitude(s, lo, a);
    magnitudeHi += quantityMagnitude(s, hi, b);
  }
  const dLo = sumLo + compLo;
  const dHi = sumHi + compHi;
  return {
    lo,
    hi,
    qLo,
    qHi,
    dLo,
    dHi,
    signLo: isNegligible(dLo, magnitudeLo) ? 0 : Math.sign(dLo),
    signHi: isNegligible(dHi, magnitudeHi) ? 0 : Math.sign(dHi),
  };
}

/** True when every schedule is flat just above p, i.e. D is constant there. */
function isFlatAbove(schedules: readonly DemandSchedule[], p: number): boolean {
  for (let i = 0; i < schedules.length; i++) if (slopeAbove(schedules[i], p) !== 0) return false;
  return true;
}

/** Sign of D(p) from a direct compensated evaluation, 0 when negligible. */
function directSign(schedules: readonly DemandSchedule[], p: number): number {
  const sum = new CompensatedAdder();
  let magnitude = 0;
  for (let i = 0; i < schedules.length; i++) {
    const q = evaluateSchedule(schedules[i], p);
    sum.add(q);
    magnitude += quantityMagnitude(schedules[i], p, q);
  }
  const d = sum.value;
  return isNegligible(d, magnitude) ? 0 : Math.sign(d);
}

function swap(a: Float64Array, b: Float64Array, i: number, j: number): void {
  const x = a[i];
  a[i] = a[j];
  a[j] = x;
  const y = b[i];
  b[i] = b[j];
  b[j] = y;
}

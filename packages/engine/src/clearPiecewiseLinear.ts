import { CompensatedAdder, compensatedSum } from "@optex/numerics";
import { clearedResult, failedResult } from "./clearingResult.ts";
import type { ClearingResult } from "./clearingResult.ts";
import { evaluateSchedule, quantityMagnitude, slopeAbove } from "./demandSchedule.ts";
import type { DemandSchedule } from "./demandSchedule.ts";
import { isNegligible, NEGLIGIBLE_RELATIVE } from "./isNegligible.ts";

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
 * gives every trader's quantity there. On the piece [lo, hi] holding the zero (in a tail,
 * between the last breakpoint and a probe placed near the zero) every schedule is linear:
 * t = D(lo) / (D(lo) - D(hi)) is computed once, price = lo + t (hi - lo) and
 * q_i = qLo_i + t (qHi_i - qLo_i), so the quantities balance whatever the slopes. D counts
 * as 0 where it is negligible (isNegligible) relative to the terms summed at that price;
 * 0 at a breakpoint followed by a flat piece (every schedule's slope exactly 0) or a flat
 * tail gives non-unique-price; no crossing (flat tails included), or a zero beyond the
 * largest finite price, gives no-price; an aggregate that overflows at a breakpoint gives
 * invalid. A result is returned as cleared only with a finite price and finite quantities
 * whose compensated sum is negligible relative to sum |q_i| (see checkedResult).
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

  // D is linear on [lo, hi] (a piece, or a stretch of a tail), and so is every trader's
  // quantity. The zero is at the fraction t = D(lo) / (D(lo) - D(hi)) of it; computing t
  // once and setting q_i = qLo_i + t (qHi_i - qLo_i) keeps sum q_i = D(lo) + t (D(hi) - D(lo))
  // ~ 0 whatever the slopes. (Solving for the price first and evaluating every schedule
  // at the rounded price would leave an imbalance of about slope * ulp(p).)
  let { lo, hi, qLo, qHi, dLo, dHi } = probe;
  // At a breakpoint D is a sum of finite quantities; if that sum overflows nothing can be checked to clear.
  for (const [p, d] of [
    [below, dLo],
    [at, dHi],
  ])
    if (Number.isFinite(p) && !Number.isFinite(d))
      return failedResult("invalid", `aggregate excess demand overflows at p = ${p}: the quantities sum to ${d}`);
  if (at === Infinity) {
    if (rightSlope === 0)
      return failedResult(
        "no-price",
        `aggregate excess demand stays positive: ${dLo} at the last breakpoint p = ${below} and flat above it`,
      );
    // The probe in the tail is 1 + |below| away. If the zero is far beyond it (t > 2), a
    // shallow tail drowns in rounding (t < 0) or the tail overflows there, probe again at
    // the zero estimated from the tail slope (t ~ 1), at least a few ulps of below away
    // (a steep tail: t ~ 0).
    const t = dLo / (dLo - dHi);
    if (!(Number.isFinite(dHi) && t >= 0 && t <= 2)) {
      const gap = tailGap(below, dLo / -rightSlope);
      if (gap === Infinity)
        return failedResult("no-price", `clearing price ${below} + ${dLo} / ${-rightSlope} in the upper tail is not finite`);
      hi = below + gap;
      ({ q: qHi, d: dHi } = evaluateAll(schedules, hi));
    }
  } else if (probe.signHi < 0 && below === -Infinity) {
    if (leftSlope === 0)
      return failedResult("no-price", `aggregate excess demand stays negative: ${dHi} at the first breakpoint p = ${at} and flat below it`);
    const t = dLo / (dLo - dHi);
    if (!(Number.isFinite(dLo) && t >= -1 && t <= 1)) {
      const gap = tailGap(at, dHi / leftSlope);
      if (gap === Infinity)
        return failedResult("no-price", `clearing price ${at} - ${-dHi} / ${-leftSlope} in the lower tail is not finite`);
      lo = at - gap;
      ({ q: qLo, d: dLo } = evaluateAll(schedules, lo));
    }
  } else if (probe.signHi === 0) {
    // D(at) = 0 and D(below) > 0, so the zero set extends only to the right (or into a flat
    // left tail). Slopes are sums of non-positive terms, so "flat" is an exact test, immune
    // to values that underflow near a breakpoint.
    const flatBelow = below === -Infinity && leftSlope === 0;
    const flatAbove = next === Infinity ? rightSlope === 0 : isFlatAbove(schedules, at);
    if (flatBelow || flatAbove) {
      const from = flatBelow ? -Infinity : at;
      const to = flatAbove ? next : at;
      return failedResult("non-unique-price", `aggregate excess demand is 0 on [${from}, ${to}] (at least): every price there clears`);
    }
    return checkedResult(at, qHi, (i) => quantityMagnitude(schedules[i], at, qHi[i]));
  }
  if (!(Number.isFinite(dLo) && Number.isFinite(dHi)))
    return failedResult("invalid", `aggregate excess demand overflows: D(${lo}) = ${dLo}, D(${hi}) = ${dHi}`);
  const t = dLo / (dLo - dHi);
  let price: number;
  if (t === 1) price = hi;
  else if (t === 0) price = lo;
  else {
    price = lo + t * (hi - lo);
    // Inside a piece the zero stays between its breakpoints.
    if (below !== -Infinity && at !== Infinity) price = Math.min(at, Math.max(below, price));
  }
  // Written over qHi (one large allocation less); qLo stays for the magnitudes of the terms.
  const q = qHi;
  for (let i = 0; i < n; i++) q[i] = qLo[i] + t * (qHi[i] - qLo[i]);
  return checkedResult(price, q, (i) => Math.abs(qLo[i]) + Math.abs(q[i] - qLo[i]));
}

/**
 * Quickselect-style search for the bracket, on D(p) = C + S p + sum delta_e max(0, p - x_e).
 * Reorders breakpoints and slopeChanges in place (together). Pivots come from a fixed
 * xorshift sequence, so the result is deterministic and sorted inputs are not a worst case.
 */
function selectBracket(breakpoints: Float64Array, slopeChanges: Float64Array, constant: CompensatedAdder, leftSlope: number): Bracket {
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
    // Neumaier sum inlined (not CompensatedAdder): this partition loop runs over every breakpoint.
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
  // Once a sum is infinite its compensation is NaN: keep the infinity (as compensatedSum does).
  const dLo = Number.isFinite(sumLo) ? sumLo + compLo : sumLo;
  const dHi = Number.isFinite(sumHi) ? sumHi + compHi : sumHi;
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

/**
 * Distance from a breakpoint x to probe in a tail whose zero is estimated `distance` away:
 * that distance, but at least a few ulps of x (so that x + gap != x); Infinity when the
 * probe would not be a finite price.
 */
function tailGap(x: number, distance: number): number {
  const gap = Math.max(distance, 8 * Number.EPSILON * Math.abs(x), 2 ** -1000);
  return Number.isFinite(gap) && Number.isFinite(Math.abs(x) + gap) ? gap : Infinity;
}

/** Every trader's quantity at p and their compensated sum D(p). */
function evaluateAll(schedules: readonly DemandSchedule[], p: number): { q: Float64Array; d: number } {
  const q = new Float64Array(schedules.length);
  const sum = new CompensatedAdder();
  for (let i = 0; i < schedules.length; i++) {
    q[i] = evaluateSchedule(schedules[i], p);
    sum.add(q[i]);
  }
  return { q, d: sum.value };
}

/**
 * The cleared result, once checked: a finite price, finite quantities and a compensated
 * sum negligible relative to sum |q_i|; otherwise no-price or invalid with the reason.
 * `scale(i)` is the magnitude of the terms that made q_i: a residue within their rounding
 * is spread over the traders in proportion to it (each moves by at most
 * NEGLIGIBLE_RELATIVE * scale(i), i.e. within its own rounding), so that cancellation in
 * a steep piece does not leave its rounding in the balance.
 */
function checkedResult(price: number, quantities: Float64Array, scale: (i: number) => number): ClearingResult {
  if (!Number.isFinite(price)) return failedResult("no-price", `clearing price is ${price}, not a finite number`);
  const n = quantities.length;
  let absolute = 0;
  for (let i = 0; i < n; i++) {
    const q = quantities[i];
    if (!Number.isFinite(q))
      return failedResult("invalid", `trader ${i}: quantity at the clearing price p = ${price} is ${q}, must be finite`);
    absolute += Math.abs(q);
  }
  let residue = compensatedSum(quantities);
  if (residue !== 0) {
    const scales = new Float64Array(n);
    for (let i = 0; i < n; i++) scales[i] = scale(i);
    const total = compensatedSum(scales);
    // A second round takes up what the first one's rounding (or a residue far below the
    // largest quantity) left; more never helps.
    for (let round = 0; round < 2 && residue !== 0 && isNegligible(residue, total); round++) {
      for (let i = 0; i < n; i++) quantities[i] -= residue * (scales[i] / total);
      residue = compensatedSum(quantities);
    }
    absolute = 0;
    for (let i = 0; i < n; i++) absolute += Math.abs(quantities[i]);
  }
  // Gradual underflow rounds absolutely: a few units of the smallest subnormal per trader.
  if (!(Math.abs(residue) <= NEGLIGIBLE_RELATIVE * absolute + 4 * n * Number.MIN_VALUE))
    return failedResult(
      "invalid",
      `quantities at the clearing price p = ${price} do not balance: they sum to ${residue} (sum of |q_i| = ${absolute})`,
    );
  return clearedResult(price, quantities);
}

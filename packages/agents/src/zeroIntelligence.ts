import { type DemandSchedule, linearSchedule } from "@optex/engine";

/** Bounds of a zero-intelligence bidder's random linear schedules q(p) = intercept - slope * p. */
export interface ZeroIntelligenceBounds {
  /** Intercepts are drawn uniformly from [lo, hi]. */
  readonly intercept: readonly [number, number];
  /** Slopes are drawn uniformly from [lo, hi], lo > 0 so every schedule is decreasing. */
  readonly slope: readonly [number, number];
}

/** A baseline bidder that ignores its type: each bid is a random linear schedule within bounds (Gode and Sunder's zero intelligence, for demand schedules). */
export interface ZeroIntelligenceBidder {
  readonly id: "zero-intelligence";
  readonly bounds: ZeroIntelligenceBounds;
  /** One random schedule; `uniform` returns numbers in [0, 1) (e.g. seedrandom.alea(seed)). */
  bid(uniform: () => number): DemandSchedule;
  /** A batch of intercepts and slopes (the engine's general linear entry takes per-trader slopes). */
  bidsInto(uniform: () => number, intercepts: Float64Array, slopes: Float64Array): void;
}

function checkRange(name: string, range: readonly [number, number], positive: boolean): void {
  const [lo, hi] = range;
  if (!(Number.isFinite(lo) && Number.isFinite(hi) && lo <= hi))
    throw new RangeError(`zero-intelligence ${name}: need finite lo <= hi, got [${lo}, ${hi}]`);
  if (positive && !(lo > 0)) throw new RangeError(`zero-intelligence ${name}: lower bound must be > 0 (decreasing schedules), got ${lo}`);
}

/**
 * Zero-intelligence bidder: random linear schedules within bounds, independent of the trader's
 * endowment. A comparison baseline (it neither trades towards efficiency nor shades strategically).
 * Throws RangeError (one line) for non-finite or inverted bounds, or a slope bound <= 0.
 */
export function zeroIntelligenceBidder(bounds: ZeroIntelligenceBounds): ZeroIntelligenceBidder {
  checkRange("intercept", bounds.intercept, false);
  checkRange("slope", bounds.slope, true);
  const [a0, a1] = bounds.intercept;
  const [s0, s1] = bounds.slope;
  return {
    id: "zero-intelligence",
    bounds,
    bid: (uniform) => {
      const intercept = a0 + (a1 - a0) * uniform();
      return linearSchedule(intercept, s0 + (s1 - s0) * uniform());
    },
    bidsInto: (uniform, intercepts, slopes) => {
      for (let k = 0; k < intercepts.length; k++) {
        intercepts[k] = a0 + (a1 - a0) * uniform();
        slopes[k] = s0 + (s1 - s0) * uniform();
      }
    },
  };
}

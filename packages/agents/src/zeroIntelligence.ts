import { type DemandSchedule, linearSchedule, type MarketView, type Strategy } from "@optex/engine";

/** Bounds of a zero-intelligence bidder's random linear schedules q(p) = intercept - slope * p. */
export interface ZeroIntelligenceBounds {
  /** Intercepts are drawn uniformly from [lo, hi]. */
  readonly intercept: readonly [number, number];
  /** Slopes are drawn uniformly from [lo, hi], lo > 0 so every schedule is decreasing. */
  readonly slope: readonly [number, number];
}

/** A zero-intelligence trader's private randomness: two uniform draws in [0, 1) that place its schedule in the bounds. */
export interface ZeroIntelligenceType {
  readonly intercept: number;
  readonly slope: number;
}

/**
 * A baseline bidder that ignores its endowment: each bid is a random linear schedule within bounds
 * (Gode and Sunder's zero intelligence, for demand schedules). As an engine Strategy its type is
 * the randomness it bids with (draw it with `draw`), so a bid is a pure function of the type.
 */
export interface ZeroIntelligenceBidder extends Strategy<ZeroIntelligenceType> {
  readonly id: "zero-intelligence";
  readonly bounds: ZeroIntelligenceBounds;
  /** A type from two uniforms of `uniform` (e.g. seedrandom.alea(seed)). */
  draw(uniform: () => number): ZeroIntelligenceType;
  bid(type: ZeroIntelligenceType, market?: MarketView): readonly DemandSchedule[];
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
    draw: (uniform) => {
      const intercept = uniform();
      return { intercept, slope: uniform() };
    },
    bid: (type) => [linearSchedule(a0 + (a1 - a0) * type.intercept, s0 + (s1 - s0) * type.slope)],
    bidsInto: (uniform, intercepts, slopes) => {
      for (let k = 0; k < intercepts.length; k++) {
        intercepts[k] = a0 + (a1 - a0) * uniform();
        slopes[k] = s0 + (s1 - s0) * uniform();
      }
    },
  };
}

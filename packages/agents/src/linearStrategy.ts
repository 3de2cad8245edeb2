import { type DemandSchedule, type LinearBatch, linearSchedule, type MarketView, type Strategy } from "@optex/engine";

/**
 * A strategy whose bid is linear in the price: q(p) = intercept(e) - slope * p, for a trader of
 * type (endowment) e. It is an engine Strategy (one schedule, one asset) whose batch fast path
 * (linearBatch: a common slope and intercepts for a whole market) Monte Carlo declares and uses.
 */
export interface LinearStrategy extends Strategy<number> {
  readonly id: string;
  intercept(endowment: number): number;
  /** intercept() over a batch (a tight monomorphic loop for Monte Carlo). */
  interceptsInto(endowments: Float64Array, out: Float64Array): void;
  readonly slope: number;
  bid(endowment: number, market?: MarketView): readonly DemandSchedule[];
  readonly linearBatch: LinearBatch;
}

/** The parts that define a linear strategy; linearStrategyOf adds the engine Strategy's bid and fast path. */
export interface LinearBids {
  readonly id: string;
  intercept(endowment: number): number;
  interceptsInto(endowments: Float64Array, out: Float64Array): void;
  readonly slope: number;
}

/** A linear strategy from its intercepts and slope: bid() gives the schedule, linearBatch the same bids in bulk. */
export function linearStrategyOf(parts: LinearBids): LinearStrategy {
  const { id, intercept, interceptsInto, slope } = parts;
  return {
    id,
    intercept,
    interceptsInto,
    slope,
    bid: (e) => [linearSchedule(intercept(e), slope)],
    linearBatch: { slope, interceptsInto },
  };
}

/** Builds a linear strategy from its intercept function, deriving the batch method. */
export function linearStrategy(id: string, intercept: (e: number) => number, slope: number): LinearStrategy {
  return linearStrategyOf({
    id,
    intercept,
    interceptsInto: (endowments, out) => {
      for (let k = 0; k < endowments.length; k++) out[k] = intercept(endowments[k]!);
    },
    slope,
  });
}

/** The demand schedule a linear strategy submits for a given endowment. Throws ScheduleError on a non-finite intercept. */
export function bidOf(strategy: LinearStrategy, endowment: number): DemandSchedule {
  return strategy.bid(endowment)[0]!;
}

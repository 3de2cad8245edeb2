import { type DemandSchedule, linearSchedule } from "@optex/engine";

/**
 * A strategy whose bid is linear in the price: q(p) = intercept(e) - slope * p, for a trader of
 * type (endowment) e. Linear bids feed the engine's batch fast path in Monte Carlo.
 */
export interface LinearStrategy {
  readonly id: string;
  intercept(endowment: number): number;
  /** intercept() over a batch (a tight monomorphic loop for Monte Carlo). */
  interceptsInto(endowments: Float64Array, out: Float64Array): void;
  readonly slope: number;
}

/** Builds a linear strategy from its intercept function, deriving the batch method. */
export function linearStrategy(id: string, intercept: (e: number) => number, slope: number): LinearStrategy {
  return {
    id,
    intercept,
    interceptsInto: (endowments, out) => {
      for (let k = 0; k < endowments.length; k++) out[k] = intercept(endowments[k]!);
    },
    slope,
  };
}

/** The demand schedule a linear strategy submits for a given endowment. Throws ScheduleError on a non-finite intercept. */
export function bidOf(strategy: LinearStrategy, endowment: number): DemandSchedule {
  return linearSchedule(strategy.intercept(endowment), strategy.slope);
}

import { clear, type DemandSchedule, type FeeSchedule, piecewiseLinearSchedule, settle } from "@optex/engine";
import { maximize } from "@optex/numerics";
import { utilityGain } from "@optex/theory";

/** What one trader faces: its own type, the others' submitted schedules and the fee. */
export interface BestResponseProblem {
  readonly endowment: number;
  readonly kappa: number;
  readonly muPi: number;
  /** Schedules of the other traders (the trader's own position in the book is irrelevant to them). */
  readonly others: readonly DemandSchedule[];
  readonly fee: FeeSchedule;
  /** The trader's index, passed to the fee. */
  readonly trader: number;
}

export interface BestResponse {
  /** Quantity bought at the best point of the residual supply. */
  readonly quantity: number;
  readonly price: number | null;
  readonly payoff: number;
}

/**
 * The price at which the others sell q to the trader: sum_j q_j(p) = -q. Closed form when all the
 * others bid linearly, otherwise cleared by the engine against the constant schedule q.
 * Null when no unique price exists (then no trade, no transfer).
 */
export function residualPrice(others: readonly DemandSchedule[], q: number): number | null {
  let intercepts = 0;
  let slopes = 0;
  let linear = true;
  for (const s of others) {
    if (s.kind !== "linear") {
      linear = false;
      break;
    }
    intercepts += s.intercept;
    slopes += s.slope;
  }
  if (linear) return slopes > 0 ? (intercepts + q) / slopes : null;
  const result = clear([...others, piecewiseLinearSchedule([0], [q])]);
  return result.status === "cleared" ? result.price : null;
}

/** The trader's expected payoff (utility gain over autarky) if it ends up buying q along the residual supply. */
export function payoffOfQuantity(problem: BestResponseProblem, q: number): { payoff: number; price: number | null } {
  const price = residualPrice(problem.others, q);
  if (price === null) return { payoff: 0, price: null };
  const transfer = price * q + problem.fee.fee(problem.trader, q, price);
  return { payoff: utilityGain(problem.endowment, q, transfer, problem.kappa, problem.muPi), price };
}

/**
 * The trader's payoff from submitting `schedule`: the whole book is cleared and settled by the
 * engine (no unique price: no trade, payoff 0).
 */
export function payoffOfSchedule(
  problem: BestResponseProblem,
  schedule: DemandSchedule,
): { payoff: number; quantity: number; price: number | null } {
  const book = [...problem.others];
  book.splice(problem.trader, 0, schedule);
  const settlement = settle(clear(book), book.length, problem.fee);
  if (settlement.status !== "cleared") return { payoff: 0, quantity: 0, price: null };
  const i = problem.trader;
  const quantity = settlement.trades[i]!;
  return {
    payoff: utilityGain(problem.endowment, quantity, settlement.transfers[i]!, problem.kappa, problem.muPi),
    quantity,
    price: settlement.price,
  };
}

export interface BestResponseOptions {
  /** Centre of the search (default 0). */
  center?: number;
  /** Half-width of the search in quantity (default 4 (1 + |center| + |endowment|)). */
  radius?: number;
  /** Grid points of the global scan before local refinement (default 801). */
  gridPoints?: number;
}

/**
 * Numerical best response: any point (p(q), q) on the residual supply is reachable by some
 * schedule (e.g. the constant one), so the best response maximises the payoff over q. A grid scan
 * over [center - radius, center + radius] finds every local maximum of the sampled payoff (guarding
 * against kinks and several basins); Brent's method refines the best few to about 1e-8 relative in q.
 * A better deviation narrower than the grid step (2 radius / gridPoints) and not in a refined basin
 * can be missed: the payoff is assumed to have no spikes narrower than that.
 */
export function bestResponse(problem: BestResponseProblem, options: BestResponseOptions = {}): BestResponse {
  const center = options.center ?? 0;
  const radius = options.radius ?? 4 * (1 + Math.abs(center) + Math.abs(problem.endowment));
  const points = options.gridPoints ?? 801;
  const f = (q: number) => payoffOfQuantity(problem, q).payoff;
  const step = (2 * radius) / (points - 1);
  const values = new Float64Array(points);
  for (let k = 0; k < points; k++) values[k] = f(center - radius + k * step);
  // Local maxima of the grid (plateaus count once), best first; refine up to five of them.
  const peaks: number[] = [];
  for (let k = 0; k < points; k++) {
    const left = k > 0 ? values[k - 1]! : -Infinity;
    const right = k < points - 1 ? values[k + 1]! : -Infinity;
    if (values[k]! >= left && values[k]! > right) peaks.push(k);
  }
  peaks.sort((a, b) => values[b]! - values[a]!);
  let quantity = center - radius + (peaks[0] ?? 0) * step;
  let value = values[peaks[0] ?? 0]!;
  for (const k of peaks.slice(0, 5)) {
    const lo = center - radius + Math.max(0, k - 1) * step;
    const hi = center - radius + Math.min(points - 1, k + 1) * step;
    const refined = maximize(f, lo, hi, 1e-14 * (1 + Math.abs(center)));
    if (refined.value > value) {
      value = refined.value;
      quantity = refined.x;
    }
  }
  const { payoff, price } = payoffOfQuantity(problem, quantity);
  return { quantity, price, payoff };
}

export interface Regret {
  /** Best-response payoff minus the prescribed bid's payoff (>= 0 up to rounding). */
  readonly regret: number;
  readonly prescribedPayoff: number;
  readonly prescribedQuantity: number;
  readonly best: BestResponse;
}

/**
 * Regret of submitting `prescribed` against the others' schedules: the best response (searched
 * around the prescribed trade) minus what the prescribed schedule earns when the engine clears it.
 */
export function regretOf(problem: BestResponseProblem, prescribed: DemandSchedule, options: BestResponseOptions = {}): Regret {
  const own = payoffOfSchedule(problem, prescribed);
  const best = bestResponse(problem, { center: own.quantity, ...options });
  const top = best.payoff >= own.payoff ? best : { quantity: own.quantity, price: own.price, payoff: own.payoff };
  return { regret: top.payoff - own.payoff, prescribedPayoff: own.payoff, prescribedQuantity: own.quantity, best: top };
}

/**
 * The best-response schedule: for residual supplies shifted by each of `shifts` (added to the
 * others' aggregate demand), the best (price, quantity) point; together they trace the schedule
 * the trader would submit. Returned sorted by price as a piecewise-linear schedule.
 * Throws ScheduleError if the traced points are not non-increasing (no schedule implements them).
 */
export function bestResponseSchedule(
  problem: BestResponseProblem,
  shifts: readonly number[],
  options: BestResponseOptions = {},
): DemandSchedule {
  const points: [number, number][] = [];
  for (const shift of shifts) {
    const shifted = { ...problem, others: [...problem.others, piecewiseLinearSchedule([0], [shift])] };
    const br = bestResponse(shifted, options);
    if (br.price !== null) points.push([br.price, br.quantity]);
  }
  points.sort((a, b) => a[0] - b[0]);
  return piecewiseLinearSchedule(
    points.map((p) => p[0]),
    points.map((p) => p[1]),
  );
}

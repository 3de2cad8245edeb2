// @optex/engine: demand schedules, uniform-price clearing and the market loop. It knows no fee
// formula and no strategy: fees and strategies plug in through the interfaces below.

// --- Demand schedules: non-increasing maps from price to quantity ---
export type { DemandSchedule } from "./demandSchedule.ts";
/** Build (linear, piecewise linear, any monotone function) and evaluate schedules; ScheduleError for a malformed one. */
export { evaluateSchedule, fnSchedule, linearSchedule, piecewiseLinearSchedule, ScheduleError } from "./demandSchedule.ts";

// --- Clearing: the unique uniform price, or no trade and no transfer (Definition 4.1) ---
export type { ClearOptions } from "./clear.ts";
/** Uniform-price clearing of any schedules (closed form, exact piecewise selection, or bracketing and Brent). */
export { clear } from "./clear.ts";
export type { ClearingResult } from "./clearingResult.ts";
/** Bounds and resolution of the search for `fn` schedules. */
export { MONOTONE_PRICE_BOUND, MONOTONE_RESOLUTION } from "./clearMonotone.ts";
/** Whether an aggregate is zero up to rounding of its terms. */
export { isNegligible, NEGLIGIBLE_RELATIVE } from "./isNegligible.ts";
/** The batch fast path: books of linear schedules in typed arrays, cleared in closed form. */
export { clearLinearBook, createLinearBook, linearBookFailure } from "./linearBook.ts";
export type { LinearBook, LinearBookFailure } from "./linearBook.ts";

// --- Fees: what a trader pays on top of p q ---
export type { FeeSchedule } from "./feeSchedule.ts";
/** The plain double auction's fee (none). */
export { noFee } from "./feeSchedule.ts";

// --- The market loop: strategies bid, each asset clears, the fee is charged, once ---
export type {
  CrossExchangeFee,
  LinearBatch,
  MarketFee,
  MarketOptions,
  MarketSettlement,
  MarketView,
  RepeatedMarket,
  Strategy,
} from "./market.ts";
/**
 * runMarket (one market, any number of assets), runRounds (repeated markets with carried state),
 * settleMarket (the one settlement), the fee shapes (per asset, cross-exchange) and the exchange
 * property's tolerance.
 */
export { BALANCE_RELATIVE, crossExchangeFee, noCrossExchangeFee, perAssetFee, runMarket, runRounds, settleMarket } from "./market.ts";
/** One asset's settlement with utility gains from a caller's valuation (settleMarket's single-asset case). */
export { settle } from "./settle.ts";
export type { Settlement, Valuation } from "./settle.ts";

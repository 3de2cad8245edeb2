export { clear } from "./clear.ts";
export type { ClearOptions } from "./clear.ts";
export type { ClearingResult } from "./clearingResult.ts";
export { MONOTONE_PRICE_BOUND, MONOTONE_RESOLUTION } from "./clearMonotone.ts";
export {
  evaluateSchedule,
  fnSchedule,
  linearSchedule,
  piecewiseLinearSchedule,
  ScheduleError,
} from "./demandSchedule.ts";
export type { DemandSchedule } from "./demandSchedule.ts";
export { noFee } from "./feeSchedule.ts";
export type { FeeSchedule } from "./feeSchedule.ts";
export { isNegligible, NEGLIGIBLE_RELATIVE } from "./isNegligible.ts";
export { clearLinearBook, createLinearBook, linearBookFailure } from "./linearBook.ts";
export type { LinearBook, LinearBookFailure } from "./linearBook.ts";
export { settle } from "./settle.ts";
export type { Settlement, Valuation } from "./settle.ts";
export {
  BALANCE_RELATIVE,
  crossExchangeFee,
  noCrossExchangeFee,
  perAssetFee,
  runMarket,
  runRounds,
  settleMarket,
} from "./market.ts";
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

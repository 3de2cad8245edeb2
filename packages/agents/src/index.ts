export { bidOf, type LinearBids, type LinearStrategy, linearStrategy, linearStrategyOf } from "./linearStrategy.ts";
export {
  type ZeroIntelligenceBidder,
  type ZeroIntelligenceBounds,
  type ZeroIntelligenceType,
  zeroIntelligenceBidder,
} from "./zeroIntelligence.ts";
export { truthfulBidder } from "./truthfulBidder.ts";
export { sleBidder } from "./sleBidder.ts";
export { priceTaker } from "./priceTaker.ts";
export {
  bestResponse,
  bestResponseSchedule,
  payoffOfQuantity,
  payoffOfSchedule,
  regretOf,
  residualPrice,
  type BestResponse,
  type BestResponseOptions,
  type BestResponseProblem,
  type Regret,
} from "./bestResponder.ts";
export {
  type MultiAssetBestResponse,
  multiAssetBestResponse,
  type MultiAssetBestResponseOptions,
  type MultiAssetBestResponseProblem,
  multiAssetPayoffOfQuantities,
  multiAssetPayoffOfSchedules,
  type MultiAssetRegret,
  multiAssetRegretOf,
  multiAssetResidualPrices,
  multiAssetUtilityGain,
} from "./multiAssetBestResponder.ts";
export {
  type AdverseSelectionProblem,
  adverseSelectionBestResponse,
  adverseSelectionPayoffOfQuantity,
  adverseSelectionPayoffOfSchedule,
  adverseSelectionRegret,
  asPrivateValues,
  othersSignalFromIntercept,
  posteriorPayoffMean,
} from "./adverseSelectionBestResponder.ts";
export { type AdverseSelectionSleBidder, adverseSelectionSleBidder } from "./adverseSelectionSleBidder.ts";
export {
  type AdverseSelectionLinearBatch,
  type AdverseSelectionStrategy,
  type AdverseSelectionType,
  type EffectiveTypeBidder,
  effectiveTypeBidder,
} from "./effectiveTypeBidder.ts";
export { type RadialBidder, radialBidder } from "./radialBidder.ts";
export {
  heterogeneousSleBidder,
  type HeterogeneousSleBidder,
  type PerTraderLinearBatch,
  type PerTraderLinearStrategy,
  perTraderLinearStrategy,
} from "./heterogeneousSleBidder.ts";

// @optex/agents: strategies (engine Strategy implementations) and the best responders that check them.

// --- Strategies: from a trader's private information to its schedules ---
/** Linear bids q(p) = intercept(e) - slope p, with their declared batch fast path. */
export { bidOf, type LinearBids, type LinearStrategy, linearStrategy, linearStrategyOf } from "./linearStrategy.ts";
/** Zero intelligence: random linear schedules within bounds (a baseline). */
export {
  type ZeroIntelligenceBidder,
  type ZeroIntelligenceBounds,
  type ZeroIntelligenceType,
  zeroIntelligenceBidder,
} from "./zeroIntelligence.ts";
/** Basic model: truthful virtual-type bids (Proposition 3), the plain auction's SLE bids (Section 4), the price taker. */
export { truthfulBidder } from "./truthfulBidder.ts";
export { sleBidder } from "./sleBidder.ts";
export { priceTaker } from "./priceTaker.ts";
// --- Best responders: the numerical check that a prescribed bid leaves no regret ---
/** One asset: the best point of the residual supply, and the regret of a schedule. */
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
/** Several assets: joint deviations across separate auctions (Nelder-Mead from several starts). */
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
/** Adverse selection: best responses that condition on what the price reveals. */
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
// --- Strategies of the other environments ---
/** Adverse selection: Theorem 2's SLE bids and truthful effective-type bids (Proposition 5). */
export { type AdverseSelectionSleBidder, adverseSelectionSleBidder } from "./adverseSelectionSleBidder.ts";
export {
  type AdverseSelectionLinearBatch,
  type AdverseSelectionStrategy,
  type AdverseSelectionType,
  type EffectiveTypeBidder,
  effectiveTypeBidder,
} from "./effectiveTypeBidder.ts";
/** Several assets: truthful radial bids, one schedule per asset (Propositions 7 and 8). */
export { type RadialBidder, radialBidder } from "./radialBidder.ts";
/** Heterogeneous traders: each trader's own linear bids, and the plain auction's heterogeneous equilibrium. */
export {
  heterogeneousSleBidder,
  type HeterogeneousSleBidder,
  type PerTraderLinearBatch,
  type PerTraderLinearStrategy,
  perTraderLinearStrategy,
} from "./heterogeneousSleBidder.ts";

// --- Equilibria under any fee (beyond the paper) ---
/** Symmetric Bayes-Nash equilibria in demand schedules by iterated best response against sampled residual supplies. */
export {
  bestResponseTable,
  drawOpponents,
  type EquilibriumEnvironment,
  type EquilibriumOptions,
  type EquilibriumSolution,
  type EquilibriumStart,
  type IterationStep,
  priceGrid,
  type ResidualSamples,
  residualSamples,
  solveEquilibrium,
  startTable,
  typeGrid,
} from "./equilibrium/solver.ts";
/** Strategies as tables of types x prices, interpolated; as engine Strategies. */
export { rowInto, rowSchedule, type ScheduleTable, tableDistance, tableStrategy } from "./equilibrium/scheduleTable.ts";
/** How far a strategy is from an equilibrium (epsilonFound, epsilonBound) and its simulated outcomes. */
export {
  type Certificate,
  type CertificateOptions,
  certify,
  type EquilibriumOutcomes,
  type Estimate,
  expostOptimum,
  simulateOutcomes,
  type TypeCertificate,
} from "./equilibrium/certificate.ts";

export { TheoryError } from "./theoryError.ts";
export type { Distribution } from "./distribution.ts";
export { uniform } from "./uniform.ts";
export { normal } from "./normal.ts";
export { exponential } from "./exponential.ts";
export { customDistribution, type CustomDistributionSpec } from "./customDistribution.ts";
export { parseDistribution } from "./parseDistribution.ts";
export { checkCondition1, type Condition1Check } from "./condition1.ts";
export { solveVirtualType, solveVirtualTypeWithWeight, type VirtualType } from "./virtualType.ts";
export { basicEnvironment, type BasicEnvironment } from "./basicEnvironment.ts";
export type { MechanismOutcome, PerTraderExpectations } from "./mechanismOutcome.ts";
export { optimalMechanismOutcome } from "./optimalMechanism.ts";
export { doubleAuctionOutcome, symmetricLinearEquilibrium, type SymmetricLinearEquilibrium } from "./doubleAuction.ts";
export { expectedAbsoluteCombination, truncatedSupport, type AtomicLaw } from "./tradeVolume.ts";
export { symmetricBindingRegion } from "./symmetricBindingRegion.ts";
export { type BranchTable, exactInverseIntegral, type InverseIntegral, inverseVirtualTypeIntegral } from "./inverseVirtualTypeIntegral.ts";
export { utilityGain } from "./utility.ts";
export { type FrontierPoint, parseAlphaGrid, revenueEfficiencyFrontier } from "./frontier.ts";
export {
  heterogeneousDoubleAuction,
  type HeterogeneousDoubleAuction,
  type HeterogeneousMechanism,
  heterogeneousOutcome,
  type HeterogeneousTraderOutcome,
  type HeterogeneousTraderSpec,
  solveHeterogeneous,
} from "./heterogeneous.ts";
export {
  type AdverseSelectionEnvironment,
  type AdverseSelectionSle,
  adverseSelectionSle,
  checkAdverseSelection,
  sleExistenceThreshold,
  sleInterimRules,
} from "./adverseSelectionSle.ts";
export {
  type OptimalAdverseSelection,
  optimalAdverseSelection,
  priceInformativeness,
  robustAllocationHoldingCost,
} from "./optimalAdverseSelection.ts";
export { chiLaw, type MultiAssetEnvironment, type RadialOutcome, radialMechanism, radialOutcome } from "./multiAsset.ts";
export { decorrelate } from "./decorrelate.ts";
export { effectiveTypeMechanism } from "./effectiveTypeMechanism.ts";
export {
  checkDynamicEnvironment,
  type DiscreteDynamicDesign,
  type DiscreteDynamicDesignSpec,
  discreteDynamicDesign,
  type DynamicBudget,
  type DynamicDoubleAuction,
  dynamicDoubleAuction,
  type DynamicEnvironment,
  dynamicInterimGain,
} from "./dynamics.ts";
export {
  type GaussianRobustMechanism,
  gaussianRobustMechanism,
  type RobustMechanism,
  robustMechanism,
  type RobustMechanismSpec,
} from "./robustMechanism.ts";

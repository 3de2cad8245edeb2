// @optex/theory: the paper's theory, grouped by environment. Imports nothing of ours but numerics.

/** The theory does not apply to these inputs (one line naming the input and why). */
export { TheoryError } from "./theoryError.ts";

// --- Laws of endowments ---
export type { Distribution } from "./laws/distribution.ts";
export { uniform } from "./laws/uniform.ts";
export { normal } from "./laws/normal.ts";
export { exponential } from "./laws/exponential.ts";
/** Laws beyond the log-concave three: Laplace, Student t, lognormal, mixtures, a kernel density of observations. */
export { kernelDensity, laplace, lognormal, MIN_OBSERVATIONS, mixture, silvermanBandwidth, studentT } from "./laws/moreLaws.ts";
export { customDistribution, type CustomDistributionSpec } from "./laws/customDistribution.ts";
export { parseDistribution } from "./laws/parseDistribution.ts";

// --- Basic model (Sections 3-4): Theorem 1, the first best, the plain auction's SLE ---
/** Condition 1 (regularity) and the virtual type with its binding region (Theorem 1). */
export { checkCondition1, type Condition1Check } from "./basic/condition1.ts";
export { solveVirtualType, solveVirtualTypeWithWeight, type VirtualType } from "./basic/virtualType.ts";
export { basicEnvironment, type BasicEnvironment } from "./basic/basicEnvironment.ts";
export type { MechanismOutcome, PerTraderExpectations } from "./basic/mechanismOutcome.ts";
export { optimalMechanismOutcome } from "./basic/optimalMechanism.ts";
export { doubleAuctionOutcome, symmetricLinearEquilibrium, type SymmetricLinearEquilibrium } from "./basic/doubleAuction.ts";
/** Trade volume E|X_i| of linear allocations (numerical characteristic functions). */
export { expectedAbsoluteCombination, truncatedSupport, type AtomicLaw } from "./basic/tradeVolume.ts";
export { symmetricBindingRegion } from "./basic/symmetricBindingRegion.ts";
/** The integral of v^{-1}, building block of the Proposition 3 fee. */
export {
  type BranchTable,
  exactInverseIntegral,
  type InverseIntegral,
  inverseVirtualTypeIntegral,
} from "./basic/inverseVirtualTypeIntegral.ts";
export { utilityGain } from "./basic/utility.ts";
/** Theorem 1 without Condition 1: the virtual type ironed, and its per-trader outcomes. */
export { type FlatPiece, type IronedOutcome, type IronedVirtualType, ironedOutcome, ironVirtualType } from "./basic/ironing.ts";
/** The revenue-efficiency frontier (Figure 3). */
export { type FrontierPoint, parseAlphaGrid, revenueEfficiencyFrontier } from "./basic/frontier.ts";

// --- Heterogeneous traders (Section 7): Theorem 5 and the plain auction's equilibrium ---
export {
  heterogeneousDoubleAuction,
  type HeterogeneousDoubleAuction,
  type HeterogeneousMechanism,
  heterogeneousOutcome,
  type HeterogeneousTraderOutcome,
  type HeterogeneousTraderSpec,
  solveHeterogeneous,
} from "./heterogeneous/heterogeneous.ts";

// --- Adverse selection (Section 5): Lemma 4 / Theorem 2, Theorems 3 and 4, Corollary 3.2 ---
export {
  type AdverseSelectionEnvironment,
  type AdverseSelectionSle,
  adverseSelectionSle,
  checkAdverseSelection,
  sleExistenceThreshold,
  sleInterimRules,
} from "./adverse-selection/adverseSelectionSle.ts";
export {
  type OptimalAdverseSelection,
  optimalAdverseSelection,
  priceInformativeness,
  robustAllocationHoldingCost,
} from "./adverse-selection/optimalAdverseSelection.ts";

// --- Several assets (Section 6): Propositions 6 and 7 ---
export { chiLaw, type MultiAssetEnvironment, type RadialOutcome, radialMechanism, radialOutcome } from "./several-assets/multiAsset.ts";
export { decorrelate } from "./several-assets/decorrelate.ts";
export { type EffectiveTypeLaw, effectiveTypeMechanism } from "./adverse-selection/effectiveTypeMechanism.ts";

// --- Dynamics (Section 8): Propositions 11 and 12 ---
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
} from "./dynamics/dynamics.ts";
/** Theorem 4's robust mechanism (transfer rule (7)). */
export {
  type GaussianRobustMechanism,
  gaussianRobustMechanism,
  type RobustMechanism,
  robustMechanism,
  type RobustMechanismSpec,
} from "./adverse-selection/robustMechanism.ts";

// --- A numerical check of optimality: the designer's problem discretised and solved by HiGHS ---
export {
  type BasicDesignOptions,
  type BasicDesignSolution,
  type DesignCell,
  type DesignFormulation,
  solveBasicDesign,
} from "./design/basicDesign.ts";
export { type RadialDesignOptions, type RadialDesignSolution, solveRadialDesign } from "./design/radialDesign.ts";

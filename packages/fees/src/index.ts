// @optex/fees: the paper's transaction fees as engine FeeSchedules, and the registry that builds
// every module (and every negative control) from its model's environment.

// --- The registry: the one place fees are assembled ---
/** buildFee(id, environment), the registered modules and their metadata (paper result, strategy, control). */
export { buildFee, type BuiltFee, type FeeEnvironment, type FeeModel, type FeeModuleInfo, feeModule, feeModules } from "./registry.ts";

// --- The modules ---
/** Proposition 3 (basic model) and the quadratic-minus-B family it shares with Proposition 10. */
export { prop3Fee, type Prop3Fee, type QuadraticInverseFee, quadraticInverseFee } from "./prop3Fee.ts";
/** Proposition 5 (adverse selection): Proposition 3's fee on effective types plus the inference term psi(S) q. */
export { type AdverseSelectionFeeEnvironment, pooledSumPosterior, prop5Fee, type Prop5Fee, type Prop5Schedule } from "./prop5Fee.ts";
/** Proposition 5's fee for any laws of endowments and signals (Theorem 3 by convolution; psi by FFT). */
export {
  type AdverseSelectionLawsFeeEnvironment,
  type EffectiveTypeMechanism,
  prop5LawsFee,
  type Prop5LawsFee,
  type Prop5LawsGrid,
} from "./prop5LawsFee.ts";
/** Proposition 8 (several assets): the cross-exchange fee on the vector of a trader's trades. */
export { prop8Fee, type Prop8Environment, type Prop8Fee } from "./prop8Fee.ts";
/** Proposition 10 (heterogeneous traders): trader-specific fees. */
export { prop10Fee, type Prop10Fee } from "./prop10Fee.ts";
/** Fees an exchange can charge (quadratic, per unit, buy/sell, two-part) and the spec parser of `optex equilibrium --fee`. */
export {
  buySellFee,
  FEE_SPECS,
  type FeeSpecEnvironment,
  feeFromSpec,
  perUnitFee,
  quadraticFee,
  twoPartFee,
} from "./chargeableFees.ts";

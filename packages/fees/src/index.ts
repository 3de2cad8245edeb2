export { prop3Fee, type Prop3Fee, type QuadraticInverseFee, quadraticInverseFee } from "./prop3Fee.ts";
export { prop10Fee, type Prop10Fee } from "./prop10Fee.ts";
export { buildFee, type BuiltFee, type FeeEnvironment, type FeeModel, type FeeModuleInfo, feeModule, feeModules } from "./registry.ts";
export { prop8Fee, type Prop8Environment, type Prop8Fee } from "./prop8Fee.ts";
export { type AdverseSelectionFeeEnvironment, pooledSumPosterior, prop5Fee, type Prop5Fee } from "./prop5Fee.ts";

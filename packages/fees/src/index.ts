export { prop3Fee, type Prop3Fee } from "./prop3Fee.ts";
export { createFee, feeIds, type FeeId } from "./registry.ts";

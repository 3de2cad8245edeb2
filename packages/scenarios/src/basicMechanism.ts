import { type LinearStrategy, sleBidder, truthfulBidder } from "@optex/agents";
import { type FeeSchedule, noFee } from "@optex/engine";
import { prop3Fee } from "@optex/fees";
import { InputError } from "./inputError.ts";
import {
  type BasicEnvironment,
  doubleAuctionOutcome,
  type MechanismOutcome,
  optimalMechanismOutcome,
  solveVirtualType,
  symmetricLinearEquilibrium,
  type VirtualType,
} from "@optex/theory";

export const mechanismIds = ["optimal", "first-best", "double-auction"] as const;
export type MechanismId = (typeof mechanismIds)[number];

/** A mechanism ready to simulate: who bids what, the fee charged, and what theory predicts. */
export interface BasicMechanism {
  readonly id: MechanismId;
  readonly strategy: LinearStrategy;
  readonly fee: FeeSchedule;
  readonly theory: MechanismOutcome;
}

/**
 * The three mechanisms of the basic model as double auctions (Section 4.4):
 * "optimal" - truthful virtual-type bids with the Proposition 3 fee at weight alpha;
 * "first-best" - the same at alpha = 0; "double-auction" - SLE bids, no fee.
 * Throws InputError (one line) when the mechanism does not exist here (no SLE with N = 2) or theory fails.
 */
export function basicMechanism(id: MechanismId, env: BasicEnvironment, alpha: number): BasicMechanism {
  if (id === "double-auction") return { id, ...simulatedMechanism(id, env, alpha), theory: doubleAuctionOutcome(env)! };
  const vt = solveVirtualType(env.dist, id === "first-best" ? 0 : alpha);
  return { id, ...truthfulWithFee(env, vt), theory: optimalMechanismOutcome(env, vt) };
}

/**
 * What a Monte Carlo of the mechanism needs (bids and fee) without its theory (interim rules,
 * trade volume): what a worker running part of a task's markets builds. Same errors as basicMechanism.
 */
export function simulatedMechanism(id: MechanismId, env: BasicEnvironment, alpha: number): { strategy: LinearStrategy; fee: FeeSchedule } {
  if (id === "double-auction") {
    const sle = symmetricLinearEquilibrium(env.traders, env.kappa);
    if (!sle.exists) throw new InputError(sle.reason);
    return { strategy: sleBidder(env.traders, env.kappa, env.muPi), fee: noFee };
  }
  return truthfulWithFee(env, solveVirtualType(env.dist, id === "first-best" ? 0 : alpha));
}

function truthfulWithFee(env: BasicEnvironment, vt: VirtualType): { strategy: LinearStrategy; fee: FeeSchedule } {
  return { strategy: truthfulBidder(vt, env.kappa, env.muPi), fee: prop3Fee(env, vt) };
}

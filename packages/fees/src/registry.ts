import { type FeeSchedule, noFee } from "@optex/engine";
import type { BasicEnvironment, VirtualType } from "@optex/theory";
import { prop3Fee } from "./prop3Fee.ts";

/** Fee modules by id, so scenarios and the CLI can name them. */
export const feeIds = ["none", "prop3"] as const;
export type FeeId = (typeof feeIds)[number];

/**
 * Builds a registered fee for a basic environment; "prop3" needs the optimal mechanism's virtual type.
 * Throws Error with a one-line message for an unknown id.
 */
export function createFee(id: string, env: BasicEnvironment, vt?: VirtualType): FeeSchedule {
  switch (id) {
    case "none":
      return noFee;
    case "prop3":
      if (!vt) throw new Error("fee prop3 needs the virtual type of the optimal mechanism");
      return prop3Fee(env, vt);
    default:
      throw new Error(`unknown fee "${id}"; expected one of ${feeIds.join(", ")}`);
  }
}

import { type FeeSchedule, noFee } from "@optex/engine";
import type { BasicEnvironment, VirtualType } from "@optex/theory";
import { prop3Fee } from "./prop3Fee.ts";

/** The environments of the paper a fee module is built for. */
export type FeeModel = "basic" | "heterogeneous" | "adverse-selection" | "multi-asset";

/** A registered fee module: what it implements, for which environment, with which strategy. */
export interface FeeModuleInfo {
  readonly id: string;
  readonly model: FeeModel;
  /** The paper's result it implements. */
  readonly paper: string;
  /** Parameters it is built from (besides the environment's). */
  readonly parameters: readonly string[];
  /** The strategy under which the law suite checks it. */
  readonly strategy: string;
  readonly summary: string;
  /** Null for a real module; for a negative control, why the law suite must reject it. */
  readonly control: string | null;
}

/**
 * Every fee module, by id: the implementing fees of Propositions 3, 5, 8 and 10, the plain double
 * auction, and negative controls (printed-formula variants and fee-less truthful bidding) that the
 * incentive-compatibility law suite must reject. Scenarios, `optex ic` and the tests name them.
 */
export const feeModules: readonly FeeModuleInfo[] = Object.freeze([
  { id: "none", model: "basic", paper: "Section 4 (plain double auction)", parameters: [], strategy: "sle", summary: "no fee; traders play the symmetric linear equilibrium", control: null },
  { id: "prop3", model: "basic", paper: "Proposition 3", parameters: ["alpha"], strategy: "truthful-virtual-type", summary: "(c/2) q^2 - B(-q - kappa (p - mu_pi)) + d, c = -1/((N-1) kappa)", control: null },
  { id: "prop10", model: "heterogeneous", paper: "Proposition 10", parameters: ["alpha"], strategy: "truthful-virtual-type", summary: "trader-specific (c_i/2) q^2 - B_i(l_i) + d_i, c_i = -1/sum_{j != i} kappa_j", control: null },
  { id: "prop5", model: "adverse-selection", paper: "Proposition 5", parameters: ["alpha"], strategy: "truthful-effective-type", summary: "(c/2) q^2 - B(l) + psi(S) q + d on effective types t = e/kappa - zeta, S = q - (N-1) kappa p revealed by the price", control: null },
  { id: "prop8", model: "multi-asset", paper: "Proposition 8", parameters: ["alpha"], strategy: "truthful-radial-virtual-type", summary: "cross-exchange (c/2)|q|^2 - B(|y|) + d, y = -q - (kappa/sigma_pi^2)(p - mu_pi) - mu_e, c = -sigma_pi^2/(kappa (N-1))", control: null },
  { id: "none-truthful", model: "basic", paper: "Section 4", parameters: ["alpha"], strategy: "truthful-virtual-type", summary: "no fee, virtual types bid truthfully", control: "truthful bids ignore price impact without the fee" },
  { id: "prop3-printed", model: "basic", paper: "Proposition 3 as printed", parameters: ["alpha"], strategy: "truthful-virtual-type", summary: "printed a = -N/(N-1) and argument -q - p/N", control: "the printed coefficient and argument (MODEL.md section 5)" },
  { id: "prop10-none", model: "heterogeneous", paper: "Section 7", parameters: ["alpha"], strategy: "truthful-virtual-type", summary: "no fee, heterogeneous traders bid their virtual types", control: "truthful bids ignore price impact without the fee" },
  { id: "prop5-no-psi", model: "adverse-selection", paper: "Proposition 5 without psi(S) q", parameters: ["alpha"], strategy: "truthful-effective-type", summary: "Proposition 3's fee on effective types, no inference term", control: "without psi(S) q the price's news about the others' signals is not offset" },
  { id: "prop5-none", model: "adverse-selection", paper: "Section 5", parameters: ["alpha"], strategy: "truthful-effective-type", summary: "no fee, effective types bid truthfully", control: "truthful bids ignore price impact and inference without the fee" },
  { id: "prop8-printed", model: "multi-asset", paper: "Proposition 8 as printed", parameters: ["alpha"], strategy: "truthful-radial-virtual-type", summary: "printed argument q + p/N", control: "the printed argument q + p/N (MODEL.md section 7)" },
  { id: "prop8-none", model: "multi-asset", paper: "Section 6", parameters: ["alpha"], strategy: "truthful-radial-virtual-type", summary: "separate auctions without the cross-exchange fee", control: "truthful bids ignore price impact without the fee" },
] satisfies FeeModuleInfo[]);

/** Registered fee ids of the basic model's simulations (scenarios' `fee` mechanisms). */
export const feeIds = ["none", "prop3"] as const;
export type FeeId = (typeof feeIds)[number];

/** The module registered under `id`. Throws Error (one line, listing the ids) for an unknown id. */
export function feeModule(id: string): FeeModuleInfo {
  const m = feeModules.find((x) => x.id === id);
  if (!m) throw new Error(`unknown fee "${id}"; expected one of ${feeModules.map((x) => x.id).join(", ")}`);
  return m;
}

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

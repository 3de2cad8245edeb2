import { type DemandSchedule, linearSchedule } from "@optex/engine";

/**
 * Adverse selection (Theorem 3, Proposition 5): the truthful bid on the effective type
 * t = e/kappa - zeta (Lemma 1), q(p) = -v(t) - kappa p (mu_pi = 0 in Section 5), where v is the
 * virtual type of the mechanism the fee implements (e.g. optimalAdverseSelection(...).v).
 */
export function effectiveTypeBidder(mechanism: { v(t: number): number }, kappa: number): { readonly id: "truthful-effective-type"; bid(endowment: number, signal: number): DemandSchedule } {
  return { id: "truthful-effective-type", bid: (e, zeta) => linearSchedule(-mechanism.v(e / kappa - zeta), kappa) };
}

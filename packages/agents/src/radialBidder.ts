import { type DemandSchedule, linearSchedule } from "@optex/engine";

/**
 * Several assets under Condition 3 (Propositions 7 and 8): one schedule per asset,
 * q_a(p_a) = -(mu_e_a + v(r) x_a / r) - (kappa / sigma_pi^2)(p_a - mu_pi_a), x = e - mu_e, r = |x|,
 * where v is Proposition 7's radial virtual type (0 on the ball where participation binds).
 * Throws RangeError when the endowment's length is not the number of assets.
 */
export function radialBidder(
  mechanism: { v(r: number): number },
  p: { readonly kappa: number; readonly sigmaPi: number; readonly muE: readonly number[]; readonly muPi: readonly number[] },
): { readonly id: "truthful-radial-virtual-type"; readonly slope: number; bids(endowment: readonly number[]): DemandSchedule[] } {
  const slope = p.kappa / (p.sigmaPi * p.sigmaPi);
  const k = p.muE.length;
  return {
    id: "truthful-radial-virtual-type",
    slope,
    bids: (e) => {
      if (e.length !== k) throw new RangeError(`endowment must have ${k} entries (one per asset), got ${e.length}`);
      const x = e.map((ea, a) => ea - p.muE[a]!);
      const r = Math.hypot(...x);
      const shrink = r > 0 ? mechanism.v(r) / r : 0;
      return x.map((xa, a) => linearSchedule(slope * p.muPi[a]! - p.muE[a]! - shrink * xa, slope));
    },
  };
}

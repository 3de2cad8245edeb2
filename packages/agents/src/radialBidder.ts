import { type DemandSchedule, linearSchedule, type MarketView, type Strategy } from "@optex/engine";

/**
 * The truthful radial bidder as an engine strategy for k assets (type: the endowment vector), with
 * a declared batch fast path: every schedule is linear with the common slope kappa / sigma_pi^2, so
 * Monte Carlo loops fill one LinearBook per asset from interceptsInto instead of building schedules.
 */
export interface RadialBidder extends Strategy<readonly number[]> {
  readonly id: "truthful-radial-virtual-type";
  readonly assets: number;
  /** kappa / sigma_pi^2: the slope of every schedule. */
  readonly slope: number;
  /**
   * The intercepts of `endowments.length / assets` traders' bids, row-major (trader i's asset a at
   * i * assets + a) in both arrays: the same numbers as bid() gives. Throws RangeError when the
   * arrays' lengths are not a common multiple of the number of assets.
   */
  interceptsInto(endowments: Float64Array, out: Float64Array): void;
}

/**
 * Several assets under Condition 3 (Propositions 7 and 8): one schedule per asset,
 * q_a(p_a) = -(mu_e_a + v(r) x_a / r) - (kappa / sigma_pi^2)(p_a - mu_pi_a), x = e - mu_e, r = |x|,
 * where v is Proposition 7's radial virtual type (0 on the ball where participation binds).
 * bid() throws RangeError when the endowment's length, or the market's number of assets, is not
 * the number of assets (the engine turns that into an invalid market).
 */
export function radialBidder(
  mechanism: { v(r: number): number },
  p: { readonly kappa: number; readonly sigmaPi: number; readonly muE: readonly number[]; readonly muPi: readonly number[] },
): RadialBidder {
  const slope = p.kappa / (p.sigmaPi * p.sigmaPi);
  const k = p.muE.length;
  if (p.muPi.length !== k) throw new RangeError(`muE and muPi must both have one entry per asset, got ${k} and ${p.muPi.length}`);
  const muE = Float64Array.from(p.muE);
  // slope mu_pi_a - mu_e_a: the intercept of a trader at the centre of the ball.
  const base = Float64Array.from(p.muE, (m, a) => slope * p.muPi[a]! - m);
  const v = mechanism.v;
  // The one formula of both paths (bid and interceptsInto), so that they agree to the bit.
  const intercepts = (e: ArrayLike<number>, from: number, out: Float64Array | number[], to: number) => {
    let rr = 0;
    for (let a = 0; a < k; a++) {
      const x = e[from + a]! - muE[a]!;
      rr += x * x;
    }
    const r = Math.sqrt(rr);
    const shrink = r > 0 ? v(r) / r : 0; // v = 0 on the ball, so the direction at r = 0 is moot
    for (let a = 0; a < k; a++) out[to + a] = base[a]! - shrink * (e[from + a]! - muE[a]!);
  };
  const scratch = new Array<number>(k);
  return {
    id: "truthful-radial-virtual-type",
    assets: k,
    slope,
    bid: (e: readonly number[], market: MarketView): readonly DemandSchedule[] => {
      if (e.length !== k) throw new RangeError(`endowment must have ${k} entries (one per asset), got ${e.length}`);
      if (market.assets !== k) throw new RangeError(`the radial bidder bids in ${k} assets, the market has ${market.assets}`);
      intercepts(e, 0, scratch, 0);
      return scratch.map((intercept) => linearSchedule(intercept, slope));
    },
    interceptsInto: (endowments, out) => {
      if (endowments.length % k !== 0 || out.length !== endowments.length)
        throw new RangeError(
          `interceptsInto: need endowments and out of one common length, a multiple of ${k} assets, got ${endowments.length} and ${out.length}`,
        );
      for (let from = 0; from < endowments.length; from += k) intercepts(endowments, from, out, from);
    },
  };
}

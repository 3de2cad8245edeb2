import { linearSchedule } from "@optex/engine";
import { prop5Fee, prop8Fee } from "@optex/fees";
import seedrandom from "seedrandom";
import { describe, expect, test } from "vitest";
import { effectiveTypeBidder } from "./effectiveTypeBidder.ts";
import { radialBidder } from "./radialBidder.ts";
import { normal } from "./testSupport.ts";

// The agents' bidders are written from the theory alone; the fee modules carry their own bids.
// They must agree, so that a strategy and a fee built independently fit together.
describe("truthful bidders for adverse selection and several assets", () => {
  test("the effective-type bidder bids what Proposition 5's fee prescribes", () => {
    const fee = prop5Fee({ traders: 5, kappa: 1.3, muE: 0.2, sigmaE: 1, sigmaZeta: 0.6, alpha: 0.7 });
    const bidder = effectiveTypeBidder(fee.mechanism, 1.3);
    const rng = seedrandom.alea("effective");
    const z = normal(0, 1);
    for (let k = 0; k < 50; k++) {
      const e = 0.2 + z.sample(rng);
      const zeta = 0.6 * z.sample(rng);
      const view = { trader: k % 5, traders: 5, assets: 1, round: 0 };
      expect(bidder.bid({ endowment: e, signal: zeta }, view)).toEqual([fee.bid(e, zeta)]);
      // The declared linear batch bids the same schedule.
      const intercept = new Float64Array(1);
      bidder.signalLinearBatch.interceptsInto(Float64Array.of(e), Float64Array.of(zeta), intercept);
      expect(linearSchedule(intercept[0]!, bidder.signalLinearBatch.slope)).toEqual(fee.bid(e, zeta));
    }
  });

  test("the radial bidder bids what Proposition 8's fee prescribes, inside and outside the ball", () => {
    const env = { assets: 3, traders: 4, kappa: 1.2, sigmaE: 1.5, sigmaPi: 0.8, alpha: 0.6, muE: [0.1, -0.3, 0.5], muPi: [0.2, 0, -0.1] };
    const fee = prop8Fee(env);
    const bidder = radialBidder(fee, { kappa: env.kappa, sigmaPi: env.sigmaPi, muE: env.muE, muPi: env.muPi });
    const view = { trader: 0, traders: env.traders, assets: env.assets, round: 0 };
    const rng = seedrandom.alea("radial");
    const z = normal(0, 1);
    let inside = 0;
    const batch: number[] = [];
    const batchBids: number[] = [];
    for (let k = 0; k < 50; k++) {
      const e = env.muE.map((m) => m + env.sigmaE * z.sample(rng));
      if (Math.hypot(...e.map((x, a) => x - env.muE[a]!)) < fee.radius) inside++;
      const bids = bidder.bid(e, view);
      const intercepts = fee.intercepts(e);
      expect(bids).toHaveLength(env.assets);
      bids.forEach((b, a) => {
        if (b.kind !== "linear") throw new Error("linear expected");
        expect(b.intercept).toBeCloseTo(intercepts[a]!, 12);
        expect(b.slope).toBeCloseTo(fee.slope, 14);
        batchBids.push(b.intercept);
      });
      batch.push(...e);
    }
    expect(inside).toBeGreaterThan(0);
    // The declared batch path gives bid()'s intercepts to the bit (row-major, one row per trader).
    const out = new Float64Array(batch.length);
    bidder.interceptsInto(Float64Array.from(batch), out);
    expect(Array.from(out)).toEqual(batchBids);
    expect(bidder.slope).toBe(fee.slope);
    expect(() => bidder.bid([1, 2], view)).toThrow(/3 entries/);
    expect(() => bidder.bid([1, 2, 3], { ...view, assets: 2 })).toThrow(/market has 2/);
    expect(() => bidder.interceptsInto(new Float64Array(4), new Float64Array(4))).toThrow(/multiple of 3/);
  });
});

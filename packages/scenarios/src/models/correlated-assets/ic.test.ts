import { multiAssetRegretOf } from "@optex/agents";
import type { CrossExchangeFee, DemandSchedule } from "@optex/engine";
import { normal } from "@optex/theory";
import fc from "fast-check";
import seedrandom from "seedrandom";
import { describe, expect, test } from "vitest";
import { REGRET_TOLERANCE, runLaws } from "../../ic/laws.ts";
import { auctionDesign } from "./auctions.ts";
import { correlatedAssetsIcEnvironment } from "./ic.ts";
import { jointRegret, jointRegretScratch } from "./jointRegret.ts";

const general = [
  [2, 0.8, -0.3],
  [0.8, 1.5, 0.4],
  [-0.3, 0.4, 1],
];
const base = { traders: 5, kappa: 1.3, sigmaE: 0.8 };

describe("the IC oracle on correlated assets", () => {
  test("separate auctions of the correlated assets fail the regret law; of uncorrelated ones (diagonal Sigma) they pass", () => {
    const correlated = runLaws(correlatedAssetsIcEnvironment({ ...base, covariance: general, securities: "assets" }, "prop6"), {
      cases: 4,
      seed: 7,
      participationSamples: 0,
    });
    expect(correlated.laws.incentiveCompatibility.pass).toBe(false);
    expect(correlated.largestRegret).toBeGreaterThan(1e-3);
    const diagonal = runLaws(
      correlatedAssetsIcEnvironment(
        {
          ...base,
          covariance: [
            [2, 0, 0],
            [0, 1.5, 0],
            [0, 0, 1],
          ],
          securities: "assets",
        },
        "prop6",
      ),
      {
        cases: 4,
        seed: 7,
        participationSamples: 2000,
      },
    );
    expect(diagonal.pass).toBe(true);
  });

  test("the engine-cleared joint deviations are profitable exactly where the best response says so", () => {
    const law = normal(0, base.sigmaE);
    const rng = seedrandom.alea("deviations");
    const endowments = Array.from({ length: base.traders }, () => Array.from({ length: 3 }, () => law.sample(rng)));
    const gain = (fee: string, securities: "derivatives" | "assets") =>
      correlatedAssetsIcEnvironment({ ...base, covariance: general, securities }, fee)
        .market(endowments)
        .deviations(0).relativeGain;
    expect(gain("prop6", "derivatives")).toBeLessThanOrEqual(REGRET_TOLERANCE);
    expect(gain("prop6-none", "derivatives")).toBeGreaterThan(1e-4);
    expect(gain("prop6", "assets")).toBeGreaterThan(1e-4);
  });

  test("the closed-form joint regret (one Newton step) equals the agents' numerical best response over the residual supplies", () => {
    // Asset auctions (W = I): the agents' multi-asset best responder takes the covariance Sigma and
    // a cross-exchange fee; here the sum of the auctions' registered fees.
    for (const fee of ["prop6", "prop6-none"] as const) {
      const design = auctionDesign({ ...base, covariance: general }, "assets", fee);
      const k = 3;
      fc.assert(
        fc.property(
          fc.array(fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: k, maxLength: k }), {
            minLength: base.traders,
            maxLength: base.traders,
          }),
          (endowments) => {
            const bids = endowments.map((e, i) => design.strategy.bid(e, { trader: i, traders: base.traders, assets: k, round: 0 }));
            const summed: CrossExchangeFee = {
              id: fee,
              feeOf: (q, p, i) => q.reduce((s, qa, a) => s + design.schedules[a]!.fee(i ?? 0, qa, p[a]!), 0),
            };
            const others = Array.from({ length: k }, (_, a) => bids.slice(1).map((b) => b[a]!) as DemandSchedule[]);
            const numeric = multiAssetRegretOf(
              { endowment: endowments[0]!, kappa: base.kappa, covariance: general, others, fee: summed },
              bids[0]!,
            );
            const p0 = new Float64Array(k);
            const L = new Float64Array(k);
            for (let a = 0; a < k; a++) {
              let intercept = 0;
              let slope = 0;
              for (const s of others[a]!)
                if (s.kind === "linear") {
                  intercept += s.intercept;
                  slope += s.slope;
                }
              p0[a] = intercept / slope;
              L[a] = 1 / slope;
            }
            const closed = jointRegret(design, 0, endowments[0]!, 0, numeric.prescribedQuantities, 0, { p0, L }, jointRegretScratch(k));
            const scale = design.regretScale;
            // Regrets are ~0.01-0.2 of the scale here; the two agree to ~1e-16 of it.
            expect(Math.abs(closed - numeric.regret) / scale).toBeLessThan(1e-10);
          },
        ),
        { seed: 11, numRuns: 10 },
      );
    }
  });
});

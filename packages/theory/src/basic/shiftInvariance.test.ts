import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { basicEnvironment } from "./basicEnvironment.ts";
import { doubleAuctionOutcome } from "./doubleAuction.ts";
import { normal } from "../laws/normal.ts";
import { optimalMechanismOutcome } from "./optimalMechanism.ts";
import { uniform } from "../laws/uniform.ts";
import { solveVirtualType } from "./virtualType.ts";

/**
 * Every per-trader quantity but the holding cost is invariant to a shift of the law of endowments
 * (the holding cost is a level: it moves by exactly mu^2 / (2 kappa) at mu_pi = 0, as autarky's
 * does), and all scale with the law's sd (revenue, holding and gain as sd^2, volume as sd). Checked
 * across the inputs' documented range (sd in [1e-9, 1e9], |mean| <= min(1e9, 1e9 sd)) against the
 * standardized law, to 1e-9 of the quantity's scale.
 */
const uniformReal = (lo: number, hi: number) => fc.integer({ min: 0, max: 1 << 30 }).map((k) => lo + ((hi - lo) * k) / (1 << 30));

function quantities(dist: ReturnType<typeof normal>, traders: number, kappa: number, alpha: number) {
  const env = basicEnvironment({ dist, kappa, traders, muPi: 0 });
  const optimal = optimalMechanismOutcome(env, solveVirtualType(dist, alpha));
  const firstBest = optimalMechanismOutcome(env, solveVirtualType(dist, 0));
  const plain = doubleAuctionOutcome(env)!;
  return { optimal, firstBest, plain };
}

describe("theory is invariant to a shift of the law and scales with its sd", () => {
  test.each([
    ["normal", (m: number, s: number) => normal(m, s)],
    ["uniform", (m: number, s: number) => uniform(m - Math.sqrt(3) * s, m + Math.sqrt(3) * s)],
  ] as const)("%s laws across the documented range", (_name, law) => {
    fc.assert(
      fc.property(
        uniformReal(-9, 9), // log10 sd
        uniformReal(-1, 1), // mean as a fraction of its bound
        fc.integer({ min: 3, max: 12 }),
        uniformReal(0.2, 5),
        uniformReal(0, 1),
        (logSd, meanFraction, traders, kappa, alpha) => {
          const sd0 = 10 ** logSd;
          const mean = meanFraction * Math.min(1e9, 1e9 * sd0);
          const dist = law(mean, sd0);
          // The law as represented (a uniform law's endpoints round its width): compare with its own sd.
          const sd = Math.sqrt(dist.variance);
          const shifted = quantities(dist, traders, kappa, alpha);
          const reference = quantities(law(0, 1), traders, kappa, alpha);
          for (const key of ["optimal", "firstBest", "plain"] as const) {
            const a = shifted[key];
            const b = reference[key];
            const s2 = sd * sd;
            const scale = 1 / kappa;
            const close = (x: number, y: number, what: string) =>
              expect(
                Math.abs(x - y),
                `${key}.${what}: mean ${mean}, sd ${sd}, N ${traders}, kappa ${kappa}, alpha ${alpha}`,
              ).toBeLessThanOrEqual(1e-9 * scale);
            close(a.revenuePerTrader / s2, b.revenuePerTrader, "revenue");
            close(a.utilityGainPerTrader / s2, b.utilityGainPerTrader, "utility gain");
            close(a.tradeVolumePerTrader / sd, b.tradeVolumePerTrader, "trade volume");
            // Holding cost is a level: autarky's level (mean^2 + sd^2) / (2 kappa) plus a change that is
            // invariant; the level is right to 1e-12 of itself (its sd^2 part may be below its rounding).
            const level = a.autarkyHoldingCostPerTrader + s2 * (b.holdingCostPerTrader - b.autarkyHoldingCostPerTrader);
            expect(Math.abs(a.holdingCostPerTrader - level), `${key}.holding level: mean ${mean}, sd ${sd}`).toBeLessThanOrEqual(
              1e-12 * Math.abs(level) + 1e-9 * s2 * scale,
            );
            expect(Math.abs(a.autarkyHoldingCostPerTrader - (mean * mean + s2) / (2 * kappa))).toBeLessThanOrEqual(
              1e-15 * a.autarkyHoldingCostPerTrader,
            );
          }
        },
      ),
      { seed: 20261202, numRuns: 60 },
    );
  });

  test("the plain auction's utility gain at mean 1e8 is the one at mean 0 (it was 0: mu^2 cancelled)", () => {
    const at = (mean: number) =>
      doubleAuctionOutcome(basicEnvironment({ dist: normal(mean, 1), kappa: 1, traders: 5 }))!.utilityGainPerTrader;
    expect(at(1e8)).toBe(at(0));
    expect(at(0)).toBeCloseTo(0.375, 15);
  });
});

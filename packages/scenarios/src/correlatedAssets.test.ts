import { describe, expect, test } from "vitest";
import { correlatedAssets } from "./correlatedAssets.ts";

const base = { traders: 5, kappa: 1.3, assets: 3, sigmaE: 0.8, sigmaPi: 1.2 };

describe("Proposition 6 simulated: derivatives' auctions versus per-asset auctions", () => {
  test("derivatives: efficient allocation, no joint regret, holding cost = first best inside the 99% interval", () => {
    for (const assetCorrelation of [-0.4, 0, 0.5, 0.9]) {
      const r = correlatedAssets({ ...base, assetCorrelation }, 1500, `p6-${assetCorrelation}`);
      expect(r.largestAllocationError).toBeLessThan(1e-12);
      // Relative regret: the joint best response is one linear solve, so only rounding is left.
      expect(r.derivativesMeanRegret).toBeLessThan(1e-12);
      expect(r.simulatedHoldingCostCi99).not.toBeNull();
      const [lo, hi] = r.simulatedHoldingCostCi99!;
      expect(r.firstBestHoldingCostPerTrader).toBeGreaterThanOrEqual(lo);
      expect(r.firstBestHoldingCostPerTrader).toBeLessThanOrEqual(hi);
      // tr(Sigma) sigma_e^2 / (2 kappa N) does not depend on the correlation.
      expect(r.firstBestHoldingCostPerTrader).toBeCloseTo((3 * 1.44 * 0.64) / (2 * 1.3 * 5), 14);
    }
  });

  test("per-asset auctions: joint deviations pay when payoffs are correlated, and only then", () => {
    const regret = (assetCorrelation: number) => correlatedAssets({ ...base, assetCorrelation }, 300, "p6-regret").assetAuctionsMeanRegret;
    expect(regret(0)).toBeLessThan(1e-12);
    expect(regret(0.3)).toBeGreaterThan(1e-3);
    expect(regret(-0.3)).toBeGreaterThan(1e-3);
    // The incentive to deviate grows with the correlation.
    expect(regret(0.8)).toBeGreaterThan(regret(0.3));
  });

  test("a covariance that is not positive definite is rejected in one line", () => {
    expect(() => correlatedAssets({ ...base, assetCorrelation: -0.5 }, 10, "x")).toThrow(/assetCorrelation must be in \(-0.5, 1\) for 3 assets/);
    expect(() => correlatedAssets({ ...base, assets: 1, assetCorrelation: 0 }, 10, "x")).toThrow(/assets must be an integer in \[2, 50\]/);
  });
});

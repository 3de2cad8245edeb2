import { describe, expect, test } from "vitest";
import { basicEnvironment } from "./basicEnvironment.ts";
import { doubleAuctionOutcome } from "./doubleAuction.ts";
import { parseAlphaGrid, revenueEfficiencyFrontier } from "./frontier.ts";
import { normal } from "../laws/normal.ts";
import { TheoryError } from "../theoryError.ts";
import { uniform } from "../laws/uniform.ts";

describe("revenue-efficiency frontier (Figure 3)", () => {
  test("U[-1,1]: every point matches the closed forms of docs/model.md", () => {
    const N = 10;
    const s = (N - 1) / N;
    const points = revenueEfficiencyFrontier(basicEnvironment({ dist: uniform(-1, 1), kappa: 1, traders: N }), parseAlphaGrid("0:1:0.1"));
    expect(points).toHaveLength(11);
    for (const p of points) {
      const a = p.alpha;
      expect(p.revenuePerTrader).toBeCloseTo((s * a) / (3 * (1 + a) ** 2), 11);
      expect(p.holdingCostPerTrader).toBeCloseTo(1 / 6 - (s * (1 + 2 * a)) / (6 * (1 + a) ** 2), 11);
    }
  });

  test("revenue and holding cost both rise along the frontier; the plain double auction is inside it", () => {
    const env = basicEnvironment({ dist: normal(0, 1), kappa: 1, traders: 6 });
    const points = revenueEfficiencyFrontier(env, parseAlphaGrid("0:1:0.05"));
    for (let k = 1; k < points.length; k++) {
      expect(points[k]!.revenuePerTrader).toBeGreaterThan(points[k - 1]!.revenuePerTrader);
      expect(points[k]!.holdingCostPerTrader).toBeGreaterThan(points[k - 1]!.holdingCostPerTrader);
    }
    // Dominated: the first best has the same revenue (0) and a lower holding cost.
    const da = doubleAuctionOutcome(env)!;
    // Both are 0 up to rounding of the theory's quadratures (scale sigma^2 / kappa = 1).
    expect(Math.abs(da.revenuePerTrader - points[0]!.revenuePerTrader)).toBeLessThanOrEqual(1e-12);
    expect(da.holdingCostPerTrader).toBeGreaterThan(points[0]!.holdingCostPerTrader);
  });

  test("alpha grids", () => {
    expect(parseAlphaGrid("0:1:0.1")[3]).toBe(0.3);
    expect(parseAlphaGrid("0:1:0.1").at(-1)).toBe(1);
    expect(parseAlphaGrid("0.2:0.2:0.1")).toEqual([0.2]);
    expect(parseAlphaGrid("0:1:0.3")).toEqual([0, 0.3, 0.6, 0.9]);
    for (const bad of ["0:2:0.1", "0.5:0.1:0.1", "0:1:0", "0:1", "a:b:c", "0:1:1e-6"])
      expect(() => parseAlphaGrid(bad)).toThrow(TheoryError);
  });
});

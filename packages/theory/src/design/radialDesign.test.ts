import { describe, expect, test } from "vitest";
import { radialOutcome } from "../several-assets/multiAsset.ts";
import { solveRadialDesign } from "./radialDesign.ts";

// Proposition 7's open question (docs/design.md): with two assets, does any mechanism beat the radial
// one? The solver's mechanisms are feasible (checked at every vertex of every cell against every other
// cell), so their objective may not exceed Proposition 7's beyond the solver's largest violation plus
// 1e-8 (quadratures 1e-11 to 1e-12 relative); the gap must shrink as the grid is refined.

describe("the two-asset designer's problem on polar grids", () => {
  test.each([
    [0.5, 5],
    [1, 2],
  ] as const)(
    "alpha = %d, N = %d: never above Proposition 7, gap shrinking, the optimum radial",
    async (alpha, N) => {
      const gaps: number[] = [];
      const distances: number[] = [];
      for (const [rings, sectors] of [
        [4, 8],
        [8, 16],
        [12, 24],
      ] as const) {
        const s = await solveRadialDesign({ alpha, traders: N, rings, sectors, sigmaE: 1.3, kappa: 0.8 });
        const scale = (1.3 * 1.3) / 0.8;
        const gap = (s.theoryObjective - s.objective) / scale;
        expect(gap).toBeGreaterThan(-(1e-8 + s.maxViolation / scale));
        expect(s.maxViolation / scale).toBeLessThan(1e-7);
        expect(s.constraintsChecked).toBeGreaterThan(s.cells * (s.cells - 1) * 2);
        // Nothing radial is imposed, yet the optimum is: no component across the radius, and the same
        // allocation in every sector of a ring.
        expect(s.tangentialShare).toBeLessThan(1e-6);
        expect(s.angularSpread).toBeLessThan(1e-6);
        gaps.push(gap);
        distances.push(s.distanceFromProposition7);
      }
      expect(gaps[1]!).toBeLessThan(gaps[0]! / 2);
      expect(gaps[2]!).toBeLessThan(gaps[1]! / 1.5);
      expect(distances[2]!).toBeLessThan(distances[0]! / 4);
    },
    60_000,
  );

  test("power: a radial rule that is not optimal (the first best's allocation, alpha = 0.5) is beaten by far more than the grid's gap", async () => {
    const env = { assets: 2, traders: 5, kappa: 1, sigmaE: 1, sigmaPi: 1, alpha: 0.5 };
    const firstBest = radialOutcome(env, (r) => r, 0);
    const s = await solveRadialDesign({ alpha: 0.5, traders: 5, rings: 12, sectors: 24 });
    expect(s.objective - firstBest.objective).toBeGreaterThan(10 * (s.theoryObjective - s.objective));
  });

  test("bad input: one-line errors", async () => {
    await expect(solveRadialDesign({ alpha: 0.5, traders: 5, rings: 30 })).rejects.toThrow(/rings must be an integer in \[2, 24\]/);
    await expect(solveRadialDesign({ alpha: 2, traders: 5 })).rejects.toThrow(/alpha must be in \[0, 1\]/);
  });
});

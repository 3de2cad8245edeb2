import { describe, expect, test } from "vitest";
import { modelById } from "../models/registry.ts";
import { checkStatistics, estimateFromMoments, familyVerdict } from "./estimate.ts";
import { runSimulation } from "./marketSimulation.ts";

describe("check statistics and family verdicts", () => {
  test("two-sided Student-t p-values match published values (t = 2.228, 10 df: 0.05; t = 3.169, 10 df: 0.01)", () => {
    // An estimate with standard error 1 and mean t: z = t, 11 markets = 10 degrees of freedom.
    const at = (t: number) => checkStatistics(0, estimateFromMoments(11, t, 110), 11)!;
    expect(at(2.228).pValue).toBeCloseTo(0.05, 4);
    expect(at(3.169).pValue).toBeCloseTo(0.01, 4);
    expect(at(2.228).z).toBeCloseTo(2.228, 12);
    // Within the rounding allowance: no evidence against the theory.
    expect(checkStatistics(1e-18, estimateFromMoments(1000, 0, 0), 1000, 1e-15)).toEqual({ z: 0, pValue: 1 });
    // Beyond it, only the distance past the allowance counts (as the widened interval judges it).
    const tight = estimateFromMoments(1e6, 1.2e-15, 1e-32 * 1e6 * (1e6 - 1)); // standard error 1e-16
    expect(checkStatistics(0, tight, 1e6, 1e-15)!.z).toBeCloseTo(2, 6);
    // A NaN mean or theory is never a pass.
    expect(checkStatistics(0, { mean: Number.NaN, standardError: 1, ci95: null, ci99: null }, 1000)!.pValue).toBe(0);
    expect(checkStatistics(Number.NaN, estimateFromMoments(1000, 0, 1), 1000)!.pValue).toBe(0);
  });

  test("Holm's step-down: rejects when the smallest p-value is below level/m, and only then", () => {
    expect(familyVerdict([0.2, 0.5, 0.003], 0).consistent).toBe(false); // 0.003 <= 0.01/3
    expect(familyVerdict([0.2, 0.5, 0.003], 0).familyWisePValue).toBeCloseTo(0.009, 12);
    expect(familyVerdict([0.2, 0.5, 0.004], 0).consistent).toBe(true); // 0.004 > 0.01/3
    expect(familyVerdict([0.2, 0.5, 0.004], 0).familyWisePValue).toBeCloseTo(0.012, 12);
    expect(familyVerdict([], 0)).toMatchObject({ checks: 0, consistent: true, familyWisePValue: 1 });
    // Binomial guide: 3 of 10 checks outside at 1% each is very unlikely by chance.
    expect(familyVerdict(Array(10).fill(0.5), 3).binomialPValue).toBeCloseTo(1.138e-4, 6);
    // Large families: no underflow (80,000 checks, 1 outside: almost surely by chance).
    expect(familyVerdict(Array(80000).fill(0.5), 1).binomialPValue).toBeCloseTo(1, 12);
    expect(familyVerdict(Array(80000).fill(0.5), 800).binomialPValue).toBeGreaterThan(0.4);
    expect(familyVerdict(Array(80000).fill(0.5), 1000).binomialPValue).toBeLessThan(1e-10);
  });

  test("a correct theory is consistent and a 2% error in one formula is inconsistent on every seed", () => {
    const point = { dist: "uniform:-1,1", kappa: 1, traders: 10, alpha: 0.5, muPi: 0 };
    const [sim] = modelById("basic").simulations!(point, ["optimal"]);
    const wrong = { ...sim!, theory: { ...sim!.theory, revenuePerTrader: 1.02 * sim!.theory.revenuePerTrader! } };
    for (const seed of ["a", "b", "c"]) {
      const verdictOf = (s: typeof sim) => {
        const r = runSimulation(s!, 200_000, seed);
        return familyVerdict(
          Object.values(r.statistics).map((x) => x.pValue),
          Object.values(r.agreement).filter((x) => x === false).length,
        );
      };
      expect(verdictOf(sim).consistent, seed).toBe(true);
      expect(verdictOf(wrong).consistent, seed).toBe(false);
    }
  });
});

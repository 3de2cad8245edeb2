import { describe, expect, test } from "vitest";
import { parseDistribution } from "../laws/parseDistribution.ts";
import { basicEnvironment } from "../basic/basicEnvironment.ts";
import { doubleAuctionOutcome } from "../basic/doubleAuction.ts";
import { optimalMechanismOutcome } from "../basic/optimalMechanism.ts";
import { solveVirtualType } from "../basic/virtualType.ts";
import { solveBasicDesign } from "./basicDesign.ts";

// The discretised designer's problem (docs/design.md) against Theorem 1. Every solution is a feasible
// mechanism of the continuous problem evaluated exactly, so its objective may not exceed the theory's
// (allowance 1e-10 sd^2/kappa: the theory's quadratures are relative 1e-11, the cells' means 1e-12);
// the gap must shrink as the grid is refined (about 4x per doubling: a piecewise-constant allocation
// loses of order the squared cell width).

function theoryObjective(spec: string, alpha: number, traders: number, kappa = 1) {
  const dist = parseDistribution(spec);
  const vt = solveVirtualType(dist, alpha);
  const outcome = optimalMechanismOutcome(basicEnvironment({ dist, kappa, traders }), vt);
  return { dist, vt, outcome, objective: alpha * outcome.revenuePerTrader - (1 - alpha) * outcome.holdingCostPerTrader };
}

describe("the discretised designer's problem reproduces Theorem 1 on regular laws", () => {
  test.each([
    ["uniform:-1,1", 0.5, 5, 1],
    ["normal:0.3,2", 0.5, 2, 0.7],
    ["exponential:1", 1, 3, 1],
    ["laplace:0,1", 0.3, 10, 2],
  ] as const)(
    "%s, alpha = %d, N = %d: gap >= 0, shrinking with the grid; binding region within two cells",
    async (spec, alpha, N, kappa) => {
      const theory = theoryObjective(spec, alpha, N, kappa);
      const scale = theory.dist.variance / kappa;
      const gaps: number[] = [];
      for (const cells of [100, 200, 400]) {
        const s = await solveBasicDesign({ dist: theory.dist, alpha, traders: N, kappa, cells });
        expect(s.maxViolation).toBeLessThan(1e-12);
        const gap = (theory.objective - s.objective) / scale;
        expect(gap).toBeGreaterThan(-1e-10);
        gaps.push(gap);
        // The per-trader quantities, not only their weighted sum, approach the theory's.
        if (cells === 400) {
          expect(Math.abs(s.revenuePerTrader - theory.outcome.revenuePerTrader) / scale).toBeLessThan(2e-3);
          expect(Math.abs(s.holdingCostPerTrader - theory.outcome.holdingCostPerTrader) / scale).toBeLessThan(2e-3);
        }
        if (cells === 400 && alpha > 0) {
          const width = Math.max(...s.cells.filter((c) => Number.isFinite(c.from) && Number.isFinite(c.to)).map((c) => c.to - c.from));
          expect(s.bindingRegion).not.toBeNull();
          expect(Math.abs(s.bindingRegion!.from - theory.vt.eA)).toBeLessThan(2 * width);
          expect(Math.abs(s.bindingRegion!.to - theory.vt.eB)).toBeLessThan(2 * width);
          expect(s.pooled).toHaveLength(0);
        }
      }
      expect(gaps[1]!).toBeLessThan(gaps[0]! / 2.5);
      expect(gaps[2]!).toBeLessThan(gaps[1]! / 2.5);
      expect(gaps[2]!).toBeLessThan(3e-5);
    },
  );
});

describe("it finds the ironed solution where Condition 1 fails", () => {
  test("0.9 N(0, 0.5^2) + 0.1 N(3, 0.3^2), alpha = 0.25, N = 5: pooled about [0.54, 2.35], binding about [0.10, 0.43]", async () => {
    const spec = "mixture:0.9*normal:0,0.5+0.1*normal:3,0.3";
    const theory = theoryObjective(spec, 0.25, 5);
    expect(theory.vt.condition1Holds).toBe(false);
    const scale = theory.dist.variance;
    const gaps: number[] = [];
    for (const cells of [200, 400, 800]) {
      const s = await solveBasicDesign({ dist: theory.dist, alpha: 0.25, traders: 5, cells });
      const gap = (theory.objective - s.objective) / scale;
      expect(gap).toBeGreaterThan(-1e-10);
      gaps.push(gap);
      if (cells === 800) {
        expect(s.pooled).toHaveLength(1);
        const theoryPooled = theory.vt.pooled![0]!;
        expect(Math.abs(s.pooled[0]!.from - theoryPooled.from)).toBeLessThan(0.01);
        expect(Math.abs(s.pooled[0]!.to - theoryPooled.to)).toBeLessThan(0.01);
        expect(Math.abs(s.bindingRegion!.from - theory.vt.eA)).toBeLessThan(0.01);
        expect(Math.abs(s.bindingRegion!.to - theory.vt.eB)).toBeLessThan(0.01);
        // The pooled types' allocation is the theory's flat one, -((N-1)/N)(level - E[v]).
        const level = -(4 / 5) * (theoryPooled.level - theory.vt.meanVirtualType);
        expect(Math.abs(s.pooled[0]!.allocation - level) / Math.sqrt(scale)).toBeLessThan(1e-3);
      }
    }
    expect(gaps[1]!).toBeLessThan(gaps[0]! / 2.5);
    expect(gaps[2]!).toBeLessThan(gaps[1]! / 2.5);
  }, 180_000); // three QP solves, 37 s alone on 2 cores: the timeout guards against a hang, with room for a slow machine
});

describe("formulations and constraint sets agree", () => {
  test("ex post trades for N = 2 (nothing additive or symmetric assumed) reach the interim formulation's optimum, additively", async () => {
    for (const spec of ["uniform:-1,1", "mixture:0.9*normal:0,0.5+0.1*normal:3,0.3"]) {
      const dist = parseDistribution(spec);
      const scale = dist.variance;
      const exPost = await solveBasicDesign({ dist, alpha: 0.5, traders: 2, cells: 16, formulation: "ex-post" });
      const interim = await solveBasicDesign({ dist, alpha: 0.5, traders: 2, cells: 16 });
      expect(Math.abs(exPost.objective - interim.objective) / scale).toBeLessThan(1e-7);
      expect(exPost.additivityGap!).toBeLessThan(1e-5);
      expect(exPost.symmetryGap!).toBeLessThan(1e-5);
      expect(exPost.maxViolation).toBeLessThan(1e-7);
    }
  }, 60_000);
});

describe("power: the comparison refutes mechanisms that are not optimal", () => {
  test.each([
    ["uniform:-1,1", 0.5],
    ["normal:0,1", 0.3],
  ] as const)(
    "%s, alpha = %d, N = 5: the first best and the plain double auction are beaten by far more than the grid's gap",
    async (spec, alpha) => {
      const theory = theoryObjective(spec, alpha, 5);
      const env = basicEnvironment({ dist: theory.dist, kappa: 1, traders: 5 });
      const firstBest = optimalMechanismOutcome(env, solveVirtualType(theory.dist, 0));
      const auction = doubleAuctionOutcome(env)!;
      const value = (o: { revenuePerTrader: number; holdingCostPerTrader: number }) =>
        alpha * o.revenuePerTrader - (1 - alpha) * o.holdingCostPerTrader;
      const s = await solveBasicDesign({ dist: theory.dist, alpha, traders: 5, cells: 200 });
      const gap = theory.objective - s.objective;
      for (const other of [value(firstBest), value(auction)]) expect(s.objective - other).toBeGreaterThan(20 * gap);
    },
  );

  test("bad input: one-line errors naming the field", async () => {
    const dist = parseDistribution("uniform:-1,1");
    await expect(solveBasicDesign({ dist, alpha: 1.5, traders: 2 })).rejects.toThrow(/alpha must be in \[0, 1\]/);
    await expect(solveBasicDesign({ dist, alpha: 0.5, traders: 3, formulation: "ex-post" })).rejects.toThrow(/needs traders = 2/);
    await expect(solveBasicDesign({ dist, alpha: 0.5, traders: 3, cells: 4 })).rejects.toThrow(/grid must be an integer in \[8, 1000\]/);
  });
});

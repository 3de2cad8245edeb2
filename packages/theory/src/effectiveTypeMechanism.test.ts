import seedrandom from "seedrandom";
import { describe, expect, test } from "vitest";
import { basicEnvironment } from "./basicEnvironment.ts";
import { effectiveTypeMechanism } from "./effectiveTypeMechanism.ts";
import { normal } from "./normal.ts";
import { optimalAdverseSelection } from "./optimalAdverseSelection.ts";
import { optimalMechanismOutcome } from "./optimalMechanism.ts";
import { meanWithHalfWidth } from "./testSupport.ts";
import { uniform } from "./uniform.ts";
import { solveVirtualType } from "./virtualType.ts";

describe("Theorem 3 by numerical convolution (any laws, independent signals)", () => {
  test.each([
    [5, 1.3, 0.2, 1.1, 0.7, 0.8],
    [8, 0.7, -0.5, 0.6, 0.4, 0.3],
    [4, 1, 0, 1, 0.5, 0],
  ] as const)("Gaussian laws reproduce Corollary 3.1's closed form (N %s, kappa %s)", (N, kappa, muE, sigmaE, sigmaZeta, alpha) => {
    const g = effectiveTypeMechanism({ endowment: normal(muE, sigmaE), signal: normal(0, sigmaZeta), kappa, traders: N, alpha });
    const c = optimalAdverseSelection({ traders: N, kappa, muE, sigmaE, sigmaZeta, alpha });
    if (alpha > 0) {
      expect(g.tA).toBeCloseTo(c.tA, 8);
      expect(g.tB).toBeCloseTo(c.tB, 8);
    }
    expect(g.meanVirtualType).toBeCloseTo(c.meanVirtualType, 8);
    expect(g.revenuePerTrader).toBeCloseTo(c.revenuePerTrader, 8);
    expect(g.holdingCostPerTrader).toBeCloseTo(c.holdingCostPerTrader, 8);
    expect(g.utilityGainPerTrader).toBeCloseTo(c.utilityGainPerTrader, 8);
  });

  test("uniform endowments with nearly noiseless signals approach Theorem 1 (t = e/kappa)", () => {
    const kappa = 1.5;
    const g = effectiveTypeMechanism({ endowment: uniform(-1, 1), signal: normal(0, 1e-3), kappa, traders: 5, alpha: 0.5 });
    const vt = solveVirtualType(uniform(-1, 1), 0.5);
    const b = optimalMechanismOutcome(basicEnvironment({ dist: uniform(-1, 1), kappa, traders: 5 }), vt);
    expect(Math.abs(g.tA * kappa - vt.eA)).toBeLessThan(1e-2);
    expect(Math.abs(g.tB * kappa - vt.eB)).toBeLessThan(1e-2);
    expect(Math.abs(g.revenuePerTrader - b.revenuePerTrader)).toBeLessThan(2e-3);
    expect(Math.abs(g.holdingCostPerTrader - b.holdingCostPerTrader)).toBeLessThan(2e-3);
  });

  test("uniform endowments, Gaussian signals: holding cost by Monte Carlo, welfare accounting", () => {
    const env = { endowment: uniform(-1, 2), signal: normal(0, 0.4), kappa: 1.2, traders: 4, alpha: 0.6 };
    const g = effectiveTypeMechanism(env);
    const rng = seedrandom.alea("conv");
    const markets = 20_000;
    const hold = new Float64Array(markets);
    const N = env.traders;
    for (let m = 0; m < markets; m++) {
      const e = Array.from({ length: N }, () => env.endowment.sample(rng));
      const v = e.map((x) => g.v(x / env.kappa - env.signal.sample(rng)));
      const mean = v.reduce((s, x) => s + x, 0) / N;
      hold[m] = e.reduce((s, x, i) => s + (x - v[i]! + mean) ** 2 / (2 * env.kappa), 0) / N;
    }
    const check = meanWithHalfWidth(hold);
    expect(Math.abs(check.mean - g.holdingCostPerTrader)).toBeLessThan(check.halfWidth);
    const autarky = (env.endowment.variance + env.endowment.mean ** 2) / (2 * env.kappa);
    expect(g.revenuePerTrader + g.holdingCostPerTrader - autarky + g.utilityGainPerTrader).toBeCloseTo(0, 8);
    expect(g.utilityGainPerTrader).toBeGreaterThan(0);
  });
});

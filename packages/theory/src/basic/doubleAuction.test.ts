import { integrate } from "@optex/numerics";
import seedrandom from "seedrandom";
import { describe, expect, test } from "vitest";
import { basicEnvironment } from "./basicEnvironment.ts";
import { doubleAuctionOutcome, symmetricLinearEquilibrium } from "./doubleAuction.ts";
import { exponential } from "../laws/exponential.ts";
import { normal } from "../laws/normal.ts";
import { uniform } from "../laws/uniform.ts";

describe("plain double auction (symmetric linear equilibrium)", () => {
  test("no equilibrium with two traders", () => {
    const sle = symmetricLinearEquilibrium(2, 1);
    expect(sle.exists).toBe(false);
    expect(doubleAuctionOutcome(basicEnvironment({ dist: uniform(-1, 1), kappa: 1, traders: 2 }))).toBeNull();
  });

  test("a = (N-2)/(N-1), c = kappa a, price impact 1/(kappa (N-2))", () => {
    const sle = symmetricLinearEquilibrium(5, 2);
    if (!sle.exists) throw new Error("expected an equilibrium");
    expect(sle.a).toBeCloseTo(3 / 4, 15);
    expect(sle.c).toBeCloseTo(1.5, 15);
    // Price impact = 1 / ((N-1) c), the slope of the residual supply a trader faces.
    expect(sle.priceImpact).toBeCloseTo(1 / (4 * sle.c), 15);
  });

  test("Example 3's double auction: a type-0 trader buys (N-2)/N when e ~ Exp(1)", () => {
    const o = doubleAuctionOutcome(basicEnvironment({ dist: exponential(1), kappa: 1, traders: 6 }))!;
    expect(o.interimAllocation(0)).toBeCloseTo(4 / 6, 14);
  });

  test("trade volume with normal endowments: a sqrt(2/pi (N-1)/N) sigma", () => {
    const N = 8;
    const o = doubleAuctionOutcome(basicEnvironment({ dist: normal(0, 1.5), kappa: 1, traders: N }))!;
    expect(o.tradeVolumePerTrader).toBeCloseTo(((N - 2) / (N - 1)) * Math.sqrt(((2 / Math.PI) * (N - 1)) / N) * 1.5, 8);
  });

  test.each([
    [uniform(-1, 2), 4],
    [exponential(1), 6],
  ] as const)("interim transfer, gain and ex-ante figures agree with a Monte Carlo of the clearing (%s, N %s)", (dist, N) => {
    const kappa = 1.3;
    const muPi = 0.25;
    const o = doubleAuctionOutcome(basicEnvironment({ dist, kappa, traders: N, muPi }))!;
    const a = (N - 2) / (N - 1);
    const rng = seedrandom.alea(`da-${dist.id}`);
    const e0 = dist.quantile(0.8);
    const draws = 100_000;
    let sumT = 0;
    let sumT2 = 0;
    let sumG = 0;
    let sumG2 = 0;
    for (let k = 0; k < draws; k++) {
      let total = e0;
      for (let j = 1; j < N; j++) total += dist.sample(rng);
      const ebar = total / N;
      const x = -a * (e0 - ebar);
      const p = muPi - ebar / kappa; // market clearing of q_j = -a e_j - kappa a (p - muPi)
      const t = p * x;
      const g = muPi * x - t - ((e0 + x) ** 2 - e0 ** 2) / (2 * kappa);
      sumT += t;
      sumT2 += t * t;
      sumG += g;
      sumG2 += g * g;
    }
    const meanT = sumT / draws;
    const meanG = sumG / draws;
    expect(Math.abs(meanT - o.interimTransfer(e0))).toBeLessThan(3.29 * Math.sqrt((sumT2 / draws - meanT ** 2) / draws));
    expect(Math.abs(meanG - o.interimUtilityGain(e0))).toBeLessThan(3.29 * Math.sqrt((sumG2 / draws - meanG ** 2) / draws));
    // Ex-ante gain from the (Monte Carlo-checked) interim gain, by quadrature: an independent route
    // to the closed-form holding cost (mu^2 + sigma^2/(N-1))/(2 kappa).
    const exAnteGain = integrate((e) => o.interimUtilityGain(e) * dist.pdf(e), dist.lower, dist.upper, { relTol: 1e-10 }).value;
    expect(exAnteGain).toBeCloseTo(o.utilityGainPerTrader, 9);
    expect(o.revenuePerTrader + o.holdingCostPerTrader - o.autarkyHoldingCostPerTrader + o.utilityGainPerTrader).toBeCloseTo(0, 14);
  });
});

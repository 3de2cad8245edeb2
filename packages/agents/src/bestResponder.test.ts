import { linearSchedule, noFee, piecewiseLinearSchedule } from "@optex/engine";
import { prop3Fee } from "@optex/fees";
import { basicEnvironment, evaluateScheduleForTest, normal, solveVirtualType } from "./testSupport.ts";
import { describe, expect, test } from "vitest";
import { bestResponse, bestResponseSchedule, payoffOfSchedule, regretOf, residualPrice } from "./bestResponder.ts";
import { bidOf } from "./linearStrategy.ts";
import { priceTaker } from "./priceTaker.ts";
import { sleBidder } from "./sleBidder.ts";
import { truthfulBidder } from "./truthfulBidder.ts";

describe("residual supply", () => {
  test("closed form for linear others equals the engine's clearing of a general book", () => {
    const others = [linearSchedule(1, 2), linearSchedule(-0.5, 1), linearSchedule(0.2, 0.5)];
    // Same lines as piecewise schedules (two breakpoints, matching tail slopes) force the engine path.
    const asPiecewise = others.map((s) => {
      if (s.kind !== "linear") throw new Error("linear expected");
      return piecewiseLinearSchedule([-1, 1], [s.intercept + s.slope, s.intercept - s.slope], { lower: s.slope, upper: s.slope });
    });
    for (const q of [-2, -0.3, 0, 0.7, 3]) expect(residualPrice(asPiecewise, q)!).toBeCloseTo(residualPrice(others, q)!, 10);
    expect(residualPrice([linearSchedule(1, 0)], 0.5)).toBeNull();
  });
});

describe("numerical best response", () => {
  test("matches the analytic best response without a fee", () => {
    // Others' residual supply p = p0 + Lambda q; payoff mu q - p q - ((e+q)^2 - e^2)/(2 kappa) is
    // maximised at q* = (mu - p0 - e/kappa) / (2 Lambda + 1/kappa).
    const kappa = 1.5;
    const muPi = 0.3;
    const e = 0.8;
    const others = [linearSchedule(0.4, 1), linearSchedule(-1.2, 2)];
    const p0 = (0.4 - 1.2) / 3;
    const lambda = 1 / 3;
    const br = bestResponse({ endowment: e, kappa, muPi, others, fee: noFee, trader: 0 });
    expect(br.quantity).toBeCloseTo((muPi - p0 - e / kappa) / (2 * lambda + 1 / kappa), 8);
  });

  test("refines a narrow peak that the grid only brushes, not just the best grid point", () => {
    // A fee rebate shaped as a spike of height 0.005 and half-width 0.0007, centred between two grid
    // points (step 0.00125 at radius 0.5) 0.0356 above the prescribed trade: on the grid it shows as a
    // low local maximum, below the grid's best point; refined, it beats the prescribed bid.
    const kappa = 1;
    const others = [linearSchedule(0.2, 1), linearSchedule(-0.1, 1), linearSchedule(0.4, 1)];
    const prescribed = linearSchedule(-0.3, 1);
    const base = payoffOfSchedule({ endowment: 0.3, kappa, muPi: 0, others, fee: noFee, trader: 0 }, prescribed);
    const target = base.quantity + 0.035 + 0.000625;
    const fee = { id: "spike", fee: (_i: number, q: number) => -0.005 * Math.max(0, 1 - Math.abs(q - target) / 0.0007) };
    const r = regretOf({ endowment: 0.3, kappa, muPi: 0, others, fee, trader: 0 }, prescribed, { radius: 0.5 });
    expect(r.regret).toBeGreaterThan(0.003);
    expect(Math.abs(r.best.quantity - target)).toBeLessThan(1e-4);
  });

  test("a schedule that leaves no unique price pays nothing and trades nothing", () => {
    const problem = { endowment: 1, kappa: 1, muPi: 0, others: [linearSchedule(1, 0)], fee: noFee, trader: 0 };
    const r = payoffOfSchedule(problem, linearSchedule(2, 0));
    expect(r).toEqual({ payoff: 0, quantity: 0, price: null });
  });

  test("price taking has regret in the plain auction; SLE bidding has none", () => {
    const kappa = 1;
    const es = [0.5, -0.3, 1.1, -0.9];
    const check = (bids: ReturnType<typeof bidOf>[]) =>
      regretOf({ endowment: es[0]!, kappa, muPi: 0, others: bids.slice(1), fee: noFee, trader: 0 }, bids[0]!).regret;
    expect(check(es.map((e) => bidOf(priceTaker(kappa, 0), e)))).toBeGreaterThan(1e-3);
    expect(check(es.map((e) => bidOf(sleBidder(4, kappa, 0), e)))).toBeLessThan(1e-12);
  });

  test("under the Proposition 3 fee the traced best-response schedule is the truthful one", () => {
    const env = basicEnvironment({ dist: normal(0, 1), kappa: 1.2, traders: 5, muPi: 0.1 });
    const vt = solveVirtualType(env.dist, 0.7);
    const fee = prop3Fee(env, vt);
    const bidder = truthfulBidder(vt, env.kappa, env.muPi);
    for (const e of [-1.5, 0, 0.9]) {
      const others = [0.2, -0.4, 1.3, -2].map((x) => bidOf(bidder, x));
      const traced = bestResponseSchedule({ endowment: e, kappa: env.kappa, muPi: env.muPi, others, fee, trader: 0 }, [-2, -1, 0, 1, 2]);
      const truthful = bidOf(bidder, e);
      if (traced.kind !== "piecewiseLinear") throw new Error("piecewise expected");
      traced.prices.forEach((p, k) => expect(traced.quantities[k]!).toBeCloseTo(evaluateScheduleForTest(truthful, p), 7));
    }
  });
});

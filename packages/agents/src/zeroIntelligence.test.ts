import { clear, noFee, settle } from "@optex/engine";
import seedrandom from "seedrandom";
import { describe, expect, test } from "vitest";
import { bidOf } from "./linearStrategy.ts";
import { priceTaker } from "./priceTaker.ts";
import { zeroIntelligenceBidder } from "./zeroIntelligence.ts";

const bounds = { intercept: [-2, 1] as const, slope: [0.5, 3] as const };

describe("zero-intelligence bidder", () => {
  test("draws decreasing linear schedules within the bounds, reproducibly from the seed", () => {
    const zi = zeroIntelligenceBidder(bounds);
    const a = seedrandom.alea("zi");
    const b = seedrandom.alea("zi");
    let lowI = Infinity;
    let highI = -Infinity;
    for (let k = 0; k < 2000; k++) {
      const s = zi.bid(zi.draw(a))[0];
      expect(s).toEqual(zi.bid(zi.draw(b))[0]);
      if (s.kind !== "linear") throw new Error("linear schedule expected");
      expect(s.slope).toBeGreaterThanOrEqual(0.5);
      expect(s.slope).toBeLessThanOrEqual(3);
      lowI = Math.min(lowI, s.intercept);
      highI = Math.max(highI, s.intercept);
    }
    // 2000 uniform draws come within 1% of both ends of the range unless the draw is biased.
    expect(lowI).toBeLessThan(-2 + 0.03);
    expect(highI).toBeGreaterThan(1 - 0.03);
    const intercepts = new Float64Array(5);
    const slopes = new Float64Array(5);
    zi.bidsInto(seedrandom.alea("zi"), intercepts, slopes);
    const first = zi.bid(zi.draw(seedrandom.alea("zi")))[0];
    expect(first.kind === "linear" && [first.intercept, first.slope]).toEqual([intercepts[0], slopes[0]]);
  });

  test("is a baseline worse than competitive bidding: lower total utility gain", () => {
    // Same endowments, competitive price takers versus random schedules, 2000 markets of 6 traders.
    const kappa = 1;
    const rng = seedrandom.alea("markets");
    const zi = zeroIntelligenceBidder(bounds);
    const taker = priceTaker(kappa, 0);
    let gainTaker = 0;
    let gainZi = 0;
    const valuationOf = (e: number[]) => ({
      utilityGain: (i: number, q: number, t: number) => -t - ((e[i]! + q) ** 2 - e[i]! ** 2) / (2 * kappa),
    });
    for (let m = 0; m < 2000; m++) {
      const e = Array.from({ length: 6 }, () => 2 * rng() - 1);
      const v = valuationOf(e);
      const sum = (s: ReturnType<typeof settle>) => s.utilityGains!.reduce((x, y) => x + y, 0);
      gainTaker += sum(settle(clear(e.map((x) => bidOf(taker, x))), 6, noFee, v));
      gainZi += sum(settle(clear(e.map(() => zi.bid(zi.draw(rng))[0]!)), 6, noFee, v));
    }
    expect(gainTaker).toBeGreaterThan(0);
    expect(gainZi).toBeLessThan(gainTaker);
  });

  test("rejects bounds that allow increasing or undefined schedules", () => {
    expect(() => zeroIntelligenceBidder({ intercept: [0, 1], slope: [0, 1] })).toThrow(/slope: lower bound must be > 0/);
    expect(() => zeroIntelligenceBidder({ intercept: [1, 0], slope: [1, 2] })).toThrow(/intercept: need finite lo <= hi/);
    expect(() => zeroIntelligenceBidder({ intercept: [0, Number.NaN], slope: [1, 2] })).toThrow(/intercept/);
  });
});

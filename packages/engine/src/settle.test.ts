import { compensatedSum } from "@optex/numerics";
import { describe, expect, it } from "vitest";
import { clear } from "./clear.ts";
import type { ClearingResult } from "./clearingResult.ts";
import { linearSchedule } from "./demandSchedule.ts";
import { noFee } from "./feeSchedule.ts";
import type { FeeSchedule } from "./feeSchedule.ts";
import { settle } from "./settle.ts";
import type { Valuation } from "./settle.ts";

// A test fee that depends on trader, trade and price (the engine knows no real fee formula).
const testFee: FeeSchedule = { id: "test", fee: (i, q, p) => 0.5 * q * q + 0.1 * i - 0.01 * p };
// Records its calls; gain = trade - transfer, an arbitrary caller-side formula.
function recordingValuation(): Valuation & { calls: number[][] } {
  const calls: number[][] = [];
  return {
    calls,
    utilityGain: (i, x, t) => {
      calls.push([i, x, t]);
      return x - t;
    },
  };
}

describe("settle", () => {
  const schedules = [linearSchedule(10, 1), linearSchedule(-2, 3), linearSchedule(4, 2)];
  const result = clear(schedules);

  it("charges T_i = p X_i + fee_i and collects their compensated sum as revenue", () => {
    if (result.status !== "cleared") throw new Error(result.reason);
    const s = settle(result, 3, testFee);
    expect(s.status).toBe("cleared");
    expect(s.reason).toBeNull();
    expect(s.price).toBe(result.price);
    expect(Array.from(s.trades)).toEqual(Array.from(result.quantities));
    for (let i = 0; i < 3; i++) {
      const x = result.quantities[i];
      expect(s.fees[i]).toBe(testFee.fee(i, x, result.price));
      expect(s.transfers[i]).toBe(result.price * x + s.fees[i]);
    }
    expect(s.revenue).toBe(compensatedSum(s.transfers));
    expect(s.utilityGains).toBeNull();
  });

  it("collects no revenue beyond rounding without a fee (budget balance of the plain auction)", () => {
    const s = settle(result, 3, noFee);
    expect(Array.from(s.fees)).toEqual([0, 0, 0]);
    expect(Math.abs(s.revenue)).toBeLessThanOrEqual(1e-12);
  });

  it("fills utility gains from the caller's valuation", () => {
    const valuation = recordingValuation();
    const s = settle(result, 3, testFee, valuation);
    expect(valuation.calls).toHaveLength(3);
    for (let i = 0; i < 3; i++) expect(s.utilityGains?.[i]).toBe(s.trades[i] - s.transfers[i]);
  });

  it.each([
    ["no-price", clear([linearSchedule(1, 0)])],
    ["non-unique-price", clear([linearSchedule(0, 0), linearSchedule(0, 0)])],
    ["invalid", clear([linearSchedule(1, 1), { kind: "linear", intercept: 1, slope: -1 }])],
  ] as const)("%s: no trade, no fee, no transfer", (status, r) => {
    const traders = status === "no-price" ? 1 : 2;
    const valuation = recordingValuation();
    const s = settle(r, traders, testFee, valuation);
    expect(s.status).toBe(status);
    expect(s.reason).toBe(r.status === "cleared" ? null : r.reason);
    expect(s.price).toBeNull();
    expect(Array.from(s.trades)).toEqual(new Array(traders).fill(0));
    expect(Array.from(s.fees)).toEqual(new Array(traders).fill(0));
    expect(Array.from(s.transfers)).toEqual(new Array(traders).fill(0));
    expect(s.revenue).toBe(0);
    expect(valuation.calls).toEqual(Array.from({ length: traders }, (_, i) => [i, 0, 0]));
  });

  it("detects a violation of the exchange property", () => {
    const bad: ClearingResult = { status: "cleared", price: 2, quantities: new Float64Array([1, 1]), imbalance: 2 };
    const s = settle(bad, 2, noFee);
    expect(s.status).toBe("invalid");
    expect(s.reason).toBe("exchange property violated: sum of trades = 2");
    expect(Array.from(s.trades)).toEqual([0, 0]);
    expect(Array.from(s.transfers)).toEqual([0, 0]);
    // Within the tolerance 1e-9 * (1 + sum |X_i|) the trades stand.
    const nearly: ClearingResult = {
      status: "cleared",
      price: 2,
      quantities: new Float64Array([1, -1 + 1e-10]),
      imbalance: 1e-10,
    };
    expect(settle(nearly, 2, noFee).status).toBe("cleared");
  });

  it("returns invalid, naming the trader, when a fee is not finite", () => {
    const broken: FeeSchedule = { id: "broken", fee: (i) => (i === 2 ? Number.NaN : 1) };
    const s = settle(result, 3, broken);
    expect(s.status).toBe("invalid");
    expect(s.reason).toContain("trader 2");
    expect(s.reason).not.toContain("\n");
    expect(Array.from(s.transfers)).toEqual([0, 0, 0]);
    expect(Array.from(s.fees)).toEqual([0, 0, 0]);
    expect(s.revenue).toBe(0);
  });

  it("does not alias the clearing result's quantities", () => {
    if (result.status !== "cleared") throw new Error(result.reason);
    const s = settle(result, 3, noFee);
    expect(s.trades).not.toBe(result.quantities);
  });

  it("throws RangeError when traders is not the number of cleared quantities", () => {
    expect(() => settle(result, 2, noFee)).toThrow(RangeError);
    expect(() => settle(result, -1, noFee)).toThrow(RangeError);
  });
});

import { compensatedSum } from "@optex/numerics";
import { describe, expect, it } from "vitest";
import { clear } from "./clear.ts";
import { type DemandSchedule, linearSchedule } from "./demandSchedule.ts";
import type { FeeSchedule } from "./feeSchedule.ts";
import { noFee } from "./feeSchedule.ts";
import {
  type CrossExchangeFee,
  crossExchangeFee,
  type MarketSettlement,
  perAssetFee,
  type RepeatedMarket,
  runMarket,
  runRounds,
  settleMarket,
  type Strategy,
} from "./market.ts";
import { settle } from "./settle.ts";

// Test fees that depend on trader, trade and price (the engine knows no real fee formula).
const perAsset: FeeSchedule = { id: "test", fee: (i, q, p) => 0.5 * q * q + 0.1 * i - 0.01 * p };
const cross: CrossExchangeFee = { id: "cross", feeOf: (q, p, i) => q[0]! * q[1]! + 0.25 * (p[0]! - p[1]!) + 0.1 * (i ?? 0) };

// A price taker with a vector endowment: q_a(p_a) = -e_a - p_a in each asset.
const taker: Strategy<readonly number[]> = {
  id: "taker",
  bid: (e, view) => Array.from({ length: view.assets }, (_, a) => linearSchedule(-e[a]!, 1)),
};

describe("settleMarket and runMarket", () => {
  const endowments = [
    [1, -2],
    [-3, 0.5],
    [0.5, 2],
  ];

  it("per-asset fees: each asset clears on its own; T_i = sum_a p_a X_ia + sum_a fee_ia", () => {
    const s = runMarket(endowments, taker, perAssetFee(perAsset, 2), 2);
    expect(s.status).toBe("cleared");
    for (let a = 0; a < 2; a++) {
      const r = clear(endowments.map((e) => linearSchedule(-e[a]!, 1)));
      if (r.status !== "cleared") throw new Error(r.reason);
      expect(s.prices[a]).toBe(r.price);
      for (let i = 0; i < 3; i++) expect(s.trades[i]![a]).toBe(r.quantities[i]);
    }
    for (let i = 0; i < 3; i++) {
      let t = 0;
      let f = 0;
      for (let a = 0; a < 2; a++) {
        const fee = perAsset.fee(i, s.trades[i]![a]!, s.prices[a]!);
        f += fee;
        t += s.prices[a]! * s.trades[i]![a]! + fee;
      }
      expect(s.fees[i]).toBeCloseTo(f, 15);
      expect(s.transfers[i]).toBeCloseTo(t, 15);
    }
    expect(s.revenue).toBe(compensatedSum(s.transfers));
  });

  it("per-asset fees: an asset without a unique price has no trade and no transfer; the others settle", () => {
    // Asset 1 has zero slopes everywhere: every price clears it (non-unique price).
    const flat: Strategy<readonly number[]> = { id: "flat", bid: (e) => [linearSchedule(-e[0]!, 1), linearSchedule(0, 0)] };
    const s = runMarket(endowments, flat, perAssetFee(noFee, 2), 2);
    expect(s.status).toBe("non-unique-price");
    expect(s.reason).toMatch(/^asset 1: /);
    expect(s.cleared).toEqual([true, false]);
    expect(Number.isNaN(s.prices[1])).toBe(true);
    for (let i = 0; i < 3; i++) {
      expect(s.trades[i]![1]).toBe(0);
      expect(s.trades[i]![0]).not.toBe(0);
    }
  });

  it("a cross-exchange fee sees every trade and price; when one asset fails no asset trades", () => {
    const s = runMarket(endowments, taker, crossExchangeFee(cross), 2);
    expect(s.status).toBe("cleared");
    for (let i = 0; i < 3; i++) {
      const q = Array.from(s.trades[i]!);
      const p = Array.from(s.prices);
      expect(s.fees[i]).toBe(cross.feeOf(q, p, i));
      expect(s.transfers[i]).toBeCloseTo(p[0]! * q[0]! + p[1]! * q[1]! + s.fees[i]!, 14);
    }
    const flat: Strategy<readonly number[]> = { id: "flat", bid: (e) => [linearSchedule(-e[0]!, 1), linearSchedule(0, 0)] };
    const failed = runMarket(endowments, flat, crossExchangeFee(cross), 2);
    expect(failed.status).toBe("non-unique-price");
    expect(failed.cleared).toEqual([false, false]);
    expect(failed.revenue).toBe(0);
    for (let i = 0; i < 3; i++) expect(Array.from(failed.trades[i]!)).toEqual([0, 0]);
  });

  it("one asset: settle() is settleMarket's single-asset case", () => {
    const schedules = [linearSchedule(10, 1), linearSchedule(-2, 3), linearSchedule(4, 2)];
    const r = clear(schedules);
    const single = settle(r, 3, perAsset);
    const market = settleMarket([r], 3, perAssetFee(perAsset));
    expect(single.price).toBe(market.prices[0]);
    expect(Array.from(single.transfers)).toEqual(Array.from(market.transfers));
    expect(single.revenue).toBe(market.revenue);
  });

  it("a strategy that bids the wrong number of schedules or throws gives an invalid market naming the trader", () => {
    const short: Strategy<readonly number[]> = { id: "short", bid: (e) => [linearSchedule(-e[0]!, 1)] };
    const s = runMarket(endowments, short, perAssetFee(noFee, 2), 2);
    expect(s.status).toBe("invalid");
    expect(s.reason).toMatch(/trader 0 \(strategy "short"\) bid 1 schedules for 2 assets/);
    const throwing: Strategy<number> = {
      id: "throws",
      bid: (e): DemandSchedule[] => {
        if (e > 0) throw new Error("no bid");
        return [linearSchedule(-e, 1)];
      },
    };
    const t = runMarket([-1, 2], throwing, perAssetFee(noFee));
    expect(t.status).toBe("invalid");
    expect(t.reason).toMatch(/trader 1 \(strategy "throws"\): no bid/);
    expect(Array.from(t.transfers)).toEqual([0, 0]);
  });

  it("a fee that is not finite voids its asset's trades", () => {
    const bad: FeeSchedule = { id: "bad", fee: (i) => (i === 2 ? Number.NaN : 0) };
    const s = runMarket(endowments, taker, perAssetFee([noFee, bad]), 2);
    expect(s.status).toBe("invalid");
    expect(s.reason).toMatch(/asset 1: fee of trader 2 is NaN/);
    expect(s.cleared).toEqual([true, false]);
    for (let i = 0; i < 3; i++) expect(s.trades[i]![1]).toBe(0);
  });
});

describe("runRounds", () => {
  it("carries holdings from round to round: price takers reach the average holding in one round and then stop trading", () => {
    // State: holdings y_i; each round price takers bid q = -y - p (kappa = 1) with no fee.
    const start = [3, -1, 0.5, 1.5];
    const settlements: MarketSettlement[] = [];
    const market: RepeatedMarket<number[], number> = {
      rounds: 3,
      assets: 1,
      typesOf: (y) => y,
      strategies: { id: "taker", bid: (y) => [linearSchedule(-y, 1)] },
      feeOf: () => perAssetFee(noFee),
      advance: (y, s) => {
        settlements.push(s);
        return y.map((yi, i) => yi + s.trades[i]![0]!);
      },
    };
    const end = runRounds(start, market);
    const mean = start.reduce((a, b) => a + b, 0) / start.length;
    for (const y of end) expect(y).toBeCloseTo(mean, 14);
    expect(settlements).toHaveLength(3);
    for (const s of settlements.slice(1)) for (let i = 0; i < 4; i++) expect(Math.abs(s.trades[i]![0]!)).toBeLessThan(1e-15);
    // A wrong carry (holdings not updated) would trade the same amount every round.
    expect(Math.abs(settlements[0]!.trades[0]![0]!)).toBeGreaterThan(1);
  });
});

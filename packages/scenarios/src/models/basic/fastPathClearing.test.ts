import { type LinearStrategy, linearStrategy } from "@optex/agents";
import { clearLinearBook, createLinearBook, type FeeSchedule, noFee } from "@optex/engine";
import { basicEnvironment, type BasicEnvironment, normal, uniform } from "@optex/theory";
import seedrandom from "seedrandom";
import { describe, expect, test } from "vitest";
import { basicMechanism } from "./simulation.ts";
import { SIMULATION_CHUNK_MARKETS as CHUNK_MARKETS } from "../../montecarlo/marketSimulation.ts";
import { runMonteCarlo } from "./fastPath.ts";

/**
 * The per-market samples by the plain composition of the engine's calls: clearLinearBook on every
 * market (no equal-slopes shortcut), fee() trader by trader, the sums in runChunk's order. Bit for bit
 * what runMonteCarlo must give.
 */
function reference(env: BasicEnvironment, strategy: LinearStrategy, fee: FeeSchedule, markets: number, seed: string) {
  const { traders: N, kappa, muPi, dist } = env;
  const out = {
    revenue: new Float64Array(markets),
    holding: new Float64Array(markets),
    gain: new Float64Array(markets),
    volume: new Float64Array(markets),
    noTrade: 0,
  };
  const book = createLinearBook(N);
  const [e, q] = [new Float64Array(N), new Float64Array(N)];
  const inv2k = 1 / (2 * kappa);
  let rng = seedrandom.alea(`${seed}/0`);
  for (let m = 0; m < markets; m++) {
    if (m > 0 && m % CHUNK_MARKETS === 0) rng = seedrandom.alea(`${seed}/${m / CHUNK_MARKETS}`);
    dist.sampleInto(rng, e);
    strategy.interceptsInto(e, book.intercepts);
    book.slopes.fill(strategy.slope);
    const p = clearLinearBook(book, q);
    if (Number.isNaN(p)) {
      out.noTrade++;
      let holding = 0;
      for (let i = 0; i < N; i++) holding += e[i]! * e[i]! * inv2k;
      out.holding[m] = holding / N;
      continue;
    }
    let [net, netError, feeSum, squares, cross, volume] = [0, 0, 0, 0, 0, 0];
    for (let i = 0; i < N; i++) {
      const position = e[i]! + q[i]!;
      feeSum += fee.fee(i, q[i]!, p);
      squares += position * position;
      cross += q[i]! * (e[i]! + position);
      volume += Math.abs(q[i]!);
      const t = net + q[i]!;
      const b = t - net;
      netError += net - (t - b) + (q[i]! - b);
      net = t;
    }
    net += netError;
    out.revenue[m] = (feeSum + p * net) * (1 / N);
    out.holding[m] = squares * inv2k * (1 / N);
    out.gain[m] = ((muPi - p) * net - feeSum - cross * inv2k) * (1 / N);
    out.volume[m] = volume * (1 / N);
  }
  return out;
}

function expectSameSamples(env: BasicEnvironment, strategy: LinearStrategy, fee: FeeSchedule, markets: number, seed: string): number {
  const got = runMonteCarlo({ env, strategy, fee, markets, seed });
  const want = reference(env, strategy, fee, markets, seed);
  expect(got.revenuePerTrader).toEqual(want.revenue);
  expect(got.holdingCostPerTrader).toEqual(want.holding);
  expect(got.utilityGainPerTrader).toEqual(want.gain);
  expect(got.tradeVolumePerTrader).toEqual(want.volume);
  expect(got.noTradeMarkets).toBe(want.noTrade);
  return got.noTradeMarkets;
}

describe("Monte Carlo's clearing of equal-slope books is clearLinearBook's, bit for bit", () => {
  test("optimal mechanism (closed-form bids and fee), across a chunk boundary", () => {
    const env = basicEnvironment({ dist: uniform(-1, 1), kappa: 1.7, traders: 7, muPi: 0.3 });
    const m = basicMechanism("optimal", env, 0.5);
    expect(expectSameSamples(env, m.strategy, m.fee, CHUNK_MARKETS + 500, "clear-equal")).toBe(0);
  });

  test("double auction with a large mean (prices far from 0)", () => {
    const env = basicEnvironment({ dist: normal(50, 0.1), kappa: 2, traders: 3, muPi: 40 });
    const m = basicMechanism("double-auction", env, 0.5);
    expectSameSamples(env, m.strategy, m.fee, 3000, "clear-mean");
  });

  test("intercepts sharing a large common part: quantities the engine rebalances to the exact price", () => {
    // Trades of 1e-6 against a price of 1: rounding the price leaves sum q far above 4 eps sum |q|.
    const env = basicEnvironment({ dist: uniform(-1, 1), kappa: 1, traders: 5 });
    const common = linearStrategy("common-value", (e) => 1 + 1e-6 * e, 1);
    expectSameSamples(env, common, noFee, 3000, "clear-rebalance");
  });

  test("non-finite intercepts, overflowing sums and zero slopes go to clearLinearBook (no trade)", () => {
    const env = basicEnvironment({ dist: uniform(-1, 1), kappa: 1, traders: 4 });
    const nonFinite = linearStrategy("nan-below-0.9", (e) => (e < -0.9 ? Number.NaN : e > 0.9 ? Infinity : -e), 1);
    expect(expectSameSamples(env, nonFinite, noFee, 2000, "clear-nan")).toBeGreaterThan(0);
    const huge = linearStrategy("huge", (e) => (e > 0 ? 1.7e308 : -e), 1);
    expect(expectSameSamples(env, huge, noFee, 2000, "clear-overflow")).toBeGreaterThan(0);
    const flat = linearStrategy("flat", (e) => -e, 0);
    expect(expectSameSamples(env, flat, noFee, 200, "clear-flat")).toBe(200);
  });
});

import { basicEnvironment, normal, uniform } from "@optex/theory";
import { describe, expect, test } from "vitest";
import { basicMechanism } from "./simulation.ts";
import { estimate, estimateFromMoments } from "../../montecarlo/estimate.ts";
import {
  mergeSimulationMoments,
  SIMULATION_CHUNK_MARKETS as CHUNK_MARKETS,
  simulationChunkCount as chunkCount,
  simulationChunkMoments,
} from "../../montecarlo/marketSimulation.ts";
import { basicSimulation } from "./simulation.ts";
import { quantityNames, runMonteCarlo } from "./fastPath.ts";

describe("Monte Carlo summarised chunk by chunk", () => {
  // 2.5 chunks: the last chunk is partial.
  const markets = 2 * CHUNK_MARKETS + CHUNK_MARKETS / 2 + 7;
  const cases = [
    {
      name: "optimal, U[-1,1], N = 4",
      env: basicEnvironment({ dist: uniform(-1, 1), kappa: 1, traders: 4 }),
      mechanism: "optimal" as const,
    },
    // Large mean and price: moments taken about the mean keep the variance's digits.
    {
      name: "double auction, N(50, 0.1), N = 3, mu_pi = 40",
      env: basicEnvironment({ dist: normal(50, 0.1), kappa: 2, traders: 3, muPi: 40 }),
      mechanism: "double-auction" as const,
    },
  ];
  test.each(cases)("$name: merged moments give runMonteCarlo's estimates", ({ env, mechanism }) => {
    const m = basicMechanism(mechanism, env, 0.5);
    const spec = { env, strategy: m.strategy, fee: m.fee, markets, seed: "moments" };
    const samples = runMonteCarlo(spec);
    // The basic model's simulation (its fast path) through the generic chunk-moment harness.
    const sim = basicSimulation(env, m);
    const whole = mergeSimulationMoments(simulationChunkMoments(sim, markets, spec.seed, 0, chunkCount(markets)));
    expect(chunkCount(markets)).toBe(3);
    expect(whole.noTradeMarkets).toBe(samples.noTradeMarkets);
    expect(whole.worstImbalance).toBe(samples.worstImbalance);
    for (const [j, q] of quantityNames.entries()) {
      const direct = estimate(samples[q]);
      const { markets: n, mean, m2 } = whole.moments[j]!;
      const merged = estimateFromMoments(n, mean, m2);
      expect(n).toBe(markets);
      // Both are the mean of the same numbers, summed in different orders (compensated sums, and
      // per 4096-market block then Chan's updates): they agree to a few roundings of the largest sample. The sums of squared deviations are
      // plain sums of n positive terms (simple-statistics' in one order, chunks' in another), so
      // they agree to n eps relative (3.6e-11 here; 5e-13 is seen, dropping Chan's cross term
      // gives 2.5e-6).
      const scale = samples[q].reduce((a, x) => Math.max(a, Math.abs(x)), 0);
      expect(Math.abs(merged.mean - direct.mean), q).toBeLessThanOrEqual(8 * Number.EPSILON * scale);
      if (direct.standardError === 0) expect(merged.standardError, q).toBeLessThan(1e-14 * scale);
      else expect(Math.abs(merged.standardError! / direct.standardError! - 1), q).toBeLessThan(markets * Number.EPSILON);
    }
  });

  test("any split of the chunks gives the same bits", () => {
    const { env, mechanism } = cases[0]!;
    const m = basicMechanism(mechanism, env, 0.5);
    const sim = basicSimulation(env, m);
    const chunks = (a: number, b: number) => simulationChunkMoments(sim, markets, "split", a, b);
    const whole = mergeSimulationMoments(chunks(0, 3));
    const split = mergeSimulationMoments([...chunks(0, 1), ...chunks(1, 1), ...chunks(1, 3)]);
    expect(split).toEqual(whole);
    expect(() => chunks(0, 4)).toThrow(/chunks 0\.\.4 outside 0\.\.3/);
  });
});

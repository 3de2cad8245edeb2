import { describe, expect, it } from "vitest";
import { mean, sampleVariance } from "simple-statistics";
import seedrandom from "seedrandom";
import {
  type MarketSimulation,
  mergeSimulationMoments,
  runSimulation,
  SIMULATION_CHUNK_MARKETS,
  simulationChunkCount,
  simulationChunkMoments,
} from "./marketSimulation.ts";

// A toy market: two quantities, u and u^2 for u uniform on [0, 1] (theory 1/2 and 1/3; the second's theory is off on purpose in `wrong`).
const toy = (theory: Record<string, number>): MarketSimulation => ({
  mechanism: "toy",
  fee: "none",
  strategy: "none",
  quantities: [
    { key: "u", label: "u per market" },
    { key: "u2", label: "u squared per market" },
  ],
  theory,
  runMarkets: (rng, count, out) => {
    for (let m = 0; m < count; m++) {
      const u = rng();
      out[0]![m] = u;
      out[1]![m] = u * u;
    }
    return { noTradeMarkets: 0, worstImbalance: 0 };
  },
});

describe("market simulations summarised by chunk moments", () => {
  const markets = 2 * SIMULATION_CHUNK_MARKETS + 1234;

  it("any split of the chunks gives the same bits, and the moments are those of all samples", () => {
    const sim = toy({ u: 0.5, u2: 1 / 3 });
    const n = simulationChunkCount(markets);
    const whole = mergeSimulationMoments(simulationChunkMoments(sim, markets, "s", 0, n));
    const split = mergeSimulationMoments([
      ...simulationChunkMoments(sim, markets, "s", 0, 1),
      ...simulationChunkMoments(sim, markets, "s", 1, n),
    ]);
    expect(split).toEqual(whole);
    // All samples, drawn as the chunks draw them.
    const samples: number[] = [];
    for (let k = 0; k < n; k++) {
      const rng = seedrandom.alea(`s/${k}`);
      for (let m = k * SIMULATION_CHUNK_MARKETS; m < Math.min(markets, (k + 1) * SIMULATION_CHUNK_MARKETS); m++) samples.push(rng());
    }
    expect(whole.moments[0]!.markets).toBe(markets);
    expect(Math.abs(whole.moments[0]!.mean - mean(samples))).toBeLessThan(1e-15);
    expect(Math.abs(whole.moments[0]!.m2 / (markets - 1) - sampleVariance(samples))).toBeLessThan(1e-13);
  });

  it("theory inside the 99% interval passes; a wrong theory fails", () => {
    const right = runSimulation(toy({ u: 0.5, u2: 1 / 3 }), 100_000, "s");
    expect(right.agreement).toEqual({ u: true, u2: true });
    expect(right.labels.u2).toBe("u squared per market");
    const wrong = runSimulation(toy({ u: 0.5, u2: 0.34 }), 100_000, "s");
    expect(wrong.agreement.u2).toBe(false);
  });
});

/**
 * Single-thread throughput of the multi-asset markets, in trader-draws (markets x traders) per CPU
 * second, best of three (CPU time, so that other processes on the machine do not count):
 *   npx tsx packages/scenarios/src/models/multi-asset/throughput.ts
 */
import seedrandom from "seedrandom";
import { multiAssetSimulations, type MultiAssetMarketPath } from "./simulation.ts";

const MARKETS = 50_000;
for (const k of [1, 2, 3, 4, 5]) {
  const params = { assets: k, traders: 10, kappa: 1.3, sigmaE: 0.8, sigmaPi: 1.4, alpha: 0.5, muE: 0.3, muPi: 0.2 };
  for (const path of ["fast", "general"] satisfies MultiAssetMarketPath[]) {
    for (const sim of multiAssetSimulations(params, undefined, { path })) {
      const block = 4096;
      const out = sim.quantities.map(() => new Float64Array(block));
      const markets = path === "fast" ? MARKETS : MARKETS / 10;
      sim.runMarkets(seedrandom.alea("warm-up"), block, out);
      let best = Infinity;
      for (let repeat = 0; repeat < 3; repeat++) {
        const rng = seedrandom.alea(`throughput-${repeat}`);
        const start = process.cpuUsage();
        for (let done = 0; done < markets; done += block) sim.runMarkets(rng, Math.min(block, markets - done), out);
        const used = process.cpuUsage(start);
        best = Math.min(best, (used.user + used.system) / 1e6);
      }
      const rate = (markets * params.traders) / best / 1e6;
      console.log(
        `k = ${k}, N = ${params.traders}, ${path.padEnd(7)} ${sim.mechanism.padEnd(17)} ${rate.toFixed(2)} M trader-draws per CPU second`,
      );
    }
  }
}

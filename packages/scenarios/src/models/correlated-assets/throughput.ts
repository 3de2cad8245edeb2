/**
 * Single-thread throughput of the correlated-assets simulations, in trader-draws per second
 * (markets x traders / seconds of runSimulation; a trader-draw is one trader's k endowments, bids
 * in k auctions, settlement and joint regret), after a warm-up run, on the linear-books path and on
 * the general path (engine.runMarket, a tenth of the markets). The rate per second of process CPU
 * time is printed too: it is what counts when other jobs share the cores.
 * Run: npx tsx packages/scenarios/src/models/correlated-assets/throughput.ts [markets] [traders] [assets] [assetCorrelation]
 */
import { runSimulation } from "../../montecarlo/marketSimulation.ts";
import { correlatedAssetsSimulations } from "./simulation.ts";

const markets = Number(process.argv[2] ?? 200_000);
const traders = Number(process.argv[3] ?? 10);
const assets = Number(process.argv[4] ?? 3);
const assetCorrelation = Number(process.argv[5] ?? 0.5);
for (const path of ["linear-books", "engine"] as const) {
  for (const sim of correlatedAssetsSimulations({ traders, kappa: 1, sigmaE: 1, assets, sigmaPi: 1, assetCorrelation }, undefined, {
    path,
  })) {
    const n = path === "engine" ? Math.ceil(markets / 10) : markets;
    runSimulation(sim, 20_000, "warm-up");
    const cpu = process.cpuUsage();
    const r = runSimulation(sim, n, "throughput");
    const { user, system } = process.cpuUsage(cpu);
    const cpuSeconds = (user + system) / 1e6;
    const draws = (n * traders) / 1e6;
    console.log(
      `${path.padEnd(12)} ${sim.mechanism.padEnd(15)} N=${traders} k=${assets}: ${n} markets in ${r.elapsedSeconds.toFixed(2)} s (${cpuSeconds.toFixed(2)} s CPU): ` +
        `${(draws / r.elapsedSeconds).toFixed(2)} M trader-draws/s (${(draws / cpuSeconds).toFixed(2)} per CPU second)`,
    );
  }
}

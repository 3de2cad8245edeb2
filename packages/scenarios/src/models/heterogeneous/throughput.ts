/**
 * Single-thread throughput of the heterogeneous model's simulations, in trader-draws per second
 * (markets x traders / seconds of runSimulation, after a warm-up run that builds the fee's tables
 * and compiles the loops), on the fast path and on the general path (engine.runMarket, a tenth of
 * the markets). The rate per second of process CPU time is printed too: it is what counts when
 * other jobs share the cores.
 * Run: npx tsx packages/scenarios/src/models/heterogeneous/throughput.ts [markets] [dists] [kappas]
 */
import { parseDistribution } from "@optex/theory";
import { runSimulation } from "../../montecarlo/marketSimulation.ts";
import { heterogeneousSimulations } from "./simulation.ts";

const markets = Number(process.argv[2] ?? 1_000_000);
const dists = (process.argv[3] ?? "normal:0,0.5;normal:0,1;normal:0,2").split(";").map((s) => parseDistribution(s));
const kappas = (process.argv[4] ?? "1,2,3").split(",").map(Number);
for (const path of ["fast", "general"] as const) {
  for (const sim of heterogeneousSimulations({ dists, kappas, alpha: 0.5, muPi: 0.25 }, undefined, { path })) {
    const n = path === "general" ? Math.ceil(markets / 10) : markets;
    runSimulation(sim, 20_000, "warm-up");
    const cpu = process.cpuUsage();
    const r = runSimulation(sim, n, "throughput");
    const { user, system } = process.cpuUsage(cpu);
    const cpuSeconds = (user + system) / 1e6;
    const draws = (n * dists.length) / 1e6;
    console.log(
      `${path.padEnd(12)} ${sim.mechanism.padEnd(15)} ${n} markets in ${r.elapsedSeconds.toFixed(2)} s (${cpuSeconds.toFixed(2)} s CPU): ` +
        `${(draws / r.elapsedSeconds).toFixed(2)} M trader-draws/s (${(draws / cpuSeconds).toFixed(2)} per CPU second)`,
    );
  }
}

import { clear, clearLinearBook, createLinearBook, type DemandSchedule, linearSchedule, piecewiseLinearSchedule } from "@optex/engine";
import { certify, solveEquilibrium } from "@optex/agents";
import { feeFromSpec, prop5LawsFee } from "@optex/fees";
import { basicEnvironment, parseAlphaGrid, parseDistribution, revenueEfficiencyFrontier, uniform } from "@optex/theory";
import { adverseSelectionLawsReport, adverseSelectionReport } from "../models/adverse-selection/report.ts";
import { dynamicReport } from "../models/dynamic/report.ts";
import { heterogeneousReport } from "../models/heterogeneous/report.ts";
import { multiAssetReport } from "../models/multi-asset/report.ts";
import { basicTheoryReport } from "../models/basic/report.ts";
import seedrandom from "seedrandom";
import { median } from "simple-statistics";
import { basicMechanism, basicSimulation } from "../models/basic/simulation.ts";
import { fmt, table, toJson } from "../output/format.ts";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { workerBundle } from "../sweeps/workerBundle.ts";
import { runScenario } from "../sweeps/runScenario.ts";
import { parseScenario } from "../sweeps/scenarioSchema.ts";
import { resolveParameters } from "../models/model.ts";
import type { ParameterValue } from "../models/parameters.ts";
import { models, tradersOf } from "../models/registry.ts";
import { simulationChunkCount, simulationChunkMoments } from "../montecarlo/marketSimulation.ts";

interface BenchRow {
  readonly name: string;
  readonly size: number;
  /** Seconds per run (best of the repetitions). */
  readonly secondsPerRun: number;
  readonly itemsPerSecond: number;
  readonly unit: string;
}

/** Best wall time of f over repetitions lasting at least minSeconds in all (best-of reduces noise). */
function timeBest(f: () => void, minSeconds: number): number {
  return timeFirstAndBest(f, minSeconds).best;
}

/** The first call's wall time (includes compiling what earlier benchmarks did not use) and the best of the repetitions after it. */
function timeFirstAndBest(f: () => void, minSeconds: number): { first: number; best: number } {
  const t0 = process.hrtime.bigint();
  f(); // warm-up (JIT)
  const first = Number(process.hrtime.bigint() - t0) / 1e9;
  let best = Infinity;
  let total = 0;
  let runs = 0;
  while (total < minSeconds || runs < 3) {
    const t = process.hrtime.bigint();
    f();
    const s = Number(process.hrtime.bigint() - t) / 1e9;
    best = Math.min(best, s);
    total += s;
    runs++;
  }
  return { first, best };
}

/** The vectorised NumPy program of the basic model with closed forms of v and B (see bench/baselines/README.md), found above this file; undefined when absent. */
function numpyBaselineScript(): string | undefined {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const script = join(dir, "bench", "baselines", "numpy_basic_closed.py");
    if (existsSync(script)) return script;
    if (dirname(dir) === dir) return undefined;
  }
}

/** optex's Monte Carlo against the NumPy baseline at one N: interleaved runs (NumPy first), best of each. */
interface NumpyComparison {
  readonly traders: number;
  readonly drawsPerRun: number;
  /** The interpreter that ran the baseline, or null when none was usable. */
  readonly python: string | null;
  /** Why the comparison was skipped (no python3 with numpy, no script, or the script failed). */
  readonly skipped?: string;
  /** Trader-draws per second of each pair of runs (numpy null when skipped). */
  readonly runs: readonly { readonly numpy: number | null; readonly optex: number }[];
  readonly bestNumpy?: number;
  readonly bestOptex?: number;
  /** bestOptex / bestNumpy: above 1 when optex is faster. */
  readonly ratio?: number;
}

/** The baseline script and a python3 that imports numpy ($OPTEX_PYTHON first, then python3 on the PATH, then /usr/bin/python3), or why there are none. */
function findNumpyPython(): { python: string; script: string } | { reason: string } {
  const script = numpyBaselineScript();
  if (!script) return { reason: "bench/baselines/numpy_basic_closed.py not found" };
  const candidates = [...new Set([process.env.OPTEX_PYTHON, "python3", "/usr/bin/python3"].filter((c): c is string => !!c))];
  for (const python of candidates) {
    const r = spawnSync(python, ["-c", "import numpy"], { encoding: "utf8", timeout: 60_000 });
    if (r.status === 0) return { python, script };
  }
  return { reason: `no python3 with numpy (tried ${candidates.join(", ")})` };
}

/** One run of the NumPy baseline: its trader-draws per second (it times its own loop, not start-up). Throws when it fails. */
function runNumpyBaseline(python: string, script: string, traders: number, draws: number): number {
  const r = spawnSync(python, [script, String(traders), String(draws)], { encoding: "utf8", timeout: 600_000 });
  const m = /^N=(\d+): ([\d.]+) M trader-draws\/s/m.exec(r.stdout ?? "");
  if (r.status !== 0 || !m || Number(m[1]) !== traders)
    throw new Error(`${python} ${script} failed: ${(r.stderr || r.stdout || String(r.error)).trim().split("\n").pop()}`);
  return Number(m[2]) * 1e6;
}

/**
 * optex's chunk-moments Monte Carlo (what sweeps run) and the NumPy baseline on the same model and
 * number of draws, alternating NumPy, optex, NumPy, optex (so both see the same machine state),
 * best of each; optex warmed up first. Without python3 and numpy, optex alone (skipped says why).
 */
function compareWithNumpy(traders: number, draws: number, pairs: number): NumpyComparison {
  const env = basicEnvironment({ dist: uniform(-1, 1), kappa: 1, traders });
  const m = basicMechanism("optimal", env, 0.5);
  const markets = Math.round(draws / traders);
  const sim = basicSimulation(env, m);
  const optexRun = () => {
    const t = process.hrtime.bigint();
    simulationChunkMoments(sim, markets, "bench", 0, simulationChunkCount(markets));
    return (markets * traders) / (Number(process.hrtime.bigint() - t) / 1e9);
  };
  optexRun(); // warm-up (JIT)
  const found = findNumpyPython();
  const runs: { numpy: number | null; optex: number }[] = [];
  const base = { traders, drawsPerRun: markets * traders };
  if ("reason" in found) {
    for (let i = 0; i < pairs; i++) runs.push({ numpy: null, optex: optexRun() });
    return { ...base, python: null, skipped: found.reason, runs, bestOptex: Math.max(...runs.map((r) => r.optex)) };
  }
  try {
    for (let i = 0; i < pairs; i++) {
      const numpy = runNumpyBaseline(found.python, found.script, traders, markets * traders);
      runs.push({ numpy, optex: optexRun() });
    }
  } catch (e) {
    const skipped = (e as Error).message;
    if (runs.length === 0) runs.push({ numpy: null, optex: optexRun() });
    return { ...base, python: found.python, skipped, runs, bestOptex: Math.max(...runs.map((r) => r.optex)) };
  }
  const bestNumpy = Math.max(...runs.map((r) => r.numpy!));
  const bestOptex = Math.max(...runs.map((r) => r.optex));
  return { ...base, python: found.python, runs, bestNumpy, bestOptex, ratio: bestOptex / bestNumpy };
}

/** The comparison in one paragraph. */
function numpyLine(c: NumpyComparison): string {
  const M = (x: number) => `${(x / 1e6).toFixed(2)} M`;
  if (c.ratio === undefined) return `Monte Carlo at N = ${c.traders} against NumPy skipped: ${c.skipped}\n\n`;
  return (
    `Monte Carlo at N = ${c.traders}, ${M(c.drawsPerRun)} trader-draws per run: optex ${M(c.bestOptex!)} trader-draws/s, NumPy with closed forms ` +
    `${M(c.bestNumpy!)} (${c.python}); optex/NumPy = ${c.ratio.toFixed(2)} (best of ${c.runs.length} interleaved runs each: ` +
    `${c.runs.map((r) => `${(r.numpy! / 1e6).toFixed(1)}/${(r.optex / 1e6).toFixed(1)}`).join(", ")} M, NumPy/optex)\n\n`
  );
}

/** A theory computation timed by `optex bench` against the target of issue 3 (single solve < 50 ms, 101-point frontier < 2 s). */
interface TheoryBenchRow {
  readonly name: string;
  readonly target: number;
  readonly firstCallSeconds: number;
  readonly bestSeconds: number;
}

function theoryBench(minSeconds: number): TheoryBenchRow[] {
  const rows: TheoryBenchRow[] = [];
  const add = (name: string, target: number, f: () => void) => {
    const { first, best } = timeFirstAndBest(f, minSeconds);
    rows.push({ name, target, firstCallSeconds: first, bestSeconds: best });
  };
  for (const spec of ["uniform:-1,1", "normal:0,1", "exponential:1"]) {
    const env = basicEnvironment({ dist: parseDistribution(spec), kappa: 1, traders: 5, muPi: 0 });
    add(`basic report ${spec}, N = 5 (3 mechanisms with trade volume)`, 0.05, () => void basicTheoryReport(env, 0.5));
  }
  const normalEnv = basicEnvironment({ dist: parseDistribution("normal:0,1"), kappa: 1, traders: 10, muPi: 0 });
  add("basic frontier, 101 alphas, normal:0,1, N = 10", 2, () => void revenueEfficiencyFrontier(normalEnv, parseAlphaGrid("0:1:0.01")));
  add(
    "adverse selection N = 5, sigma_zeta 0.5, rho 0 (SLE, threshold, Theorems 3-4)",
    0.05,
    () => void adverseSelectionReport({ traders: 5, kappa: 1, sigmaE: 1, sigmaZeta: 0.5, rho: 0, muE: 0, alpha: 0.5 }),
  );
  add(
    "adverse selection, uniform endowments and signals (Theorem 3 by convolution)",
    0.05,
    () =>
      void adverseSelectionLawsReport({
        traders: 5,
        kappa: 1,
        alpha: 0.5,
        endowment: parseDistribution("uniform:-1,1"),
        signal: parseDistribution("uniform:-0.3,0.3"),
      }),
  );
  add(
    "Proposition 5's fee by convolution, Laplace endowments, N = 5 (grid of v(t), FFT of psi)",
    0.5,
    () =>
      void prop5LawsFee({
        traders: 5,
        kappa: 1,
        alpha: 0.5,
        endowment: parseDistribution("laplace:0,1"),
        signal: parseDistribution("normal:0,0.5"),
      }),
  );
  add(
    "heterogeneous, 3 Gaussian traders (Theorem 5, Proposition 10)",
    0.05,
    () =>
      void heterogeneousReport(
        ["normal:0,0.5", "normal:0,1", "normal:0,2"].map((d) => parseDistribution(d)),
        [1, 2, 3],
        0.5,
        0,
      ),
  );
  add(
    "several assets, k = 3, N = 4 (Proposition 7)",
    0.05,
    () => void multiAssetReport({ assets: 3, traders: 4, kappa: 1, sigmaE: 1.5, sigmaPi: 1.5, alpha: 0.5 }),
  );
  add(
    "dynamics, 3 intervals (Proposition 12)",
    0.05,
    () => void dynamicReport({ traders: 5, kappa: 1, delta: 0.1, dt: 1, muE: 0, sigma0: 1, sigmaZ: 1, dts: [4, 1, 0.25] }),
  );
  return rows;
}

/**
 * `optex bench`: clearing throughput of linear books (batch fast path and general entry) and of
 * piecewise-linear books (three breakpoints per trader), 10^3 to 10^6 traders; and single-thread
 * Monte Carlo throughput (trader-draws per second) of the basic model's optimal mechanism
 * (U[-1,1], alpha = 0.5, Proposition 3 fee) at N = 10 and N = 100, at N = 10 next to the NumPy
 * baseline with closed forms (bench/baselines/numpy_basic_closed.py, run when python3 with numpy is
 * found; the ratio optex/NumPy is reported); sweep throughput with 1 and 2 workers; and the time of
 * one theory solve per model (first call and warm), against issue 3's targets.
 */
export async function runBench(
  options: { json: boolean; quick: boolean },
  out: (text: string) => void = (t) => void process.stdout.write(t),
): Promise<void> {
  const rows: BenchRow[] = [];
  const sizes = options.quick ? [1e3, 1e4] : [1e3, 1e4, 1e5, 1e6];
  const minSeconds = options.quick ? 0.05 : 0.5;
  // Sweep throughput through the worker pool, first, while the process is fresh (the clearing
  // benchmarks below leave gigabytes of garbage): the same tasks with 1 and 2 pool workers (wall
  // time, worker start-up included), and the speed-up.
  const sweep = parseScenario(
    {
      id: "bench-sweep",
      sweep: { traders: [10, 11, 12, 13, 14, 15, 16, 17] },
      mechanisms: ["optimal"],
      markets: options.quick ? 20_000 : 1_000_000,
    },
    "bench",
  );
  // Five pairs of runs (two with --quick), one with each worker count, the order alternating within
  // pairs (1, 2 / 2, 1 / ...) so that both counts see the same machine state and neither always goes
  // first. Per run: the sweep's time (pool start to last task, start-up included: what more workers
  // can speed up), the whole run's (plus writing results and plots, which one thread does), the
  // process's CPU time over the sweep, and the workers' busy wall time. Speed-up: the median of the
  // pairs' ratios, and the best times' ratio. On a shared VM whose cores slow down by turns (an
  // arithmetic loop's time varies 2x here) the best single-worker run can catch one quiet core while
  // two workers need both, so the paired median is the steadier estimate; utilisation (busy time
  // over workers x sweep time) and CPU inflation (CPU time with 2 workers over 1) tell scheduling
  // losses from cores running slower when both are busy.
  workerBundle(); // built (about 0.4 s) before timing when the sources changed
  const sweepRuns: {
    pair: number;
    workers: number;
    tasksSeconds: number;
    wholeSeconds: number;
    cpuSeconds: number;
    busySeconds: number;
  }[] = [];
  for (let pair = 0; pair < (options.quick ? 2 : 5); pair++) {
    for (const workers of pair % 2 === 0 ? [1, 2] : [2, 1]) {
      const dir = mkdtempSync(join(tmpdir(), "optex-bench-"));
      const cpuStart = process.cpuUsage();
      const started = process.hrtime.bigint();
      const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
      let tasksSeconds = Infinity;
      let cpuSeconds = Infinity;
      let busySeconds = 0;
      const tasksDone = () => {
        tasksSeconds = seconds();
        const cpu = process.cpuUsage(cpuStart);
        cpuSeconds = (cpu.user + cpu.system) / 1e6;
      };
      // Both through the pool: the same bundled code in worker threads, so only the parallelism differs.
      await runScenario(sweep, {
        outDir: dir,
        workers,
        resume: false,
        pool: true,
        onProgress: (done, total) => void (done === total && tasksDone()),
        onUnit: (s) => void (busySeconds += s),
      });
      sweepRuns.push({ pair, workers, tasksSeconds, wholeSeconds: seconds(), cpuSeconds, busySeconds });
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const runsOf = (workers: number) => sweepRuns.filter((r) => r.workers === workers).sort((a, b) => a.pair - b.pair);
  const best = (workers: number, key: "tasksSeconds" | "wholeSeconds") => Math.min(...runsOf(workers).map((r) => r[key]));
  const draws = sweep.markets * sweep.sweep.traders!.reduce((a: number, b) => a + Number(b), 0);
  for (const workers of [1, 2]) {
    const label = `${workers} worker${workers > 1 ? "s" : ""}`;
    rows.push({
      name: `scenario sweep, 8 tasks, ${label}: tasks`,
      size: 8,
      secondsPerRun: best(workers, "tasksSeconds"),
      itemsPerSecond: draws / best(workers, "tasksSeconds"),
      unit: "trader-draws/s",
    });
    rows.push({
      name: `scenario sweep, 8 tasks, ${label}: whole run`,
      size: 8,
      secondsPerRun: best(workers, "wholeSeconds"),
      itemsPerSecond: draws / best(workers, "wholeSeconds"),
      unit: "trader-draws/s",
    });
  }
  const [ones, twos] = [runsOf(1), runsOf(2)];
  const pairedRatios = ones.map((one, i) => one.tasksSeconds / twos[i]!.tasksSeconds);
  const sweepSummary = {
    medianPairedSpeedup: median(pairedRatios),
    pairedSpeedups: pairedRatios,
    bestOfSpeedup: best(1, "tasksSeconds") / best(2, "tasksSeconds"),
    bestOfSpeedupWholeRun: best(1, "wholeSeconds") / best(2, "wholeSeconds"),
    utilisationTwoWorkers: median(twos.map((r) => r.busySeconds / (2 * r.tasksSeconds))),
    medianCpuInflation: median(ones.map((one, i) => twos[i]!.cpuSeconds / one.cpuSeconds)),
    runs: sweepRuns,
  };
  // Monte Carlo (printed after the clearing rows), timed before the clearing benchmarks leave their
  // garbage: N = 10 optex and the NumPy closed-form baseline, interleaved; N = 100 optex alone.
  const monteCarloRows: BenchRow[] = [];
  const mcDraws = options.quick ? 2e5 : 4e6;
  const numpy = compareWithNumpy(10, mcDraws, options.quick ? 2 : 5);
  const mcName = (traders: number) => `Monte Carlo, optimal mechanism, U[-1,1], N = ${traders}`;
  monteCarloRows.push({
    name: mcName(10),
    size: numpy.drawsPerRun / 10,
    secondsPerRun: numpy.drawsPerRun / numpy.bestOptex!,
    itemsPerSecond: numpy.bestOptex!,
    unit: "trader-draws/s",
  });
  if (numpy.bestNumpy !== undefined) {
    monteCarloRows.push({
      name: "  NumPy, closed forms of v and B (bench/baselines), N = 10",
      size: numpy.drawsPerRun / 10,
      secondsPerRun: numpy.drawsPerRun / numpy.bestNumpy,
      itemsPerSecond: numpy.bestNumpy,
      unit: "trader-draws/s",
    });
  }
  for (const traders of [100]) {
    const env = basicEnvironment({ dist: uniform(-1, 1), kappa: 1, traders });
    const m = basicMechanism("optimal", env, 0.5);
    const markets = Math.round(mcDraws / traders);
    // What sweeps and optex simulate run: chunks summarised by their moments.
    const sim = basicSimulation(env, m);
    const s = timeBest(() => simulationChunkMoments(sim, markets, "bench", 0, simulationChunkCount(markets)), minSeconds);
    monteCarloRows.push({
      name: mcName(traders),
      size: markets,
      secondsPerRun: s,
      itemsPerSecond: (markets * traders) / s,
      unit: "trader-draws/s",
    });
  }
  const rng = seedrandom.alea("bench");
  for (const n of sizes) {
    const book = createLinearBook(n);
    for (let i = 0; i < n; i++) {
      book.intercepts[i] = rng() * 2 - 1;
      book.slopes[i] = 0.5 + rng();
    }
    const out = new Float64Array(n);
    const s1 = timeBest(() => clearLinearBook(book, out), minSeconds);
    rows.push({ name: "clear linear book (batch fast path)", size: n, secondsPerRun: s1, itemsPerSecond: n / s1, unit: "traders/s" });
    const schedules: DemandSchedule[] = Array.from({ length: n }, (_, i) => linearSchedule(book.intercepts[i]!, book.slopes[i]!));
    const s2 = timeBest(() => clear(schedules), minSeconds);
    rows.push({ name: "clear linear schedules (general entry)", size: n, secondsPerRun: s2, itemsPerSecond: n / s2, unit: "traders/s" });
    const piecewise: DemandSchedule[] = Array.from({ length: n }, () => {
      const p0 = rng() * 2 - 1;
      const q0 = rng() * 2;
      return piecewiseLinearSchedule([p0, p0 + 0.5 + rng(), p0 + 2 + rng()], [q0, q0 - 1 - rng(), q0 - 3 - rng()], {
        lower: 0.5,
        upper: 0.5,
      });
    });
    const s3 = timeBest(() => clear(piecewise), minSeconds);
    rows.push({
      name: "clear piecewise-linear schedules (3 breakpoints)",
      size: n,
      secondsPerRun: s3,
      itemsPerSecond: n / s3,
      unit: "traders/s",
    });
  }
  rows.push(...monteCarloRows);
  rows.push(...startupBench());
  rows.push(...modelSimulationBench(options.quick ? 0.02 : 0.3, options.quick ? 2e5 : 2e6));
  const theory = theoryBench(options.quick ? 0.05 : 0.5);
  const equilibrium = equilibriumBench(options.quick);
  const result = {
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    rows,
    sweep: sweepSummary,
    numpy,
    theory,
    equilibrium,
  };
  if (options.json) {
    out(`${toJson(result)}\n`);
    return;
  }
  out(
    table(
      ["benchmark", "size", "seconds per run", "throughput"],
      rows.map((r) => [
        r.name,
        String(r.size),
        fmt(r.secondsPerRun),
        r.unit === "runs/s" ? `${(1000 * r.secondsPerRun).toFixed(0)} ms per run` : `${(r.itemsPerSecond / 1e6).toFixed(2)} M ${r.unit}`,
      ]),
    ) +
      `\n\nsweep speed-up with 2 workers: ${sweepSummary.medianPairedSpeedup.toFixed(2)}x (median of ${pairedRatios.length} paired runs: ` +
      `${pairedRatios.map((r) => r.toFixed(2)).join(", ")}); best times' ratio ${sweepSummary.bestOfSpeedup.toFixed(2)}x (tasks), ` +
      `${sweepSummary.bestOfSpeedupWholeRun.toFixed(2)}x (whole run, with outputs). 2 workers busy ${(100 * sweepSummary.utilisationTwoWorkers).toFixed(1)}% ` +
      `of the sweep's time (start-up included), using ${sweepSummary.medianCpuInflation.toFixed(2)}x the CPU time of 1 worker\n\n` +
      numpyLine(numpy) +
      table(
        ["theory solve", "first call", "best of repeats", "target", "meets target"],
        theory.map((r) => [
          r.name,
          `${(1000 * r.firstCallSeconds).toFixed(1)} ms`,
          `${(1000 * r.bestSeconds).toFixed(1)} ms`,
          `< ${1000 * r.target} ms`,
          r.bestSeconds < r.target ? "yes" : "NO",
        ]),
      ) +
      `\n` +
      table(
        ["equilibrium (N = 10, U[-1,1])", "status", "iterations", "solve seconds", "epsilonFound", "epsilonBound"],
        equilibrium.map((r) => [r.fee, r.status, String(r.iterations), r.seconds.toFixed(2), fmt(r.epsilonFound), fmt(r.epsilonBound)]),
      ) +
      `\nnode ${process.version}; clearing, Monte Carlo and theory: best of repeated runs after a warm-up, single thread; equilibria: one solve each on the main thread (${EQUILIBRIUM_GRID}).\n`,
  );
}

const EQUILIBRIUM_GRID = "64 types x 64 prices, 2,000 sampled profiles; certificate: 16 types, 2,000 fresh profiles";

/**
 * The equilibrium solver on one fee of each family at N = 10, U[-1, 1] (issue target: per-unit:0.05
 * reaches epsilonFound <= 1e-4 of the mean gain from trade in under 30 s single-thread): solve time
 * (the certificate's time is not counted), iterations and the certificate.
 */
function equilibriumBench(quick: boolean) {
  const env = { dist: uniform(-1, 1), kappa: 1, traders: 10, muPi: 0 };
  const fees = quick
    ? ["per-unit:0.05"]
    : ["none", "per-unit:0.05", "quadratic:1", "buy-sell:0.07,0.03", "two-part:0.002,0.02", "prop3:0.5"];
  return fees.map((spec) => {
    const fee = feeFromSpec(spec, env);
    const grid = quick ? { types: 16, prices: 24, samples: 500 } : { types: 64, prices: 64, samples: 2000 };
    const solution = solveEquilibrium(env, fee, { ...grid, seed: "bench" });
    const certificate = certify(env, fee, solution.table, { seed: "bench", samples: grid.samples, checkTypes: quick ? 4 : 16 });
    return {
      fee: spec,
      status: solution.status,
      iterations: solution.iterations,
      seconds: solution.elapsedSeconds,
      epsilonFound: certificate.epsilonFound,
      epsilonBound: certificate.epsilonBound,
    };
  });
}

/**
 * Every model's simulations as `optex simulate --model <id>` runs them (the model's defaults, its
 * default mechanisms, chunked moments on one thread): trader-draws per second = markets x traders /
 * seconds. For the dynamic model a market is a whole path of auctions: the row also counts each
 * trader's draw per auction.
 */
function modelSimulationBench(minSeconds: number, draws: number): BenchRow[] {
  const rows: BenchRow[] = [];
  const examples: Record<string, Record<string, ParameterValue>> = {
    heterogeneous: { dists: ["normal:0,0.5", "normal:0,1", "normal:0,2"], kappas: [1, 2, 3] },
  };
  // Beyond each model's defaults: adverse selection with a non-Gaussian law (Proposition 5's fee by convolution).
  const extras: [string, Record<string, ParameterValue>, string][] = [
    ["adverse-selection", { endowmentDist: "laplace:0,1" }, " (laplace:0,1 endowments, fee by convolution)"],
  ];
  const runs: [(typeof models)[number], Record<string, ParameterValue>, string][] = [
    ...models.map((m): [(typeof models)[number], Record<string, ParameterValue>, string] => [m, examples[m.id] ?? {}, ""]),
    ...extras.map(([id, given, label]): [(typeof models)[number], Record<string, ParameterValue>, string] => [
      models.find((m) => m.id === id)!,
      given,
      label,
    ]),
  ];
  for (const [model, given, label] of runs) {
    if (!model.simulations) continue;
    const point = resolveParameters(model, given, (key) => key);
    const traders = tradersOf(point);
    for (const sim of model.simulations(point)) {
      // A dynamic market is a path of auctions: every trader draws a shock at each of them.
      const auctions = sim.drawsPerTrader ?? 1;
      // The same number of trader-draws per run for every model (markets cost traders x auctions each).
      const markets = Math.max(256, Math.round(draws / (traders * auctions)));
      const run = () => simulationChunkMoments(sim, markets, "bench", 0, simulationChunkCount(markets));
      const s = timeBest(run, minSeconds);
      const perPath = auctions > 1 ? ` (${auctions} draws per trader and market)` : "";
      rows.push({
        name: `simulate --model ${model.id}, ${sim.mechanism}${perPath}${label}`,
        size: markets,
        secondsPerRun: s,
        itemsPerSecond: (markets * traders * auctions) / s,
        unit: "trader-draws/s",
      });
    }
  }
  return rows;
}

/**
 * Start-up of the optex command (the launcher running the bundled CLI; the bundle built before
 * timing) against Node itself: best of five runs of `--help`, `theory` and `node -e 0`.
 */
function startupBench(): BenchRow[] {
  const launcher = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "bin", "optex.mjs");
  const launcherPath = process.env.OPTEX_SOURCE_ROOT
    ? join(process.env.OPTEX_SOURCE_ROOT, "packages", "scenarios", "bin", "optex.mjs")
    : launcher;
  if (!existsSync(launcherPath)) return [];
  const time = (args: string[]) => {
    let best = Infinity;
    for (let k = 0; k < 5; k++) {
      const t = process.hrtime.bigint();
      const r = spawnSync(process.execPath, args, { encoding: "utf8", env: { ...process.env, npm_lifecycle_event: "" } });
      if (r.status !== 0) return Number.NaN;
      best = Math.min(best, Number(process.hrtime.bigint() - t) / 1e9);
    }
    return best;
  };
  time([launcherPath, "--version"]); // builds the bundle if the sources changed
  return [
    ["node -e 0", ["-e", "0"]],
    ["optex --help (start-up)", [launcherPath, "--help"]],
    ["optex theory (start-up and a basic report)", [launcherPath, "theory"]],
  ].flatMap(([name, args]) => {
    const s = time(args as string[]);
    return Number.isFinite(s) ? [{ name: name as string, size: 1, secondsPerRun: s, itemsPerSecond: 1 / s, unit: "runs/s" }] : [];
  });
}

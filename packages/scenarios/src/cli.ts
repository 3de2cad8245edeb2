#!/usr/bin/env node
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { basicEnvironment, type Distribution, normal, revenueEfficiencyFrontier, TheoryError } from "@optex/theory";
import { ScheduleError } from "@optex/engine";
import { feeModules } from "@optex/fees";
import { runBench } from "./bench.ts";
import { InputError } from "./inputError.ts";
import { type MechanismId, mechanismIds } from "./basicMechanism.ts";
import { join } from "node:path";
import { availableParallelism } from "node:os";
import { table, toJson } from "./format.ts";
import { catalogue, paperScenarioIds } from "./catalogue.ts";
import { mergeRuns, runScenario } from "./runScenario.ts";
import { loadScenario } from "./scenarioFiles.ts";
import { scenarioJsonSchema } from "./scenarioSchema.ts";
import { parseShard, scenarioTasks } from "./scenarioTasks.ts";
import { createLogger } from "./logger.ts";
import { parseAlpha, parseAssets, parseDist, parseDists, parseFrontier, parseKappa, parseKappas, parseMuE, parseRho, parseSigma, parseLogLevel, parsePositiveIn, parseDts, parseCovariance, parseAssetCorrelation, parseMarkets, parseMuPi, parseSeed, parseTraders } from "./options.ts";
import { progressBar } from "./progress.ts";
import { type SimulationReport, simulateBasic } from "./simulation.ts";
import { adverseSelectionLawsReport, adverseSelectionReport } from "./adverseSelectionReport.ts";
import { heterogeneousReport } from "./heterogeneousReport.ts";
import { multiAssetReport } from "./multiAssetReport.ts";
import { dynamicReport, formatDynamicReport } from "./dynamicReport.ts";
import { correlatedAssetsReport, equicorrelated } from "./correlatedAssetsReport.ts";
import { adverseSelectionLawsTable, adverseSelectionTable, correlatedAssetsTable, frontierTable, heterogeneousTable, multiAssetTable, simulationTable, theoryTable } from "./tables.ts";
import { basicTheoryReport } from "./theoryReport.ts";
import { icModels, icTable, type IcModel, runIc } from "./ic/icCommand.ts";


function environmentOptions(cmd: Command, tradersDefault: string): Command {
  return cmd
    .addOption(new Option("--dist <spec>", "law of endowments: uniform:A,B | normal:MU,SIGMA | exponential:RATE").argParser(parseDist).default(parseDist("uniform:-1,1"), "uniform:-1,1"))
    .option("--kappa <number>", "holding capacity kappa > 0", parseKappa, 1)
    .option("--alpha <number>", "designer's weight on revenue, in [0, 1]", parseAlpha, 0.5)
    .option("--traders <n>", "number of traders N >= 2", parseTraders, parseTraders(tradersDefault))
    .option("--mu-pi <number>", "mean payoff of the asset", parseMuPi, 0)
    .option("--json", "print one JSON object on stdout")
    .addOption(new Option("--log-level <level>", "pino log level on stderr").default("silent").argParser(parseLogLevel));
}

interface EnvOptions {
  dist: ReturnType<typeof parseDist>;
  kappa: number;
  alpha: number;
  traders: number;
  muPi: number;
  json?: boolean;
  logLevel: string;
}





const defaultWorkers = () => Math.max(1, availableParallelism());
const parseWorkers = (raw: string): number => {
  const x = Number(raw);
  if (!(Number.isInteger(x) && x >= 1 && x <= 256)) throw new InvalidArgumentError(`workers must be an integer in [1, 256], got ${raw}`);
  return x;
};
const parseMarketsOrZero = (raw: string): number => (raw.trim() === "0" ? 0 : parseMarkets(raw));
const parseShardOption = (raw: string) => {
  try {
    return parseShard(raw);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
};

/** Where the CLI writes: the process's streams, or buffers in tests. */
export interface CliIO {
  out(text: string): void;
  err(text: string): void;
}
const processIO: CliIO = { out: (t) => void process.stdout.write(t), err: (t) => void process.stderr.write(t) };

/** Exit status a command sets without throwing (optex ic: 1 when a law fails). */
export interface CliStatus {
  exitCode: number;
}

const integerIn = (name: string, lo: number, hi: number) => (raw: string): number => {
  const x = raw.trim() === "" ? Number.NaN : Number(raw);
  if (!(Number.isInteger(x) && x >= lo && x <= hi)) throw new InvalidArgumentError(`${name} must be an integer in [${lo}, ${hi}], got ${raw}`);
  return x;
};

export function buildProgram(io: CliIO = processIO, status: CliStatus = { exitCode: 0 }): Command {
  const program = new Command("optex")
    .description("Optimal exchange design: double auctions with transaction fees, simulated against theory")
    .exitOverride()
    .showHelpAfterError(false)
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s.split("\n")[0]!.replace(/^error: /, "optex: error: ") + "\n") });

  environmentOptions(program.command("theory").description("optimal mechanism (Theorem 1), Proposition 3 fee, first best and plain double auction: per-trader expectations"), "5")
    .addOption(new Option("--model <model>", "environment of the paper").choices(["basic", "heterogeneous", "adverse-selection", "multi-asset", "correlated-assets", "dynamic"]).default("basic"))
    .option("--frontier <from:to:step>", "also the revenue-efficiency frontier on this grid of alpha (Figure 3)", parseFrontier)
    .option("--dists <specs>", "heterogeneous model: one law per trader, separated by ';'", parseDists)
    .option("--kappas <list>", "heterogeneous model: one holding capacity per trader, separated by ','", parseKappas)
    .option("--sigma-e <number>", "adverse selection: sd of Gaussian endowments", parseSigma("sigma-e", false), 1)
    .option("--sigma-zeta <number>", "adverse selection: sd of Gaussian signals", parseSigma("sigma-zeta", true), 0.5)
    .option("--rho <number>", "adverse selection: correlation of signals, in [0, 1)", parseRho, 0)
    .option("--mu-e <number>", "adverse selection: mean endowment", parseMuE, 0)
    .option("--endowment-dist <spec>", "adverse selection: any law of endowments (Theorem 3 by convolution; default N(mu-e, sigma-e^2))", parseDist)
    .option("--signal-dist <spec>", "adverse selection: any law of the independent signals (default N(0, sigma-zeta^2))", parseDist)
    .option("--assets <k>", "multi-asset: number of assets (Condition 3: isotropic endowments and payoffs)", parseAssets, 2)
    .option("--sigma-pi <number>", "multi-asset: sd of each asset's payoff", parseSigma("sigma-pi", false), 1)
    .option("--covariance <matrix>", "correlated-assets (Proposition 6, first best: --alpha and --mu-pi do not apply): payoff covariance 'a,b;c,d' (default: equicorrelated from --assets, --sigma-pi, --asset-correlation)", parseCovariance)
    .option("--asset-correlation <number>", "correlated-assets: common correlation of the assets' payoffs", parseAssetCorrelation, 0.5)
    .option("--delta <number>", "dynamic: discount rate delta", parsePositiveIn("delta", 1e-6, 1e3), 0.1)
    .option("--dt <number>", "dynamic: time between auctions", parsePositiveIn("dt", 1e-9, 1e6), 1)
    .option("--dts <list>", "dynamic: also tabulate these auction intervals, separated by ','", parseDts)
    .option("--sigma-0 <number>", "dynamic: sd of the initial endowments e_i0 ~ N(mu-e, sigma-0^2)", parseSigma("sigma-0", true), 1)
    .option("--sigma-z <number>", "dynamic: volatility of the endowment shocks (Brownian)", parseSigma("sigma-z", true), 1)
    .action((o: EnvOptions & { frontier?: number[]; model: string; dists?: Distribution[]; kappas?: number[]; sigmaE: number; sigmaZeta: number; rho: number; muE: number; assets: number; sigmaPi: number; delta: number; dt: number; dts?: number[]; sigma0: number; sigmaZ: number; covariance?: number[][]; assetCorrelation: number; endowmentDist?: Distribution; signalDist?: Distribution }) => {
      const log = createLogger(o.logLevel);
      if (o.model === "correlated-assets") {
        const report = correlatedAssetsReport({ traders: o.traders, kappa: o.kappa, sigmaE: o.sigmaE, covariance: o.covariance ?? equicorrelated(o.assets, o.sigmaPi, o.assetCorrelation) });
        io.out((o.json ? toJson(report) : correlatedAssetsTable(report)) + "\n");
        return;
      }
      if (o.model === "dynamic") {
        const report = dynamicReport({ traders: o.traders, kappa: o.kappa, delta: o.delta, dt: o.dt, muE: o.muE, sigma0: o.sigma0, sigmaZ: o.sigmaZ, ...(o.dts ? { dts: o.dts } : {}) });
        io.out((o.json ? toJson(report) : formatDynamicReport(report)) + "\n");
        return;
      }
      if (o.model === "multi-asset") {
        const report = multiAssetReport({ assets: o.assets, traders: o.traders, kappa: o.kappa, sigmaE: o.sigmaE, sigmaPi: o.sigmaPi, alpha: o.alpha });
        io.out((o.json ? toJson(report) : multiAssetTable(report)) + "\n");
        return;
      }
      if (o.model === "adverse-selection" && (o.endowmentDist || o.signalDist)) {
        if (o.rho !== 0) throw new InputError("--endowment-dist and --signal-dist need independent signals (--rho 0): Theorem 3 is stated for them");
        const report = adverseSelectionLawsReport(
          { traders: o.traders, kappa: o.kappa, alpha: o.alpha, endowment: o.endowmentDist ?? normal(o.muE, o.sigmaE), signal: o.signalDist ?? normal(0, o.sigmaZeta) },
          o.frontier,
        );
        io.out((o.json ? toJson(report) : adverseSelectionLawsTable(report)) + "\n");
        return;
      }
      if (o.model === "adverse-selection") {
        const report = adverseSelectionReport({ traders: o.traders, kappa: o.kappa, sigmaE: o.sigmaE, sigmaZeta: o.sigmaZeta, rho: o.rho, muE: o.muE, alpha: o.alpha }, o.frontier);
        io.out((o.json ? toJson(report) : adverseSelectionTable(report)) + "\n");
        return;
      }
      if (o.model === "heterogeneous") {
        if (!o.dists || !o.kappas) throw new InputError("--model heterogeneous needs --dists and --kappas");
        const report = heterogeneousReport(o.dists, o.kappas, o.alpha, o.muPi, o.frontier);
        io.out((o.json ? toJson(report) : heterogeneousTable(report)) + "\n");
        return;
      }
      if (o.dists || o.kappas) throw new InputError("--dists and --kappas need --model heterogeneous");
      const env = basicEnvironment({ dist: o.dist, kappa: o.kappa, traders: o.traders, muPi: o.muPi });
      const started = Date.now();
      const report = basicTheoryReport(env, o.alpha);
      const frontier = o.frontier ? revenueEfficiencyFrontier(env, o.frontier) : undefined;
      log.info({ command: "theory", dist: o.dist.id, ms: Date.now() - started }, "theory solved");
      if (o.json) {
        io.out(toJson(frontier ? { ...report, frontier } : report) + "\n");
        return;
      }
      io.out(theoryTable(report) + (frontier ? frontierTable(frontier) : "") + "\n");
    });

  environmentOptions(program.command("simulate").description("Monte Carlo of the double auction with fee against theory"), "10")
    .addOption(new Option("--mechanism <id>", "optimal | first-best | double-auction | all").default("all").choices([...mechanismIds, "all"]))
    .option("--markets <n>", "number of simulated markets", parseMarkets, 200_000)
    .option("--seed <seed>", "seed of the random generator (same seed, same numbers)", parseSeed, "1")
    .action((o: EnvOptions & { mechanism: MechanismId | "all"; markets: number; seed: string }) => {
      const log = createLogger(o.logLevel);
      const env = basicEnvironment({ dist: o.dist, kappa: o.kappa, traders: o.traders, muPi: o.muPi });
      const ids: MechanismId[] = o.mechanism === "all" ? (o.traders > 2 ? [...mechanismIds] : ["optimal", "first-best"]) : [o.mechanism];
      const reports: SimulationReport[] = [];
      for (const mechanism of ids) {
        const bar = progressBar(o.markets, mechanism);
        try {
          reports.push(simulateBasic({ env, alpha: o.alpha, mechanism, markets: o.markets, seed: o.seed, onProgress: bar.update }));
        } finally {
          bar.stop();
        }
        log.info({ command: "simulate", mechanism, markets: o.markets, seconds: reports.at(-1)!.elapsedSeconds }, "simulated");
      }
      if (o.json) {
        io.out(toJson(o.mechanism === "all" ? { runs: reports } : reports[0]) + "\n");
        return;
      }
      const head = `Double auction with transaction fee vs theory: ${env.dist.id}, N = ${env.traders}, kappa = ${env.kappa}, alpha = ${o.alpha}, mu_pi = ${env.muPi}, ${o.markets} markets, seed ${o.seed}`;
      const extra = o.mechanism === "all" && o.traders === 2 ? "\n(double auction: no symmetric linear equilibrium with 2 traders)" : "";
      io.out(simulationTable(reports, head) + extra + "\n");
    });

  environmentOptions(program.command("ic").description("incentive-compatibility law suite of a fee module on random markets (exit 1 if a law fails)"), "5")
    .addOption(new Option("--model <model>", "environment of the paper").choices([...icModels]).default("basic"))
    .option("--fee <id>", "registered fee module (default: the model's implementing fee; see optex ic --list)")
    .option("--list", "list the registered fee modules and exit")
    .option("--dists <specs>", "heterogeneous model: one law per trader, separated by ';'", parseDists)
    .option("--kappas <list>", "heterogeneous model: one holding capacity per trader, separated by ','", parseKappas)
    .option("--sigma-e <number>", "adverse selection and multi-asset: sd of Gaussian endowments", parseSigma("sigma-e", false), 1)
    .option("--sigma-zeta <number>", "adverse selection: sd of Gaussian signals (independent)", parseSigma("sigma-zeta", false), 0.5)
    .option("--mu-e <number>", "adverse selection: mean endowment", parseMuE, 0)
    .option("--assets <k>", "multi-asset: number of assets", parseAssets, 2)
    .option("--sigma-pi <number>", "multi-asset: sd of each asset's payoff", parseSigma("sigma-pi", false), 1)
    .option("--cases <n>", "random markets to try", integerIn("cases", 1, 1_000_000), 100)
    .option("--seed <n>", "fast-check seed (same seed, same markets)", integerIn("seed", 0, 2 ** 31 - 1), 1)
    .option("--participation-markets <n>", "Monte Carlo markets per type of the participation check (0 skips it)", integerIn("participation-markets", 0, 1e8), 20_000)
    .action((o: EnvOptions & { model: IcModel; fee?: string; list?: boolean; dists?: Distribution[]; kappas?: number[]; cases: number; seed: number; participationMarkets: number; sigmaE: number; assets: number; sigmaPi: number; sigmaZeta: number; muE: number }) => {
      if (o.list) {
        const rows = feeModules.map((m) => ({ id: m.id, model: m.model, paper: m.paper, strategy: m.strategy, control: m.control, summary: m.summary }));
        io.out((o.json ? toJson({ feeModules: rows }) : table(["fee", "model", "paper", "strategy", "negative control"], rows.map((r) => [r.id, r.model, r.paper, r.strategy, r.control ?? ""]))) + "\n");
        return;
      }
      const log = createLogger(o.logLevel);
      const started = Date.now();
      const report = runIc({ ...o, ...(o.dists ? { dists: o.dists } : {}), ...(o.kappas ? { kappas: o.kappas } : {}) });
      log.info({ command: "ic", model: o.model, fee: report.fee, cases: o.cases, ms: Date.now() - started }, "law suite finished");
      io.out((o.json ? toJson(report) : icTable(report)) + "\n");
      if (!report.pass) status.exitCode = 1;
    });

  program
    .command("list")
    .description("the built-in scenarios (paper figures and results, benchmarks)")
    .option("--json", "print one JSON object on stdout")
    .action((o: { json?: boolean }) => {
      const rows = catalogue.map((s) => ({ id: s.id, paper: s.paper, model: s.model, title: s.title }));
      io.out((o.json ? toJson({ scenarios: rows }) : table(["scenario", "paper", "model", "title"], rows.map((r) => [r.id, r.paper, r.model, r.title]))) + "\n");
    });

  program
    .command("describe")
    .description("a scenario's parameters and tasks; --schema prints the JSON Schema of scenario files")
    .argument("[scenario]", "built-in id or .yaml/.json file")
    .option("--schema", "print the JSON Schema of scenario files")
    .option("--json", "print one JSON object on stdout")
    .action((name: string | undefined, o: { schema?: boolean; json?: boolean }) => {
      if (o.schema) {
        io.out(toJson(scenarioJsonSchema()) + "\n");
        return;
      }
      if (!name) throw new InputError("describe needs a scenario (or --schema)");
      const s = loadScenario(name);
      const tasks = scenarioTasks(s);
      if (o.json) {
        io.out(toJson({ scenario: s, tasks: tasks.length }) + "\n");
        return;
      }
      io.out(
        [
          `${s.id}: ${s.title}${s.paper ? ` (${s.paper})` : ""}`,
          `model ${s.model}; environment ${JSON.stringify(s.environment)}; sweep ${JSON.stringify(s.sweep)}`,
          `mechanisms ${s.mechanisms.join(", ")}; ${s.markets} markets per task; seed "${s.seed}"; ${tasks.length} tasks`,
        ].join("\n") + "\n",
      );
    });

  program
    .command("run")
    .description("run a scenario (or 'paper' for the paper catalogue): results.json, results.csv, report.md")
    .argument("<scenario>", "built-in id, 'paper', or a .yaml/.json file")
    .option("--out <dir>", "output directory (default out/<scenario id>)")
    .option("--seed <seed>", "override the scenario's seed", parseSeed)
    .option("--markets <n>", "override Monte Carlo markets per task (0: theory only)", parseMarketsOrZero)
    .option("--workers <n>", "worker threads (results do not depend on it)", parseWorkers, defaultWorkers())
    .option("--resume", "skip tasks already finished in the output directory")
    .option("--shard <k/n>", "run every n-th task starting at the k-th (array jobs)", parseShardOption)
    .option("--json", "print one JSON object on stdout")
    .addOption(new Option("--log-level <level>", "pino log level on stderr").default("silent").argParser(parseLogLevel))
    .action(async (name: string, o: { out?: string; seed?: string; markets?: number; workers: number; resume?: boolean; shard?: { k: number; n: number }; json?: boolean; logLevel: string }) => {
      const log = createLogger(o.logLevel);
      const scenarios = name === "paper" ? catalogue.filter((s) => paperScenarioIds.includes(s.id)) : [loadScenario(name)];
      const summaries: unknown[] = [];
      const lines: string[] = [];
      for (const base of scenarios) {
        const s = { ...base, ...(o.seed !== undefined ? { seed: o.seed } : {}), ...(o.markets !== undefined ? { markets: o.markets } : {}) };
        const outDir = scenarios.length > 1 ? join(o.out ?? "out/paper", s.id) : (o.out ?? join("out", s.id));
        const bar = progressBar(scenarioTasks(s).length, s.id, "tasks", 2);
        let results;
        try {
          results = await runScenario(s, {
            outDir,
            workers: o.workers,
            resume: o.resume === true,
            onProgress: (done, total) => {
              bar.update(done);
              log.info({ scenario: s.id, done, total }, "task finished");
            },
            ...(o.shard ? { shard: o.shard } : {}),
          });
        } finally {
          bar.stop();
        }
        const checks = results.flatMap((r) => Object.values(r.agreement ?? {})).filter((x) => x !== null);
        const failures = checks.filter((x) => x === false).length;
        summaries.push({ scenario: s.id, outDir, tasks: results.length, checks: checks.length, failures, files: ["results.json", "results.csv", "report.md"] });
        const verdict = checks.length > 0 ? `${checks.length - failures}/${checks.length} checks inside the 99% interval` : "theory only";
        lines.push(`${s.id}: ${results.length} tasks, ${verdict} -> ${outDir}/{results.json,results.csv,report.md}`);
      }
      io.out((o.json ? toJson(scenarios.length > 1 ? { runs: summaries } : summaries[0]) : lines.join("\n")) + "\n");
    });

  program
    .command("merge")
    .description("combine shard directories into the files one machine would have written")
    .argument("<dirs...>", "directories written by optex run --shard")
    .requiredOption("--out <dir>", "output directory")
    .option("--json", "print one JSON object on stdout")
    .action(async (dirs: string[], o: { out: string; json?: boolean }) => {
      const results = await mergeRuns(dirs, o.out);
      io.out((o.json ? toJson({ outDir: o.out, tasks: results.length }) : `merged ${dirs.length} directories: ${results.length} tasks -> ${o.out}`) + "\n");
    });

  program
    .command("bench")
    .description("throughput of clearing, of the Monte Carlo and of sweeps with 1 and 2 workers; theory solve times")
    .option("--json", "print one JSON object on stdout")
    .option("--quick", "smaller sizes, for a smoke run")
    .action(async (o: { json?: boolean; quick?: boolean }) => {
      await runBench({ json: o.json === true, quick: o.quick === true }, io.out);
    });
  return program;
}

/** Runs the CLI; resolves to the exit code (0 ok, 2 usage or input error, 1 internal error or a failed law of optex ic). */
export async function main(argv: string[], io: CliIO = processIO): Promise<number> {
  const status: CliStatus = { exitCode: 0 };
  const program = buildProgram(io, status);
  try {
    await program.parseAsync(argv, { from: "user" });
    return status.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    const message = (error as Error).message?.split("\n")[0] ?? String(error);
    if (error instanceof TheoryError || error instanceof ScheduleError || error instanceof InputError) {
      io.err(`optex: error: ${message}\n`);
      return 2;
    }
    io.err(`optex: internal error: ${message}${process.env.OPTEX_DEBUG ? `\n${(error as Error).stack}` : " (set OPTEX_DEBUG=1 for a stack trace)"}\n`);
    return 1;
  }
}

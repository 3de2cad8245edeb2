#!/usr/bin/env node
import { Command, CommanderError, Option } from "commander";
import { basicEnvironment, type Distribution, revenueEfficiencyFrontier, TheoryError } from "@optex/theory";
import { ScheduleError } from "@optex/engine";
import { runBench } from "./bench.ts";
import { InputError } from "./inputError.ts";
import { type MechanismId, mechanismIds } from "./basicMechanism.ts";
import { toJson } from "./format.ts";
import { createLogger } from "./logger.ts";
import { parseAlpha, parseAssets, parseDist, parseDists, parseFrontier, parseKappa, parseKappas, parseMuE, parseRho, parseSigma, parseLogLevel, parseMarkets, parseMuPi, parseSeed, parseTraders } from "./options.ts";
import { progressBar } from "./progress.ts";
import { type SimulationReport, simulateBasic } from "./simulation.ts";
import { adverseSelectionReport } from "./adverseSelectionReport.ts";
import { heterogeneousReport } from "./heterogeneousReport.ts";
import { multiAssetReport } from "./multiAssetReport.ts";
import { adverseSelectionTable, frontierTable, heterogeneousTable, multiAssetTable, simulationTable, theoryTable } from "./tables.ts";
import { basicTheoryReport } from "./theoryReport.ts";


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





/** Where the CLI writes: the process's streams, or buffers in tests. */
export interface CliIO {
  out(text: string): void;
  err(text: string): void;
}
const processIO: CliIO = { out: (t) => void process.stdout.write(t), err: (t) => void process.stderr.write(t) };

export function buildProgram(io: CliIO = processIO): Command {
  const program = new Command("optex")
    .description("Optimal exchange design: double auctions with transaction fees, simulated against theory")
    .exitOverride()
    .showHelpAfterError(false)
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s.split("\n")[0]!.replace(/^error: /, "optex: error: ") + "\n") });

  environmentOptions(program.command("theory").description("optimal mechanism (Theorem 1), Proposition 3 fee, first best and plain double auction: per-trader expectations"), "5")
    .addOption(new Option("--model <model>", "environment of the paper").choices(["basic", "heterogeneous", "adverse-selection", "multi-asset"]).default("basic"))
    .option("--frontier <from:to:step>", "also the revenue-efficiency frontier on this grid of alpha (Figure 3)", parseFrontier)
    .option("--dists <specs>", "heterogeneous model: one law per trader, separated by ';'", parseDists)
    .option("--kappas <list>", "heterogeneous model: one holding capacity per trader, separated by ','", parseKappas)
    .option("--sigma-e <number>", "adverse selection: sd of Gaussian endowments", parseSigma("sigma-e", false), 1)
    .option("--sigma-zeta <number>", "adverse selection: sd of Gaussian signals", parseSigma("sigma-zeta", true), 0.5)
    .option("--rho <number>", "adverse selection: correlation of signals, in [0, 1)", parseRho, 0)
    .option("--mu-e <number>", "adverse selection: mean endowment", parseMuE, 0)
    .option("--assets <k>", "multi-asset: number of assets (Condition 3: isotropic endowments and payoffs)", parseAssets, 2)
    .option("--sigma-pi <number>", "multi-asset: sd of each asset's payoff", parseSigma("sigma-pi", false), 1)
    .action((o: EnvOptions & { frontier?: number[]; model: string; dists?: Distribution[]; kappas?: number[]; sigmaE: number; sigmaZeta: number; rho: number; muE: number; assets: number; sigmaPi: number }) => {
      const log = createLogger(o.logLevel);
      if (o.model === "multi-asset") {
        const report = multiAssetReport({ assets: o.assets, traders: o.traders, kappa: o.kappa, sigmaE: o.sigmaE, sigmaPi: o.sigmaPi, alpha: o.alpha });
        io.out((o.json ? toJson(report) : multiAssetTable(report)) + "\n");
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

  program
    .command("bench")
    .description("throughput of clearing and of the Monte Carlo (not part of the tests)")
    .option("--json", "print one JSON object on stdout")
    .option("--quick", "smaller sizes, for a smoke run")
    .action((o: { json?: boolean; quick?: boolean }) => {
      runBench({ json: o.json === true, quick: o.quick === true });
    });
  return program;
}

/** Runs the CLI; returns the exit code (0 ok, 2 usage or input error, 1 internal error). */
export function main(argv: string[], io: CliIO = processIO): number {
  const program = buildProgram(io);
  try {
    program.parse(argv, { from: "user" });
    return 0;
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

#!/usr/bin/env node
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { TheoryError } from "@optex/theory";
import { ScheduleError } from "@optex/engine";
import { FEE_SPECS, feeModules } from "@optex/fees";
import { runBench } from "../bench/bench.ts";
import { InputError } from "../inputError.ts";
import { join } from "node:path";
import { availableParallelism } from "node:os";
import { table, toJson } from "../output/format.ts";
import { catalogue, paperScenarioIds } from "../sweeps/catalogue.ts";
import { mergeRuns, runScenario, scenarioVerdict } from "../sweeps/runScenario.ts";
import { loadScenario } from "../sweeps/scenarioFiles.ts";
import { scenarioJsonSchema } from "../sweeps/scenarioSchema.ts";
import { parseShard, scenarioTasks, shardFromEnvironment } from "../sweeps/scenarioTasks.ts";
import { createLogger } from "./logger.ts";
import {
  parseAlpha,
  parseDist,
  parseFrontier,
  parseKappa,
  parseLogLevel,
  parseMarkets,
  parseMuPi,
  parsePositiveIn,
  parseSeed,
  parseTraders,
} from "./options.ts";
import { checkRequest, equilibriumText, runEquilibrium } from "../equilibrium/equilibriumCommand.ts";
import { designText, runDesign } from "../design/designCommand.ts";
import { progressBar } from "./progress.ts";
import { simulationTable } from "../output/tables.ts";
import { icModelIds, icTable, runIc } from "../ic/icCommand.ts";
import { familyVerdict } from "../montecarlo/estimate.ts";
import { runSimulation } from "../montecarlo/marketSimulation.ts";
import { type ModelDefinition, resolveParameters } from "../models/model.ts";
import type { ParameterPoint, ParameterValue } from "../models/parameters.ts";
import { allParameters, modelById, modelIds } from "../models/registry.ts";
import { OPTEX_VERSION } from "../version.ts";

/** The models' parameters as options (each flag once), with --model; values are checked against the chosen model after parsing. */
function modelOptions(cmd: Command, ids: readonly string[] = modelIds): Command {
  cmd.addOption(new Option("--model <model>", "environment of the paper").choices([...ids]).default("basic"));
  for (const spec of allParameters()) cmd.addOption(new Option(`--${spec.flag} ${spec.valueName}`, spec.description).argParser(spec.parse));
  return cmd;
}

/** The chosen model and its parameter point: flags given on the command line, the model's defaults for the rest. */
function chosenModel(cmd: Command, id: string): { model: ModelDefinition; params: ParameterPoint } {
  const model = modelById(id);
  const opts = cmd.opts() as Record<string, ParameterValue | undefined>;
  const given: Record<string, ParameterValue | undefined> = {};
  for (const spec of allParameters())
    if (cmd.getOptionValueSource(toCamel(spec.flag)) === "cli") given[spec.key] = opts[toCamel(spec.flag)];
  const flagOf = new Map(allParameters().map((s) => [s.key, s.flag]));
  return { model, params: resolveParameters(model, given, (key) => `--${flagOf.get(key) ?? key}`) };
}

const LAW_FORMS =
  "uniform:A,B | normal:MU,SIGMA | exponential:RATE | laplace:MU,B | student-t:NU,MU,SIGMA | lognormal:MU,SIGMA[,LOC] | mixture:W1*LAW1+W2*LAW2 | empirical:PATH";

/** --dist, --kappa and --traders of the commands that take one law outside the model registry (equilibrium, design). */
function lawAndMarketOptions(cmd: Command, traders: number): Command {
  return cmd
    .addOption(new Option("--dist <law>", `law of endowments: ${LAW_FORMS}`).default("uniform:-1,1"))
    .option("--kappa <k>", "holding capacity kappa, in [1e-9, 1e9]", parseKappa, 1)
    .option("--traders <n>", "number of traders N, an integer >= 2", parseTraders, traders);
}

/** The law of --dist, or an InputError naming the flag (one line). */
function distOption(raw: string): ReturnType<typeof parseDist> {
  try {
    return parseDist(raw);
  } catch (error) {
    throw new InputError(`--dist: ${(error as Error).message}`);
  }
}

const toCamel = (flag: string) => flag.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** "dist = uniform:-1,1, kappa = 1, ..." for headers. */
function parameterLine(params: ParameterPoint): string {
  return Object.entries(params)
    .map(
      ([k, v]) => `${k} = ${Array.isArray(v) ? v.map((x) => (Array.isArray(x) ? `[${x.join(", ")}]` : String(x))).join("; ") : String(v)}`,
    )
    .join(", ");
}

const defaultWorkers = () => Math.max(1, availableParallelism());
const parseWorkers = (raw: string): number => {
  const x = Number(raw);
  if (!(Number.isInteger(x) && x >= 1 && x <= 256)) throw new InvalidArgumentError(`workers must be an integer in [1, 256], got ${raw}`);
  return x;
};
const parseMarketsOrZero = (raw: string): number => (raw.trim() === "0" ? 0 : parseMarkets(raw));
const parseShardOption = (raw: string): { k: number; n: number } | "auto" => {
  if (raw.trim() === "auto") return "auto";
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

const integerIn =
  (name: string, lo: number, hi: number) =>
  (raw: string): number => {
    const x = raw.trim() === "" ? Number.NaN : Number(raw);
    if (!(Number.isInteger(x) && x >= lo && x <= hi))
      throw new InvalidArgumentError(`${name} must be an integer in [${lo}, ${hi}], got ${raw}`);
    return x;
  };

export function buildProgram(io: CliIO = processIO, status: CliStatus = { exitCode: 0 }): Command {
  const program = new Command("optex")
    .description("Optimal exchange design: double auctions with transaction fees, simulated against theory")
    .version(OPTEX_VERSION, "-V, --version", "print optex's version")
    .exitOverride()
    .showHelpAfterError(false)
    .configureOutput({
      writeOut: (s) => io.out(s),
      writeErr: (s) => io.err(`${s.split("\n")[0]!.replace(/^error: /, "optex: error: ")}\n`),
    });

  const theory = modelOptions(
    program
      .command("theory")
      .description(
        "a model's theory: optimal mechanism, its fee, first best and plain double auction (per-trader expectations unless said)",
      ),
  )
    .option("--frontier <from:to:step>", "also the revenue-efficiency frontier on this grid of alpha (Figure 3)", parseFrontier)
    .option("--json", "print one JSON object on stdout")
    .addOption(new Option("--log-level <level>", "pino log level on stderr").default("silent").argParser(parseLogLevel));
  theory.action((o: { model: string; frontier?: number[]; json?: boolean; logLevel: string }) => {
    const log = createLogger(o.logLevel);
    const { model, params } = chosenModel(theory, o.model);
    if (o.frontier && !model.frontier) throw new InputError(`--frontier does not apply to model ${model.id}`);
    const started = Date.now();
    const report = model.theory(params, o.frontier);
    log.info({ command: "theory", model: model.id, ms: Date.now() - started }, "theory solved");
    io.out(`${o.json ? toJson(report.json) : report.text}\n`);
  });

  const simulate = modelOptions(
    program.command("simulate").description("a model's mechanisms run as markets (schedules, clearing, fees), against theory"),
  )
    .option("--mechanism <id>", "one of the model's mechanisms, or all (basic: optimal | first-best | double-auction)", "all")
    .option("--markets <n>", "number of simulated markets", parseMarkets, 200_000)
    .option("--seed <seed>", "seed of the random generator (same seed, same numbers)", parseSeed, "1")
    .option("--json", "print one JSON object on stdout")
    .addOption(new Option("--log-level <level>", "pino log level on stderr").default("silent").argParser(parseLogLevel));
  simulate.action((o: { model: string; mechanism: string; markets: number; seed: string; json?: boolean; logLevel: string }) => {
    const log = createLogger(o.logLevel);
    const { model, params } = chosenModel(simulate, o.model);
    if (!model.simulations)
      throw new InputError(`model ${model.id} is not simulated as markets yet (optex theory --model ${model.id} gives its theory)`);
    const sims = model.simulations(params, o.mechanism === "all" ? undefined : [o.mechanism]);
    const runs = sims.map((sim) => {
      const bar = progressBar(o.markets, sim.mechanism);
      try {
        const result = runSimulation(sim, o.markets, o.seed, bar.update);
        log.info(
          { command: "simulate", model: model.id, mechanism: sim.mechanism, markets: o.markets, seconds: result.elapsedSeconds },
          "simulated",
        );
        return { model: model.id, ...params, ...result };
      } finally {
        bar.stop();
      }
    });
    const family = familyVerdict(
      runs.flatMap((r) => Object.values(r.statistics).map((x) => x.pValue)),
      runs.reduce((a, r) => a + Object.values(r.agreement).filter((x) => x === false).length, 0),
    );
    if (family.checks > 0 && !family.consistent) status.exitCode = 1;
    if (o.json) {
      io.out(`${toJson(o.mechanism === "all" ? { runs, verdict: family } : { ...runs[0], verdict: family })}\n`);
      return;
    }
    const head = `${model.title}, simulated as markets against theory: ${parameterLine(params)}; ${o.markets} markets, seed ${o.seed}`;
    const missing = model.mechanisms.filter((m) => o.mechanism === "all" && !sims.some((s) => s.mechanism === m));
    io.out(
      simulationTable(runs, head, family) +
        (missing.length > 0 ? `\n(not run here: ${missing.join(", ")}; ask for one with --mechanism to see why)` : "") +
        "\n",
    );
  });

  const ic = modelOptions(
    program.command("ic").description("incentive-compatibility law suite of a fee module on random markets (exit 1 if a law fails)"),
    icModelIds,
  )
    .option("--fee <id>", "registered fee module (default: the model's implementing fee; see optex ic --list)")
    .option("--list", "list the registered fee modules and exit")
    .option("--cases <n>", "random markets to try", integerIn("cases", 1, 1_000_000), 100)
    .option("--seed <n>", "fast-check seed (same seed, same markets)", integerIn("seed", 0, 2 ** 31 - 1), 1)
    .option(
      "--participation-markets <n>",
      "Monte Carlo markets per type of the participation check (0 skips it)",
      integerIn("participation-markets", 0, 1e8),
      20_000,
    )
    .option("--json", "print one JSON object on stdout")
    .addOption(new Option("--log-level <level>", "pino log level on stderr").default("silent").argParser(parseLogLevel));
  ic.action(
    (o: {
      model: string;
      fee?: string;
      list?: boolean;
      cases: number;
      seed: number;
      participationMarkets: number;
      json?: boolean;
      logLevel: string;
    }) => {
      if (o.list) {
        const rows = feeModules.map((m) => ({
          id: m.id,
          model: m.model,
          paper: m.paper,
          strategy: m.strategy,
          control: m.control,
          summary: m.summary,
        }));
        io.out(
          `${
            o.json
              ? toJson({ feeModules: rows })
              : table(
                  ["fee", "model", "paper", "strategy", "negative control"],
                  rows.map((r) => [r.id, r.model, r.paper, r.strategy, r.control ?? ""]),
                )
          }\n`,
        );
        return;
      }
      const log = createLogger(o.logLevel);
      const { model, params } = chosenModel(ic, o.model);
      const started = Date.now();
      const report = runIc(model, params, {
        ...(o.fee ? { fee: o.fee } : {}),
        cases: o.cases,
        seed: o.seed,
        participationMarkets: o.participationMarkets,
      });
      log.info({ command: "ic", model: o.model, fee: report.fee, cases: o.cases, ms: Date.now() - started }, "law suite finished");
      io.out(`${o.json ? toJson(report) : icTable(report)}\n`);
      if (!report.pass) status.exitCode = 1;
    },
  );

  program
    .command("list")
    .description("the built-in scenarios (paper figures and results, benchmarks)")
    .option("--json", "print one JSON object on stdout")
    .action((o: { json?: boolean }) => {
      const rows = catalogue.map((s) => ({ id: s.id, paper: s.paper, model: s.model, title: s.title }));
      io.out(
        `${
          o.json
            ? toJson({ scenarios: rows })
            : table(
                ["scenario", "paper", "model", "title"],
                rows.map((r) => [r.id, r.paper, r.model, r.title]),
              )
        }\n`,
      );
    });

  program
    .command("describe")
    .description("a scenario's parameters and tasks; --schema prints the JSON Schema of scenario files")
    .argument("[scenario]", "built-in id or .yaml/.json file")
    .option("--schema", "print the JSON Schema of scenario files")
    .option("--json", "print one JSON object on stdout")
    .action((name: string | undefined, o: { schema?: boolean; json?: boolean }) => {
      if (o.schema) {
        io.out(`${toJson(scenarioJsonSchema())}\n`);
        return;
      }
      if (!name) throw new InputError("describe needs a scenario (or --schema)");
      const s = loadScenario(name);
      const tasks = scenarioTasks(s);
      if (o.json) {
        io.out(`${toJson({ scenario: s, tasks: tasks.length })}\n`);
        return;
      }
      const model = modelById(s.model);
      const value = (v: unknown) =>
        Array.isArray(v) ? v.map((x) => (Array.isArray(x) ? `[${x.join(", ")}]` : String(x))).join("; ") : String(v);
      const rows = model.parameters
        .filter((p) => s.environment[p.spec.key] !== undefined || s.sweep[p.spec.key] !== undefined)
        .map((p) => [
          p.spec.key,
          s.sweep[p.spec.key] ? `swept: ${s.sweep[p.spec.key]!.map(value).join(", ")}` : value(s.environment[p.spec.key]),
          p.spec.description,
        ]);
      io.out(
        `${[
          `${s.id}: ${s.title}${s.paper ? ` (${s.paper})` : ""}`,
          `model: ${model.title}`,
          "",
          table(["parameter", "value", "meaning"], rows),
          "",
          `mechanisms: ${s.mechanisms.join(", ")}; ${s.markets > 0 ? `${s.markets} markets per task` : "theory only"}; seed "${s.seed}"`,
          `${tasks.length} tasks (${
            Object.values(s.sweep)
              .map((v) => v.length)
              .join(" x ") || "1"
          } points)`,
        ].join("\n")}\n`,
      );
    });

  program
    .command("run")
    .description("run a scenario (or 'paper' for the paper catalogue): results.json, results.csv, report.md")
    .argument("<scenario>", "built-in id, 'paper', or a .yaml/.json file")
    .option("--out <dir>", "output directory (default out/<scenario id>)")
    .option("--seed <seed>", "override the scenario's seed", parseSeed)
    .option(
      "--markets <n>",
      "override Monte Carlo markets per task of scenarios that simulate (0: theory only everywhere)",
      parseMarketsOrZero,
    )
    .option("--workers <n>", "worker threads (results do not depend on it)", parseWorkers, defaultWorkers())
    .option("--resume", "skip tasks already finished in the output directory (each record is verified; the others run again)")
    .option("--force", "replace the results of another run in the output directory")
    .option(
      "--shard <k/n|auto>",
      "run every n-th task starting at the k-th; auto: from a Slurm array job or a Kubernetes indexed Job",
      parseShardOption,
    )
    .option("--shards <n>", "with --shard auto in a Kubernetes indexed Job: the Job's completions", integerIn("shards", 1, 100_000))
    .option("--json", "print one JSON object on stdout")
    .addOption(new Option("--log-level <level>", "pino log level on stderr").default("silent").argParser(parseLogLevel))
    .action(
      async (
        name: string,
        o: {
          out?: string;
          seed?: string;
          markets?: number;
          workers: number;
          resume?: boolean;
          force?: boolean;
          shard?: { k: number; n: number } | "auto";
          shards?: number;
          json?: boolean;
          logLevel: string;
        },
      ) => {
        const log = createLogger(o.logLevel);
        const scenarios = name === "paper" ? catalogue.filter((s) => paperScenarioIds.includes(s.id)) : [loadScenario(name)];
        let shard: { k: number; n: number } | undefined;
        try {
          shard = o.shard === "auto" ? shardFromEnvironment(process.env, o.shards) : o.shard;
        } catch (error) {
          throw new InputError((error as Error).message);
        }
        const summaries: unknown[] = [];
        const lines: string[] = [];
        for (const base of scenarios) {
          // --markets sizes the scenarios that simulate; a pure-theory figure (markets: 0) stays theory-only unless the override is 0.
          const markets = o.markets !== undefined && (o.markets === 0 || base.markets > 0) ? { markets: o.markets } : {};
          const s = { ...base, ...(o.seed !== undefined ? { seed: o.seed } : {}), ...markets };
          const outDir = scenarios.length > 1 ? join(o.out ?? "out/paper", s.id) : (o.out ?? join("out", s.id));
          const bar = progressBar(scenarioTasks(s).length, s.id, "tasks", 2);
          let results: Awaited<ReturnType<typeof runScenario>>;
          try {
            results = await runScenario(s, {
              outDir,
              workers: o.workers,
              resume: o.resume === true,
              force: o.force === true,
              onInvalidRecord: (problems) => {
                if (problems.length > 0)
                  io.err(
                    `optex: ${problems.length} record${problems.length > 1 ? "s" : ""} of ${outDir}/tasks.jsonl failed verification; their tasks run again (first: ${problems[0]})\n`,
                  );
              },
              onProgress: (done, total) => {
                bar.update(done);
                log.info({ scenario: s.id, done, total }, "task finished");
              },
              ...(shard ? { shard } : {}),
            });
          } finally {
            bar.stop();
          }
          const family = scenarioVerdict(results);
          // A family the theory does not fit fails the command (as a failed law fails optex ic).
          if (family && !family.consistent) status.exitCode = 1;
          summaries.push({
            scenario: s.id,
            outDir,
            tasks: results.length,
            verdict: family,
            files: ["results.json", "results.csv", "report.md"],
          });
          const verdict = family
            ? `${family.checks - family.outside}/${family.checks} checks inside the 99% interval, ${family.consistent ? "consistent with the theory" : "INCONSISTENT with the theory"} (family-wise p = ${family.familyWisePValue.toPrecision(2)})`
            : "theory only";
          lines.push(`${s.id}: ${results.length} tasks, ${verdict} -> ${outDir}/{results.json,results.csv,report.md}`);
        }
        io.out(`${o.json ? toJson(scenarios.length > 1 ? { runs: summaries } : summaries[0]) : lines.join("\n")}\n`);
      },
    );

  program
    .command("merge")
    .description("combine shard directories into the files one machine would have written")
    .argument("<dirs...>", "directories written by optex run --shard")
    .requiredOption("--out <dir>", "output directory")
    .option("--json", "print one JSON object on stdout")
    .action(async (dirs: string[], o: { out: string; json?: boolean }) => {
      const results = await mergeRuns(dirs, o.out);
      io.out(
        `${
          o.json
            ? toJson({ outDir: o.out, tasks: results.length })
            : `merged ${dirs.length} directories: ${results.length} tasks -> ${o.out}`
        }\n`,
      );
    });

  const equilibrium = program
    .command("equilibrium")
    .description(
      "a symmetric equilibrium in demand schedules of the double auction with any fee, with its certificate (epsilonFound, epsilonBound)",
    );
  lawAndMarketOptions(equilibrium, 10);
  equilibrium
    .option("--mu-pi <m>", "mean payoff of the asset, in [-1e6, 1e6]", parseMuPi, 0)
    .option("--fee <spec>", `the fee: ${FEE_SPECS}`, "none")
    .option("--types <n>", "type nodes (quantiles of the law), in [2, 1024]", integerIn("types", 2, 1024), 64)
    .option("--prices <n>", "price nodes, in [8, 1024]", integerIn("prices", 8, 1024), 64)
    .option(
      "--samples <n>",
      "sampled opponent profiles per iteration and for the certificate, in [100, 1e6]",
      integerIn("samples", 100, 1_000_000),
      2000,
    )
    .addOption(new Option("--start <start>", "starting strategy").choices(["price-taker", "zero-intelligence"]).default("price-taker"))
    .option("--max-iterations <n>", "iterations at most, in [1, 10000]", integerIn("max-iterations", 1, 10_000), 200)
    .option("--markets <n>", "markets simulated for the outcomes (0: none), in [0, 1e7]", integerIn("markets", 0, 10_000_000), 10_000)
    .option("--check-types <n>", "types the certificate checks, in [1, 1024]", integerIn("check-types", 1, 1024), 16)
    .option("--no-uniqueness", "skip the second solve from the other start")
    .option("--fresh-markets", "learn from new sampled markets in every iteration instead of replaying the same ones")
    .option("--seed <seed>", "seed of the random generator (same seed, same numbers)", parseSeed, "1")
    .option("--json", "print one JSON object on stdout");
  equilibrium.action(
    (o: {
      dist: string;
      kappa: number;
      traders: number;
      muPi: number;
      fee: string;
      types: number;
      prices: number;
      samples: number;
      start: "price-taker" | "zero-intelligence";
      maxIterations: number;
      markets: number;
      checkTypes: number;
      uniqueness: boolean;
      freshMarkets?: boolean;
      seed: string;
      json?: boolean;
    }) => {
      const dist = distOption(o.dist);
      const request = {
        env: { dist, kappa: o.kappa, traders: o.traders, muPi: o.muPi },
        distSpec: o.dist.trim(),
        feeSpec: o.fee.trim(),
        types: o.types,
        prices: o.prices,
        samples: o.samples,
        seed: o.seed,
        start: o.start,
        maxIterations: o.maxIterations,
        markets: o.markets,
        checkTypes: o.checkTypes,
        uniqueness: o.uniqueness,
        freshMarkets: o.freshMarkets === true,
      };
      checkRequest(request);
      const report = runEquilibrium(request);
      io.out(`${o.json ? toJson(report) : equilibriumText(report)}\n`);
    },
  );

  const design = program
    .command("design")
    .description(
      "the designer's problem discretised and solved by a QP solver (HiGHS): the best feasible mechanism on a grid of types beside the theory's optimum",
    );
  lawAndMarketOptions(design, 5);
  design
    .option("--alpha <a>", "weight on revenue, in [0, 1]", parseAlpha, 0.5)
    .option(
      "--grid <n>",
      "cells of types, in [8, 1000], default 200 (ex-post: in [8, 64]; two assets: rings, in [2, 24], default 12)",
      integerIn("grid", 2, 1000),
    )
    .addOption(
      new Option("--formulation <f>", "interim allocations (any N) or ex post trades (N = 2)")
        .choices(["interim", "ex-post"])
        .default("interim"),
    )
    .option("--assets <k>", "1, or 2 for Proposition 7's question (normal endowments)", integerIn("assets", 1, 2), 1)
    .option("--sectors <n>", "two assets: angular sectors, in [4, 64]", integerIn("sectors", 4, 64), 24)
    .option("--sigma-pi <s>", "two assets: sd of each payoff, in [1e-6, 1e6]", parsePositiveIn("sigma-pi", 1e-6, 1e6), 1)
    .option("--json", "print one JSON object on stdout");
  design.action(
    async (o: {
      dist: string;
      alpha: number;
      traders: number;
      kappa: number;
      grid?: number;
      formulation: "interim" | "ex-post";
      assets: number;
      sectors: number;
      sigmaPi: number;
      json?: boolean;
    }) => {
      const dist = distOption(o.dist);
      const { report, seconds } = await runDesign({
        dist,
        distSpec: o.dist.trim(),
        alpha: o.alpha,
        traders: o.traders,
        kappa: o.kappa,
        assets: o.assets === 2 ? 2 : 1,
        grid: o.grid ?? (o.assets === 2 ? 12 : 200),
        sectors: o.sectors,
        sigmaPi: o.sigmaPi,
        formulation: o.formulation,
      });
      if (report.verdict.theoryOptimal === false) status.exitCode = 1;
      io.out(`${o.json ? toJson(report) : designText(report, seconds)}\n`);
    },
  );

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
  // commander answers `help <unknown>` with the general help and exit 0: name the mistake instead.
  if (argv[0] === "help" && argv[1] !== undefined && !program.commands.some((c) => c.name() === argv[1])) {
    io.err(`optex: error: unknown command '${argv[1]}' (commands: ${program.commands.map((c) => c.name()).join(", ")})\n`);
    return 2;
  }
  try {
    await program.parseAsync(argv, { from: "user" });
    return status.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    const message = (error as Error).message?.split("\n")[0] ?? String(error);
    // A solver that gives up (a root without a sign change, an integral that does not converge) is
    // the inputs being out of the theory's numerical reach: say so in words, the solver's note last.
    if ((error as Error).name === "NumericsError") {
      io.err(
        `optex: error: these inputs are beyond the numerical reach of the theory's solvers (${solverCause(message)}); try values nearer the defaults\n`,
      );
      return 2;
    }
    if (error instanceof TheoryError || error instanceof ScheduleError || error instanceof InputError) {
      io.err(`optex: error: ${message}\n`);
      return 2;
    }
    const fs = fileSystemProblem(error);
    if (fs) {
      io.err(`optex: error: ${fs}\n`);
      return 2;
    }
    io.err(
      `optex: internal error: ${message}${process.env.OPTEX_DEBUG ? `\n${(error as Error).stack}` : " (set OPTEX_DEBUG=1 for a stack trace)"}\n`,
    );
    return 1;
  }
}

/** What the user should hear about a file-system error: the path and the cause in words (null if not one). */
function fileSystemProblem(error: unknown): string | null {
  const e = error as NodeJS.ErrnoException;
  const causes: Record<string, string> = {
    ENOENT: "no such file or directory",
    EISDIR: "is a directory, not a file",
    ENOTDIR: "a part of the path is a file, not a directory",
    EEXIST: "already exists and is not a directory",
    EACCES: "permission denied",
    EPERM: "operation not permitted",
    EROFS: "read-only file system",
    ENOSPC: "no space left on the device",
    EDQUOT: "disk quota exceeded",
    EMFILE: "too many open files",
    ENAMETOOLONG: "file name too long",
  };
  if (typeof e?.code !== "string" || !(e.code in causes)) return null;
  const path = e.path ?? (e as { dest?: string }).dest ?? "(a file)";
  return `${path}: ${causes[e.code]} (${e.code})`;
}

/** A numerics failure in words. */
function solverCause(message: string): string {
  if (/sign|no root/i.test(message)) return "an equation of the theory has no solution in the range searched";
  if (/not finite|NaN/i.test(message)) return "a quantity of the theory overflows or is undefined in double precision";
  if (/converge/i.test(message)) return "an integral or an equation of the theory does not converge";
  return "a numerical method of the theory failed";
}

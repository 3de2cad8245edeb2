#!/usr/bin/env node
import { Command, CommanderError, Option } from "commander";
import { basicEnvironment, type Distribution, radialMechanism, revenueEfficiencyFrontier, TheoryError } from "@optex/theory";
import { ScheduleError } from "@optex/engine";
import { runBench } from "./bench.ts";
import { InputError } from "./inputError.ts";
import { type MechanismId, mechanismIds } from "./basicMechanism.ts";
import { fmt, quantityLabels, table, toJson } from "./format.ts";
import { createLogger } from "./logger.ts";
import { quantityNames } from "./monteCarlo.ts";
import { parseAlpha, parseAssets, parseDist, parseDists, parseFrontier, parseKappa, parseKappas, parseMuE, parseRho, parseSigma, parseLogLevel, parseMarkets, parseMuPi, parseSeed, parseTraders } from "./options.ts";
import { progressBar } from "./progress.ts";
import { type SimulationReport, simulateBasic } from "./simulation.ts";
import { adverseSelectionReport, type AdverseSelectionReport } from "./adverseSelectionReport.ts";
import { heterogeneousReport, type HeterogeneousReport } from "./heterogeneousReport.ts";
import { basicTheoryReport, type TheoryReport } from "./theoryReport.ts";


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

function theoryTable(r: TheoryReport): string {
  const mechs = [
    ["optimal (alpha = " + r.alpha + ")", r.optimal],
    ["first best", r.firstBest],
    ["double auction (SLE)", r.doubleAuction],
  ] as const;
  const rows = quantityNames.map((q) => [quantityLabels[q], ...mechs.map(([, m]) => (m ? fmt(m[q]) : "none"))]);
  rows.push(["autarky holding cost", ...mechs.map(([, m]) => (m ? fmt(m.autarkyHoldingCostPerTrader) : "none"))]);
  return [
    `Basic model: ${r.dist}, N = ${r.traders}, kappa = ${r.kappa}, mu_pi = ${r.muPi}`,
    `Theorem 1 (alpha = ${r.alpha}): participation binds on [eA, eB] = [${fmt(r.eA)}, ${fmt(r.eB)}] (mass ${fmt(r.bindingMass)}), E[v] = ${fmt(r.meanVirtualType)}, Var[v] = ${fmt(r.varianceVirtualType)}; Condition 1 holds`,
    `Proposition 3 fee: T(q, p) = (c/2) q^2 - B(-q - kappa (p - mu_pi)) + d with c = ${fmt(r.fee.c)}, d = ${fmt(r.fee.d)}`,
    "",
    table(["per-trader expectation", ...mechs.map(([name]) => name)], rows),
    ...(r.doubleAuctionReason ? ["", `double auction: ${r.doubleAuctionReason}`] : []),
  ].join("\n");
}

function adverseSelectionTable(r: AdverseSelectionReport): string {
  const da = r.doubleAuction;
  const lines = [
    `Adverse selection (Section 5): N = ${r.traders}, kappa = ${r.kappa}, e ~ N(${r.muE}, ${r.sigmaE}^2), signals N(0, ${r.sigmaZeta}^2) with correlation ${r.rho}`,
    "",
    da.exists
      ? `Plain double auction (Lemma 4 / Theorem 2): q_i = -${fmt(da.a)} e_i + ${fmt(da.b)} zeta_i - ${fmt(da.c)} p; price impact ${fmt(da.priceImpact)}; total holding cost ${fmt(da.totalHoldingCost)}`
      : `Plain double auction: ${da.reason}`,
    `An SLE exists for sigma_zeta below ${r.existenceThreshold === null ? "any bound (every sigma_zeta)" : fmt(r.existenceThreshold)}`,
  ];
  if (r.optimal) {
    const o = r.optimal;
    lines.push(
      `Optimal mechanism (Theorem 3, alpha = ${r.alpha}): participation binds for effective types t = e/kappa - zeta in [${fmt(o.tA)}, ${fmt(o.tB)}], E[v] = ${fmt(o.meanVirtualType)}`,
      `  per trader: revenue ${fmt(o.revenuePerTrader)}, holding cost ${fmt(o.holdingCostPerTrader)}, utility gain ${fmt(o.utilityGainPerTrader)}`,
    );
  } else lines.push(`Optimal mechanism: ${r.optimalReason}`);
  if (r.frontier) {
    lines.push("", "Revenue-efficiency frontier (Theorem 3):", table(["alpha", "revenue per trader", "holding cost per trader"], r.frontier.map((f) => [String(f.alpha), fmt(f.revenuePerTrader), fmt(f.holdingCostPerTrader)])));
  }
  return lines.join("\n");
}

function heterogeneousTable(r: HeterogeneousReport): string {
  const rows = r.traders.map((t, i) => [
    String(i + 1),
    t.dist,
    String(t.kappa),
    `[${fmt(t.eA)}, ${fmt(t.eB)}]`,
    fmt(t.flatLevel),
    fmt(t.meanVirtualType),
    fmt(t.revenue),
    fmt(t.holdingCost),
    fmt(t.utilityGain),
    `${fmt(t.fee.c)}, ${fmt(t.fee.d)}`,
  ]);
  rows.push(["total", "", "", "", "", "", fmt(r.totals.revenue), fmt(r.totals.holdingCost), fmt(r.totals.utilityGain), ""]);
  const frontier = r.frontier
    ? ["", "Revenue-efficiency frontier (per-trader averages):", table(["alpha", "revenue per trader", "holding cost per trader"], r.frontier.map((f) => [String(f.alpha), fmt(f.revenuePerTrader), fmt(f.holdingCostPerTrader)]))].join("\n")
    : "";
  return [
    `Heterogeneous traders (Theorem 5), alpha = ${r.alpha}, mu_pi = ${r.muPi}`,
    "",
    table(["trader", "law", "kappa", "binding region", "flat level", "E[v]", "revenue", "holding cost", "utility gain", "fee c, d (Prop. 10)"], rows),
  ].join("\n") + frontier;
}

function simulationTable(reports: SimulationReport[], head: string): string {
  const rows: string[][] = [];
  for (const r of reports) {
    for (const q of quantityNames) {
      const est = r.simulated[q];
      const ci = est.ci99 ? `[${fmt(est.ci99[0])}, ${fmt(est.ci99[1])}]` : "n/a";
      const pass = r.agreement[q] === null ? "n/a" : r.agreement[q] ? "pass" : "FAIL";
      rows.push([r.mechanism, quantityLabels[q], fmt(est.mean), ci, fmt(r.theory[q]), pass]);
    }
  }
  const timing = reports.map((r) => `${r.mechanism} ${r.elapsedSeconds.toFixed(2)} s`).join(", ");
  const noTrade = reports.filter((r) => r.noTradeMarkets > 0).map((r) => `${r.mechanism}: ${r.noTradeMarkets} markets without a unique price (no trade)`);
  return [
    head,
    "",
    table(["mechanism", "quantity", "simulated", "99% interval", "theory", "theory in 99% CI"], rows),
    "",
    `Monte Carlo time: ${timing}`,
    `Each row is a 99% check: with ${rows.length} rows, expect a FAIL by chance in about ${Math.round(100 * (1 - 0.99 ** rows.length))}% of runs; a wrong theory fails every seed.`,
    ...noTrade,
  ].join("\n");
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
        const r = radialMechanism({ assets: o.assets, traders: o.traders, kappa: o.kappa, sigmaE: o.sigmaE, sigmaPi: o.sigmaPi, alpha: o.alpha });
        const report = {
          model: "multi-asset",
          assets: o.assets,
          traders: o.traders,
          kappa: o.kappa,
          sigmaE: o.sigmaE,
          sigmaPi: o.sigmaPi,
          alpha: o.alpha,
          radius: r.radius,
          fee: { c: r.feeC },
          revenuePerTrader: r.revenuePerTrader,
          holdingCostPerTrader: r.holdingCostPerTrader,
          utilityGainPerTrader: r.utilityGainPerTrader,
        };
        io.out(
          (o.json
            ? toJson(report)
            : [
                `Several assets (Proposition 7, Condition 3): ${o.assets} assets, N = ${o.traders}, kappa = ${o.kappa}, sigma_e = ${o.sigmaE}, sigma_pi = ${o.sigmaPi}, alpha = ${o.alpha}`,
                `Participation binds on the ball |e - mu_e| <= ${fmt(r.radius)}; Proposition 8 fee c = ${fmt(r.feeC)}`,
                `Per trader, summed over assets: revenue ${fmt(r.revenuePerTrader)}, holding cost ${fmt(r.holdingCostPerTrader)}, utility gain ${fmt(r.utilityGainPerTrader)}`,
              ].join("\n")) + "\n",
        );
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
      const frontierTable = frontier
        ? [
            "",
            "Revenue-efficiency frontier (allocative efficiency = -N x holding cost):",
            table(
              ["alpha", "revenue per trader", "holding cost per trader", "utility gain per trader"],
              frontier.map((f) => [String(f.alpha), fmt(f.revenuePerTrader), fmt(f.holdingCostPerTrader), fmt(f.utilityGainPerTrader)]),
            ),
          ].join("\n")
        : "";
      io.out(theoryTable(report) + frontierTable + "\n");
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

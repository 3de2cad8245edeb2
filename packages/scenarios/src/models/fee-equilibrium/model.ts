import { certify, type EquilibriumEnvironment, simulateOutcomes, solveEquilibrium } from "@optex/agents";
import { feeFromSpec } from "@optex/fees";
import { basicEnvironment, type FrontierPoint, parseDistribution, revenueEfficiencyFrontier } from "@optex/theory";
import type { TopLevelSpec } from "vega-lite";
import { equilibriumText, runEquilibrium } from "../../equilibrium/equilibriumCommand.ts";
import { fmt, table } from "../../output/format.ts";
import type { TaskResult } from "../../sweeps/runTask.ts";
import type { Scenario } from "../../sweeps/scenarioSchema.ts";
import { type ModelDefinition, type ModelPlot, num, str } from "../model.ts";
import { type ParameterPoint, parameterSpecs as P } from "../parameters.ts";

/** The grid a scenario task solves on (smaller than the command's default: a sweep has many points). */
export const SCENARIO_GRID = { types: 32, prices: 48, samples: 1500 } as const;
/** Seed of every task's solve, certificate and outcomes (a task is a pure function of its parameters). */
const SEED = "fee-equilibrium";
/** Markets simulated per task for the outcomes. */
const OUTCOME_MARKETS = 4000;
/** Theorem 1's frontier at these weights on revenue. */
// Dense near alpha = 0, where the frontier's holding cost rises like revenue squared: a chord from
// alpha = 0 to 1/40 overstated the optimal mechanism's cost of small revenues many times.
const FRONTIER_ALPHAS = Array.from({ length: 81 }, (_, i) => (i / 80) ** 2);

const environmentOf = (p: ParameterPoint): EquilibriumEnvironment => ({
  dist: parseDistribution(str(p, "dist")),
  kappa: num(p, "kappa"),
  traders: num(p, "traders"),
  muPi: num(p, "muPi"),
});

/**
 * Excess holding cost per trader of a point (revenue R, holding cost H) over Theorem 1's frontier
 * at the same revenue: H - H*(R), with H* interpolated linearly between frontier points (revenue
 * rises with alpha). Below the frontier's least revenue (a fee that subsidises trade) the first
 * best's holding cost is the bound; above its largest, no mechanism reaches R (null).
 */
export function frontierGap(frontier: readonly FrontierPoint[], revenue: number, holding: number): number | null {
  const first = frontier[0]!;
  const last = frontier.at(-1)!;
  if (revenue <= first.revenuePerTrader) return holding - first.holdingCostPerTrader;
  if (revenue > last.revenuePerTrader * (1 + 1e-12)) return null;
  for (let i = 1; i < frontier.length; i++) {
    const a = frontier[i - 1]!;
    const b = frontier[i]!;
    if (revenue <= b.revenuePerTrader) {
      const t = (revenue - a.revenuePerTrader) / (b.revenuePerTrader - a.revenuePerTrader);
      return holding - (a.holdingCostPerTrader + t * (b.holdingCostPerTrader - a.holdingCostPerTrader));
    }
  }
  return holding - last.holdingCostPerTrader;
}

/** The fee's family: "per-unit" of "per-unit:0.05". */
const familyOf = (spec: string) => spec.split(":")[0]!;

/**
 * Beyond the paper: the symmetric equilibrium of the double auction under a fee an exchange can
 * charge (optex equilibrium), its certificate and outcomes, placed against Theorem 1's
 * revenue-efficiency frontier.
 */
export const feeEquilibriumModel: ModelDefinition = {
  id: "fee-equilibrium",
  title: "Equilibria of the double auction under a chargeable fee (beyond the paper)",
  parameters: [
    { spec: P.dist, default: "uniform:-1,1" },
    { spec: P.kappa, default: 1 },
    { spec: P.traders, default: 10 },
    { spec: P.muPi, default: 0 },
    { spec: P.chargedFee, default: "per-unit:0.05" },
  ],
  frontier: false,
  theory(p) {
    const report = runEquilibrium({
      env: environmentOf(p),
      distSpec: str(p, "dist"),
      feeSpec: str(p, "chargedFee"),
      types: 64,
      prices: 64,
      samples: 2000,
      seed: "1",
      start: "price-taker",
      maxIterations: 200,
      markets: 10_000,
      checkTypes: 16,
      uniqueness: true,
    });
    return { json: report, text: equilibriumText(report) };
  },
  mechanisms: [],
  taskValues(p) {
    const env = environmentOf(p);
    const fee = feeFromSpec(str(p, "chargedFee"), env);
    const solution = solveEquilibrium(env, fee, { ...SCENARIO_GRID, seed: SEED });
    const frontier = revenueEfficiencyFrontier(basicEnvironment(env), FRONTIER_ALPHAS);
    const curves = {
      learningPath: solution.path.map((s) => [s.iteration, s.epsilon] as const),
      frontier: frontier.map((f) => [f.holdingCostPerTrader, f.revenuePerTrader] as const),
    };
    if (solution.status === "no-equilibrium")
      return {
        values: {
          revenuePerTrader: null,
          holdingCostPerTrader: null,
          utilityGainPerTrader: null,
          tradeVolumePerTrader: null,
          noTradeFrequency: null,
          epsilonFound: null,
          epsilonBound: null,
          frontierGap: null,
          frontierGapShare: null,
          iterations: solution.iterations,
          converged: 0,
        },
        curves,
      };
    const certificate = certify(env, fee, solution.table, { seed: SEED, checkTypes: 8, samples: SCENARIO_GRID.samples });
    const o = simulateOutcomes(env, fee, solution.table, OUTCOME_MARKETS, SEED);
    const gap = frontierGap(frontier, o.revenuePerTrader.mean, o.holdingCostPerTrader.mean);
    // The efficiency at stake: autarky's holding cost less the first best's.
    const autarky = (env.dist.variance + env.dist.mean ** 2) / (2 * env.kappa);
    const stake = autarky - frontier[0]!.holdingCostPerTrader;
    return {
      values: {
        revenuePerTrader: o.revenuePerTrader.mean,
        holdingCostPerTrader: o.holdingCostPerTrader.mean,
        utilityGainPerTrader: o.utilityGainPerTrader.mean,
        tradeVolumePerTrader: o.tradeVolumePerTrader.mean,
        noTradeFrequency: o.noTradeFrequency.mean,
        epsilonFound: certificate.epsilonFound,
        epsilonBound: certificate.epsilonBound,
        frontierGap: gap,
        frontierGapShare: gap === null ? null : gap / stake,
        iterations: solution.iterations,
        // 1: the stopping rule held; 0: stalled or out of iterations (an approximate equilibrium, see its epsilons).
        converged: solution.status === "converged" ? 1 : 0,
      },
      curves,
    };
  },
  plots: feeEquilibriumPlots,
  reportSection: feeEquilibriumSection,
};

/** Okabe and Ito's palette (as the generic plots). */
const PALETTE = { range: { category: ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"] } };

async function feeEquilibriumPlots(
  _s: Scenario,
  results: readonly TaskResult[],
  renderSvg: (spec: TopLevelSpec) => Promise<string>,
): Promise<ModelPlot[]> {
  const ok = results.filter((r) => r.status === "ok" && r.values);
  if (ok.length === 0) return [];
  const panelOf = (r: TaskResult) => `${r.params.dist}, N = ${r.params.traders}`;
  const frontierRows: Record<string, unknown>[] = [];
  const seen = new Set<string>();
  for (const r of ok) {
    const panel = panelOf(r);
    if (seen.has(panel)) continue;
    seen.add(panel);
    for (const [holding, revenue] of r.curves?.frontier ?? [])
      frontierRows.push({ panel, holding, revenue, series: "Theorem 1's frontier" });
  }
  const pointRows = ok
    .filter((r) => r.values!.revenuePerTrader !== null)
    .map((r) => ({
      panel: panelOf(r),
      holding: r.values!.holdingCostPerTrader,
      revenue: r.values!.revenuePerTrader,
      family: familyOf(String(r.params.chargedFee)),
      fee: String(r.params.chargedFee),
    }));
  const x = { field: "holding", type: "quantitative" as const, title: "holding cost per trader", scale: { zero: false } };
  const y = { field: "revenue", type: "quantitative" as const, title: "revenue per trader" };
  const frontierSpec: TopLevelSpec = {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: "Simple fees' equilibria (points) against Theorem 1's revenue-efficiency frontier (line)",
    config: PALETTE,
    data: { values: [...frontierRows, ...pointRows] },
    // Panels in the sweep's order (law, then N), not alphabetically ("N = 10" before "N = 5").
    facet: { field: "panel", type: "nominal", title: "", sort: [...seen] },
    columns: 3,
    resolve: { scale: { x: "independent", y: "independent" } },
    spec: {
      width: 260,
      height: 200,
      layer: [
        {
          transform: [{ filter: "datum.series != null" }],
          mark: { type: "line", color: "#000000" },
          encoding: { x, y, order: { field: "revenue", type: "quantitative" } },
        },
        {
          transform: [{ filter: "datum.family != null" }],
          mark: { type: "point", filled: true, size: 45 },
          encoding: { x, y, color: { field: "family", type: "nominal", title: "fee family" }, shape: { field: "family", type: "nominal" } },
        },
      ],
    },
  };
  const plots: ModelPlot[] = [
    { file: "fees-vs-frontier.svg", title: "simple fees against the frontier", svg: await renderSvg(frontierSpec) },
  ];
  // The learning path of every task: epsilon per iteration (log scale), one panel per fee family.
  const pathRows = ok.flatMap((r) =>
    (r.curves?.learningPath ?? [])
      .filter(([, epsilon]) => Number.isFinite(epsilon))
      .map(([iteration, epsilon]) => ({
        iteration,
        // Clipped to [1e-16, 1e3] (a first step from a strategy that gains nothing is off any scale).
        epsilon: Math.min(Math.max(epsilon, 1e-16), 1e3),
        family: familyOf(String(r.params.chargedFee)),
        series: `${r.params.chargedFee}, ${panelOf(r)}`,
      })),
  );
  if (pathRows.length > 0) {
    const pathSpec: TopLevelSpec = {
      $schema: "https://vega.github.io/schema/vega-lite/v6.json",
      title: "Learning path: the best response's gain (relative to the mean gain from trade) per iteration",
      data: { values: pathRows },
      facet: { field: "family", type: "nominal", title: "" },
      columns: 2,
      resolve: { scale: { x: "independent" } },
      spec: {
        width: 260,
        height: 180,
        mark: { type: "line", opacity: 0.6, strokeWidth: 1 },
        encoding: {
          x: { field: "iteration", type: "quantitative", title: "iteration" },
          y: { field: "epsilon", type: "quantitative", title: "epsilon (in-sample)", scale: { type: "log" } },
          detail: { field: "series", type: "nominal" },
          color: { value: "#0072B2" },
        },
      },
    };
    plots.push({ file: "learning-path.svg", title: "learning paths", svg: await renderSvg(pathSpec) });
  }
  return plots;
}

/**
 * The cost of revenue of a fee relative to the optimal mechanism: the holding cost its equilibrium
 * adds to the plain auction's, over what Theorem 1's frontier adds to the first best's to raise the
 * same revenue. 1: as cheap as the optimal mechanism; 3: three times the efficiency cost. Null
 * without a plain auction at the same point or without revenue.
 */
export function costOfRevenue(fee: TaskResult, auction: TaskResult | undefined): number | null {
  const v = fee.values!;
  const firstBest = fee.curves?.frontier?.[0]?.[0];
  if (!auction || firstBest === undefined || v.revenuePerTrader === null || v.frontierGap === null) return null;
  if (!(v.revenuePerTrader! > 0)) return null;
  const frontierHolding = v.holdingCostPerTrader! - v.frontierGap!;
  const optimalCost = frontierHolding - firstBest;
  if (!(optimalCost > 0)) return null;
  return (v.holdingCostPerTrader! - auction.values!.holdingCostPerTrader!) / optimalCost;
}

/** Each family's cheapest way to raise revenue at each (law, N), with its distance to the frontier and certificate. */
function feeEquilibriumSection(_s: Scenario, results: readonly TaskResult[]): string {
  const ok = results.filter((r) => r.status === "ok" && r.values && r.values.frontierGap !== null && r.values.frontierGap !== undefined);
  if (ok.length === 0) return "";
  const point = (r: TaskResult) => `${r.params.dist}|${r.params.traders}|${r.params.kappa}|${r.params.muPi}`;
  const auctions = new Map(ok.filter((r) => r.params.chargedFee === "none").map((r) => [point(r), r]));
  const groups = new Map<string, TaskResult[]>();
  for (const r of ok) {
    const key = `${point(r)}|${familyOf(String(r.params.chargedFee))}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const rows: string[][] = [];
  for (const [key, rs] of groups) {
    const [dist, traders, , , family] = key.split("|");
    // The fee with the lowest cost of revenue (the plain auction: the closest point).
    const scored = rs.map((r) => ({ r, cost: costOfRevenue(r, auctions.get(point(r))) }));
    const ranked = scored.filter((x) => x.cost !== null).sort((a, b) => a.cost! - b.cost!);
    const best = ranked[0] ?? scored.reduce((a, b) => (b.r.values!.frontierGap! < a.r.values!.frontierGap! ? b : a));
    const v = best.r.values!;
    rows.push([
      dist!,
      traders!,
      family!,
      String(best.r.params.chargedFee),
      fmt(v.revenuePerTrader!),
      best.cost === null ? "-" : `${best.cost.toFixed(2)}x`,
      fmt(v.frontierGap!),
      `${(100 * v.frontierGapShare!).toFixed(2)}%`,
      fmt(v.epsilonFound!),
      fmt(v.epsilonBound!),
      v.converged === 1 ? "converged" : "approximate",
    ]);
  }
  const unsolved = results.filter((r) => r.status === "ok" && r.values && r.values.revenuePerTrader === null).length;
  return [
    "## Each fee family against the frontier",
    "",
    "Per family, the fee that raises revenue most cheaply. Cost of revenue: the holding cost its equilibrium adds to the plain auction's, over what Theorem 1's optimal mechanism adds to the first best's for the same revenue (1x: as cheap as the optimum). Excess holding cost: the equilibrium's holding cost per trader less the frontier's at the same revenue (interpolated in alpha), also as a share of the efficiency at stake (autarky's holding cost less the first best's). epsilonFound and epsilonBound certify each point (relative to the mean gain from trade; docs/equilibrium.md). Every fee's numbers are in results.csv.",
    "",
    "```text",
    table(
      [
        "law",
        "N",
        "family",
        "fee",
        "revenue per trader",
        "cost of revenue",
        "excess holding cost",
        "share of stake",
        "epsilonFound",
        "epsilonBound",
        "solve",
      ],
      rows,
    ),
    "```",
    unsolved > 0 ? `\n${unsolved} task(s) found no equilibrium (the schedules collapse to no trade).` : "",
  ].join("\n");
}

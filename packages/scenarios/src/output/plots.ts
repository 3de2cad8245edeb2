import type { TopLevelSpec } from "vega-lite";
import type { TaskResult } from "../sweeps/runTask.ts";
import { parameterSpecs } from "../models/parameters.ts";
import { modelById } from "../models/registry.ts";
import type { Scenario } from "../sweeps/scenarioSchema.ts";

/** One SVG figure of a scenario run. */
export interface Plot {
  readonly file: string;
  readonly title: string;
  readonly svg: string;
}

/** The swept parameters whose values are numbers (x axes), in the model's order. */
const numericSwept = (s: Scenario) => Object.keys(s.sweep).filter((k) => s.sweep[k]!.every((v) => typeof v === "number"));
/**
 * A vega-lite spec rendered headless to SVG (deterministic bytes). vega and vega-lite are loaded on
 * the first plot only: a command that draws nothing never loads them.
 */
async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const [vega, vegaLite] = await Promise.all([import("vega"), import("vega-lite")]);
  const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    await view.finalize();
  }
}

/** Series per panel before a plot is faceted. */
const MAX_SERIES = 6;
/** Okabe and Ito's colour-blind-safe palette for nominal colours. */
const PALETTE = { range: { category: ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"] } };
/** A parameter's name in words for an axis. */
const axisTitle = (key: string) => parameterSpecs[key as keyof typeof parameterSpecs]?.label ?? words(key);
/** A camelCase result name in words ("doubleAuctionPriceImpact" -> "double auction price impact"). */
const words = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, "$1 $2").toLowerCase();
/** Every swept parameter (series labels). */
const swept = (s: Scenario) => Object.keys(s.sweep);
/** The quantities the mechanism tasks report, with their words, in order of first appearance. */
function quantitiesOf(results: readonly TaskResult[]): [string, string][] {
  const out = new Map<string, string>();
  for (const r of results) for (const [k, label] of Object.entries(r.labels ?? {})) if (!out.has(k)) out.set(k, label);
  return [...out.entries()];
}

/**
 * Whether a task's number (a named result, a mechanism's theory) varies along parameter `k` with the
 * other swept parameters held, beyond 1e-12 of its size: no plot of a constant, no line that stays
 * flat along its axis, one line for a mechanism that does not depend on a parameter.
 */
function movesAlong(results: readonly TaskResult[], value: (r: TaskResult) => number, k: string, sweptKeys: readonly string[]): boolean {
  const groups = new Map<string, number[]>();
  for (const r of results) {
    const key = sweptKeys
      .filter((o) => o !== k)
      .map((o) => `${o}=${r.params[o]}`)
      .join(",");
    groups.set(key, [...(groups.get(key) ?? []), value(r)]);
  }
  for (const values of groups.values()) {
    const spread = Math.max(...values) - Math.min(...values);
    if (spread > 1e-12 * Math.max(1e-300, ...values.map(Math.abs))) return true;
  }
  return false;
}

/**
 * For a sweep over a numeric parameter: one figure per reported quantity, theory as lines and the
 * simulated means with their 99% intervals as points and bars, one colour per mechanism (and per
 * value of any other swept parameter). Rendered headless by vega (no browser); deterministic bytes.
 * Empty when the scenario sweeps no numeric parameter.
 */
export async function scenarioPlots(s: Scenario, results: readonly TaskResult[]): Promise<Plot[]> {
  const model = modelById(s.model);
  const plots: Plot[] = [
    ...(await frontierPlots(s, results)),
    ...(await interimPlots(s, results)),
    ...(await gapPlots(s, results)),
    ...((await model.plots?.(s, results, renderSvg)) ?? []),
  ];
  const x = numericSwept(s)[0];
  if (!x) return plots;
  const others = swept(s).filter((k) => k !== x);
  const theoryOnly = results.find((r) => r.status === "ok" && r.values);
  if (theoryOnly) {
    // Theory-only results: one figure per named result, against the first swept parameter that
    // moves it (a result the first one does not move, such as the plain auction's coefficients
    // against alpha, is drawn against the next), a line per value of the other swept parameters.
    for (const name of Object.keys(theoryOnly.values!)) {
      const valued = results.filter((r) => r.status === "ok" && r.values && r.values[name] !== null && r.values[name] !== undefined);
      const axis = numericSwept(s).find((k) => movesAlong(valued, (r) => r.values![name]!, k, swept(s)));
      if (!axis || valued.length === 0) continue;
      const rest = swept(s).filter((k) => k !== axis);
      const rows = valued.map((r) => ({
        x: r.params[axis],
        series: rest.map((k) => `${k}=${r.params[k]}`).join(", ") || "theory",
        value: r.values![name]!,
      }));
      const spec: TopLevelSpec = {
        $schema: "https://vega.github.io/schema/vega-lite/v6.json",
        title: words(name),
        width: 420,
        height: 260,
        data: { values: rows },
        mark: { type: "line", point: true },
        encoding: {
          x: { field: "x", type: "quantitative", title: axisTitle(axis) },
          y: { field: "value", type: "quantitative", title: words(name) },
          color: { field: "series", type: "nominal", title: "", legend: { labelLimit: 400 } },
        },
      };
      plots.push({ file: `${name}.svg`, title: name, svg: await renderSvg(spec) });
    }
  }
  const runScale = Math.max(0, ...results.flatMap((r) => Object.values(r.theory ?? {}).map(Math.abs)));
  for (const [q, label] of quantitiesOf(results)) {
    const withQ = results.filter((r) => r.status === "ok" && (r.theory?.[q] !== undefined || r.simulated?.[q] !== undefined));
    // A mechanism is drawn once per value of the swept parameters its theory depends on: the first
    // best and the plain auction do not depend on alpha, so they get one line, not one per alpha.
    const dependsOn = new Map<string, string[]>();
    for (const mechanism of new Set(withQ.map((r) => r.mechanism))) {
      const mine = withQ.filter((r) => r.mechanism === mechanism && r.theory?.[q] !== undefined);
      dependsOn.set(mechanism, mine.length === 0 ? others : others.filter((k) => movesAlong(mine, (r) => r.theory![q]!, k, swept(s))));
    }
    const allRows = withQ.map((r) => ({
      x: r.params[x],
      mechanism: r.mechanism,
      panel: others.map((k) => `${axisTitle(k)} = ${r.params[k]}`).join(", ") || "all",
      series: [r.mechanism, ...dependsOn.get(r.mechanism)!.map((k) => `${k}=${r.params[k]}`)].join(", "),
      // A quantity without theory (e.g. a regret the paper does not give) is plotted from the simulation alone.
      theory: r.theory?.[q] ?? null,
      simulated: r.simulated?.[q]?.mean ?? null,
      low: r.simulated?.[q]?.ci99?.[0] ?? null,
      high: r.simulated?.[q]?.ci99?.[1] ?? null,
    }));
    if (allRows.length === 0) continue;
    // No plot of rounding noise: a quantity whose values all lie within 1e-12 of the run's scale (the
    // largest theory value of any quantity), such as an allocation error, is 0 in the report's table.
    const magnitudes = allRows.flatMap((r) => [r.theory, r.simulated, r.low, r.high].filter((v): v is number => v !== null).map(Math.abs));
    if (magnitudes.every((v) => v <= 1e-12 * runScale)) continue;
    // At most MAX_SERIES series share a panel: beyond that, one panel per value of the other swept
    // parameters, coloured by mechanism (each panel then draws every mechanism it holds).
    const facet = new Set(allRows.map((r) => r.series)).size > MAX_SERIES && others.length > 0;
    const seen = new Set<string>();
    // One theory line per series; every simulated point and interval stays (a mechanism drawn once
    // may still have been simulated at several values of a parameter its theory ignores).
    const rows = allRows.map((r) => {
      const key = `${facet ? r.panel : ""}|${r.series}|${r.x}`;
      const drawTheory = !seen.has(key);
      seen.add(key);
      return { ...r, drawTheory };
    });
    const encodingX = { field: "x", type: "quantitative" as const, title: axisTitle(x) };
    const color = { field: facet ? "mechanism" : "series", type: "nominal" as const, title: "mechanism", legend: { labelLimit: 400 } };
    const layer = [
      {
        transform: [{ filter: "datum.theory !== null && datum.drawTheory" }],
        mark: { type: "line" as const },
        encoding: { x: encodingX, y: { field: "theory", type: "quantitative" as const, title: label }, color },
      },
      {
        transform: [{ filter: "datum.simulated !== null" }],
        mark: { type: "point" as const, filled: true },
        encoding: { x: encodingX, y: { field: "simulated", type: "quantitative" as const }, color },
      },
      {
        transform: [{ filter: "datum.low !== null" }],
        mark: { type: "rule" as const },
        encoding: { x: encodingX, y: { field: "low", type: "quantitative" as const }, y2: { field: "high" }, color },
      },
    ];
    const title = `${label}: theory (lines) and simulation (99% intervals)`;
    const spec: TopLevelSpec = facet
      ? {
          $schema: "https://vega.github.io/schema/vega-lite/v6.json",
          title,
          config: PALETTE,
          data: { values: rows },
          facet: { field: "panel", type: "nominal", title: null },
          columns: 2,
          spec: { width: 300, height: 200, layer },
        }
      : {
          $schema: "https://vega.github.io/schema/vega-lite/v6.json",
          title,
          config: PALETTE,
          width: 420,
          height: 260,
          data: { values: rows },
          layer,
        };
    plots.push({ file: `${q}.svg`, title: label, svg: await renderSvg(spec) });
  }
  return plots;
}

/**
 * Mechanism benchmarks: each mechanism's gap to the first best at every parameter point, per
 * quantity (theory as bars, the simulated gap as points), so who loses what, and where, is visible.
 * Empty unless the scenario compares the first best with at least one other mechanism.
 */
async function gapPlots(s: Scenario, results: readonly TaskResult[]): Promise<Plot[]> {
  if (!s.mechanisms.includes("first-best") || s.mechanisms.length < 2) return [];
  const pointOf = (r: TaskResult) =>
    swept(s)
      .map((k) => `${k}=${r.params[k]}`)
      .join(" ") || "environment";
  const firstBest = new Map(results.filter((r) => r.status === "ok" && r.mechanism === "first-best").map((r) => [pointOf(r), r]));
  const plots: Plot[] = [];
  for (const [q, label] of quantitiesOf(results)) {
    const rows = results
      .filter((r) => r.status === "ok" && r.mechanism !== "first-best" && firstBest.has(pointOf(r)) && r.theory?.[q] !== undefined)
      .map((r) => {
        const fb = firstBest.get(pointOf(r))!;
        const simulated = r.simulated?.[q]?.mean;
        const simulatedFb = fb.simulated?.[q]?.mean;
        return {
          point: pointOf(r),
          mechanism: r.mechanism,
          gap: r.theory![q]! - fb.theory![q]!,
          simulatedGap: simulated !== undefined && simulatedFb !== undefined ? simulated - simulatedFb : null,
        };
      });
    if (rows.length === 0) continue;
    const simulatedAny = rows.some((r) => r.simulatedGap !== null);
    const title = `${label}: gap to the first best (theory bars${simulatedAny ? ", simulation points" : ""})`;
    const spec: TopLevelSpec = {
      $schema: "https://vega.github.io/schema/vega-lite/v6.json",
      title,
      width: { step: 14 },
      height: 240,
      data: { values: rows },
      encoding: {
        x: { field: "point", type: "nominal", title: "parameter point", sort: null, axis: { labelLimit: 400, labelAngle: -35 } },
        xOffset: { field: "mechanism", type: "nominal" },
        color: { field: "mechanism", type: "nominal", title: "mechanism" },
      },
      layer: [
        { mark: { type: "bar" }, encoding: { y: { field: "gap", type: "quantitative", title: `${label} minus first best` } } },
        {
          transform: [{ filter: "datum.simulatedGap !== null" }],
          mark: { type: "point", filled: true, color: "black" },
          encoding: { y: { field: "simulatedGap", type: "quantitative" } },
        },
      ],
    };
    plots.push({ file: `gap-${q}.svg`, title, svg: await renderSvg(spec) });
  }
  return plots;
}

/**
 * Figures 1 and 4: interim allocation and transfer against the type (endowment e, or effective
 * type t under adverse selection), one line per mechanism and parameter point.
 */
async function interimPlots(s: Scenario, results: readonly TaskResult[]): Promise<Plot[]> {
  const label = (r: TaskResult, series: string) => [series, ...swept(s).map((key) => `${key}=${r.params[key]}`)].join(", ");
  const curves = results.flatMap((r) => (r.interimCurves ?? []).map((c) => ({ ...c, series: label(r, c.series) })));
  if (curves.length === 0) return [];
  const variable = curves[0]!.variable;
  const symbol = variable === "endowment e" ? "e" : "t";
  const plots: Plot[] = [];
  for (const [field, title] of [
    ["allocation", `interim allocation Xhat(${symbol})`],
    ["transfer", `interim transfer That(${symbol})`],
  ] as const) {
    const rows = curves.flatMap((c) => c.x.map((x, k) => ({ e: x, value: c[field][k]!, series: c.series })));
    const spec: TopLevelSpec = {
      $schema: "https://vega.github.io/schema/vega-lite/v6.json",
      title,
      width: 420,
      height: 260,
      data: { values: rows },
      mark: { type: "line" },
      encoding: {
        x: { field: "e", type: "quantitative", title: variable },
        y: { field: "value", type: "quantitative", title },
        color: { field: "series", type: "nominal", title: "mechanism", legend: { labelLimit: 400 } },
      },
    };
    plots.push({ file: `interim-${field}.svg`, title, svg: await renderSvg(spec) });
  }
  return plots;
}

/**
 * Figures 3 and 5: when a scenario sweeps the weight on revenue alpha, the revenue-efficiency
 * frontier: revenue per trader against holding cost per trader (theory as a line, alpha marked along
 * it; simulated means as points), one curve per mechanism and value of the other swept parameters.
 */
async function frontierPlots(s: Scenario, results: readonly TaskResult[]): Promise<Plot[]> {
  if (s.sweep.alpha === undefined) return [];
  const others = swept(s).filter((k) => k !== "alpha");
  const rows = results
    .filter((r) => r.status === "ok" && r.theory?.revenuePerTrader !== undefined && r.theory?.holdingCostPerTrader !== undefined)
    .map((r) => ({
      alpha: Number(r.params.alpha),
      label: `alpha ${r.params.alpha}`,
      series: [r.mechanism, ...others.map((k) => `${axisTitle(k)} = ${r.params[k]}`)].join(", "),
      holding: r.theory!.holdingCostPerTrader!,
      revenue: r.theory!.revenuePerTrader!,
      simulatedHolding: r.simulated?.holdingCostPerTrader?.mean ?? null,
      simulatedRevenue: r.simulated?.revenuePerTrader?.mean ?? null,
    }));
  if (rows.length < 2) return [];
  const x = { field: "holding", type: "quantitative" as const, title: "holding cost per trader (theory)", scale: { zero: false } };
  const y = { field: "revenue", type: "quantitative" as const, title: "revenue per trader" };
  const color = { field: "series", type: "nominal" as const, title: "", legend: { labelLimit: 400 } };
  const title = "Revenue-efficiency frontier: revenue against holding cost as alpha goes from 0 to 1";
  const spec: TopLevelSpec = {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title,
    config: PALETTE,
    width: 420,
    height: 300,
    data: { values: rows },
    layer: [
      { mark: { type: "line", point: true }, encoding: { x, y, color, order: { field: "alpha", type: "quantitative" } } },
      { mark: { type: "text", dx: 8, dy: -8, fontSize: 9, align: "left" }, encoding: { x, y, text: { field: "label" }, color } },
      {
        transform: [{ filter: "datum.simulatedRevenue !== null" }],
        mark: { type: "point", shape: "cross", size: 40 },
        encoding: {
          x: { field: "simulatedHolding", type: "quantitative" },
          y: { field: "simulatedRevenue", type: "quantitative" },
          color,
        },
      },
    ],
  };
  const plot = { file: "frontier.svg", title, svg: await renderSvg(spec) };
  return [plot];
}

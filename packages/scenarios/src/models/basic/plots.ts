import { checkCondition1, parseDistribution, solveVirtualType } from "@optex/theory";
import type { TopLevelSpec } from "vega-lite";
import type { TaskResult } from "../../sweeps/runTask.ts";
import type { Scenario } from "../../sweeps/scenarioSchema.ts";
import type { ModelPlot } from "../model.ts";

/**
 * Where a scenario's law fails Condition 1: Theorem 1's virtual type as its formula gives it (the two
 * branches around the binding region, not monotone where the density dips) beside the ironed one
 * the mechanism uses (docs/ironing.md), one panel per alpha > 0. Theory only; nothing is drawn for
 * laws that satisfy Condition 1 (the two coincide).
 */
export async function basicPlots(
  _s: Scenario,
  results: readonly TaskResult[],
  renderSvg: (spec: TopLevelSpec) => Promise<string>,
): Promise<ModelPlot[]> {
  const rows: Record<string, unknown>[] = [];
  const seen = new Set<string>();
  for (const r of results) {
    const spec = String(r.params.dist);
    const alpha = Number(r.params.alpha);
    const key = `${spec}|${alpha}`;
    if (seen.has(key) || !(alpha > 0)) continue;
    seen.add(key);
    const dist = parseDistribution(spec);
    if (checkCondition1(dist, alpha).holds) continue;
    const vt = solveVirtualType(dist, alpha);
    const formula = (e: number) =>
      e < vt.eA ? e + alpha * dist.cdfOverPdf(e) : e > vt.eB ? e - alpha * dist.survivalOverPdf(e) : vt.flatLevel;
    // Quantiles and equal steps: the dip, where the formula plunges, has little mass.
    const lo = dist.quantile(0.005);
    const hi = dist.quantile(0.995);
    const xs = Array.from({ length: 121 }, (_, k) => dist.quantile(0.005 + (0.99 * k) / 120));
    for (let k = 0; k <= 240; k++) xs.push(lo + ((hi - lo) * k) / 240);
    xs.sort((a, b) => a - b);
    for (const e of xs) {
      const panel = `${spec}, alpha = ${alpha}`;
      rows.push({ e, v: formula(e), series: "Theorem 1's formula (unironed)", panel });
      rows.push({ e, v: vt.v(e), series: "ironed (the mechanism's)", panel });
    }
  }
  if (rows.length === 0) return [];
  const spec: TopLevelSpec = {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: "Virtual type v(e): Theorem 1's formula and the ironed one (flat on the binding region and on pooled types)",
    data: { values: rows },
    facet: { field: "panel", type: "nominal", title: "" },
    columns: 2,
    resolve: { scale: { y: "independent" } },
    spec: {
      width: 280,
      height: 200,
      mark: { type: "line", strokeWidth: 1.5 },
      encoding: {
        x: { field: "e", type: "quantitative", title: "endowment e" },
        y: { field: "v", type: "quantitative", title: "virtual type v(e)" },
        color: {
          field: "series",
          type: "nominal",
          title: "",
          scale: { range: ["#D55E00", "#0072B2"] },
          legend: { orient: "bottom", labelLimit: 400 },
        },
        strokeDash: { field: "series", type: "nominal", title: "", legend: { orient: "bottom", labelLimit: 400 } },
      },
    },
  };
  return [{ file: "virtual-type.svg", title: "virtual type, unironed and ironed", svg: await renderSvg(spec) }];
}

import type { FrontierPoint } from "@optex/theory";
import { fmt, fmtAt, quantityLabels, table, zText } from "./format.ts";
import type { AdverseSelectionLawsReport, AdverseSelectionReport } from "../models/adverse-selection/report.ts";
import type { CorrelatedAssetsReport } from "../models/correlated-assets/report.ts";
import type { HeterogeneousReport } from "../models/heterogeneous/report.ts";
import { quantityNames } from "../models/basic/fastPath.ts";
import type { MultiAssetReport } from "../models/multi-asset/report.ts";
import type { FamilyVerdict } from "../montecarlo/estimate.ts";
import type { SimulationResult } from "../montecarlo/marketSimulation.ts";
import type { TheoryReport } from "../models/basic/report.ts";

// Readable renderings of the reports (the CLI without --json).

export function theoryTable(r: TheoryReport): string {
  const mechs = [
    [`optimal (alpha = ${r.alpha})`, r.optimal],
    ["first best", r.firstBest],
    ["double auction (SLE)", r.doubleAuction],
  ] as const;
  const scale = Math.max(...mechs.flatMap(([, m]) => (m ? quantityNames.map((q) => Math.abs(m[q] ?? 0)) : [])));
  const rows = quantityNames.map((q) => [
    quantityLabels[q],
    ...mechs.map(([, m]) => (m ? (m[q] === null ? "-" : fmtAt(m[q], scale)) : "none")),
  ]);
  rows.push(["autarky holding cost", ...mechs.map(([, m]) => (m ? fmt(m.autarkyHoldingCostPerTrader) : "none"))]);
  return [
    `Basic model: ${r.dist}, N = ${r.traders}, kappa = ${r.kappa}, mu_pi = ${r.muPi}`,
    `Theorem 1 (alpha = ${r.alpha}): participation binds on [eA, eB] = [${fmt(r.eA)}, ${fmt(r.eB)}] (mass ${fmt(r.bindingMass)}), E[v] = ${fmtAt(r.meanVirtualType, Math.sqrt(r.varianceVirtualType) + Math.abs(r.eA) + Math.abs(r.eB))}, Var[v] = ${fmt(r.varianceVirtualType)}; ${r.condition1Holds ? "Condition 1 holds" : "Condition 1 fails: v ironed"}`,
    ...(r.ironing
      ? [
          r.ironing.pooled.length > 0
            ? `Pooled by ironing (participation slack): ${r.ironing.pooled.map((p) => `[${fmt(p.from)}, ${fmt(p.to)}] at v = ${fmt(p.level)} (mass ${fmt(p.mass)})`).join("; ")}`
            : "No pooling beyond the binding region (Condition 1 fails only inside it)",
          ...(r.ironing.refined
            ? []
            : ["Ironing not refined: the pieces are the 20,000-cell grid's (accuracy about 1/20,000 in quantile)"]),
        ]
      : []),
    `Proposition 3 fee: T(q, p) = (c/2) q^2 - B(-q - kappa (p - mu_pi)) + d with c = ${fmt(r.fee.c)}, d = ${fmt(r.fee.d)}`,
    "",
    table(["per-trader expectation", ...mechs.map(([name]) => name)], rows),
    ...(r.doubleAuctionReason ? ["", `double auction: ${r.doubleAuctionReason}`] : []),
  ].join("\n");
}

export function adverseSelectionTable(r: AdverseSelectionReport): string {
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
  lines.push(
    `Robust mechanism (Theorem 4, transfer rule (7)): per trader holding cost ${fmt(r.robust.holdingCostPerTrader)}, revenue ${fmt(r.robust.revenuePerTrader)}; worst case (independent signals): ${fmt(r.robust.worstCase.holdingCostPerTrader)}, ${fmt(r.robust.worstCase.revenuePerTrader)}`,
  );
  if (r.frontier) {
    lines.push(
      "",
      "Revenue-efficiency frontier (Theorem 3):",
      table(
        ["alpha", "revenue per trader", "holding cost per trader"],
        r.frontier.map((f) => [String(f.alpha), fmt(f.revenuePerTrader), fmt(f.holdingCostPerTrader)]),
      ),
    );
  }
  return lines.join("\n");
}

export function heterogeneousTable(r: HeterogeneousReport): string {
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
    ? [
        "",
        "Revenue-efficiency frontier (per-trader averages):",
        table(
          ["alpha", "revenue per trader", "holding cost per trader"],
          r.frontier.map((f) => [String(f.alpha), fmt(f.revenuePerTrader), fmt(f.holdingCostPerTrader)]),
        ),
      ].join("\n")
    : "";
  return (
    [
      `Heterogeneous traders (Theorem 5), alpha = ${r.alpha}, mu_pi = ${r.muPi}`,
      "",
      table(
        [
          "trader",
          "law",
          "kappa",
          "binding region",
          "flat level",
          "E[v]",
          "revenue",
          "holding cost",
          "utility gain",
          "fee c, d (Prop. 10)",
        ],
        rows,
      ),
      "",
      r.doubleAuction.exists
        ? `Plain double auction (linear equilibrium, no fee): total revenue ${fmt(r.doubleAuction.totals.revenue)}, holding cost ${fmt(r.doubleAuction.totals.holdingCost)}, utility gain ${fmt(r.doubleAuction.totals.utilityGain)}; price impacts ${r.doubleAuction.traders.map((t) => fmt(t.priceImpact)).join(", ")}`
        : `Plain double auction: ${r.doubleAuction.reason}`,
    ].join("\n") + frontier
  );
}

/** The readable report of `optex simulate`: one row per mechanism and quantity, with its theory and check. */
export function simulationTable(runs: readonly SimulationResult[], head: string, family?: FamilyVerdict): string {
  const rows: string[][] = [];
  for (const r of runs) {
    for (const [key, est] of Object.entries(r.simulated)) {
      const ci = est.ci99 ? `[${fmt(est.ci99[0])}, ${fmt(est.ci99[1])}]` : "n/a";
      const agreement = r.agreement[key];
      const rounding = r.withinRounding[key];
      const pass =
        agreement === null || agreement === undefined
          ? "n/a"
          : !agreement
            ? "FAIL"
            : rounding !== undefined
              ? `pass (rounding ${fmt(rounding)})`
              : "pass";
      const theory = r.theory[key];
      const stats = r.statistics[key];
      rows.push([
        r.mechanism,
        r.labels[key] ?? key,
        fmt(est.mean),
        ci,
        theory === undefined ? "-" : fmt(theory),
        pass,
        stats ? zText(stats.z) : "-",
        stats ? (stats.pValue >= 0.001 ? stats.pValue.toFixed(3) : stats.pValue.toExponential(1)) : "-",
      ]);
    }
  }
  const checks = rows.filter((row) => row[5]!.startsWith("pass") || row[5] === "FAIL").length;
  const timing = runs.map((r) => `${r.mechanism} ${r.elapsedSeconds.toFixed(2)} s`).join(", ");
  const noTrade = runs
    .filter((r) => r.noTradeMarkets > 0)
    .map((r) => `${r.mechanism}: ${r.noTradeMarkets} markets without a unique price (no trade)`);
  const notes = runs.filter((r) => r.note).map((r) => `${r.mechanism}: ${r.note}`);
  return [
    head,
    "",
    table(["mechanism", "quantity", "simulated", "99% interval", "theory", "theory in 99% CI", "z", "p"], rows),
    "",
    `Mechanisms (fee module, strategy): ${runs.map((r) => `${r.mechanism} (${r.fee}, ${r.strategy})`).join("; ")}`,
    ...notes,
    `Monte Carlo time: ${timing}`,
    `Each check is at 99%: with ${checks} checks, expect a FAIL by chance in about ${Math.round(100 * (1 - 0.99 ** checks))}% of runs; a wrong theory fails every seed.`,
    ...(family && family.checks > 0
      ? [
          `Verdict for the ${family.checks} checks together: ${family.consistent ? "consistent with the theory" : "INCONSISTENT with the theory"} (Holm's step-down at 1%, family-wise p = ${family.familyWisePValue.toPrecision(2)}).`,
        ]
      : []),
    ...noTrade,
    ...(runs.some((r) => Object.keys(r.withinRounding).length > 0)
      ? [
          "pass (rounding x): the theory is outside the 99% interval by less than x, the floating-point resolution of that quantity (its terms' size times a few machine epsilons).",
        ]
      : []),
  ].join("\n");
}

export function multiAssetTable(r: MultiAssetReport): string {
  return [
    `Several assets (Proposition 7, Condition 3): ${r.assets} asset${r.assets === 1 ? "" : "s"}, N = ${r.traders}, kappa = ${r.kappa}, sigma_e = ${r.sigmaE}, sigma_pi = ${r.sigmaPi}, alpha = ${r.alpha}`,
    `Participation binds on the ball |e - mu_e| <= ${fmt(r.radius)}; Proposition 8 fee c = ${fmt(r.fee.c)}`,
    `Per trader, summed over assets: revenue ${fmt(r.revenuePerTrader)}, holding cost ${fmt(r.holdingCostPerTrader)}, utility gain ${fmt(r.utilityGainPerTrader)}`,
  ].join("\n");
}

export function frontierTable(frontier: readonly FrontierPoint[]): string {
  return [
    "",
    "Revenue-efficiency frontier (allocative efficiency = -N x holding cost):",
    table(
      ["alpha", "revenue per trader", "holding cost per trader", "utility gain per trader"],
      frontier.map((f) => [String(f.alpha), fmt(f.revenuePerTrader), fmt(f.holdingCostPerTrader), fmt(f.utilityGainPerTrader)]),
    ),
  ].join("\n");
}

export function correlatedAssetsTable(r: CorrelatedAssetsReport): string {
  return [
    `Correlated assets (Proposition 6): N = ${r.traders}, kappa = ${r.kappa}, endowments N(0, ${r.sigmaE}^2 I), payoff covariance ${JSON.stringify(r.covariance)}`,
    "One double auction per uncorrelated derivative (eigenvector of the covariance), with the first-best Proposition 3 fee:",
    "",
    table(
      ["derivative", "payoff variance", "weights on the assets", "capacity", "fee c"],
      r.derivatives.map((d, a) => [String(a + 1), fmt(d.variance), d.weights.map((w) => fmt(w)).join(", "), fmt(d.capacity), fmt(d.fee.c)]),
    ),
    "",
    `Efficient allocation: holding cost per trader ${fmt(r.firstBestHoldingCostPerTrader)}, revenue ${fmt(r.revenuePerTrader)}`,
    r.separateAssetAuctionsIncentiveCompatible
      ? "The covariance is diagonal: separate auctions of the assets themselves are already incentive compatible."
      : "Separate auctions of the correlated assets themselves are not incentive compatible (joint deviations pay); the derivatives' auctions are.",
  ].join("\n");
}

export function adverseSelectionLawsTable(r: AdverseSelectionLawsReport): string {
  const o = r.optimal!;
  const lines = [
    `Adverse selection (Section 5): N = ${r.traders}, kappa = ${r.kappa}, endowments ${r.endowmentLaw}, independent signals ${r.signalLaw}`,
    `Plain double auction: ${r.doubleAuction.reason}`,
    `Optimal mechanism (Theorem 3 by numerical convolution, alpha = ${r.alpha}): participation binds for effective types t = e/kappa - zeta in [${fmt(o.tA)}, ${fmt(o.tB)}], E[v] = ${fmt(o.meanVirtualType)}`,
    `  per trader: revenue ${fmt(o.revenuePerTrader)}, holding cost ${fmt(o.holdingCostPerTrader)}, utility gain ${fmt(o.utilityGainPerTrader)}`,
  ];
  if (r.ironing) {
    lines.push(
      `  v(t) ironed (a branch falls for these laws${r.ironing.refined ? "" : "; the grid's solution, not refined"}): ${
        r.ironing.pooled.length === 0
          ? "the binding region swallows the dip, nothing else is pooled"
          : `types pooled besides the binding region: ${r.ironing.pooled.map((p) => `[${fmt(p.from)}, ${fmt(p.to)}] at v = ${fmt(p.level)} (mass ${fmt(p.mass)})`).join(", ")}`
      }`,
    );
  }
  if (r.frontier)
    lines.push(
      "",
      "Revenue-efficiency frontier (Theorem 3):",
      table(
        ["alpha", "revenue per trader", "holding cost per trader"],
        r.frontier.map((f) => [String(f.alpha), fmt(f.revenuePerTrader), fmt(f.holdingCostPerTrader)]),
      ),
    );
  return lines.join("\n");
}

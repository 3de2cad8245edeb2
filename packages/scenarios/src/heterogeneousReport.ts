import { type Distribution, heterogeneousOutcome, type HeterogeneousTraderOutcome, solveHeterogeneous } from "@optex/theory";
import { InputError } from "./inputError.ts";

/** What `optex theory --model heterogeneous --json` prints. */
export interface HeterogeneousReport {
  readonly model: "heterogeneous";
  readonly alpha: number;
  readonly muPi: number;
  readonly traders: readonly (Pick<
    HeterogeneousTraderOutcome,
    "kappa" | "eA" | "eB" | "flatLevel" | "meanVirtualType" | "revenue" | "holdingCost" | "utilityGain" | "expectedTrade" | "fee"
  > & { readonly dist: string })[];
  readonly totals: { readonly revenue: number; readonly holdingCost: number; readonly utilityGain: number };
  readonly frontier?: readonly { alpha: number; revenuePerTrader: number; holdingCostPerTrader: number }[];
}

/**
 * Theorem 5 for traders with laws `dists` and capacities `kappas` (in input order), with totals
 * and, if asked, the frontier (per-trader averages over a grid of alpha).
 * Throws InputError when the lists differ in length; TheoryError when the theory does not apply.
 */
export function heterogeneousReport(dists: readonly Distribution[], kappas: readonly number[], alpha: number, muPi: number, frontierAlphas?: readonly number[]): HeterogeneousReport {
  if (dists.length !== kappas.length) throw new InputError(`--dists has ${dists.length} laws but --kappas has ${kappas.length} values; they must match`);
  const specs = dists.map((dist, i) => ({ dist, kappa: kappas[i]! }));
  const solveAt = (a: number) => heterogeneousOutcome(solveHeterogeneous(specs, a), muPi);
  const out = solveAt(alpha);
  const sum = (f: (o: (typeof out)[number]) => number) => out.reduce((s, o) => s + f(o), 0);
  const report: HeterogeneousReport = {
    model: "heterogeneous",
    alpha,
    muPi,
    traders: out.map((o, i) => ({
      dist: dists[i]!.id,
      kappa: o.kappa,
      eA: o.eA,
      eB: o.eB,
      flatLevel: o.flatLevel,
      meanVirtualType: o.meanVirtualType,
      revenue: o.revenue,
      holdingCost: o.holdingCost,
      utilityGain: o.utilityGain,
      expectedTrade: o.expectedTrade,
      fee: o.fee,
    })),
    totals: { revenue: sum((o) => o.revenue), holdingCost: sum((o) => o.holdingCost), utilityGain: sum((o) => o.utilityGain) },
  };
  if (!frontierAlphas) return report;
  const frontier = frontierAlphas.map((a) => {
    const o = solveAt(a);
    return {
      alpha: a,
      revenuePerTrader: o.reduce((s, x) => s + x.revenue, 0) / o.length,
      holdingCostPerTrader: o.reduce((s, x) => s + x.holdingCost, 0) / o.length,
    };
  });
  return { ...report, frontier };
}

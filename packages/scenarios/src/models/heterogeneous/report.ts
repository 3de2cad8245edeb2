import {
  type Distribution,
  heterogeneousDoubleAuction,
  heterogeneousOutcome,
  type HeterogeneousTraderSpec,
  type HeterogeneousTraderOutcome,
  solveHeterogeneous,
} from "@optex/theory";
import { InputError } from "../../inputError.ts";

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
  /** The plain double auction's linear equilibrium with these traders (no fee): the point beside the frontier. */
  readonly doubleAuction:
    | {
        readonly exists: true;
        readonly traders: readonly {
          readonly a: number;
          readonly c: number;
          readonly priceImpact: number;
          readonly revenue: number;
          readonly holdingCost: number;
          readonly utilityGain: number;
        }[];
        readonly totals: { readonly revenue: number; readonly holdingCost: number; readonly utilityGain: number };
      }
    | { readonly exists: false; readonly reason: string };
  readonly frontier?: readonly { alpha: number; revenuePerTrader: number; holdingCostPerTrader: number }[];
}

/**
 * Theorem 5 for traders with laws `dists` and capacities `kappas` (in input order), with totals
 * and, if asked, the frontier (per-trader averages over a grid of alpha).
 * Throws InputError when the lists differ in length; TheoryError when the theory does not apply.
 */
export function heterogeneousReport(
  dists: readonly Distribution[],
  kappas: readonly number[],
  alpha: number,
  muPi: number,
  frontierAlphas?: readonly number[],
): HeterogeneousReport {
  if (dists.length !== kappas.length)
    throw new InputError(`--dists has ${dists.length} laws but --kappas has ${kappas.length} values; they must match`);
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
    doubleAuction: doubleAuctionOf(specs, muPi),
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

function doubleAuctionOf(specs: readonly HeterogeneousTraderSpec[], muPi: number): HeterogeneousReport["doubleAuction"] {
  const d = heterogeneousDoubleAuction(specs, muPi);
  if (!d.exists) return { exists: false, reason: d.reason ?? "no linear equilibrium" };
  const traders = d.traders.map((t) => ({
    a: t.a,
    c: t.c,
    priceImpact: t.priceImpact,
    revenue: t.revenue,
    holdingCost: t.holdingCost,
    utilityGain: t.utilityGain,
  }));
  const total = (f: (t: (typeof traders)[number]) => number) => traders.reduce((s, t) => s + f(t), 0);
  return {
    exists: true,
    traders,
    totals: { revenue: total((t) => t.revenue), holdingCost: total((t) => t.holdingCost), utilityGain: total((t) => t.utilityGain) },
  };
}

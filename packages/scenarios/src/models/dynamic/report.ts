import { type DynamicEnvironment, dynamicDoubleAuction } from "@optex/theory";
import { fmt, table } from "../../output/format.ts";

/** Parameters of `optex theory --model dynamic`: the environment and, optionally, a grid of auction intervals. */
export interface DynamicReportParams extends DynamicEnvironment {
  /** Auction intervals dt to tabulate (default: dt alone). */
  readonly dts?: readonly number[];
}

/** Totals over the N traders for one auction interval. */
export interface DynamicSweepRow {
  readonly dt: number;
  /** NPV of the fee subsidies. */
  readonly npvSubsidies: number;
  /** N x the largest participation charge. */
  readonly chargeRevenue: number;
  readonly budgetSurplus: number;
  readonly npvGainsFromTrade: number;
}

/** What `optex theory --model dynamic --json` prints: Proposition 12 for an auction every dt. */
export interface DynamicReport extends DynamicEnvironment {
  readonly model: "dynamic";
  /** Truthful schedule q_i(p) = -y_i - scheduleSlope p; price p_k = pricePerHolding x average holding. */
  readonly scheduleSlope: number;
  readonly pricePerHolding: number;
  readonly priceImpact: number;
  /** Per-auction fee (c/2) q^2 with c = -priceImpact. */
  readonly fee: { readonly c: number };
  readonly perTrader: {
    /** Largest lump-sum charge at t = 0 that every type accepts (the gain of e_i0 = mu_e). */
    readonly participationCharge: number;
    readonly npvSubsidies: number;
    readonly npvGainsFromTrade: number;
    /** Ex-ante gain left to a trader after the charge. */
    readonly netGain: number;
    readonly autarkyHoldingCost: number;
  };
  readonly total: DynamicSweepRow;
  /** The same totals with the auction run continuously (dt -> 0). */
  readonly continuousLimit: Omit<DynamicSweepRow, "dt">;
  /** budgetSurplus > 0: true exactly when sigmaZ > 0 (with one shock the surplus is 0, as in Proposition 1), unless delta dt is so large that the surplus underflows. */
  readonly inSurplus: boolean;
  readonly sweep: readonly DynamicSweepRow[];
}

/** Proposition 12's efficient double auction with fee; throws TheoryError for bad input. */
export function dynamicReport(params: DynamicReportParams): DynamicReport {
  const { dts, ...env } = params;
  const row = (dt: number): DynamicSweepRow => {
    const t = dynamicDoubleAuction({ ...env, dt }).total;
    return {
      dt,
      npvSubsidies: t.npvSubsidies,
      chargeRevenue: t.chargeRevenue,
      budgetSurplus: t.budgetSurplus,
      npvGainsFromTrade: t.npvGainsFromTrade,
    };
  };
  const d = dynamicDoubleAuction(env);
  const c = d.continuousLimit;
  return {
    model: "dynamic",
    ...env,
    scheduleSlope: d.scheduleSlope,
    pricePerHolding: d.pricePerHolding,
    priceImpact: d.priceImpact,
    fee: { c: d.feeC },
    perTrader: {
      participationCharge: d.perTrader.participationCharge,
      npvSubsidies: d.perTrader.npvSubsidies,
      npvGainsFromTrade: d.perTrader.npvGainsFromTrade,
      netGain: d.perTrader.netGain,
      autarkyHoldingCost: d.perTrader.autarkyHoldingCost,
    },
    total: row(env.dt),
    continuousLimit: {
      npvSubsidies: c.npvSubsidies,
      chargeRevenue: c.chargeRevenue,
      budgetSurplus: c.budgetSurplus,
      npvGainsFromTrade: c.npvGainsFromTrade,
    },
    inSurplus: d.total.budgetSurplus > 0,
    sweep: (dts ?? [env.dt]).map(row),
  };
}

/** Text rendering of a dynamic report (the CLI without --json). */
export function formatDynamicReport(r: DynamicReport): string {
  const p = r.perTrader;
  const cells = (x: Omit<DynamicSweepRow, "dt">) => [
    fmt(x.npvSubsidies),
    fmt(x.chargeRevenue),
    fmt(x.budgetSurplus),
    fmt(x.npvGainsFromTrade),
  ];
  return [
    `Dynamics (Proposition 12): N = ${r.traders}, kappa = ${r.kappa}, delta = ${r.delta}, auction every dt = ${r.dt}, e_i0 ~ N(${r.muE}, ${r.sigma0}^2), shocks sigma_Z = ${r.sigmaZ}`,
    `Efficient equilibrium: q_i(p) = -y_i - ${fmt(r.scheduleSlope)} p, price = ${fmt(r.pricePerHolding)} x average holding; price impact ${fmt(r.priceImpact)}; fee (c/2) q^2 per auction with c = ${fmt(r.fee.c)}`,
    `Per trader: participation charge ${fmt(p.participationCharge)}, subsidies ${fmt(p.npvSubsidies)}, gains from trade ${fmt(p.npvGainsFromTrade)}, net gain after the charge ${fmt(p.netGain)}, autarky holding cost ${fmt(p.autarkyHoldingCost)}`,
    r.sigmaZ === 0
      ? "No surplus: with a single shock (sigma_Z = 0) the budget balances exactly, as in Proposition 1."
      : r.inSurplus
        ? "The budget is in surplus (renewed shocks: sigma_Z > 0)."
        : "The surplus is positive but below double precision: auctions are so far apart (delta dt large) that later trade is worth nothing at t = 0.",
    "",
    table(
      ["dt", "NPV subsidies", "charge revenue", "budget surplus", "NPV gains from trade"],
      [...r.sweep.map((x) => [String(x.dt), ...cells(x)]), ["0 (continuous)", ...cells(r.continuousLimit)]],
    ),
  ].join("\n");
}

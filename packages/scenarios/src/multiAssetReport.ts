import { radialMechanism } from "@optex/theory";

/** What `optex theory --model multi-asset --json` prints. */
export interface MultiAssetReport {
  readonly model: "multi-asset";
  readonly assets: number;
  readonly traders: number;
  readonly kappa: number;
  readonly sigmaE: number;
  readonly sigmaPi: number;
  readonly alpha: number;
  /** Radius of the ball where participation binds. */
  readonly radius: number;
  /** Proposition 8's cross-exchange fee coefficient. */
  readonly fee: { readonly c: number };
  readonly revenuePerTrader: number;
  readonly holdingCostPerTrader: number;
  readonly utilityGainPerTrader: number;
}

/** Proposition 7's radial mechanism for k assets under Condition 3; throws TheoryError for bad input. */
export function multiAssetReport(p: { assets: number; traders: number; kappa: number; sigmaE: number; sigmaPi: number; alpha: number }): MultiAssetReport {
  const r = radialMechanism(p);
  return {
    model: "multi-asset",
    ...p,
    radius: r.radius,
    fee: { c: r.feeC },
    revenuePerTrader: r.revenuePerTrader,
    holdingCostPerTrader: r.holdingCostPerTrader,
    utilityGainPerTrader: r.utilityGainPerTrader,
  };
}

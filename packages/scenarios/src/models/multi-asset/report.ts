import { type MultiAssetEnvironment, radialMechanism } from "@optex/theory";

/** What `optex theory --model multi-asset --json` prints: the environment and Proposition 7's figures. */
export interface MultiAssetReport extends MultiAssetEnvironment {
  readonly model: "multi-asset";
  /** Radius of the ball where participation binds. */
  readonly radius: number;
  /** Proposition 8's cross-exchange fee coefficient. */
  readonly fee: { readonly c: number };
  readonly revenuePerTrader: number;
  readonly holdingCostPerTrader: number;
  readonly utilityGainPerTrader: number;
}

/** Proposition 7's radial mechanism for k assets under Condition 3; throws TheoryError for bad input. */
export function multiAssetReport(p: MultiAssetEnvironment): MultiAssetReport {
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

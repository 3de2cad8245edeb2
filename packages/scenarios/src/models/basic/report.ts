import { prop3Fee } from "@optex/fees";
import {
  type BasicEnvironment,
  doubleAuctionOutcome,
  type MechanismOutcome,
  optimalMechanismOutcome,
  type PerTraderExpectations,
  solveVirtualType,
  symmetricLinearEquilibrium,
} from "@optex/theory";

/** The four per-trader expectations of one mechanism, plus autarky's holding cost for reference. */
export interface QuantitiesReport extends PerTraderExpectations {
  readonly autarkyHoldingCostPerTrader: number;
}

/** What `optex theory --json` prints for the basic model. */
export interface TheoryReport {
  readonly model: "basic";
  readonly dist: string;
  readonly kappa: number;
  readonly alpha: number;
  readonly traders: number;
  readonly muPi: number;
  readonly eA: number;
  readonly eB: number;
  readonly meanVirtualType: number;
  readonly varianceVirtualType: number;
  readonly bindingMass: number;
  readonly condition1Holds: boolean;
  /** Where Condition 1 fails: the virtual type ironed (docs/ironing.md): the pooled pieces beside the binding region. */
  readonly ironing?: {
    readonly pooled: readonly { readonly from: number; readonly to: number; readonly level: number; readonly mass: number }[];
    /** False: the pieces' refinement failed and the grid's solution stands (accuracy ~1/20,000 in quantile). */
    readonly refined: boolean;
  };
  readonly fee: { readonly c: number; readonly d: number };
  readonly optimal: QuantitiesReport;
  readonly firstBest: QuantitiesReport;
  readonly doubleAuction: QuantitiesReport | null;
  readonly doubleAuctionReason?: string;
  readonly tolerances: { readonly quadratureRelative: number; readonly rootAbsolute: string; readonly tradeVolumeAbsolute: string };
}

export function quantitiesOf(o: MechanismOutcome): QuantitiesReport {
  return {
    revenuePerTrader: o.revenuePerTrader,
    holdingCostPerTrader: o.holdingCostPerTrader,
    utilityGainPerTrader: o.utilityGainPerTrader,
    tradeVolumePerTrader: o.tradeVolumePerTrader,
    autarkyHoldingCostPerTrader: o.autarkyHoldingCostPerTrader,
  };
}

/**
 * Theorem 1's optimal mechanism at alpha with its Proposition 3 fee, the first best and the plain
 * double auction's SLE, for one basic environment. Throws TheoryError when Condition 1 fails.
 */
export function basicTheoryReport(env: BasicEnvironment, alpha: number): TheoryReport {
  // Where Condition 1 fails, v comes ironed (docs/ironing.md).
  const vt = solveVirtualType(env.dist, alpha);
  const fee = prop3Fee(env, vt);
  const optimal = quantitiesOf(optimalMechanismOutcome(env, vt));
  const firstBest = quantitiesOf(optimalMechanismOutcome(env, alpha === 0 ? vt : solveVirtualType(env.dist, 0)));
  const sle = symmetricLinearEquilibrium(env.traders, env.kappa);
  const da = doubleAuctionOutcome(env);
  return {
    model: "basic",
    dist: env.dist.id,
    kappa: env.kappa,
    alpha,
    traders: env.traders,
    muPi: env.muPi,
    eA: vt.eA,
    eB: vt.eB,
    meanVirtualType: vt.meanVirtualType,
    varianceVirtualType: vt.varianceVirtualType,
    bindingMass: vt.flatMass,
    condition1Holds: vt.condition1Holds !== false,
    ...(vt.pooled ? { ironing: { pooled: vt.pooled, refined: vt.ironingRefined !== false } } : {}),
    fee: { c: fee.c, d: fee.d },
    optimal,
    firstBest,
    doubleAuction: da ? quantitiesOf(da) : null,
    ...(sle.exists ? {} : { doubleAuctionReason: sle.reason }),
    tolerances: { quadratureRelative: 1e-11, rootAbsolute: "1e-13 sigma_e", tradeVolumeAbsolute: "1e-8 sd(X_i)" },
  };
}

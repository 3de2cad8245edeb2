import {
  adverseSelectionSle,
  type Distribution,
  effectiveTypeMechanism,
  gaussianRobustMechanism,
  TheoryError,
  optimalAdverseSelection,
  robustAllocationHoldingCost,
  sleExistenceThreshold,
} from "@optex/theory";

/** What `optex theory --model adverse-selection --json` prints. */
export interface AdverseSelectionReport {
  readonly model: "adverse-selection";
  readonly traders: number;
  readonly kappa: number;
  readonly sigmaE: number;
  readonly sigmaZeta: number;
  readonly rho: number;
  readonly muE: number;
  readonly alpha: number;
  readonly doubleAuction: {
    readonly exists: boolean;
    readonly a: number | null;
    readonly b: number | null;
    readonly c: number | null;
    readonly priceImpact: number | null;
    readonly totalHoldingCost: number | null;
    readonly reason?: string;
  };
  /** Largest sigma_zeta with an SLE (null: one exists for every sigma_zeta). */
  readonly existenceThreshold: number | null;
  readonly optimal: {
    readonly tA: number;
    readonly tB: number;
    readonly meanVirtualType: number;
    readonly revenuePerTrader: number;
    readonly holdingCostPerTrader: number;
    readonly utilityGainPerTrader: number;
  } | null;
  readonly optimalReason?: string;
  /**
   * Theorem 4's robust mechanism (Theorem 3's allocation at alpha = 0 with transfer rule (7)) run under
   * these signals: truthful reporting is a best response under every information structure, and
   * independent signals (rho = 0) are the worst case for its efficiency; it may run a deficit.
   */
  readonly robust: {
    readonly holdingCostPerTrader: number;
    readonly revenuePerTrader: number;
    /** The same under independent signals, the worst case. */
    readonly worstCase: { readonly holdingCostPerTrader: number; readonly revenuePerTrader: number };
  };
  /** Figures 4-5: Theorem 3's frontier on a grid of alpha (rho = 0 only). */
  readonly frontier?: readonly { alpha: number; revenuePerTrader: number; holdingCostPerTrader: number }[];
}

/** Section 5 for Gaussian endowments N(muE, sigmaE^2) and signals N(0, sigmaZeta^2) with correlation rho. */
export function adverseSelectionReport(
  p: { traders: number; kappa: number; sigmaE: number; sigmaZeta: number; rho: number; muE: number; alpha: number },
  frontierAlphas?: readonly number[],
): AdverseSelectionReport {
  const sle = adverseSelectionSle(p);
  const threshold = sleExistenceThreshold({ traders: p.traders, kappa: p.kappa, sigmaE: p.sigmaE, rho: p.rho });
  const base = { model: "adverse-selection" as const, ...p };
  const doubleAuction = sle.exists
    ? { exists: true, a: sle.a, b: sle.b, c: sle.c, priceImpact: sle.priceImpact, totalHoldingCost: sle.totalHoldingCost }
    : { exists: false, a: null, b: null, c: null, priceImpact: null, totalHoldingCost: null, reason: sle.reason };
  const existenceThreshold = Number.isFinite(threshold) ? threshold : null;
  const robustMechanism = gaussianRobustMechanism(p);
  const robustAt = (rho: number) => ({
    holdingCostPerTrader: robustAllocationHoldingCost({ ...p, rho }),
    revenuePerTrader: robustMechanism.expectedRevenuePerTrader(rho * p.sigmaZeta * p.sigmaZeta),
  });
  const robust = { ...robustAt(p.rho), worstCase: robustAt(0) };
  if (p.rho !== 0) {
    return {
      ...base,
      doubleAuction,
      existenceThreshold,
      robust,
      optimal: null,
      optimalReason:
        "Theorem 3 is stated for independent signals (rho = 0, the worst case of Theorem 2); correlated signals would allow Cremer-McLean mechanisms",
    };
  }
  let o: ReturnType<typeof optimalAdverseSelection>;
  try {
    o = optimalAdverseSelection(p);
  } catch (error) {
    if (!(error instanceof TheoryError)) throw error;
    return { ...base, doubleAuction, existenceThreshold, robust, optimal: null, optimalReason: error.message };
  }
  const frontier = frontierAlphas?.map((alpha) => {
    const f = optimalAdverseSelection({ ...p, alpha });
    return { alpha, revenuePerTrader: f.revenuePerTrader, holdingCostPerTrader: f.holdingCostPerTrader };
  });
  return {
    ...(frontier ? { frontier } : {}),
    ...base,
    doubleAuction,
    existenceThreshold,
    robust,
    optimal: optimalFields(o),
  };
}

/** `optex theory --model adverse-selection` with laws of endowments and signals other than the Gaussian. */
export interface AdverseSelectionLawsReport {
  readonly model: "adverse-selection";
  readonly traders: number;
  readonly kappa: number;
  readonly alpha: number;
  readonly endowmentLaw: string;
  readonly signalLaw: string;
  readonly rho: 0;
  readonly doubleAuction: { readonly exists: false; readonly reason: string };
  readonly optimal: AdverseSelectionReport["optimal"];
  /**
   * Null when both branches of v rise (the analogue of Conditions 1-2); else the virtual type was
   * ironed in the effective type (docs/ironing.md): the types pooled besides the binding region
   * [tA, tB] (participation slack there) and whether the pieces were refined to the exact conditions.
   */
  readonly ironing: {
    readonly refined: boolean;
    readonly pooled: readonly { readonly from: number; readonly to: number; readonly level: number; readonly mass: number }[];
  } | null;
  readonly frontier?: AdverseSelectionReport["frontier"];
}

/**
 * Theorem 3 for any laws of endowments and (independent) signals, by numerical convolution in the
 * effective type. Theorem 2's linear equilibrium and Theorem 4's Gaussian design need Gaussian laws,
 * so they are not reported. Throws TheoryError when the theory does not apply.
 */
export function adverseSelectionLawsReport(
  p: { traders: number; kappa: number; alpha: number; endowment: Distribution; signal: Distribution },
  frontierAlphas?: readonly number[],
): AdverseSelectionLawsReport {
  const solve = (alpha: number) =>
    effectiveTypeMechanism({ endowment: p.endowment, signal: p.signal, kappa: p.kappa, traders: p.traders, alpha });
  const o = solve(p.alpha);
  const frontier = frontierAlphas?.map((alpha) => {
    const f = solve(alpha);
    return { alpha, revenuePerTrader: f.revenuePerTrader, holdingCostPerTrader: f.holdingCostPerTrader };
  });
  return {
    model: "adverse-selection",
    traders: p.traders,
    kappa: p.kappa,
    alpha: p.alpha,
    endowmentLaw: p.endowment.id,
    signalLaw: p.signal.id,
    rho: 0,
    doubleAuction: { exists: false, reason: "Lemma 4 / Theorem 2's linear equilibrium assumes Gaussian endowments and signals" },
    optimal: optimalFields(o),
    ironing: o.ironingRefined === null ? null : { refined: o.ironingRefined, pooled: o.pooled.map((p) => ({ ...p })) },
    ...(frontier ? { frontier } : {}),
  };
}

function optimalFields(o: {
  tA: number;
  tB: number;
  meanVirtualType: number;
  revenuePerTrader: number;
  holdingCostPerTrader: number;
  utilityGainPerTrader: number;
}): NonNullable<AdverseSelectionReport["optimal"]> {
  return {
    tA: o.tA,
    tB: o.tB,
    meanVirtualType: o.meanVirtualType,
    revenuePerTrader: o.revenuePerTrader,
    holdingCostPerTrader: o.holdingCostPerTrader,
    utilityGainPerTrader: o.utilityGainPerTrader,
  };
}

import { type DemandSchedule, linearSchedule, type MarketView, type Strategy } from "@optex/engine";

/** A trader's private information in Section 5: her endowment e_i and her signal zeta_i. */
export interface AdverseSelectionType {
  readonly endowment: number;
  readonly signal: number;
}

/**
 * Declared batch fast path of a Section 5 strategy whose bids are linear in the price with one slope
 * for every trader: q_i(p) = intercept(e_i, zeta_i) - slope p. The engine's LinearBatch takes scalar
 * types only; Monte Carlo loops fill a LinearBook with this instead (a test shows both paths agree).
 */
export interface AdverseSelectionLinearBatch {
  readonly slope: number;
  /** out[i] = the intercept of trader i's bid for endowments[i] and signals[i]. */
  interceptsInto(endowments: Float64Array, signals: Float64Array, out: Float64Array): void;
}

/** A Section 5 strategy with its declared linear batch. */
export interface AdverseSelectionStrategy extends Strategy<AdverseSelectionType> {
  readonly signalLinearBatch: AdverseSelectionLinearBatch;
}

/** Theorem 3's truthful bidder on the effective type. */
export interface EffectiveTypeBidder extends AdverseSelectionStrategy {
  readonly id: "truthful-effective-type";
}

/**
 * Adverse selection (Theorem 3, Proposition 5): the truthful bid on the effective type
 * t = e/kappa - zeta (Lemma 1), q(p) = -v(t) - kappa p (mu_pi = 0 in Section 5), where v is the
 * virtual type of the mechanism the fee implements (e.g. optimalAdverseSelection(...).v).
 */
export function effectiveTypeBidder(mechanism: { v(t: number): number }, kappa: number): EffectiveTypeBidder {
  const intercept = (e: number, zeta: number) => -mechanism.v(e / kappa - zeta);
  return {
    id: "truthful-effective-type",
    bid: (type: AdverseSelectionType, _market: MarketView): readonly DemandSchedule[] => [
      linearSchedule(intercept(type.endowment, type.signal), kappa),
    ],
    signalLinearBatch: {
      slope: kappa,
      interceptsInto: (endowments, signals, out) => {
        for (let i = 0; i < out.length; i++) out[i] = intercept(endowments[i]!, signals[i]!);
      },
    },
  };
}

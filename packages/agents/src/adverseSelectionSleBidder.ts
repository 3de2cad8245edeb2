import { type DemandSchedule, linearSchedule, type MarketView } from "@optex/engine";
import { type AdverseSelectionEnvironment, adverseSelectionSle } from "@optex/theory";
import type { AdverseSelectionStrategy, AdverseSelectionType } from "./effectiveTypeBidder.ts";

/** Theorem 2's equilibrium bidder in the plain double auction with adverse selection. */
export interface AdverseSelectionSleBidder extends AdverseSelectionStrategy {
  readonly id: "sle-adverse-selection";
  /** Coefficients of q_i(p) = -a (e_i - mu_e) + b zeta_i - c (p + mu_e/kappa). */
  readonly a: number;
  readonly b: number;
  readonly c: number;
}

/**
 * Lemma 4 / Theorem 2: the symmetric linear equilibrium q_i = -a e_i + b zeta_i - c p of the plain
 * double auction with Gaussian endowments and signals of common correlation rho. A mean endowment
 * mu_e shifts every holding by mu_e, hence the price by -mu_e/kappa, and leaves the trades
 * unchanged: the bid is written in centred endowment and price. Throws Error (one line) when no
 * equilibrium exists, and TheoryError for a bad environment.
 */
export function adverseSelectionSleBidder(env: AdverseSelectionEnvironment): AdverseSelectionSleBidder {
  const sle = adverseSelectionSle(env);
  if (!sle.exists) throw new Error(sle.reason);
  const { a, b, c } = sle;
  const muE = env.muE ?? 0;
  const shift = (c * muE) / env.kappa;
  const intercept = (e: number, zeta: number) => -a * (e - muE) + b * zeta - shift;
  return {
    id: "sle-adverse-selection",
    a,
    b,
    c,
    bid: (type: AdverseSelectionType, _market: MarketView): readonly DemandSchedule[] => [
      linearSchedule(intercept(type.endowment, type.signal), c),
    ],
    signalLinearBatch: {
      slope: c,
      interceptsInto: (endowments, signals, out) => {
        for (let i = 0; i < out.length; i++) out[i] = intercept(endowments[i]!, signals[i]!);
      },
    },
  };
}

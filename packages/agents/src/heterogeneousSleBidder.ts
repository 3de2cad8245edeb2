import { type DemandSchedule, linearSchedule, type MarketView, type Strategy } from "@optex/engine";
import { heterogeneousDoubleAuction, type HeterogeneousTraderSpec } from "@optex/theory";
import { type LinearStrategy, linearStrategy } from "./linearStrategy.ts";

/**
 * Declared batch fast path of a market whose traders bid linear schedules with their own slopes:
 * trader i bids q_i(p) = intercept_i(e_i) - slopes[i] p. Monte Carlo loops fill a LinearBook with it
 * (clearLinearBook takes per-trader slopes) instead of building schedules.
 */
export interface PerTraderLinearBatch {
  /** slopes[i]: trader i's slope. */
  readonly slopes: Float64Array;
  /** out[i] = trader i's intercept at its endowment endowments[i], for i < slopes.length. */
  interceptsInto(endowments: Float64Array, out: Float64Array): void;
}

/**
 * A Strategy<number> (type: the endowment) for a single-asset market whose traders each follow
 * their own linear strategy; the trader is the MarketView's. The schedules it bids and its
 * declared fast path are the same bids.
 */
export interface PerTraderLinearStrategy extends Strategy<number> {
  readonly traders: number;
  readonly perTraderLinear: PerTraderLinearBatch;
}

/**
 * Trader i of the market follows bids[i]. bid() throws Error when the market has another number of
 * traders or more than one asset (the strategy is for one single-asset market).
 */
export function perTraderLinearStrategy(id: string, bids: readonly LinearStrategy[]): PerTraderLinearStrategy {
  const traders = bids.length;
  const slopes = Float64Array.from(bids, (b) => b.slope);
  return {
    id,
    traders,
    bid(endowment: number, market: MarketView): readonly DemandSchedule[] {
      if (market.traders !== traders || market.assets !== 1)
        throw new Error(
          `strategy "${id}" is for ${traders} traders and one asset, got ${market.traders} traders and ${market.assets} assets`,
        );
      const b = bids[market.trader]!;
      return [linearSchedule(b.intercept(endowment), b.slope)];
    },
    perTraderLinear: {
      slopes,
      interceptsInto(endowments, out) {
        for (let i = 0; i < traders; i++) out[i] = bids[i]!.intercept(endowments[i]!);
      },
    },
  };
}

/** The heterogeneous double auction's equilibrium bidders, with the coefficients they bid. */
export interface HeterogeneousSleBidder extends PerTraderLinearStrategy {
  readonly id: "heterogeneous-sle";
  /** Trader i bids q_i(p) = -a_i e_i - c_i (p - mu_pi). */
  readonly coefficients: readonly { readonly a: number; readonly c: number }[];
}

/**
 * The plain double auction's linear equilibrium with heterogeneous traders (Section 7's
 * environment, no fee): trader i bids q_i(p) = -a_i e_i - c_i (p - mu_pi) with
 * c_i = 1/(Lambda_i + 1/kappa_i), Lambda_i = 1/sum_{j != i} c_j, a_i = c_i/kappa_i
 * (heterogeneousDoubleAuction). It is an ex-post equilibrium, so only the capacities matter; the
 * laws are passed because the theory takes the traders' specs. Throws Error when no linear
 * equilibrium exists (two traders).
 */
export function heterogeneousSleBidder(specs: readonly HeterogeneousTraderSpec[], muPi: number): HeterogeneousSleBidder {
  const eq = heterogeneousDoubleAuction(specs, muPi);
  if (!eq.exists) throw new Error(eq.reason ?? "the plain double auction has no linear equilibrium");
  const coefficients = eq.traders.map((t) => ({ a: t.a, c: t.c }));
  const bids = coefficients.map(({ a, c }) => {
    const shift = c * muPi;
    return linearStrategy("heterogeneous-sle", (e) => shift - a * e, c);
  });
  return { ...perTraderLinearStrategy("heterogeneous-sle", bids), id: "heterogeneous-sle", coefficients };
}

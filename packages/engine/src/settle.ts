import type { ClearingResult } from "./clearingResult.ts";
import type { FeeSchedule } from "./feeSchedule.ts";
import { perAssetFee, settleMarket } from "./market.ts";

/**
 * Utility gain of a trader from a trade and its transfer, supplied by the caller (the
 * engine knows no utility formula). Called with (i, 0, 0) when there is no trade.
 */
export interface Valuation {
  utilityGain(trader: number, trade: number, transfer: number): number;
}

/**
 * Outcome of a round: trades X_i, fees, transfers T_i = p * X_i + fee_i, the exchange's
 * revenue (compensated sum of T_i) and, when a valuation is given, utility gains.
 * Unless status is "cleared": no trade and no transfer (all zeros), price null, and
 * reason says why in one line.
 */
export interface Settlement {
  readonly status: ClearingResult["status"];
  readonly reason: string | null;
  readonly price: number | null;
  readonly trades: Float64Array;
  readonly fees: Float64Array;
  readonly transfers: Float64Array;
  readonly revenue: number;
  readonly utilityGains: Float64Array | null;
}

/**
 * Settles a single-asset clearing result (settleMarket with one asset) for `traders` traders: trader i trades X_i = quantities[i]
 * and pays T_i = p * X_i + fee.fee(i, X_i, p). Checks the exchange property
 * |sum X_i| <= 1e-9 * (1 + sum |X_i|) (compensated) and that the price, trades and fees
 * are finite; a violation gives status "invalid" with no trade and no transfer.
 * Throws RangeError when traders is not an integer >= 0 or differs from the number of
 * cleared quantities; rethrows what fee.fee or valuation.utilityGain throw.
 * @example settle(clear(schedules), schedules.length, noFee).revenue // 0 with no fee
 */
export function settle(result: ClearingResult, traders: number, fee: FeeSchedule, valuation?: Valuation): Settlement {
  const market = settleMarket([result], traders, perAssetFee(fee));
  const cleared = market.cleared[0] === true;
  const trades = new Float64Array(traders);
  for (let i = 0; i < traders; i++) trades[i] = market.trades[i]![0]!;
  return {
    status: market.status,
    reason: market.reason,
    price: cleared ? market.prices[0]! : null,
    trades,
    fees: market.fees,
    transfers: market.transfers,
    revenue: market.revenue,
    utilityGains: valuation === undefined ? null : gains(valuation, trades, market.transfers),
  };
}

function gains(valuation: Valuation, trades: Float64Array, transfers: Float64Array): Float64Array {
  const out = new Float64Array(trades.length);
  for (let i = 0; i < trades.length; i++) out[i] = valuation.utilityGain(i, trades[i], transfers[i]);
  return out;
}

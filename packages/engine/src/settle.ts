import type { ClearingResult } from "./clearingResult.ts";
import { oneLine } from "./clearingResult.ts";
import { compensatedSum } from "./compensatedSum.ts";
import type { FeeSchedule } from "./feeSchedule.ts";

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
 * Settles a clearing result for `traders` traders: trader i trades X_i = quantities[i]
 * and pays T_i = p * X_i + fee.fee(i, X_i, p). Checks the exchange property
 * |sum X_i| <= 1e-9 * (1 + sum |X_i|) (compensated) and that the price, trades and fees
 * are finite; a violation gives status "invalid" with no trade and no transfer.
 * Throws RangeError when traders is not an integer >= 0 or differs from the number of
 * cleared quantities; rethrows what fee.fee or valuation.utilityGain throw.
 * @example settle(clear(schedules), schedules.length, noFee).revenue // 0 with no fee
 */
export function settle(result: ClearingResult, traders: number, fee: FeeSchedule, valuation?: Valuation): Settlement {
  if (!(Number.isInteger(traders) && traders >= 0))
    throw new RangeError(`traders must be an integer >= 0, got ${traders}`);
  if (result.status !== "cleared") return noTrade(result.status, result.reason, traders, valuation);
  const { price, quantities } = result;
  if (quantities.length !== traders)
    throw new RangeError(`traders must equal the number of cleared quantities = ${quantities.length}, got ${traders}`);
  if (!Number.isFinite(price)) return noTrade("invalid", `clearing price is ${price}, must be finite`, traders, valuation);
  for (let i = 0; i < traders; i++) {
    if (!Number.isFinite(quantities[i]))
      return noTrade("invalid", `trade of trader ${i} is ${quantities[i]}, must be finite`, traders, valuation);
  }

  const trades = Float64Array.from(quantities);
  const absolute = new Float64Array(traders);
  for (let i = 0; i < traders; i++) absolute[i] = Math.abs(trades[i]);
  const net = compensatedSum(trades);
  if (!(Math.abs(net) <= 1e-9 * (1 + compensatedSum(absolute))))
    return noTrade("invalid", `exchange property violated: sum of trades = ${net}`, traders, valuation);

  const fees = new Float64Array(traders);
  const transfers = new Float64Array(traders);
  for (let i = 0; i < traders; i++) {
    const f = fee.fee(i, trades[i], price);
    if (!Number.isFinite(f))
      return noTrade("invalid", `fee of trader ${i} is ${f} (fee schedule "${fee.id}"), must be finite`, traders, valuation);
    fees[i] = f;
    transfers[i] = price * trades[i] + f;
  }
  return {
    status: "cleared",
    reason: null,
    price,
    trades,
    fees,
    transfers,
    revenue: compensatedSum(transfers),
    utilityGains: valuation === undefined ? null : gains(valuation, trades, transfers),
  };
}

function noTrade(
  status: ClearingResult["status"],
  reason: string,
  traders: number,
  valuation: Valuation | undefined,
): Settlement {
  const trades = new Float64Array(traders);
  const transfers = new Float64Array(traders);
  return {
    status,
    reason: oneLine(reason),
    price: null,
    trades,
    fees: new Float64Array(traders),
    transfers,
    revenue: 0,
    utilityGains: valuation === undefined ? null : gains(valuation, trades, transfers),
  };
}

function gains(valuation: Valuation, trades: Float64Array, transfers: Float64Array): Float64Array {
  const out = new Float64Array(trades.length);
  for (let i = 0; i < trades.length; i++) out[i] = valuation.utilityGain(i, trades[i], transfers[i]);
  return out;
}

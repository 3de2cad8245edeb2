import { compensatedSum } from "@optex/numerics";
import { clear, type ClearOptions } from "./clear.ts";
import type { ClearingResult } from "./clearingResult.ts";
import { oneLine } from "./clearingResult.ts";
import type { DemandSchedule } from "./demandSchedule.ts";
import type { FeeSchedule } from "./feeSchedule.ts";

/**
 * A transaction fee on all of a trader's trades at once (Definition 6.1, Proposition 8): what
 * trader `trader` pays on top of sum_a p_a q_a given its vector of trades q and the vector of
 * clearing prices p (one entry per asset). Must be pure and deterministic.
 */
export interface CrossExchangeFee {
  readonly id: string;
  feeOf(q: readonly number[], p: readonly number[], trader?: number): number;
}

/** Separate double auctions with no fee. */
export const noCrossExchangeFee: CrossExchangeFee = Object.freeze({ id: "none", feeOf: (): number => 0 });

/**
 * The fee of a market: one single-asset fee per asset (each asset settles on its own), or one
 * cross-exchange fee on every asset's trade (the market settles in every asset or in none).
 */
export type MarketFee =
  | { readonly kind: "per-asset"; readonly schedules: readonly FeeSchedule[] }
  | { readonly kind: "cross-exchange"; readonly fee: CrossExchangeFee };

/** The same single-asset fee in each of `assets` auctions (default one). */
export function perAssetFee(fee: FeeSchedule | readonly FeeSchedule[], assets = 1): MarketFee {
  const schedules = Array.isArray(fee) ? (fee as readonly FeeSchedule[]) : Array.from({ length: assets }, () => fee as FeeSchedule);
  return { kind: "per-asset", schedules };
}

/** A fee on the vector of a trader's trades (Definition 6.1). */
export function crossExchangeFee(fee: CrossExchangeFee): MarketFee {
  return { kind: "cross-exchange", fee };
}

/** What a trader's strategy sees of the market it bids in. */
export interface MarketView {
  readonly trader: number;
  readonly traders: number;
  readonly assets: number;
  /** Round of a repeated market (0 in a one-shot market). */
  readonly round: number;
}

/**
 * A batch fast path of a strategy whose bids are linear in the price with one slope for every
 * trader of a single-asset market: q_i(p) = intercept(type_i) - slope p. Monte Carlo loops fill a
 * LinearBook with it instead of building schedules; a test shows both paths agree.
 */
export interface LinearBatch {
  readonly slope: number;
  interceptsInto(types: Float64Array, out: Float64Array): void;
}

/**
 * A trader's behaviour: from its private information (its type: an endowment, an endowment and a
 * signal, a vector of endowments, a current holding) and the market it faces to one demand
 * schedule per asset. Pure: the same type and view give the same schedules.
 */
export interface Strategy<Type> {
  readonly id: string;
  bid(type: Type, market: MarketView): readonly DemandSchedule[];
  /** Declared batch fast path (scalar types, one asset), when the bids are linear with a common slope. */
  readonly linearBatch?: Type extends number ? LinearBatch : never;
}

/**
 * A settled market of `assets` separate double auctions. trades[i][a] is trader i's trade in asset
 * a, fees[i] its fee (summed over assets), transfers[i] = sum_a p_a trades[i][a] + fees[i], revenue
 * their compensated sum. An asset without a unique clearing price has no trade and no transfer (and
 * a NaN price); with a cross-exchange fee, or when a settlement check fails, no asset trades.
 * status is "cleared" when every asset cleared; reason names the first asset that did not.
 */
export interface MarketSettlement {
  readonly status: ClearingResult["status"];
  readonly reason: string | null;
  readonly traders: number;
  readonly assets: number;
  /** Per asset: the clearing price, NaN where the asset did not clear. */
  readonly prices: Float64Array;
  readonly cleared: readonly boolean[];
  readonly trades: readonly Float64Array[];
  readonly fees: Float64Array;
  readonly transfers: Float64Array;
  readonly revenue: number;
}

/** The exchange property the engine enforces: |sum_i X_ia| <= BALANCE_RELATIVE (1 + sum_i |X_ia|). */
export const BALANCE_RELATIVE = 1e-9;

/**
 * Settles the clearing results of a market's assets (one per asset, each over `traders` traders)
 * with its fee: the one settlement of optex (single-asset settle() and every model's market go
 * through it). Checks the exchange property per asset (compensated) and that prices, trades and
 * fees are finite; a violation gives status "invalid": no trade and no transfer in that asset
 * (per-asset fees) or in every asset (cross-exchange fee).
 * Throws RangeError when a cleared result's quantities are not `traders` long or the fee has
 * another number of assets; rethrows what a fee throws.
 */
export function settleMarket(clearings: readonly ClearingResult[], traders: number, fee: MarketFee): MarketSettlement {
  if (!(Number.isInteger(traders) && traders >= 0)) throw new RangeError(`traders must be an integer >= 0, got ${traders}`);
  const k = clearings.length;
  if (fee.kind === "per-asset" && fee.schedules.length !== k)
    throw new RangeError(`the fee has ${fee.schedules.length} asset schedules for a market of ${k} assets`);
  const prices = new Float64Array(k).fill(Number.NaN);
  const cleared = new Array<boolean>(k).fill(false);
  const trades = Array.from({ length: traders }, () => new Float64Array(k));
  const fees = new Float64Array(traders);
  const transfers = new Float64Array(traders);
  let status: ClearingResult["status"] = "cleared";
  let reason: string | null = null;
  const fail = (s: ClearingResult["status"], a: number, why: string) => {
    if (status !== "cleared") return;
    status = s;
    reason = oneLine(k === 1 ? why : `asset ${a}: ${why}`);
  };

  // Validate each asset's clearing: a finite price, finite trades that balance.
  const ok = new Array<boolean>(k).fill(false);
  for (let a = 0; a < k; a++) {
    const r = clearings[a]!;
    if (r.status !== "cleared") {
      fail(r.status, a, r.reason);
      continue;
    }
    if (r.quantities.length !== traders)
      throw new RangeError(`traders must equal the number of cleared quantities = ${r.quantities.length}, got ${traders}`);
    const problem = clearingProblem(r.price, r.quantities);
    if (problem !== null) fail("invalid", a, problem);
    else ok[a] = true;
  }
  const crossExchange = fee.kind === "cross-exchange";
  if (crossExchange && status !== "cleared") return settlement(status, reason, traders, k, prices, cleared, trades, fees, transfers);
  for (let a = 0; a < k; a++) {
    if (!ok[a]) continue;
    const r = clearings[a] as Extract<ClearingResult, { status: "cleared" }>;
    prices[a] = r.price;
    cleared[a] = true;
    for (let i = 0; i < traders; i++) trades[i]![a] = r.quantities[i]!;
  }

  if (fee.kind === "per-asset") {
    for (let a = 0; a < k; a++) {
      if (!cleared[a]) continue;
      const p = prices[a]!;
      const assetFees = new Float64Array(traders);
      let finite = true;
      for (let i = 0; i < traders && finite; i++) {
        const f = fee.schedules[a]!.fee(i, trades[i]![a]!, p);
        if (!Number.isFinite(f)) {
          fail("invalid", a, `fee of trader ${i} is ${f} (fee schedule "${fee.schedules[a]!.id}"), must be finite`);
          finite = false;
        }
        assetFees[i] = f;
      }
      if (!finite) {
        // No trade and no transfer in this asset.
        cleared[a] = false;
        prices[a] = Number.NaN;
        for (let i = 0; i < traders; i++) trades[i]![a] = 0;
        continue;
      }
      for (let i = 0; i < traders; i++) {
        fees[i] += assetFees[i]!;
        transfers[i] += p * trades[i]![a]! + assetFees[i]!;
      }
    }
  } else {
    const p = Array.from(prices);
    for (let i = 0; i < traders; i++) {
      const q = Array.from(trades[i]!);
      const f = fee.fee.feeOf(q, p, i);
      if (!Number.isFinite(f)) {
        fail("invalid", 0, `fee of trader ${i} is ${f} (cross-exchange fee "${fee.fee.id}"), must be finite`);
        return settlement(
          status,
          reason,
          traders,
          k,
          new Float64Array(k).fill(Number.NaN),
          new Array<boolean>(k).fill(false),
          trades.map((t) => t.fill(0)),
          new Float64Array(traders),
          new Float64Array(traders),
        );
      }
      fees[i] = f;
      let cash = f;
      for (let a = 0; a < k; a++) cash += p[a]! * q[a]!;
      transfers[i] = cash;
    }
  }
  return settlement(status, reason, traders, k, prices, cleared, trades, fees, transfers);
}

function clearingProblem(price: number, quantities: Float64Array): string | null {
  if (!Number.isFinite(price)) return `clearing price is ${price}, must be finite`;
  const absolute = new Float64Array(quantities.length);
  for (let i = 0; i < quantities.length; i++) {
    if (!Number.isFinite(quantities[i])) return `trade of trader ${i} is ${quantities[i]}, must be finite`;
    absolute[i] = Math.abs(quantities[i]!);
  }
  const net = compensatedSum(quantities);
  if (!(Math.abs(net) <= BALANCE_RELATIVE * (1 + compensatedSum(absolute)))) return `exchange property violated: sum of trades = ${net}`;
  return null;
}

function settlement(
  status: ClearingResult["status"],
  reason: string | null,
  traders: number,
  assets: number,
  prices: Float64Array,
  cleared: boolean[],
  trades: Float64Array[],
  fees: Float64Array,
  transfers: Float64Array,
): MarketSettlement {
  return { status, reason, traders, assets, prices, cleared, trades, fees, transfers, revenue: compensatedSum(transfers) };
}

/** Options of runMarket and runRounds. */
export interface MarketOptions {
  /** Options passed to clear() for each asset. */
  readonly clear?: ClearOptions;
}

/**
 * One market (Mesa's step): every trader's strategy bids one schedule per asset given its type,
 * each asset clears on its own at a uniform price (Definition 6.1; no unique price: no trade there),
 * and the fee is charged (settleMarket). `strategies` is one per trader or one for all.
 * A strategy that returns the wrong number of schedules, or throws, makes the market invalid (no
 * trade, no transfer) with a reason naming the trader.
 */
export function runMarket<Type>(
  types: readonly Type[],
  strategies: Strategy<Type> | readonly Strategy<Type>[],
  fee: MarketFee,
  assets = 1,
  round = 0,
  options: MarketOptions = {},
): MarketSettlement {
  const traders = types.length;
  const schedules: DemandSchedule[][] = Array.from({ length: assets }, () => new Array<DemandSchedule>(traders));
  for (let i = 0; i < traders; i++) {
    const strategy = Array.isArray(strategies) ? (strategies as readonly Strategy<Type>[])[i] : (strategies as Strategy<Type>);
    if (!strategy)
      return invalidMarket(
        traders,
        assets,
        `trader ${i} has no strategy (${(strategies as readonly unknown[]).length} strategies for ${traders} traders)`,
      );
    let bids: readonly DemandSchedule[];
    try {
      bids = strategy.bid(types[i]!, { trader: i, traders, assets, round });
    } catch (error) {
      return invalidMarket(traders, assets, `trader ${i} (strategy "${strategy.id}"): ${(error as Error).message}`);
    }
    if (!Array.isArray(bids)) return invalidMarket(traders, assets, `trader ${i} (strategy "${strategy.id}") bid no list of schedules`);
    if (bids.length !== assets)
      return invalidMarket(traders, assets, `trader ${i} (strategy "${strategy.id}") bid ${bids.length} schedules for ${assets} assets`);
    for (let a = 0; a < assets; a++) schedules[a]![i] = bids[a]!;
  }
  const clearings = schedules.map((s) => clear(s, options.clear));
  return settleMarket(clearings, traders, fee);
}

function invalidMarket(traders: number, assets: number, reason: string): MarketSettlement {
  const clearings = Array.from({ length: assets }, (): ClearingResult => ({ status: "invalid", reason }));
  return settleMarket(clearings, traders, { kind: "cross-exchange", fee: noCrossExchangeFee });
}

/**
 * A repeated market (a double auction every dt, Section 8): the state (holdings, the clock, any
 * shocks) is carried from round to round by the model; the engine runs each round's market.
 */
export interface RepeatedMarket<State, Type> {
  readonly rounds: number;
  readonly assets: number;
  /** Each trader's private information at the start of `round`. */
  typesOf(state: State, round: number): readonly Type[];
  readonly strategies: Strategy<Type> | readonly Strategy<Type>[];
  /** The fee of `round` (fixed, or per round). */
  feeOf(round: number): MarketFee;
  /** The next round's state after this round's settlement (trades added to holdings, shocks drawn, ...). */
  advance(state: State, settlement: MarketSettlement, round: number): State;
}

/** Runs every round of a repeated market from `initial`; returns the final state. */
export function runRounds<State, Type>(initial: State, market: RepeatedMarket<State, Type>, options: MarketOptions = {}): State {
  let state = initial;
  for (let round = 0; round < market.rounds; round++) {
    const settlement = runMarket(market.typesOf(state, round), market.strategies, market.feeOf(round), market.assets, round, options);
    state = market.advance(state, settlement, round);
  }
  return state;
}

import { type DemandSchedule, piecewiseLinearSchedule, type Strategy } from "@optex/engine";

/**
 * A symmetric strategy as a table: type `typeNodes[k]` bids quantity `q[k * G + g]` at price
 * `prices[g]` (G = prices.length). Between nodes the schedule is interpolated linearly in the type
 * and in the price; beyond the first / last node it continues linearly (so linear strategies are
 * represented exactly); every row is made non-increasing in the price.
 */
export interface ScheduleTable {
  readonly typeNodes: Float64Array;
  readonly prices: Float64Array;
  readonly q: Float64Array;
}

/** The schedule (quantities at the table's prices) that type e bids, written into `out`. */
export function rowInto(table: ScheduleTable, e: number, out: Float64Array): Float64Array {
  const { typeNodes: nodes, prices, q } = table;
  const K = nodes.length;
  const G = prices.length;
  if (K === 1) {
    for (let g = 0; g < G; g++) out[g] = q[g]!;
    return out;
  }
  // The segment of nodes containing e (the first or last one beyond the ends: linear extrapolation).
  let lo = 0;
  let hi = K - 1;
  if (e <= nodes[0]!) hi = 1;
  else if (e >= nodes[K - 1]!) lo = K - 2;
  else {
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (nodes[mid]! <= e) lo = mid;
      else hi = mid;
    }
  }
  const t = (e - nodes[lo]!) / (nodes[lo + 1]! - nodes[lo]!);
  const a = lo * G;
  const b = (lo + 1) * G;
  for (let g = 0; g < G; g++) out[g] = q[a + g]! + t * (q[b + g]! - q[a + g]!);
  // Extrapolated rows can rise with the price where two nodes' slopes differ: flatten those pieces.
  for (let g = 1; g < G; g++) if (out[g]! > out[g - 1]!) out[g] = out[g - 1]!;
  return out;
}

/** The demand schedule of one row: piecewise linear through (prices[g], row[g]), continued with the end pieces' slopes. */
export function rowSchedule(prices: Float64Array, row: Float64Array): DemandSchedule {
  const G = prices.length;
  const lower = G > 1 ? Math.max(0, -(row[1]! - row[0]!) / (prices[1]! - prices[0]!)) : 0;
  const upper = G > 1 ? Math.max(0, -(row[G - 1]! - row[G - 2]!) / (prices[G - 1]! - prices[G - 2]!)) : 0;
  return piecewiseLinearSchedule(Array.from(prices), Array.from(row), { lower, upper });
}

/** The table as an engine Strategy over endowments: a trader of type e bids its interpolated row. */
export function tableStrategy(table: ScheduleTable, id = "equilibrium-table"): Strategy<number> {
  const row = new Float64Array(table.prices.length);
  return {
    id,
    bid: (e: number) => [rowSchedule(table.prices, rowInto(table, e, row))],
  };
}

/** Quantity of a piecewise-linear row at price p, with the end pieces continued (as rowSchedule). */
export function rowAt(prices: Float64Array, row: Float64Array, p: number): number {
  const G = prices.length;
  if (G === 1) return row[0]!;
  let lo: number;
  if (p <= prices[0]!) lo = 0;
  else if (p >= prices[G - 1]!) lo = G - 2;
  else {
    lo = 0;
    let hi = G - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (prices[mid]! <= p) lo = mid;
      else hi = mid;
    }
  }
  const slope = (row[lo + 1]! - row[lo]!) / (prices[lo + 1]! - prices[lo]!);
  // Beyond the ends the tails never rise (as rowSchedule's tail slopes).
  if (p < prices[0]!) return row[0]! + Math.min(0, slope) * (p - prices[0]!);
  if (p > prices[G - 1]!) return row[G - 1]! + Math.min(0, slope) * (p - prices[G - 1]!);
  return row[lo]! + slope * (p - prices[lo]!);
}

/**
 * Largest |table - q(e, p)| over the type nodes and the prices within 3 sd of the mean endowment /
 * kappa of the no-fee centre (where markets clear), relative to sd(e): how far a table is from a
 * closed form or from another table.
 */
export function tableDistance(
  env: {
    readonly dist: { readonly mean: number; readonly variance: number };
    readonly kappa: number;
    readonly traders: number;
    readonly muPi: number;
  },
  table: ScheduleTable,
  q: (e: number, p: number) => number,
): number {
  const G = table.prices.length;
  const centre = env.muPi - env.dist.mean / env.kappa;
  const reach = (3 * Math.sqrt(env.dist.variance / env.traders)) / env.kappa;
  let worst = 0;
  for (let k = 0; k < table.typeNodes.length; k++)
    for (let g = 0; g < G; g++)
      if (Math.abs(table.prices[g]! - centre) <= reach)
        worst = Math.max(worst, Math.abs(table.q[k * G + g]! - q(table.typeNodes[k]!, table.prices[g]!)));
  return worst / Math.sqrt(env.dist.variance);
}

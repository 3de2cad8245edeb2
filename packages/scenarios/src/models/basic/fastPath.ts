import type { LinearStrategy } from "@optex/agents";
import { clearLinearBook, createLinearBook, type FeeSchedule, type LinearBook } from "@optex/engine";
import type { BasicEnvironment } from "@optex/theory";
import seedrandom from "seedrandom";
import { SIMULATION_CHUNK_MARKETS } from "../../montecarlo/marketSimulation.ts";

export const quantityNames = ["revenuePerTrader", "holdingCostPerTrader", "utilityGainPerTrader", "tradeVolumePerTrader"] as const;
export type QuantityName = (typeof quantityNames)[number];

/** Per-market averages over traders of each reported quantity, one entry per market. */
export interface MarketSamples {
  readonly revenuePerTrader: Float64Array;
  readonly holdingCostPerTrader: Float64Array;
  readonly utilityGainPerTrader: Float64Array;
  readonly tradeVolumePerTrader: Float64Array;
  /** Markets with no unique clearing price (no trade, no transfer). */
  readonly noTradeMarkets: number;
  /** Largest |sum_i X_i| / (1 + sum_i |X_i|) seen (exchange property check). */
  readonly worstImbalance: number;
}

export interface MonteCarloSpec {
  readonly env: BasicEnvironment;
  readonly strategy: LinearStrategy;
  readonly fee: FeeSchedule;
  readonly markets: number;
  readonly seed: string;
  /** Called after each chunk with the number of markets done. */
  readonly onProgress?: (done: number) => void;
}

/**
 * Monte Carlo of the double auction with fee: in each market every trader draws its endowment, its
 * strategy submits a linear schedule, the engine clears the book (batch fast path) and each
 * trader pays p q_i + fee_i. Chunk k of SIMULATION_CHUNK_MARKETS markets uses the generator
 * seedrandom.alea(`${seed}/${k}`), so the same seed gives the same samples however chunks are run.
 * Utility is taken in expectation over pi (mu_pi X - T - ...), which removes noise and no information.
 */
export function runMonteCarlo(spec: MonteCarloSpec): MarketSamples {
  const { env, strategy, fee, markets } = spec;
  const out = {
    revenuePerTrader: new Float64Array(markets),
    holdingCostPerTrader: new Float64Array(markets),
    utilityGainPerTrader: new Float64Array(markets),
    tradeVolumePerTrader: new Float64Array(markets),
  };
  let noTradeMarkets = 0;
  let worstImbalance = 0;
  for (let start = 0, chunk = 0; start < markets; start += SIMULATION_CHUNK_MARKETS, chunk++) {
    const end = Math.min(markets, start + SIMULATION_CHUNK_MARKETS);
    const result = runChunk(env, strategy, fee, seedrandom.alea(`${spec.seed}/${chunk}`), start, end, 0, out);
    noTradeMarkets += result.noTrade;
    worstImbalance = Math.max(worstImbalance, result.worstImbalance);
    spec.onProgress?.(end);
  }
  return { ...out, noTradeMarkets, worstImbalance };
}

function feesOf(fee: FeeSchedule, quantities: Float64Array, p: number, out: Float64Array): void {
  if (fee.feesInto) fee.feesInto(quantities, p, out);
  else for (let i = 0; i < quantities.length; i++) out[i] = fee.fee(i, quantities[i]!, p);
}

/** x + x + ... (n terms) by clearLinearBook's compensated sum (Knuth's two-sum), as it sums equal slopes. */
function compensatedSumOfCopies(x: number, n: number): number {
  let sum = 0;
  let comp = 0;
  for (let i = 0; i < n; i++) {
    const t = sum + x;
    const z = t - sum;
    comp += sum - (t - z) + (x - z);
    sum = t;
  }
  return sum + comp;
}

/**
 * clearLinearBook for a book whose slopes all equal slopes[0] > 0 and sum (compensated) to
 * totalSlope: the same arithmetic, so the same price and quantities bit for bit, without checking
 * and summing the slopes each market. Anything clearLinearBook treats specially (a non-finite
 * intercept, an overflow, quantities to rebalance) is handed to clearLinearBook itself.
 */
function clearEqualSlopes(book: LinearBook, totalSlope: number, quantitiesOut: Float64Array): number {
  const n = book.size;
  const intercepts = book.intercepts;
  const slope = book.slopes[0]!;
  let sumA = 0;
  let compA = 0;
  for (let i = 0; i < n; i++) {
    const a = intercepts[i]!;
    const t = sumA + a;
    const z = t - sumA;
    compA += sumA - (t - z) + (a - z);
    sumA = t;
  }
  // A non-finite intercept makes the compensated sum NaN or infinite (the two-sum's error term turns
  // NaN), so a finite price means every intercept was finite and nothing overflowed.
  const price = (sumA + compA) / totalSlope + 0;
  if (!Number.isFinite(price)) return clearLinearBook(book, quantitiesOut);
  let sumQ = 0;
  let absQ = 0;
  for (let i = 0; i < n; i++) {
    const q = intercepts[i]! - slope * price;
    quantitiesOut[i] = q;
    sumQ += q;
    absQ += Math.abs(q);
  }
  return Math.abs(sumQ) > 4 * Number.EPSILON * absQ ? clearLinearBook(book, quantitiesOut) : price;
}

/**
 * Markets start..end-1 on rng, the hot loop of every basic-model Monte Carlo. Per market: the law's
 * sampleInto, the strategy's interceptsInto (exact piecewise-polynomial v when the virtual type has
 * one), clearing (clearEqualSlopes: clearLinearBook's arithmetic for the common slope), the fee's
 * feesInto (exact piecewise-quadratic B when it has one) and one pass summing the reported
 * quantities. Each call gets a whole market, so its loop stays monomorphic in its own module.
 */
function runChunk(
  env: BasicEnvironment,
  strategy: LinearStrategy,
  fee: FeeSchedule,
  rng: () => number,
  start: number,
  end: number,
  /** Market m is written to out[m - offset] (0: whole-run arrays; start: one chunk's buffers). */
  offset: number,
  out: {
    revenuePerTrader: Float64Array;
    holdingCostPerTrader: Float64Array;
    utilityGainPerTrader: Float64Array;
    tradeVolumePerTrader: Float64Array;
  },
): { noTrade: number; worstImbalance: number } {
  const { traders: N, kappa, muPi, dist } = env;
  const book = createLinearBook(N);
  const { intercepts } = book;
  // Clearing reads the slopes and never writes them: filled once.
  const slope = strategy.slope;
  book.slopes.fill(slope);
  const quantities = new Float64Array(N);
  const endowments = new Float64Array(N);
  const fees = new Float64Array(N);
  const { revenuePerTrader, holdingCostPerTrader, utilityGainPerTrader, tradeVolumePerTrader } = out;
  const inv2k = 1 / (2 * kappa);
  const invN = 1 / N;
  // Every trader bids the same slope: clearLinearBook's sum of slopes is the same every market.
  const totalSlope = compensatedSumOfCopies(slope, N);
  const equalSlopes = slope > 0 && Number.isFinite(totalSlope);
  let noTrade = 0;
  let worstImbalance = 0;
  for (let m = start; m < end; m++) {
    // Batch calls per market keep each inner loop monomorphic inside its module.
    dist.sampleInto(rng, endowments);
    strategy.interceptsInto(endowments, intercepts);
    const p = equalSlopes ? clearEqualSlopes(book, totalSlope, quantities) : clearLinearBook(book, quantities);
    const k = m - offset;
    if (Number.isNaN(p)) {
      // No unique clearing price: no trade and no transfer (Definition 4.1).
      noTrade++;
      let holding = 0;
      for (let i = 0; i < N; i++) holding += endowments[i]! * endowments[i]! * inv2k;
      revenuePerTrader[k] = 0;
      holdingCostPerTrader[k] = holding * invN;
      utilityGainPerTrader[k] = 0;
      tradeVolumePerTrader[k] = 0;
      continue;
    }
    feesOf(fee, quantities, p, fees);
    // Revenue = sum of fees + p sum_i q_i (the second term is 0 but for rounding), and gains
    // (mu_pi - p) sum_i q_i - sum_i fee_i - sum_i q_i (2 e_i + q_i) / (2 kappa): no large products
    // cancel when prices are large. Positions' squares and q (2e + q) are summed before the 1/(2 kappa).
    let net = 0;
    let netError = 0;
    let feeSum = 0;
    let squares = 0;
    let cross = 0;
    let volume = 0;
    for (let i = 0; i < N; i++) {
      const q = quantities[i]!;
      const e = endowments[i]!;
      const position = e + q;
      feeSum += fees[i]!;
      squares += position * position;
      cross += q * (e + position);
      volume += Math.abs(q);
      // Two-sum: the exchange property check needs sum q exactly up to one rounding.
      const t = net + q;
      const b = t - net;
      netError += net - (t - b) + (q - b);
      net = t;
    }
    net += netError;
    const imbalance = Math.abs(net) / (1 + volume);
    if (imbalance > worstImbalance) worstImbalance = imbalance;
    revenuePerTrader[k] = (feeSum + p * net) * invN;
    holdingCostPerTrader[k] = squares * inv2k * invN;
    utilityGainPerTrader[k] = ((muPi - p) * net - feeSum - cross * inv2k) * invN;
    tradeVolumePerTrader[k] = volume * invN;
  }
  return { noTrade, worstImbalance };
}

/**
 * `count` markets of the basic model on `rng` (the batch fast path: linear books, the fee's feesInto),
 * per-market samples of quantityNames written to out[0..3]: what the basic model's MarketSimulation runs.
 */
export function runBasicMarkets(
  env: BasicEnvironment,
  strategy: LinearStrategy,
  fee: FeeSchedule,
  rng: () => number,
  count: number,
  out: readonly Float64Array[],
): { noTradeMarkets: number; worstImbalance: number } {
  const [revenuePerTrader, holdingCostPerTrader, utilityGainPerTrader, tradeVolumePerTrader] = out as [
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
  ];
  const r = runChunk(env, strategy, fee, rng, 0, count, 0, {
    revenuePerTrader,
    holdingCostPerTrader,
    utilityGainPerTrader,
    tradeVolumePerTrader,
  });
  return { noTradeMarkets: r.noTrade, worstImbalance: r.worstImbalance };
}

import { clear, type DemandSchedule, type FeeSchedule, perAssetFee, runMarket, settle } from "@optex/engine";
import { maximize } from "@optex/numerics";
import { utilityGain } from "@optex/theory";
import seedrandom from "seedrandom";
import { rowInto, rowSchedule, type ScheduleTable, tableStrategy } from "./scheduleTable.ts";
import { bestResponseTable, drawOpponents, type EquilibriumEnvironment, residualSamples } from "./solver.ts";

/** z of a two-sided 99% normal interval. */
const Z99 = 2.5758293035489004;

/** A sample mean with its 99% interval (normal approximation, the sample's own standard error). */
export interface Estimate {
  readonly mean: number;
  readonly ci99: readonly [number, number];
}

function estimate(values: Float64Array): Estimate {
  const n = values.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += values[i]!;
  mean /= n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (values[i]! - mean) ** 2;
  const half = n > 1 ? Z99 * Math.sqrt(ss / (n - 1) / n) : Number.POSITIVE_INFINITY;
  return { mean, ci99: [mean - half, mean + half] };
}

/** How far one type's strategy is from a best response, in money (per market). */
export interface TypeCertificate {
  readonly type: number;
  /** The type's quantile level in the law. */
  readonly quantile: number;
  /** The type's expected gain from trade (utility over autarky) under the strategy. */
  readonly gain: Estimate;
  /** Gain of the best deviation found (the best response schedule) over the strategy: a lower bound on the type's loss. */
  readonly found: Estimate;
  /** Expected ex post optimum along the realised residual supply minus the strategy's payoff: no schedule gains more. */
  readonly bound: Estimate;
}

export interface Certificate {
  /** Opponent profiles drawn (fresh: independent of those the solver used). */
  readonly samples: number;
  /** Profiles where the ex post search found less than the strategy's own payoff (beyond 1e-9): should be 0. */
  readonly belowStrategy: number;
  readonly perType: readonly TypeCertificate[];
  /** Mean over the checked types (quantile midpoints) of their expected gains from trade. */
  readonly meanGain: number;
  /** Worst found gain over types, relative to meanGain (point estimate). */
  readonly epsilonFound: number;
  /** Worst upper 99% bound of `bound` over types, relative to meanGain. */
  readonly epsilonBound: number;
}

export interface CertificateOptions {
  /** Types checked, at the quantiles (j + 1/2)/checkTypes (default 16: between the solver's nodes). */
  readonly checkTypes?: number;
  /** Fresh opponent profiles (default 2000). */
  readonly samples?: number;
  /** The solver's seed (its opponents serve to compute the deviation; the certificate's are drawn apart). */
  readonly seed?: string;
  /** Opponent profiles the deviation is computed against (default 2000). */
  readonly deviationSamples?: number;
}

/**
 * Two bounds on how far a symmetric table strategy is from an equilibrium, per type:
 *  - found: the best response schedule (computed against the solver's kind of sampled opponents,
 *    independent of the evaluation) is cleared by the engine against fresh opponent profiles, paired
 *    with the strategy's own schedule: its expected gain is a lower bound on the type's true loss
 *    (up to Monte Carlo error);
 *  - bound: in each fresh profile the trader could at best pick the point of the realised residual
 *    supply that maximises her payoff (every point is reachable by some schedule, but one schedule
 *    must serve all profiles), so the mean ex post optimum minus the strategy's payoff bounds the
 *    gain of every deviation from above. It is loose where residual supplies vary in slope from
 *    profile to profile (one schedule cannot be ex post optimal against all of them) and tight
 *    where the equilibrium is ex post (linear strategies, Proposition 3's fee).
 */
export function certify(
  env: EquilibriumEnvironment,
  fee: FeeSchedule,
  table: ScheduleTable,
  options: CertificateOptions = {},
): Certificate {
  const checkTypes = options.checkTypes ?? 16;
  const count = options.samples ?? 2000;
  const seed = options.seed ?? "equilibrium";
  const others = env.traders - 1;
  const G = table.prices.length;
  const quantiles = Float64Array.from({ length: checkTypes }, (_, j) => (j + 0.5) / checkTypes);
  const types = quantiles.map((u) => env.dist.quantile(u));
  const deviationOpponents = drawOpponents(env, options.deviationSamples ?? 2000, `${seed}/deviation`);
  const deviation = bestResponseTable(env, fee, table, residualSamples(table, deviationOpponents, others), types);
  const opponents = drawOpponents(env, count, `${seed}/certificate`);
  const residual = residualSamples(table, opponents, others);
  const row = new Float64Array(G);
  const books: DemandSchedule[][] = [];
  for (let m = 0; m < count; m++) {
    const book: DemandSchedule[] = [];
    for (let j = 0; j < others; j++)
      book.push(rowSchedule(table.prices, Float64Array.from(rowInto(table, opponents[m * others + j]!, row))));
    books.push(book);
  }
  const payoffOf = (e: number, own: DemandSchedule, book: readonly DemandSchedule[]): number => {
    const settlement = settle(clear([own, ...book]), others + 1, fee);
    if (settlement.status !== "cleared") return 0;
    return utilityGain(e, settlement.trades[0]!, settlement.transfers[0]!, env.kappa, env.muPi);
  };
  const perType: TypeCertificate[] = [];
  let belowStrategy = 0;
  for (let j = 0; j < checkTypes; j++) {
    const e = types[j]!;
    const own = rowSchedule(table.prices, Float64Array.from(rowInto(table, e, row)));
    const better = rowSchedule(table.prices, deviation.q.slice(j * G, (j + 1) * G));
    const gain = new Float64Array(count);
    const found = new Float64Array(count);
    const bound = new Float64Array(count);
    for (let m = 0; m < count; m++) {
      const mine = payoffOf(e, own, books[m]!);
      gain[m] = mine;
      found[m] = payoffOf(e, better, books[m]!) - mine;
      // The ex post optimum can fall below the strategy's payoff only by the search's tolerance; a
      // larger shortfall is counted (belowStrategy) rather than hidden.
      const gap = expostOptimum(env, fee, e, table.prices, residual.level, m * G) - mine;
      if (gap < -1e-9 * (1 + Math.abs(mine))) belowStrategy++;
      bound[m] = Math.max(0, gap);
    }
    perType.push({ type: e, quantile: quantiles[j]!, gain: estimate(gain), found: estimate(found), bound: estimate(bound) });
  }
  let meanGain = 0;
  for (const t of perType) meanGain += t.gain.mean / checkTypes;
  // Relative to the mean gain from trade, floored at 1e-9 of the gain at stake (sd(e)^2 / kappa): a
  // strategy that gains nothing (no trade) gets a finite, large epsilon, never 0/0.
  const floor = (1e-9 * env.dist.variance) / env.kappa;
  const relative = (x: number) => x / Math.max(meanGain, floor);
  return {
    samples: count,
    belowStrategy,
    perType,
    meanGain,
    epsilonFound: relative(Math.max(0, ...perType.map((t) => t.found.mean))),
    epsilonBound: relative(Math.max(0, ...perType.map((t) => t.bound.ci99[1]))),
  };
}

/**
 * The best payoff type e can reach on one realised residual supply (piecewise linear on the
 * prices, continued linearly): the best grid price, refined by golden-section search on its two
 * pieces, the ends' continuations, and the no-trade point (where a fixed charge is not paid).
 */
export function expostOptimum(
  env: EquilibriumEnvironment,
  fee: FeeSchedule,
  e: number,
  prices: Float64Array,
  level: Float64Array,
  base: number,
): number {
  const G = prices.length;
  const R = (p: number): number => {
    if (p <= prices[0]!) return level[base]! + ((level[base + 1]! - level[base]!) / (prices[1]! - prices[0]!)) * (p - prices[0]!);
    if (p >= prices[G - 1]!)
      return (
        level[base + G - 1]! + ((level[base + G - 1]! - level[base + G - 2]!) / (prices[G - 1]! - prices[G - 2]!)) * (p - prices[G - 1]!)
      );
    let lo = 0;
    let hi = G - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (prices[mid]! <= p) lo = mid;
      else hi = mid;
    }
    return level[base + lo]! + ((level[base + hi]! - level[base + lo]!) / (prices[hi]! - prices[lo]!)) * (p - prices[lo]!);
  };
  const V = (p: number): number => {
    const q = R(p);
    return utilityGain(e, q, p * q + fee.fee(0, q, p), env.kappa, env.muPi);
  };
  let bestG = 0;
  let best = Number.NEGATIVE_INFINITY;
  for (let g = 0; g < G; g++) {
    const v = V(prices[g]!);
    if (v > best) {
      best = v;
      bestG = g;
    }
  }
  const span = prices[G - 1]! - prices[0]!;
  const lo = bestG > 0 ? prices[bestG - 1]! : prices[0]! - span;
  const hi = bestG < G - 1 ? prices[bestG + 1]! : prices[G - 1]! + span;
  for (const [a, b] of [
    [lo, prices[bestG]!],
    [prices[bestG]!, hi],
  ] as const) {
    if (b > a) best = Math.max(best, maximize(V, a, b, 1e-12 * (1 + Math.abs(a))).value);
  }
  // The no-trade point: the price where the others alone clear (a kink or a jump of the fee), found
  // on the residual supply extended linearly beyond the grid when it crosses 0 out there.
  let a = prices[0]!;
  let b = prices[G - 1]!;
  const span0 = b - a;
  for (let k = 0; k < 60 && R(a) > 0; k++) a -= span0 * 2 ** k;
  for (let k = 0; k < 60 && R(b) < 0; k++) b += span0 * 2 ** k;
  if (R(a) <= 0 && R(b) >= 0 && R(b) > R(a)) {
    for (let it = 0; it < 200 && b - a > 1e-15 * (1 + Math.abs(a)); it++) {
      const mid = 0.5 * (a + b);
      if (R(mid) < 0) a = mid;
      else b = mid;
    }
    const p0 = 0.5 * (a + b);
    best = Math.max(best, -fee.fee(0, 0, p0));
    // Just off zero on either side (kinked fees peak there).
    for (const side of [-1, 1]) best = Math.max(best, V(p0 + side * 1e-9 * (1 + Math.abs(p0))));
  }
  return best;
}

/** Outcomes of the strategy simulated through the market loop: per trader, with 99% intervals. */
export interface EquilibriumOutcomes {
  readonly markets: number;
  readonly revenuePerTrader: Estimate;
  readonly holdingCostPerTrader: Estimate;
  readonly utilityGainPerTrader: Estimate;
  readonly tradeVolumePerTrader: Estimate;
  /** Share of markets with no unique clearing price (no trade, no transfer). */
  readonly noTradeFrequency: Estimate;
}

/** Simulates `markets` markets of N traders bidding the table with the fee, through runMarket. */
export function simulateOutcomes(
  env: EquilibriumEnvironment,
  fee: FeeSchedule,
  table: ScheduleTable,
  markets: number,
  seed: string,
): EquilibriumOutcomes {
  const N = env.traders;
  const rng = seedrandom.alea(`${seed}/outcomes`);
  const strategy = tableStrategy(table);
  const marketFee = perAssetFee(fee);
  const revenue = new Float64Array(markets);
  const holding = new Float64Array(markets);
  const gain = new Float64Array(markets);
  const volume = new Float64Array(markets);
  const noTrade = new Float64Array(markets);
  const types = new Float64Array(N);
  for (let m = 0; m < markets; m++) {
    env.dist.sampleInto(rng, types);
    const market = runMarket(Array.from(types), strategy, marketFee);
    const cleared = market.status === "cleared";
    let h = 0;
    let u = 0;
    let v = 0;
    for (let i = 0; i < N; i++) {
      const x = cleared ? market.trades[i]![0]! : 0;
      const t = cleared ? market.transfers[i]! : 0;
      h += (types[i]! + x) ** 2 / (2 * env.kappa);
      u += utilityGain(types[i]!, x, t, env.kappa, env.muPi);
      v += Math.abs(x);
    }
    revenue[m] = (cleared ? market.revenue : 0) / N;
    holding[m] = h / N;
    gain[m] = u / N;
    volume[m] = v / N;
    noTrade[m] = cleared ? 0 : 1;
  }
  return {
    markets,
    revenuePerTrader: estimate(revenue),
    holdingCostPerTrader: estimate(holding),
    utilityGainPerTrader: estimate(gain),
    tradeVolumePerTrader: estimate(volume),
    noTradeFrequency: estimate(noTrade),
  };
}

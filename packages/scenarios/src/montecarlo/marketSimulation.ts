import seedrandom from "seedrandom";
import { agrees, type CheckStatistics, checkStatistics, type Estimate, estimateFromMoments } from "./estimate.ts";

/** Markets per independently seeded chunk: results do not depend on how chunks are scheduled. */
export const SIMULATION_CHUNK_MARKETS = 1 << 16;
/** Markets per block of a chunk (samples of a block are summarised, then dropped). */
const BLOCK_MARKETS = 1 << 12;

/**
 * A quantity a simulation reports, named in words with its unit: "revenue per trader",
 * "budget surplus (total, NPV)". `key` is the JSON field.
 */
export interface QuantitySpec {
  readonly key: string;
  readonly label: string;
}

/** What a block of markets reports besides its samples. */
export interface BlockDiagnostics {
  /** Markets (or auctions of a repeated market) without a unique clearing price: no trade, no transfer. */
  readonly noTradeMarkets: number;
  /** Largest |sum_i X_i| / (1 + sum_i |X_i|) over the block's markets and assets. */
  readonly worstImbalance: number;
}

/**
 * One mechanism of a model run as markets: traders draw their private types, their strategies
 * submit schedules, the engine clears and the registered fee module charges (engine.runMarket or a
 * declared fast path of it). Each market gives one sample of every quantity; markets are iid, so
 * the sample means have Student-t intervals.
 */
export interface MarketSimulation {
  /** Mechanism id within its model, e.g. "optimal", "double-auction". */
  readonly mechanism: string;
  /** Registered fee module id (fees registry) the markets charge. */
  readonly fee: string;
  /** Strategy id every trader follows. */
  readonly strategy: string;
  /** One line on what runs, e.g. "Theorem 4's robust mechanism runs as the direct mechanism it is". */
  readonly note?: string;
  /** A trader's draws in one market: 1, or one per auction of a repeated market (benchmarks count trader-draws). */
  readonly drawsPerTrader?: number;
  readonly quantities: readonly QuantitySpec[];
  /** Theory of each quantity (absent: reported without a check). */
  readonly theory: Readonly<Record<string, number>>;
  /**
   * Floating-point resolution of a quantity's per-market value (e.g. the plain auction's revenue
   * p sum_i q_i, 0 in exact arithmetic, is a few roundings of its terms): theory within this of the
   * 99% interval agrees, and the result says the allowance was used. Absent: 0.
   */
  readonly rounding?: Readonly<Record<string, number>>;
  /** Simulates `count` markets on `rng`; quantity j of market m goes to out[j][m]. */
  runMarkets(rng: () => number, count: number, out: readonly Float64Array[]): BlockDiagnostics;
}

/** Markets, mean and sum of squared deviations from the mean of one quantity's samples. */
export interface QuantityMoments {
  readonly markets: number;
  readonly mean: number;
  readonly m2: number;
}

/** One chunk's summary (a few numbers per quantity, in the order of the simulation's quantities). */
export interface SimulationMoments {
  readonly moments: readonly QuantityMoments[];
  readonly noTradeMarkets: number;
  readonly worstImbalance: number;
}

export function simulationChunkCount(markets: number): number {
  return Math.ceil(markets / SIMULATION_CHUNK_MARKETS);
}

/**
 * Chunks first..end-1 of `markets` markets of `sim`, each summarised by its moments. Chunk k draws
 * from seedrandom.alea(`${seed}/${k}`), so any split of the chunks, merged in chunk order by
 * mergeSimulationMoments, gives the same bits.
 */
export function simulationChunkMoments(
  sim: MarketSimulation,
  markets: number,
  seed: string,
  first: number,
  end: number,
): SimulationMoments[] {
  if (!(Number.isInteger(first) && Number.isInteger(end) && 0 <= first && first <= end && end <= simulationChunkCount(markets))) {
    throw new RangeError(`chunks ${first}..${end} outside 0..${simulationChunkCount(markets)}`);
  }
  const size = Math.min(BLOCK_MARKETS, markets);
  const buffers = sim.quantities.map(() => new Float64Array(size));
  const out: SimulationMoments[] = [];
  for (let chunk = first; chunk < end; chunk++) {
    const rng = seedrandom.alea(`${seed}/${chunk}`);
    const stop = Math.min(markets, (chunk + 1) * SIMULATION_CHUNK_MARKETS);
    let summary: SimulationMoments | undefined;
    for (let block = chunk * SIMULATION_CHUNK_MARKETS; block < stop; block += BLOCK_MARKETS) {
      const count = Math.min(stop, block + BLOCK_MARKETS) - block;
      const d = sim.runMarkets(rng, count, buffers);
      const blockSummary = {
        moments: buffers.map((b) => sampleMoments(b, count)),
        noTradeMarkets: d.noTradeMarkets,
        worstImbalance: d.worstImbalance,
      };
      summary = summary ? mergeSimulationMoments([summary, blockSummary]) : blockSummary;
    }
    out.push(summary!);
  }
  return out;
}

/** Moments of x[0..n-1]: the mean by Neumaier's compensated sum, then squared deviations from it. */
export function sampleMoments(x: Float64Array, n: number): QuantityMoments {
  let sum = 0;
  let compensation = 0;
  for (let i = 0; i < n; i++) {
    const v = x[i]!;
    const t = sum + v;
    compensation += Math.abs(sum) >= Math.abs(v) ? sum - t + v : v - t + sum;
    sum = t;
  }
  const mean = (sum + compensation) / n;
  let m2 = 0;
  for (let i = 0; i < n; i++) {
    const d = x[i]! - mean;
    m2 += d * d;
  }
  return { markets: n, mean, m2 };
}

/** Chunks' moments combined in the given order (Chan, Golub and LeVeque's pairwise update). */
export function mergeSimulationMoments(chunks: readonly SimulationMoments[]): SimulationMoments {
  const width = chunks[0]?.moments.length ?? 0;
  const moments: QuantityMoments[] = [];
  for (let q = 0; q < width; q++) {
    let markets = 0;
    let mean = 0;
    let m2 = 0;
    for (const c of chunks) {
      const b = c.moments[q]!;
      if (markets === 0) {
        ({ markets, mean, m2 } = b);
        continue;
      }
      const total = markets + b.markets;
      const delta = b.mean - mean;
      mean += (delta * b.markets) / total;
      m2 += b.m2 + ((delta * delta * markets) / total) * b.markets;
      markets = total;
    }
    moments.push({ markets, mean, m2 });
  }
  return {
    moments,
    noTradeMarkets: chunks.reduce((a, c) => a + c.noTradeMarkets, 0),
    worstImbalance: chunks.reduce((a, c) => Math.max(a, c.worstImbalance), 0),
  };
}

/** A simulated mechanism against its theory: what `optex simulate --model <id> --json` prints per run. */
export interface SimulationResult {
  readonly mechanism: string;
  readonly fee: string;
  readonly strategy: string;
  readonly note?: string;
  readonly markets: number;
  readonly seed: string;
  readonly elapsedSeconds: number;
  readonly noTradeMarkets: number;
  readonly worstExchangeImbalance: number;
  /** Each quantity's words and unit. */
  readonly labels: Readonly<Record<string, string>>;
  readonly simulated: Readonly<Record<string, Estimate>>;
  readonly theory: Readonly<Record<string, number>>;
  /** Theory inside the simulated 99% interval (null without theory or with fewer than 2 markets). */
  readonly agreement: Readonly<Record<string, boolean | null>>;
  /** Quantities whose agreement needed the rounding allowance (theory outside the interval by less than it), with the allowance. */
  readonly withinRounding: Readonly<Record<string, number>>;
  /** Per quantity with theory: z-score and two-sided p-value of the theory against the simulation. */
  readonly statistics: Readonly<Record<string, CheckStatistics>>;
}

/** The estimates and checks of a simulation from its merged moments. */
export function simulationResult(sim: MarketSimulation, merged: SimulationMoments, seed: string, elapsedSeconds: number): SimulationResult {
  const simulated: Record<string, Estimate> = {};
  const agreement: Record<string, boolean | null> = {};
  const labels: Record<string, string> = {};
  const withinRounding: Record<string, number> = {};
  const statistics: Record<string, CheckStatistics> = {};
  sim.quantities.forEach((q, j) => {
    const { markets, mean, m2 } = merged.moments[j]!;
    simulated[q.key] = estimateFromMoments(markets, mean, m2);
    labels[q.key] = q.label;
    const theory = sim.theory[q.key];
    const est = simulated[q.key]!;
    agreement[q.key] = theory === undefined ? null : agrees(theory, est, sim.rounding?.[q.key] ?? 0);
    if (theory !== undefined && agreement[q.key] === true && agrees(theory, est) === false) withinRounding[q.key] = sim.rounding![q.key]!;
    const stats = theory === undefined ? null : checkStatistics(theory, est, markets, sim.rounding?.[q.key] ?? 0);
    if (stats) statistics[q.key] = stats;
  });
  return {
    mechanism: sim.mechanism,
    fee: sim.fee,
    strategy: sim.strategy,
    ...(sim.note ? { note: sim.note } : {}),
    markets: merged.moments[0]?.markets ?? 0,
    seed,
    elapsedSeconds,
    noTradeMarkets: merged.noTradeMarkets,
    worstExchangeImbalance: merged.worstImbalance,
    labels,
    simulated,
    theory: { ...sim.theory },
    agreement,
    withinRounding,
    statistics,
  };
}

/** Runs `markets` markets of `sim` chunk by chunk (progress after each) and compares them with theory. */
export function runSimulation(sim: MarketSimulation, markets: number, seed: string, onProgress?: (done: number) => void): SimulationResult {
  const started = process.hrtime.bigint();
  const chunks: SimulationMoments[] = [];
  for (let k = 0; k < simulationChunkCount(markets); k++) {
    chunks.push(...simulationChunkMoments(sim, markets, seed, k, k + 1));
    onProgress?.(Math.min(markets, (k + 1) * SIMULATION_CHUNK_MARKETS));
  }
  const merged = mergeSimulationMoments(chunks);
  return simulationResult(sim, merged, seed, Number(process.hrtime.bigint() - started) / 1e9);
}

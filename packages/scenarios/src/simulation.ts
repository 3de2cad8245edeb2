import type { BasicEnvironment } from "@optex/theory";
import { basicMechanism, type MechanismId } from "./basicMechanism.ts";
import { agrees, type Estimate, estimateFromMoments } from "./montecarlo/estimate.ts";
import { CHUNK_MARKETS, type ChunkMoments, chunkCount, mergeChunkMoments, monteCarloChunkMoments, type QuantityName, quantityNames } from "./monteCarlo.ts";

/** What `optex simulate --json` prints for one mechanism. */
export interface SimulationReport {
  readonly mechanism: MechanismId;
  readonly dist: string;
  readonly kappa: number;
  /** Weight on revenue: as given for "optimal", 0 for "first-best", null for "double-auction". */
  readonly alpha: number | null;
  readonly traders: number;
  readonly muPi: number;
  readonly markets: number;
  readonly seed: string;
  /** Wall time of the Monte Carlo alone (the only field that changes between runs with one seed). */
  readonly elapsedSeconds: number;
  readonly noTradeMarkets: number;
  readonly worstExchangeImbalance: number;
  readonly simulated: Record<QuantityName, Estimate>;
  readonly theory: Record<QuantityName, number>;
  /** Theory inside the simulated 99% interval (null with fewer than 2 markets). */
  readonly agreement: Record<QuantityName, boolean | null>;
}

export interface SimulationOptions {
  readonly env: BasicEnvironment;
  readonly alpha: number;
  readonly mechanism: MechanismId;
  readonly markets: number;
  readonly seed: string;
  readonly onProgress?: (done: number) => void;
}

/**
 * Floating-point resolution of the simulated quantities: schedules' intercepts are of size
 * Q = |mu_e| + sigma_e + kappa |mu_pi| and prices of size P = Q / kappa, so a market's sums carry
 * rounding of order N eps (P Q + Q^2 / kappa). Theory within that of the interval counts as inside.
 */
export function simulationResolution(env: BasicEnvironment): number {
  const Q = Math.abs(env.dist.mean) + Math.sqrt(env.dist.variance) + env.kappa * Math.abs(env.muPi);
  return 8 * Number.EPSILON * env.traders * ((2 * Q * Q) / env.kappa);
}

/**
 * Runs the Monte Carlo of one mechanism of the basic model as a double auction (agents submit
 * schedules, the engine clears and settles them) and compares it with theory.
 * Throws Error (one line) when the mechanism does not exist for these parameters.
 */
export function simulateBasic(options: SimulationOptions): SimulationReport {
  const { env, alpha, mechanism, markets, seed } = options;
  const m = basicMechanism(mechanism, env, alpha);
  const started = process.hrtime.bigint();
  // Chunk by chunk, summarised as in scenario runs (optex run), so both report the same numbers.
  const spec = { env, strategy: m.strategy, fee: m.fee, markets, seed };
  const chunks: ChunkMoments[] = [];
  for (let k = 0; k < chunkCount(markets); k++) {
    chunks.push(...monteCarloChunkMoments(spec, k, k + 1));
    options.onProgress?.(Math.min(markets, (k + 1) * CHUNK_MARKETS));
  }
  const summary = mergeChunkMoments(chunks);
  const elapsedSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  const simulated = {} as Record<QuantityName, Estimate>;
  const theory = {} as Record<QuantityName, number>;
  const agreement = {} as Record<QuantityName, boolean | null>;
  const resolution = simulationResolution(env);
  for (const name of quantityNames) {
    const { markets: n, mean, m2 } = summary.moments[name];
    simulated[name] = estimateFromMoments(n, mean, m2);
    theory[name] = m.theory[name];
    agreement[name] = agrees(theory[name], simulated[name], resolution);
  }
  return {
    mechanism,
    dist: env.dist.id,
    kappa: env.kappa,
    alpha: mechanism === "optimal" ? alpha : mechanism === "first-best" ? 0 : null,
    traders: env.traders,
    muPi: env.muPi,
    markets,
    seed,
    elapsedSeconds,
    noTradeMarkets: summary.noTradeMarkets,
    worstExchangeImbalance: summary.worstImbalance,
    simulated,
    theory,
    agreement,
  };
}

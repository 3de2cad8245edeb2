import { TheoryError } from "@optex/theory";
import seedrandom from "seedrandom";
import { estimateFromMoments } from "./montecarlo/estimate.ts";
import { correlatedAssetsSimulations } from "./models/correlated-assets/simulation.ts";
import { mergeSimulationMoments, sampleMoments, type SimulationMoments } from "./montecarlo/marketSimulation.ts";

/**
 * Proposition 6 with equicorrelated payoffs, Sigma = sigma_pi^2 [(1 - r) I + r 1 1^T], Gaussian
 * endowments N(0, sigma_e^2 I_k), N traders: the scenario runner's summary of the two designs
 * simulated by models/correlated-assets (the derivatives' auctions and the per-asset auctions, both
 * with first-best fees from the fee registry and truthful bids through the engine).
 */
export interface CorrelatedAssetsParams {
  readonly traders: number;
  readonly kappa: number;
  readonly assets: number;
  readonly sigmaE: number;
  readonly sigmaPi: number;
  /** Common correlation r of the assets' payoffs, in (-1/(k-1), 1). */
  readonly assetCorrelation: number;
}

export interface CorrelatedAssetsResult {
  /** Theory: (1/(2 kappa)) E[ebar^T Sigma ebar] = tr(Sigma) sigma_e^2 / (2 kappa N) per trader. */
  readonly firstBestHoldingCostPerTrader: number;
  /** Derivatives' auctions, simulated: mean holding cost per trader and its 99% interval. */
  readonly simulatedHoldingCostPerTrader: number;
  readonly simulatedHoldingCostCi99: [number, number] | null;
  /** Largest distance (max norm, in sd of endowments) between the simulated and the efficient allocation, over both designs. */
  readonly largestAllocationError: number;
  /** Mean regret per trader of truthful bids against the best joint deviation, relative to sigma_e^2 sigma_pi^2 / kappa (0 up to rounding for the derivatives). */
  readonly derivativesMeanRegret: number;
  readonly assetAuctionsMeanRegret: number;
}

/** Throws TheoryError (one line) for parameters outside the model. */
export function checkCorrelatedAssets(p: CorrelatedAssetsParams): void {
  const k = p.assets;
  if (!(Number.isInteger(k) && k >= 2 && k <= 50)) throw new TheoryError(`assets must be an integer in [2, 50] for correlated assets, got ${k}`);
  const lo = -1 / (k - 1);
  if (!(p.assetCorrelation > lo && p.assetCorrelation < 1)) throw new TheoryError(`assetCorrelation must be in (${lo}, 1) for ${k} assets (positive-definite covariance), got ${p.assetCorrelation}`);
  if (!(Number.isInteger(p.traders) && p.traders >= 2)) throw new TheoryError(`traders must be an integer >= 2, got ${p.traders}`);
  for (const [name, x] of [["kappa", p.kappa], ["sigma-e", p.sigmaE], ["sigma-pi", p.sigmaPi]] as const) {
    if (!(x > 0 && Number.isFinite(x))) throw new TheoryError(`${name} must be a finite number > 0, got ${x}`);
  }
}

/** Markets per block of the summary (samples summarised, then dropped). */
const BLOCK = 4096;

/**
 * Simulates `markets` markets of both designs (seeded: design d draws from `${seed}/${mechanism}`).
 * Throws TheoryError for parameters outside the model, RangeError unless markets is an integer >= 1.
 */
export function correlatedAssets(p: CorrelatedAssetsParams, markets: number, seed: string): CorrelatedAssetsResult {
  checkCorrelatedAssets(p);
  if (!(Number.isInteger(markets) && markets >= 1)) throw new RangeError(`markets must be an integer >= 1, got ${markets}`);
  const [derivatives, assetAuctions] = correlatedAssetsSimulations(p, ["derivatives", "asset-auctions"]);
  let largestAllocationError = 0;
  const run = (sim: typeof derivatives) => {
    const index = (key: string) => sim!.quantities.findIndex((q) => q.key === key);
    const errorAt = index("allocationErrorPerMarket");
    const rng = seedrandom.alea(`${seed}/${sim!.mechanism}`);
    const buffers = sim!.quantities.map(() => new Float64Array(Math.min(BLOCK, markets)));
    let summary: SimulationMoments | undefined;
    for (let done = 0; done < markets; done += BLOCK) {
      const count = Math.min(BLOCK, markets - done);
      const d = sim!.runMarkets(rng, count, buffers);
      for (let m = 0; m < count; m++) largestAllocationError = Math.max(largestAllocationError, buffers[errorAt]![m]!);
      const block = { moments: buffers.map((b) => sampleMoments(b, count)), noTradeMarkets: d.noTradeMarkets, worstImbalance: d.worstImbalance };
      summary = summary ? mergeSimulationMoments([summary, block]) : block;
    }
    const estimateOf = (key: string) => {
      const m = summary!.moments[index(key)]!;
      return estimateFromMoments(m.markets, m.mean, m.m2);
    };
    return { holding: estimateOf("holdingCostPerTrader"), regret: estimateOf("jointRegretPerTrader").mean, theory: sim!.theory };
  };
  const d = run(derivatives);
  const a = run(assetAuctions);
  return {
    firstBestHoldingCostPerTrader: d.theory.holdingCostPerTrader!,
    simulatedHoldingCostPerTrader: d.holding.mean,
    simulatedHoldingCostCi99: d.holding.ci99,
    largestAllocationError,
    derivativesMeanRegret: d.regret,
    assetAuctionsMeanRegret: a.regret,
  };
}

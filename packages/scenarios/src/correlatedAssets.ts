import { clear, type DemandSchedule, linearSchedule } from "@optex/engine";
import { decorrelate, TheoryError } from "@optex/theory";
import { Matrix, solve } from "ml-matrix";
import seedrandom from "seedrandom";
import { estimate } from "./estimate.ts";

/**
 * Proposition 6 as a simulation: k assets with equicorrelated payoffs,
 * Sigma = sigma_pi^2 [(1 - r) I + r 1 1^T], Gaussian endowments N(0, sigma_e^2 I_k), N traders.
 * Two exchange designs, both with per-auction alpha = 0 Proposition 3 fees (c = -price impact; B is
 * constant when v(e) = e) and truthful bids:
 *  - "derivatives": one auction per uncorrelated derivative Q^T pi (Proposition 6), capacity kappa / lambda_a;
 *  - "asset auctions": one auction per original asset, capacity kappa / Sigma_aa, ignoring correlation.
 * Both clear to the efficient allocation (everybody holds the average endowment), but only the
 * derivatives' auctions make truthful bids a best response to joint deviations across auctions.
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
  /** Largest distance (max norm, in sd of endowments) between the simulated and the efficient allocation. */
  readonly largestAllocationError: number;
  /** Mean regret of truthful bids against the best joint deviation, relative to sigma_e^2 sigma_pi^2 / kappa. */
  readonly derivativesMeanRegret: number;
  readonly assetAuctionsMeanRegret: number;
}

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

/** Joint regret of trader i: the best deviation y (auction quantities, asset trades M y) minus the prescribed y. */
function jointRegret(others: { intercepts: number[]; slopes: number[] }, fees: number[], M: Matrix, sigma: Matrix, e: number[], kappa: number, prescribed: number[]): number {
  const k = e.length;
  // Residual supply of auction a: p_a = p0_a + L_a y_a (the others absorb -y_a).
  const p0 = others.intercepts.map((x, a) => x / others.slopes[a]!);
  const L = others.slopes.map((s) => 1 / s);
  const eCol = Matrix.columnVector(e);
  const payoff = (y: number[]) => {
    let cash = 0;
    for (let a = 0; a < k; a++) cash -= (p0[a]! + L[a]! * y[a]!) * y[a]! + 0.5 * fees[a]! * y[a]! ** 2;
    const pos = eCol.add(M.mmul(Matrix.columnVector(y)));
    const cost = pos.transpose().mmul(sigma).mmul(pos).get(0, 0) - eCol.transpose().mmul(sigma).mmul(eCol).get(0, 0);
    return cash - cost / (2 * kappa);
  };
  // Concave quadratic: first-order condition (diag(2L + c) + M^T Sigma M / kappa) y = -p0 - M^T Sigma e / kappa.
  const H = M.transpose().mmul(sigma).mmul(M).div(kappa);
  for (let a = 0; a < k; a++) H.set(a, a, H.get(a, a) + 2 * L[a]! + fees[a]!);
  const rhs = Matrix.columnVector(p0.map((x) => -x)).sub(M.transpose().mmul(sigma).mmul(eCol).div(kappa));
  const best = solve(H, rhs).to1DArray();
  return Math.max(0, payoff(best) - payoff(prescribed));
}

/** Simulates `markets` markets of both designs (seeded), with theory for the derivatives' allocation. */
export function correlatedAssets(p: CorrelatedAssetsParams, markets: number, seed: string): CorrelatedAssetsResult {
  checkCorrelatedAssets(p);
  const { traders: N, kappa, assets: k, sigmaE } = p;
  const s2 = p.sigmaPi ** 2;
  const sigmaRows = Array.from({ length: k }, (_, a) => Array.from({ length: k }, (_, b) => s2 * (a === b ? 1 : p.assetCorrelation)));
  const sigma = new Matrix(sigmaRows);
  const { Q, variances } = decorrelate(sigmaRows);
  const Qm = new Matrix(Q);
  const identity = Matrix.eye(k);
  // Per-auction capacities and alpha = 0 fees c = -1/((N-1) capacity): derivatives, then original assets.
  const designs = [
    { M: Qm, capacity: variances.map((l) => kappa / l), holdings: (e: number[]) => Qm.transpose().mmul(Matrix.columnVector(e)).to1DArray() },
    { M: identity, capacity: sigmaRows.map((row, a) => kappa / row[a]!), holdings: (e: number[]) => e },
  ];
  const fees = designs.map((d) => d.capacity.map((c) => -1 / ((N - 1) * c)));
  const rng = seedrandom.alea(seed);
  const gauss = () => {
    // Box-Muller on the seeded stream (deterministic across runs and workers).
    const u = 1 - rng();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
  };
  const costs = new Float64Array(markets);
  const regrets = [0, 0];
  let allocationError = 0;
  const scale = (sigmaE * sigmaE * s2) / kappa;
  for (let m = 0; m < markets; m++) {
    const e = Array.from({ length: N }, () => Array.from({ length: k }, () => sigmaE * gauss()));
    const ebar = Array.from({ length: k }, (_, a) => e.reduce((s, x) => s + x[a]!, 0) / N);
    designs.forEach((d, which) => {
      const h = e.map(d.holdings);
      // Truthful alpha = 0 bids in auction a: y(p) = -h_a - capacity_a p (mu_pi = 0).
      const bids: DemandSchedule[][] = Array.from({ length: k }, (_, a) => h.map((hi) => linearSchedule(-hi[a]!, d.capacity[a]!)));
      const y = h.map(() => new Array<number>(k).fill(0));
      for (let a = 0; a < k; a++) {
        const r = clear(bids[a]!);
        if (r.status !== "cleared") throw new Error(`auction ${a} did not clear: ${r.reason}`);
        for (let i = 0; i < N; i++) y[i]![a] = r.quantities[i]!;
      }
      if (which === 0) {
        let cost = 0;
        for (let i = 0; i < N; i++) {
          const x = d.M.mmul(Matrix.columnVector(y[i]!)).to1DArray();
          const pos = Matrix.columnVector(e[i]!.map((ea, a) => ea + x[a]!));
          cost += pos.transpose().mmul(sigma).mmul(pos).get(0, 0) / (2 * kappa);
          for (let a = 0; a < k; a++) allocationError = Math.max(allocationError, Math.abs(e[i]![a]! + x[a]! - ebar[a]!) / sigmaE);
        }
        costs[m] = cost / N;
      }
      // Regret of trader 0 (traders are exchangeable).
      const others = { intercepts: Array.from({ length: k }, (_, a) => h.slice(1).reduce((s, hi) => s - hi[a]!, 0)), slopes: d.capacity.map((c) => (N - 1) * c) };
      regrets[which]! += jointRegret(others, fees[which]!, d.M, sigma, e[0]!, kappa, y[0]!) / scale;
    });
  }
  const est = estimate(costs);
  const trace = k * s2;
  return {
    firstBestHoldingCostPerTrader: (trace * sigmaE * sigmaE) / (2 * kappa * N),
    simulatedHoldingCostPerTrader: est.mean,
    simulatedHoldingCostCi99: est.ci99,
    largestAllocationError: allocationError,
    derivativesMeanRegret: regrets[0]! / markets,
    assetAuctionsMeanRegret: regrets[1]! / markets,
  };
}

import { decorrelate, TheoryError } from "@optex/theory";

/** What `optex theory --model correlated-assets --json` prints: Proposition 6's derivatives and their auctions. */
export interface CorrelatedAssetsReport {
  readonly model: "correlated-assets";
  readonly traders: number;
  readonly kappa: number;
  readonly sigmaE: number;
  /** The payoff covariance Sigma of the assets. */
  readonly covariance: readonly (readonly number[])[];
  /**
   * One uncorrelated derivative per eigenvector of Sigma: it pays weights . pi, has payoff variance
   * `variance`, is traded in its own double auction with capacity kappa / variance and the first-best
   * Proposition 3 fee (c/2) q^2, c = -variance / ((N-1) kappa).
   */
  readonly derivatives: readonly {
    readonly variance: number;
    readonly weights: readonly number[];
    readonly capacity: number;
    readonly fee: { readonly c: number };
  }[];
  /** Efficient allocation (everybody holds the average), endowments N(0, sigma_e^2 I): tr(Sigma) sigma_e^2 / (2 kappa N). */
  readonly firstBestHoldingCostPerTrader: number;
  /** The derivatives' auctions with first-best fees run no deficit and no surplus in expectation (Proposition 1). */
  readonly revenuePerTrader: number;
  /** Separate auctions of the correlated assets themselves invite joint deviations unless Sigma is diagonal. */
  readonly separateAssetAuctionsIncentiveCompatible: boolean;
}

/** Proposition 6 for a payoff covariance (general) or an equicorrelated one. Throws TheoryError for a covariance that is not symmetric positive definite. */
export function correlatedAssetsReport(p: {
  traders: number;
  kappa: number;
  sigmaE: number;
  covariance: readonly (readonly number[])[];
}): CorrelatedAssetsReport {
  if (!(Number.isInteger(p.traders) && p.traders >= 2)) throw new TheoryError(`traders must be an integer >= 2, got ${p.traders}`);
  const { Q, variances } = decorrelate(p.covariance);
  const k = variances.length;
  const derivatives = variances.map((variance, a) => ({
    variance,
    weights: Q.map((row) => row[a]!),
    capacity: p.kappa / variance,
    fee: { c: -variance / ((p.traders - 1) * p.kappa) },
  }));
  const trace = p.covariance.reduce((s, row, a) => s + row[a]!, 0);
  let diagonal = true;
  for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) if (a !== b && p.covariance[a]![b] !== 0) diagonal = false;
  return {
    model: "correlated-assets",
    traders: p.traders,
    kappa: p.kappa,
    sigmaE: p.sigmaE,
    covariance: p.covariance,
    derivatives,
    firstBestHoldingCostPerTrader: (trace * p.sigmaE * p.sigmaE) / (2 * p.kappa * p.traders),
    revenuePerTrader: 0,
    separateAssetAuctionsIncentiveCompatible: diagonal,
  };
}

/** Sigma = sigma_pi^2 [(1 - r) I + r 1 1^T] for k assets. */
export function equicorrelated(assets: number, sigmaPi: number, correlation: number): number[][] {
  return Array.from({ length: assets }, (_, a) =>
    Array.from({ length: assets }, (_, b) => sigmaPi * sigmaPi * (a === b ? 1 : correlation)),
  );
}

import { truthfulBidder } from "@optex/agents";
import { type DemandSchedule, type FeeSchedule, linearSchedule, type MarketView, type Strategy } from "@optex/engine";
import { buildFee, type BuiltFee } from "@optex/fees";
import { decorrelate, normal, solveVirtualType } from "@optex/theory";

/**
 * Proposition 6's environment: k assets with payoff covariance Sigma (eq. (8)), endowments
 * N(0, sigma_e^2 I_k) independent across traders, N traders with holding capacity kappa, mu_pi = 0.
 */
export interface CorrelatedAssetsEnvironment {
  readonly traders: number;
  readonly kappa: number;
  readonly sigmaE: number;
  /** Payoff covariance Sigma (symmetric positive definite). */
  readonly covariance: readonly (readonly number[])[];
}

/**
 * Which securities are auctioned, one double auction each:
 * - "derivatives": Proposition 6's uncorrelated derivatives Q^T pi (Sigma = Q diag(lambda) Q^T);
 * - "assets": the correlated assets themselves, capacity kappa / Sigma_aa, ignoring the correlation.
 */
export type AuctionedSecurities = "derivatives" | "assets";

/** The registered fee modules of this model. */
export const correlatedAssetsFees = ["prop6", "prop6-none"] as const;
export type CorrelatedAssetsFee = (typeof correlatedAssetsFees)[number];

/**
 * The truthful first-best strategy over k auctions, with its linear bids declared for the batch
 * fast path: a trader of type e (asset endowments) holds h = W^T e of the auctioned securities and
 * bids q_a(p) = intercept_a(h_a) - slopes[a] p in auction a.
 */
export interface TruthfulAuctionsStrategy extends Strategy<readonly number[]> {
  readonly linearBids: {
    /** slopes[a]: every trader's slope in auction a. */
    readonly slopes: Float64Array;
    /**
     * Every trader's intercepts from the endowments of a market (trader-major: endowments[i k + b]
     * is trader i's endowment of asset b): out[a][i] for auction a, the same bits as bid().
     */
    interceptsInto(endowments: Float64Array, out: readonly Float64Array[]): void;
  };
}

/** k separate double auctions of one set of securities, with the registered fee and the truthful strategy. */
export interface AuctionDesign {
  readonly securities: AuctionedSecurities;
  readonly assets: number;
  readonly traders: number;
  readonly kappa: number;
  readonly sigmaE: number;
  /** Sigma, row-major k x k. */
  readonly sigma: Float64Array;
  /** W, row-major k x k: column a holds the asset amounts of one unit of security a (Q or I); X = W y. */
  readonly weights: Float64Array;
  /** W^T Sigma, row-major: the marginal holding cost of the securities is (W^T Sigma (e + X)) / kappa. */
  readonly weightsTSigma: Float64Array;
  /** W^T Sigma W, row-major: the securities' payoff covariance (diag(lambda) for the derivatives, to rounding). */
  readonly securitiesCovariance: Float64Array;
  /** Payoff variance of each auctioned security: lambda_a, or Sigma_aa. */
  readonly variances: readonly number[];
  /** Capacity of each auction, kappa / variance (Proposition 6). */
  readonly capacities: readonly number[];
  readonly fee: BuiltFee;
  /** The per-auction fee schedules the engine charges. */
  readonly schedules: readonly FeeSchedule[];
  readonly strategy: TruthfulAuctionsStrategy;
  /** sigma_e^2 (tr(Sigma)/k) / kappa: sigma_e^2 sigma_pi^2 / kappa with sigma_pi^2 the mean payoff variance. */
  readonly regretScale: number;
}

/** Sigma = sigma_pi^2 [(1 - r) I + r 1 1^T] for k assets. */
export function equicorrelatedCovariance(assets: number, sigmaPi: number, correlation: number): number[][] {
  return Array.from({ length: assets }, (_, a) =>
    Array.from({ length: assets }, (_, b) => sigmaPi * sigmaPi * (a === b ? 1 : correlation)),
  );
}

/**
 * Builds the auctions of `securities` with the registered fee `feeId` (buildFee's "correlated-assets"
 * case: one first-best Proposition 3 fee per auction for the auctioned variances). Throws TheoryError
 * when Sigma is not symmetric positive definite, Error for a fee of another model.
 */
export function auctionDesign(
  env: CorrelatedAssetsEnvironment,
  securities: AuctionedSecurities,
  feeId: CorrelatedAssetsFee,
): AuctionDesign {
  const k = env.covariance.length;
  // Validates Sigma (symmetric positive definite) in both designs.
  const { Q, variances: lambda } = decorrelate(env.covariance);
  const sigma = new Float64Array(k * k);
  for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) sigma[a * k + b] = env.covariance[a]![b]!;
  const weights = new Float64Array(k * k);
  for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) weights[a * k + b] = securities === "derivatives" ? Q[a]![b]! : a === b ? 1 : 0;
  const variances = securities === "derivatives" ? [...lambda] : Array.from({ length: k }, (_, a) => sigma[a * k + a]!);
  const capacities = variances.map((v) => env.kappa / v);
  const weightsTSigma = new Float64Array(k * k);
  for (let a = 0; a < k; a++)
    for (let b = 0; b < k; b++) {
      let s = 0;
      for (let c = 0; c < k; c++) s += weights[c * k + a]! * sigma[c * k + b]!;
      weightsTSigma[a * k + b] = s;
    }
  const securitiesCovariance = new Float64Array(k * k);
  for (let a = 0; a < k; a++)
    for (let b = 0; b < k; b++) {
      let s = 0;
      for (let c = 0; c < k; c++) s += weightsTSigma[a * k + c]! * weights[c * k + b]!;
      securitiesCovariance[a * k + b] = s;
    }
  // Holdings of every security are N(0, sigma_e^2): W is orthogonal and e ~ N(0, sigma_e^2 I).
  const fee = buildFee(feeId, { model: "correlated-assets", traders: env.traders, kappa: env.kappa, sigmaE: env.sigmaE, variances });
  if (fee.fee.kind !== "per-asset") throw new Error(`fee "${feeId}" is not a per-auction fee`);
  let trace = 0;
  for (let a = 0; a < k; a++) trace += sigma[a * k + a]!;
  return {
    securities,
    assets: k,
    traders: env.traders,
    kappa: env.kappa,
    sigmaE: env.sigmaE,
    sigma,
    weights,
    weightsTSigma,
    securitiesCovariance,
    variances,
    capacities,
    fee,
    schedules: fee.fee.schedules,
    strategy: truthfulAuctionsStrategy(weights, capacities, env.sigmaE),
    regretScale: (env.sigmaE ** 2 * trace) / (k * env.kappa),
  };
}

/**
 * Truthful first-best bids (Proposition 3 at alpha = 0, mu_pi = 0) in every auction: the agents'
 * truthfulBidder with capacity kappa_a on the trader's holding h_a = (W^T e)_a of security a.
 */
function truthfulAuctionsStrategy(weights: Float64Array, capacities: readonly number[], sigmaE: number): TruthfulAuctionsStrategy {
  const k = capacities.length;
  const vt = solveVirtualType(normal(0, sigmaE), 0);
  const bidders = capacities.map((capacity) => truthfulBidder(vt, capacity, 0));
  const slopes = Float64Array.from(bidders, (b) => b.slope);
  const interceptOf = (e: ArrayLike<number>, offset: number, a: number) => {
    let h = 0;
    for (let b = 0; b < k; b++) h += weights[b * k + a]! * e[offset + b]!;
    return bidders[a]!.intercept(h);
  };
  return {
    id: bidders[0]!.id,
    linearBids: {
      slopes,
      interceptsInto: (endowments, out) => {
        const n = endowments.length / k;
        for (let a = 0; a < k; a++) {
          const column = out[a]!;
          for (let i = 0; i < n; i++) column[i] = interceptOf(endowments, i * k, a);
        }
      },
    },
    bid: (e: readonly number[], market: MarketView): readonly DemandSchedule[] => {
      if (e.length !== k || market.assets !== k)
        throw new RangeError(`a trader of ${e.length} assets cannot bid in ${market.assets} auctions of ${k} securities`);
      return Array.from({ length: k }, (_, a) => linearSchedule(interceptOf(e, 0, a), slopes[a]!));
    },
  };
}

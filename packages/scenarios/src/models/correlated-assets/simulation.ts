import { clearLinearBook, createLinearBook, type LinearBook, type MarketSettlement, runMarket } from "@optex/engine";
import { compensatedSum } from "@optex/numerics";
import { basicEnvironment, normal, optimalMechanismOutcome, solveVirtualType, TheoryError } from "@optex/theory";
import { correlatedAssetsReport } from "./report.ts";
import { REGRET_TOLERANCE } from "../../ic/laws.ts";
import { InputError } from "../../inputError.ts";
import type { BlockDiagnostics, MarketSimulation, QuantitySpec } from "../../montecarlo/marketSimulation.ts";
import {
  type AuctionDesign,
  type AuctionedSecurities,
  auctionDesign,
  type CorrelatedAssetsFee,
  equicorrelatedCovariance,
} from "./auctions.ts";
import { factorHessian, gradientInto, jointRegretScratch, newtonGain, residualSuppliesInto } from "./jointRegret.ts";

/**
 * Proposition 6's environment, as `optex theory --model correlated-assets` takes it: the payoff
 * covariance, or an equicorrelated one from assets, sigmaPi and assetCorrelation.
 */
export interface CorrelatedAssetsSimulationParams {
  readonly traders: number;
  readonly kappa: number;
  /** sd of each asset endowment: e_i ~ N(0, sigma_e^2 I_k). */
  readonly sigmaE: number;
  /** Payoff covariance Sigma (k x k, symmetric positive definite); when absent, equicorrelated. */
  readonly covariance?: readonly (readonly number[])[];
  readonly assets?: number;
  readonly sigmaPi?: number;
  /** Common correlation r of the assets' payoffs: Sigma = sigma_pi^2 [(1 - r) I + r 1 1^T]. */
  readonly assetCorrelation?: number;
}

/**
 * "derivatives": Proposition 6, one auction per uncorrelated derivative Q^T pi;
 * "asset-auctions": one auction per original asset, capacity kappa / Sigma_aa, each with its first-best fee.
 */
export const correlatedAssetsMechanisms = ["derivatives", "asset-auctions"] as const;
export type CorrelatedAssetsMechanism = (typeof correlatedAssetsMechanisms)[number];

export interface CorrelatedAssetsSimulationOptions {
  /** Registered fee every auction charges: "prop6" (default), or the negative control "prop6-none". */
  readonly fee?: CorrelatedAssetsFee;
  /**
   * "linear-books" (default): the strategy's declared linear bids fill one LinearBook per auction,
   * cleared in closed form, fees charged by feesInto; "engine": every trader's schedules go through
   * engine.runMarket (clear and settleMarket). Both give the same bits.
   */
  readonly path?: "linear-books" | "engine";
}

/** Largest number of assets simulated (each trader's joint regret costs k^3). */
export const MAX_SIMULATED_ASSETS = 50;

const QUANTITIES: readonly QuantitySpec[] = [
  { key: "holdingCostPerTrader", label: "holding cost per trader after trade, (e + X)' Sigma (e + X) / (2 kappa)" },
  { key: "revenuePerTrader", label: "revenue per trader (prices times trades plus fees, all auctions)" },
  { key: "utilityGainPerTrader", label: "utility gain per trader over autarky" },
  { key: "jointRegretPerTrader", label: "joint-deviation regret per trader, in sigma_e^2 sigma_pi^2 / kappa (sigma_pi^2 = tr(Sigma) / k)" },
  { key: "allocationErrorPerMarket", label: "distance from the efficient allocation per market, max |e + X - mean e| / sigma_e" },
];

/** The payoff covariance of the parameters, validated. Throws InputError (one line). */
export function correlatedAssetsCovariance(p: CorrelatedAssetsSimulationParams): number[][] {
  if (!(Number.isInteger(p.traders) && p.traders >= 2)) throw new InputError(`traders must be an integer >= 2, got ${p.traders}`);
  for (const [name, x] of [
    ["kappa", p.kappa],
    ["sigma-e", p.sigmaE],
  ] as const) {
    if (!(x > 0 && Number.isFinite(x))) throw new InputError(`${name} must be a finite number > 0, got ${x}`);
  }
  let covariance: number[][];
  if (p.covariance) covariance = p.covariance.map((row) => [...row]);
  else {
    const { assets: k, sigmaPi, assetCorrelation: r } = p;
    if (k === undefined || sigmaPi === undefined || r === undefined)
      throw new InputError("correlated assets need a covariance, or assets, sigma-pi and asset-correlation");
    if (!(Number.isInteger(k) && k >= 1)) throw new InputError(`assets must be an integer >= 1, got ${k}`);
    if (!(sigmaPi > 0 && Number.isFinite(sigmaPi))) throw new InputError(`sigma-pi must be a finite number > 0, got ${sigmaPi}`);
    const lo = k > 1 ? -1 / (k - 1) : -1;
    if (!(r > lo && r < 1))
      throw new InputError(`asset-correlation must be in (${lo}, 1) for ${k} assets (positive-definite covariance), got ${r}`);
    covariance = equicorrelatedCovariance(k, sigmaPi, r);
  }
  if (covariance.length > MAX_SIMULATED_ASSETS)
    throw new InputError(`simulations of correlated assets take at most ${MAX_SIMULATED_ASSETS} assets, got ${covariance.length}`);
  return covariance;
}

/**
 * Proposition 6's markets (all of `correlatedAssetsMechanisms` when `mechanisms` is omitted): every
 * trader draws e_i ~ N(0, sigma_e^2 I_k), bids truthfully (first best) in every auction through
 * the engine's Strategy interface, each auction clears on its own and the registered fee charges.
 * Theory: both designs allocate efficiently (everybody holds the average endowment), so the holding
 * cost is the first best tr(Sigma) sigma_e^2 / (2 kappa N) (correlatedAssetsReport); revenue and
 * utility gain are those of Theorem 1's first best (alpha = 0) in each auction with its capacity,
 * summed (the report's 0 for the derivatives' revenue); the derivatives' joint regret is 0
 * (utility separates across uncorrelated derivatives), the asset auctions' has no theory.
 * Throws InputError for bad parameters or an unknown mechanism (one line).
 */
export function correlatedAssetsSimulations(
  params: CorrelatedAssetsSimulationParams,
  mechanisms?: readonly string[],
  options: CorrelatedAssetsSimulationOptions = {},
): MarketSimulation[] {
  const covariance = correlatedAssetsCovariance(params);
  const ids = mechanisms ?? correlatedAssetsMechanisms;
  for (const id of ids) {
    if (!(correlatedAssetsMechanisms as readonly string[]).includes(id))
      throw new InputError(`mechanism "${id}" is not one of correlated-assets': ${correlatedAssetsMechanisms.join(", ")}`);
  }
  const env = { traders: params.traders, kappa: params.kappa, sigmaE: params.sigmaE, covariance };
  let report: ReturnType<typeof correlatedAssetsReport>;
  try {
    report = correlatedAssetsReport(env);
  } catch (error) {
    if (error instanceof TheoryError) throw new InputError(error.message);
    throw error;
  }
  const feeId = options.fee ?? "prop6";
  const path = options.path ?? "linear-books";
  const law = normal(0, params.sigmaE);
  const vt = solveVirtualType(law, 0);
  return ids.map((id) => {
    const mechanism = id as CorrelatedAssetsMechanism;
    const securities: AuctionedSecurities = mechanism === "derivatives" ? "derivatives" : "assets";
    const design = auctionDesign(env, securities, feeId);
    // Each auction is a basic market with capacity kappa / variance; holdings N(0, sigma_e^2) in every one.
    const perAuction = design.capacities.map((capacity) =>
      optimalMechanismOutcome(basicEnvironment({ dist: law, kappa: capacity, traders: params.traders }), vt),
    );
    const theory: Record<string, number> = {
      holdingCostPerTrader: report.firstBestHoldingCostPerTrader,
      revenuePerTrader: mechanism === "derivatives" ? report.revenuePerTrader : perAuction.reduce((s, o) => s + o.revenuePerTrader, 0),
      // Endowments are independent across assets, so the cross terms of Sigma add nothing in expectation.
      utilityGainPerTrader: perAuction.reduce((s, o) => s + o.utilityGainPerTrader, 0),
    };
    if (mechanism === "derivatives") theory.jointRegretPerTrader = 0;
    // Payoff quantities: a few roundings of N k terms of size (4 sigma_e)^2 lambda_a / kappa per market.
    const payoffRounding = 64 * Number.EPSILON * params.traders * design.regretScale * design.assets;
    return {
      mechanism,
      fee: feeId,
      strategy: design.strategy.id,
      note:
        mechanism === "derivatives"
          ? "Proposition 6: one double auction per uncorrelated derivative Q' pi (capacity kappa / lambda_a, first-best fee), holdings Q' e"
          : "one double auction per correlated asset (capacity kappa / Sigma_aa, first-best fee): efficient, but joint deviations pay",
      quantities: QUANTITIES,
      theory,
      rounding: {
        holdingCostPerTrader: payoffRounding,
        revenuePerTrader: payoffRounding,
        utilityGainPerTrader: payoffRounding,
        // 0 in theory, ~1e-30 after rounding: the IC oracle's tolerance.
        jointRegretPerTrader: REGRET_TOLERANCE,
      },
      runMarkets: marketRunner(design, path),
    };
  });
}

/** Per-market buffers of one design. */
interface Buffers {
  /** Endowments, trader-major (i k + b). */
  readonly endowments: Float64Array;
  readonly books: LinearBook[];
  /** The books' intercept and slope arrays, by auction. */
  readonly intercepts: Float64Array[];
  readonly slopes: Float64Array[];
  /** trades[a][i], fees[a][i]. */
  readonly trades: Float64Array[];
  readonly fees: Float64Array[];
  readonly prices: Float64Array;
  readonly cleared: boolean[];
  readonly transfers: Float64Array;
  /** Trader-major trades for the regret (i k + a). */
  readonly tradesByTrader: Float64Array;
  readonly interceptSums: Float64Array;
  readonly slopeSums: Float64Array;
  readonly average: Float64Array;
}

function marketRunner(design: AuctionDesign, path: "linear-books" | "engine"): MarketSimulation["runMarkets"] {
  const N = design.traders;
  const k = design.assets;
  const law = normal(0, design.sigmaE);
  const books = Array.from({ length: k }, (_, a) => {
    const book = createLinearBook(N);
    book.slopes.fill(design.strategy.linearBids.slopes[a]!);
    return book;
  });
  const b: Buffers = {
    endowments: new Float64Array(N * k),
    books,
    intercepts: books.map((book) => book.intercepts),
    slopes: books.map((book) => book.slopes),
    trades: Array.from({ length: k }, () => new Float64Array(N)),
    fees: Array.from({ length: k }, () => new Float64Array(N)),
    prices: new Float64Array(k),
    cleared: new Array<boolean>(k).fill(false),
    transfers: new Float64Array(N),
    tradesByTrader: new Float64Array(N * k),
    interceptSums: new Float64Array(k),
    slopeSums: new Float64Array(k),
    average: new Float64Array(k),
  };
  const measure = measurer(design, b);
  return (rng, count, out): BlockDiagnostics => {
    let noTradeMarkets = 0;
    let worstImbalance = 0;
    for (let m = 0; m < count; m++) {
      law.sampleInto(rng, b.endowments);
      let revenue: number;
      if (path === "linear-books") revenue = linearBooksMarket(design, b);
      else revenue = engineMarket(design, b);
      if (!b.cleared.every((c) => c)) noTradeMarkets++;
      for (let a = 0; a < k; a++) {
        const q = b.trades[a]!;
        let sum = 0;
        let abs = 0;
        for (let i = 0; i < N; i++) {
          sum += q[i]!;
          abs += Math.abs(q[i]!);
        }
        worstImbalance = Math.max(worstImbalance, Math.abs(sum) / (1 + abs));
      }
      measure(revenue, out, m);
    }
    return { noTradeMarkets, worstImbalance };
  };
}

/**
 * The declared fast path: the strategy's linear bids fill one LinearBook per auction, each clears
 * in closed form (the engine's own clearLinearBook), the fee charges by feesInto, and transfers add
 * up asset by asset as settleMarket adds them. Returns the revenue.
 */
function linearBooksMarket(design: AuctionDesign, b: Buffers): number {
  const N = design.traders;
  const k = design.assets;
  design.strategy.linearBids.interceptsInto(b.endowments, b.intercepts);
  b.transfers.fill(0);
  for (let a = 0; a < k; a++) {
    const q = b.trades[a]!;
    const price = clearLinearBook(b.books[a]!, q);
    b.cleared[a] = price === price;
    b.prices[a] = price;
    if (!b.cleared[a]) continue; // no unique price: no trade, no transfer (zeros written)
    const f = b.fees[a]!;
    const schedule = design.schedules[a]!;
    if (schedule.feesInto) schedule.feesInto(q, price, f);
    else for (let i = 0; i < N; i++) f[i] = schedule.fee(i, q[i]!, price);
    for (let i = 0; i < N; i++) b.transfers[i] += price * q[i]! + f[i]!;
  }
  return compensatedSum(b.transfers);
}

/** The general path: every trader's Strategy bids schedules, engine.runMarket clears and settles. Returns the revenue. */
function engineMarket(design: AuctionDesign, b: Buffers): number {
  const N = design.traders;
  const k = design.assets;
  const types = Array.from({ length: N }, (_, i) => Array.from(b.endowments.subarray(i * k, (i + 1) * k)));
  const s: MarketSettlement = runMarket(types, design.strategy, design.fee.fee, k);
  // The residual supplies for the regret: the bids as submitted.
  for (let i = 0; i < N; i++) {
    const bids = design.strategy.bid(types[i]!, { trader: i, traders: N, assets: k, round: 0 });
    for (let a = 0; a < k; a++) {
      const bid = bids[a]!;
      if (bid.kind !== "linear") throw new Error("the joint regret needs linear bids");
      b.books[a]!.intercepts[i] = bid.intercept;
      b.books[a]!.slopes[i] = bid.slope;
    }
  }
  for (let a = 0; a < k; a++) {
    b.cleared[a] = s.cleared[a]!;
    b.prices[a] = s.prices[a]!;
    for (let i = 0; i < N; i++) b.trades[a]![i] = s.trades[i]![a]!;
  }
  b.transfers.set(s.transfers);
  return s.revenue;
}

/** Writes market m's quantities (in QUANTITIES' order) from the settled buffers. */
function measurer(design: AuctionDesign, b: Buffers) {
  const N = design.traders;
  const k = design.assets;
  const { sigma, weights: W } = design;
  const invTwoKappa = 1 / (2 * design.kappa);
  const supply = { p0: new Float64Array(k), L: new Float64Array(k) };
  const scratch = jointRegretScratch(k);
  const x = new Float64Array(k);
  const quadratic = (v: Float64Array | ArrayLike<number>, offset: number) => {
    let s = 0;
    for (let a = 0; a < k; a++) {
      let row = 0;
      for (let c = 0; c < k; c++) row += sigma[a * k + c]! * v[offset + c]!;
      s += v[offset + a]! * row;
    }
    return s;
  };
  const { intercepts, slopes } = b;
  return (revenue: number, out: readonly Float64Array[], m: number) => {
    const e = b.endowments;
    b.average.fill(0);
    for (let i = 0; i < N; i++) for (let a = 0; a < k; a++) b.average[a] += e[i * k + a]!;
    for (let a = 0; a < k; a++) b.average[a] /= N;
    let holding = 0;
    let gain = 0;
    let allocationError = 0;
    for (let i = 0; i < N; i++) {
      // Asset holdings after trade: x = e_i + W y_i.
      for (let a = 0; a < k; a++) {
        let s = e[i * k + a]!;
        for (let c = 0; c < k; c++) s += W[a * k + c]! * b.trades[c]![i]!;
        x[a] = s;
        allocationError = Math.max(allocationError, Math.abs(s - b.average[a]!));
      }
      const after = quadratic(x, 0) * invTwoKappa;
      holding += after;
      gain += -b.transfers[i]! - (after - quadratic(e, i * k) * invTwoKappa);
    }
    let regret = 0;
    if (b.cleared.every((c) => c)) {
      for (let a = 0; a < k; a++) {
        let si = 0;
        let ss = 0;
        for (let i = 0; i < N; i++) {
          si += intercepts[a]![i]!;
          ss += slopes[a]![i]!;
          b.tradesByTrader[i * k + a] = b.trades[a]![i]!;
        }
        b.interceptSums[a] = si;
        b.slopeSums[a] = ss;
      }
      // One Hessian per market: every trader bids the auction's slope (so faces the same residual
      // slopes) and the fee is quadratic along the residual supply (the same curvature everywhere).
      residualSuppliesInto(intercepts, slopes, b.interceptSums, b.slopeSums, 0, supply);
      if (!factorHessian(design, 0, b.tradesByTrader, 0, supply, scratch)) regret = Number.POSITIVE_INFINITY;
      else
        for (let i = 0; i < N; i++) {
          residualSuppliesInto(intercepts, slopes, b.interceptSums, b.slopeSums, i, supply);
          gradientInto(design, i, e, i * k, b.tradesByTrader, i * k, supply, scratch);
          regret += newtonGain(k, scratch) / design.regretScale;
        }
    }
    out[0]![m] = holding / N;
    out[1]![m] = revenue / N;
    out[2]![m] = gain / N;
    out[3]![m] = regret / N;
    out[4]![m] = allocationError / design.sigmaE;
  };
}

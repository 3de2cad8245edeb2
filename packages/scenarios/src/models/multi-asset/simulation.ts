import { radialBidder, type RadialBidder, truthfulBidder } from "@optex/agents";
import {
  BALANCE_RELATIVE,
  clearLinearBook,
  type CrossExchangeFee,
  createLinearBook,
  type FeeSchedule,
  linearSchedule,
  type MarketFee,
  perAssetFee,
  runMarket,
  type Strategy,
} from "@optex/engine";
import { buildFee } from "@optex/fees";
import { compensatedSum } from "@optex/numerics";
import { basicEnvironment, type MultiAssetEnvironment, normal, optimalMechanismOutcome, solveVirtualType } from "@optex/theory";
import { InputError } from "../../inputError.ts";
import type { BlockDiagnostics, MarketSimulation, QuantitySpec } from "../../montecarlo/marketSimulation.ts";
import { multiAssetReport } from "./report.ts";
import { radialVirtualType } from "./radialVirtualType.ts";
import { MAX_VOLUME_ASSETS, radialTradeVolume } from "./tradeVolume.ts";

/** Section 6 under Condition 3: the parameters of `optex theory --model multi-asset`, and the means. */
export interface MultiAssetSimulationParams {
  /** Number of assets k. */
  readonly assets: number;
  readonly traders: number;
  readonly kappa: number;
  /** Endowments e_i ~ N(mu_e, sigma_e^2 I_k). */
  readonly sigmaE: number;
  /** Payoffs with covariance sigma_pi^2 I_k. */
  readonly sigmaPi: number;
  readonly alpha: number;
  /** Mean endowment of every asset (default 0). */
  readonly muE?: number;
  /** Mean payoff of every asset (default 0). */
  readonly muPi?: number;
}

export const multiAssetMechanisms = ["optimal", "separate-auctions"] as const;
export type MultiAssetMechanismId = (typeof multiAssetMechanisms)[number];

/** Which implementation of the market runs: the declared batch fast path, or schedules -> clear -> settle (runMarket). */
export type MultiAssetMarketPath = "fast" | "general";

/** The registered multi-asset fees "optimal" may charge: Proposition 8's, or a negative control. */
export type MultiAssetOptimalFee = "prop8" | "prop8-printed" | "prop8-none";

export interface MultiAssetSimulationOptions {
  /** "fast" (default): one LinearBook per asset from the bidders' declared batch intercepts; "general": runMarket. */
  readonly path?: MultiAssetMarketPath;
  /** The registered fee "optimal" charges (default prop8); the controls keep Proposition 7's theory, which they must fail. */
  readonly optimalFee?: MultiAssetOptimalFee;
}

/** Every quantity is an average over a market's traders of a sum over the k assets. */
export const multiAssetQuantities: readonly QuantitySpec[] = [
  { key: "revenuePerTrader", label: "revenue per trader (summed over assets)" },
  { key: "holdingCostPerTrader", label: "holding cost per trader (summed over assets, sigma_pi^2 |e - mu_e + X|^2 / (2 kappa))" },
  { key: "utilityGainPerTrader", label: "utility gain per trader (summed over assets)" },
  { key: "tradeVolumePerTrader", label: "trade volume per trader (sum over assets of |X_ia|)" },
  { key: "objectivePerTrader", label: "designer's objective per trader, alpha revenue - (1 - alpha) holding cost (summed over assets)" },
];

/**
 * The multi-asset model's mechanisms as markets (all of them when `mechanisms` is omitted):
 * - "optimal": Proposition 8's cross-exchange fee (registry id prop8) with truthful radial bids,
 *   against Proposition 7's radial mechanism (multiAssetReport) and the derived trade volume;
 * - "separate-auctions": each asset in its own auction with the one-asset Proposition 3 fee at the
 *   same alpha, built for N(mu_e, sigma_e^2) with capacity kappa / sigma_pi^2 (registry id prop3),
 *   and truthful one-asset virtual-type bids, against k times Theorem 1's per-trader quantities.
 * Proposition 7's mechanism maximises the designer's objective among mechanisms for the k assets,
 * so its objective is at least the separate auctions' (equal at k = 1, where both are Theorem 1).
 * Throws InputError for a mechanism that is not one of multiAssetMechanisms, TheoryError for bad parameters.
 */
export function multiAssetSimulations(
  params: MultiAssetSimulationParams,
  mechanisms?: readonly string[],
  options: MultiAssetSimulationOptions = {},
): MarketSimulation[] {
  const asked = mechanisms ?? multiAssetMechanisms;
  for (const m of asked) {
    if (!(multiAssetMechanisms as readonly string[]).includes(m))
      throw new InputError(`mechanism "${m}" is not one of model multi-asset's: ${multiAssetMechanisms.join(", ")}`);
  }
  return asked.map((m) => (m === "optimal" ? optimalSimulation(params, options) : separateAuctionsSimulation(params, options)));
}

function environmentOf(p: MultiAssetSimulationParams): MultiAssetEnvironment {
  return { assets: p.assets, traders: p.traders, kappa: p.kappa, sigmaE: p.sigmaE, sigmaPi: p.sigmaPi, alpha: p.alpha };
}

const objective = (alpha: number, revenue: number, holdingCost: number) => alpha * revenue - (1 - alpha) * holdingCost;

/** Proposition 8's fee (or a control) on truthful radial bids, against Proposition 7. */
function optimalSimulation(p: MultiAssetSimulationParams, options: MultiAssetSimulationOptions): MarketSimulation {
  const k = p.assets;
  const muE = new Array<number>(k).fill(p.muE ?? 0);
  const muPi = new Array<number>(k).fill(p.muPi ?? 0);
  const env = environmentOf(p);
  const feeId = options.optimalFee ?? "prop8";
  const built = buildFee(feeId, { model: "multi-asset", env: { ...env, muE, muPi } });
  if (built.fee.kind !== "cross-exchange") throw new Error(`fee "${feeId}" is not a cross-exchange fee`);
  const fee = built.fee.fee;
  // The bidder is written from Proposition 7's v alone (closed-form hazard), not from the fee module.
  const bidder = radialBidder(radialVirtualType(env), { kappa: p.kappa, sigmaPi: p.sigmaPi, muE, muPi });
  const report = multiAssetReport(env);
  const theory: Record<string, number> = {
    revenuePerTrader: report.revenuePerTrader,
    holdingCostPerTrader: report.holdingCostPerTrader,
    utilityGainPerTrader: report.utilityGainPerTrader,
    objectivePerTrader: objective(p.alpha, report.revenuePerTrader, report.holdingCostPerTrader),
  };
  if (k <= MAX_VOLUME_ASSETS) theory.tradeVolumePerTrader = radialTradeVolume(env);
  const run = options.path === "general" ? generalMarkets(p, bidder, built.fee) : radialFastMarkets(p, bidder, fee);
  return {
    mechanism: "optimal",
    fee: feeId,
    strategy: bidder.id,
    note:
      k <= MAX_VOLUME_ASSETS
        ? "trade volume's theory is derived (characteristic function of Proposition 7's allocation), not the paper's"
        : `trade volume has no theory beyond ${MAX_VOLUME_ASSETS} assets`,
    quantities: multiAssetQuantities,
    theory,
    runMarkets: run,
  };
}

/** One Proposition 3 auction per asset, against k times Theorem 1 for N(mu_e, sigma_e^2) with capacity kappa / sigma_pi^2. */
function separateAuctionsSimulation(p: MultiAssetSimulationParams, options: MultiAssetSimulationOptions): MarketSimulation {
  const k = p.assets;
  const muE = p.muE ?? 0;
  // Utility -(sigma_pi^2 / (2 kappa)) (e + q)^2 per asset is the basic model's with capacity kappa / sigma_pi^2.
  const capacity = p.kappa / (p.sigmaPi * p.sigmaPi);
  const env = basicEnvironment({ dist: normal(muE, p.sigmaE), kappa: capacity, traders: p.traders, muPi: p.muPi ?? 0 });
  const vt = solveVirtualType(env.dist, p.alpha);
  const built = buildFee("prop3", { model: "basic", env, alpha: p.alpha, vt });
  const schedule = built.schedule!;
  const one = truthfulBidder(vt, capacity, env.muPi);
  const strategy = separateBidder(one, k);
  const outcome = optimalMechanismOutcome(env, vt);
  // Theorem 1's holding cost is a level, E[(e + X)^2]/(2 kappa); about mu_e it is lower by mu_e^2/(2 kappa) (E[X] = 0).
  const holding = outcome.holdingCostPerTrader - (muE * muE) / (2 * capacity);
  const theory: Record<string, number> = {
    revenuePerTrader: k * outcome.revenuePerTrader,
    holdingCostPerTrader: k * holding,
    utilityGainPerTrader: k * outcome.utilityGainPerTrader,
    tradeVolumePerTrader: k * outcome.tradeVolumePerTrader,
    objectivePerTrader: k * objective(p.alpha, outcome.revenuePerTrader, holding),
  };
  const run = options.path === "general" ? generalMarkets(p, strategy, perAssetFee(schedule, k)) : separateFastMarkets(p, one, schedule);
  return {
    mechanism: "separate-auctions",
    fee: built.info.id,
    strategy: strategy.id,
    note: "each asset in its own auction with the one-asset Proposition 3 fee (capacity kappa / sigma_pi^2)",
    quantities: multiAssetQuantities,
    theory,
    runMarkets: run,
  };
}

/** The one-asset truthful bidder in each of k auctions, as one strategy over the endowment vector. */
function separateBidder(one: ReturnType<typeof truthfulBidder>, k: number): Strategy<readonly number[]> {
  return {
    id: `${one.id} per asset`,
    bid: (e) => {
      if (e.length !== k) throw new RangeError(`endowment must have ${k} entries (one per asset), got ${e.length}`);
      return e.map((ea) => linearSchedule(one.intercept(ea), one.slope));
    },
  };
}

/**
 * Per-market samples from the settled market, shared by both paths: endowments and trades
 * row-major (trader i's asset a at i k + a), transfers per trader, the engine's revenue.
 */
class MarketRecorder {
  noTradeMarkets = 0;
  worstImbalance = 0;
  private readonly half: number;
  private readonly net: Float64Array;
  private readonly scale: Float64Array;
  constructor(private readonly p: MultiAssetSimulationParams) {
    this.half = (p.sigmaPi * p.sigmaPi) / (2 * p.kappa);
    this.net = new Float64Array(p.assets);
    this.scale = new Float64Array(p.assets);
  }
  record(
    endowments: Float64Array,
    trades: Float64Array,
    transfers: Float64Array,
    revenue: number,
    cleared: boolean,
    out: readonly Float64Array[],
    m: number,
  ): void {
    const { traders: N, assets: k, alpha } = this.p;
    const muE = this.p.muE ?? 0;
    const muPi = this.p.muPi ?? 0;
    const half = this.half;
    if (!cleared) this.noTradeMarkets++;
    this.net.fill(0);
    this.scale.fill(0);
    let holding = 0;
    let gain = 0;
    let volume = 0;
    for (let i = 0; i < N; i++) {
      let bought = 0;
      let cost = 0;
      for (let a = 0; a < k; a++) {
        const e = endowments[i * k + a]!;
        const q = trades[i * k + a]!;
        const x = e - muE + q;
        holding += half * x * x;
        bought += q;
        // Holding cost change (sigma_pi^2 / (2 kappa)) ((e + q)^2 - e^2).
        cost += half * q * (2 * e + q);
        volume += Math.abs(q);
        this.net[a] += q;
        this.scale[a] += Math.abs(q);
      }
      // Utility gain in expectation over the payoffs: mu_pi . q - T - holding cost change.
      gain += muPi * bought - transfers[i]! - cost;
    }
    for (let a = 0; a < k; a++) this.worstImbalance = Math.max(this.worstImbalance, Math.abs(this.net[a]!) / (1 + this.scale[a]!));
    out[0]![m] = revenue / N;
    out[1]![m] = holding / N;
    out[2]![m] = gain / N;
    out[3]![m] = volume / N;
    out[4]![m] = objective(alpha, revenue / N, holding / N);
  }
  diagnostics(): BlockDiagnostics {
    const d = { noTradeMarkets: this.noTradeMarkets, worstImbalance: this.worstImbalance };
    this.noTradeMarkets = 0;
    this.worstImbalance = 0;
    return d;
  }
}

/** Endowment vectors drawn trader by trader, asset by asset, in the same order on both paths. */
function drawEndowments(p: MultiAssetSimulationParams) {
  const law = normal(p.muE ?? 0, p.sigmaE);
  return (rng: () => number, out: Float64Array) => law.sampleInto(rng, out);
}

/** The general path: every trader bids through its Strategy, the engine clears each asset and charges the fee. */
function generalMarkets(
  p: MultiAssetSimulationParams,
  strategy: Strategy<readonly number[]>,
  fee: MarketFee,
): MarketSimulation["runMarkets"] {
  const { traders: N, assets: k } = p;
  const draw = drawEndowments(p);
  const endowments = new Float64Array(N * k);
  const trades = new Float64Array(N * k);
  const recorder = new MarketRecorder(p);
  return (rng, count, out) => {
    for (let m = 0; m < count; m++) {
      draw(rng, endowments);
      const types = Array.from({ length: N }, (_, i) => Array.from(endowments.subarray(i * k, (i + 1) * k)));
      const s = runMarket(types, strategy, fee, k);
      for (let i = 0; i < N; i++) trades.set(s.trades[i]!, i * k);
      recorder.record(endowments, trades, s.transfers, s.revenue, s.status === "cleared", out, m);
    }
    return recorder.diagnostics();
  };
}

/**
 * The fast path of "optimal": the radial bidder's declared batch intercepts fill one LinearBook per
 * asset (common slope), each clears in closed form (clearLinearBook, as clear() does for linear
 * schedules), and the cross-exchange fee is charged as settleMarket charges it.
 */
function radialFastMarkets(p: MultiAssetSimulationParams, bidder: RadialBidder, fee: CrossExchangeFee): MarketSimulation["runMarkets"] {
  const { traders: N, assets: k } = p;
  const draw = drawEndowments(p);
  const endowments = new Float64Array(N * k);
  const intercepts = new Float64Array(N * k);
  const trades = new Float64Array(N * k);
  const transfers = new Float64Array(N);
  const book = createLinearBook(N);
  book.slopes.fill(bidder.slope);
  const quantities = new Float64Array(N);
  const prices = new Array<number>(k).fill(0);
  const q = new Array<number>(k).fill(0);
  const recorder = new MarketRecorder(p);
  return (rng, count, out) => {
    for (let m = 0; m < count; m++) {
      draw(rng, endowments);
      bidder.interceptsInto(endowments, intercepts);
      let cleared = true;
      for (let a = 0; a < k && cleared; a++) {
        for (let i = 0; i < N; i++) book.intercepts[i] = intercepts[i * k + a]!;
        const price = clearLinearBook(book, quantities);
        cleared = Number.isFinite(price) && balanced(quantities);
        prices[a] = price;
        for (let i = 0; i < N; i++) trades[i * k + a] = quantities[i]!;
      }
      if (!cleared) {
        // The cross-exchange fee settles every asset or none: no trade, no transfer.
        trades.fill(0);
        transfers.fill(0);
        recorder.record(endowments, trades, transfers, 0, false, out, m);
        continue;
      }
      for (let i = 0; i < N; i++) {
        for (let a = 0; a < k; a++) q[a] = trades[i * k + a]!;
        let cash = fee.feeOf(q, prices, i);
        for (let a = 0; a < k; a++) cash += prices[a]! * q[a]!;
        transfers[i] = cash;
      }
      recorder.record(endowments, trades, transfers, compensatedSum(transfers), true, out, m);
    }
    return recorder.diagnostics();
  };
}

/**
 * The fast path of "separate-auctions": per asset, the one-asset bidder's batch intercepts fill a
 * LinearBook, it clears, and the asset's fee is charged by its batch method (feesInto) or per
 * trader; an asset without a unique price does not trade (the others do), as in settleMarket.
 */
function separateFastMarkets(
  p: MultiAssetSimulationParams,
  one: ReturnType<typeof truthfulBidder>,
  schedule: FeeSchedule,
): MarketSimulation["runMarkets"] {
  const { traders: N, assets: k } = p;
  const draw = drawEndowments(p);
  const endowments = new Float64Array(N * k);
  const column = new Float64Array(N);
  const trades = new Float64Array(N * k);
  const transfers = new Float64Array(N);
  const book = createLinearBook(N);
  book.slopes.fill(one.slope);
  const quantities = new Float64Array(N);
  const fees = new Float64Array(N);
  const recorder = new MarketRecorder(p);
  return (rng, count, out) => {
    for (let m = 0; m < count; m++) {
      draw(rng, endowments);
      transfers.fill(0);
      let cleared = true;
      for (let a = 0; a < k; a++) {
        for (let i = 0; i < N; i++) column[i] = endowments[i * k + a]!;
        one.interceptsInto(column, book.intercepts);
        const price = clearLinearBook(book, quantities);
        if (!(Number.isFinite(price) && balanced(quantities))) {
          cleared = false;
          for (let i = 0; i < N; i++) trades[i * k + a] = 0;
          continue;
        }
        if (schedule.feesInto) schedule.feesInto(quantities, price, fees);
        else for (let i = 0; i < N; i++) fees[i] = schedule.fee(i, quantities[i]!, price);
        for (let i = 0; i < N; i++) {
          const qi = quantities[i]!;
          trades[i * k + a] = qi;
          transfers[i] += price * qi + fees[i]!;
        }
      }
      recorder.record(endowments, trades, transfers, compensatedSum(transfers), cleared, out, m);
    }
    return recorder.diagnostics();
  };
}

/** The engine's exchange-property check (settleMarket): |sum q| <= BALANCE_RELATIVE (1 + sum |q|). */
function balanced(quantities: Float64Array): boolean {
  let net = 0;
  let scale = 0;
  for (let i = 0; i < quantities.length; i++) {
    net += quantities[i]!;
    scale += Math.abs(quantities[i]!);
  }
  return Math.abs(net) <= BALANCE_RELATIVE * (1 + scale);
}

import {
  clearLinearBook,
  createLinearBook,
  type LinearBatch,
  type LinearBook,
  linearSchedule,
  type MarketSettlement,
  type RepeatedMarket,
  runRounds,
  type Strategy,
} from "@optex/engine";
import { type BuiltFee, buildFee } from "@optex/fees";
import { compensatedSum } from "@optex/numerics";
import { checkDynamicEnvironment, type DynamicDoubleAuction, dynamicDoubleAuction, normal } from "@optex/theory";
import { InputError } from "../../inputError.ts";
import type { BlockDiagnostics, MarketSimulation, QuantitySpec } from "../../montecarlo/marketSimulation.ts";

/**
 * Section 8, Proposition 12 as markets: N traders with flow holding cost h^2/(2 kappa), discount rate
 * delta, endowments e_it = e_i0 + sigma_Z W_it and a double auction every dt. The names are those of
 * `optex theory --model dynamic` (one auction interval per simulation; a grid of dt is a sweep).
 */
export interface DynamicSimulationParams {
  readonly traders: number;
  readonly kappa: number;
  /** Discount rate delta > 0. */
  readonly delta: number;
  /** Time between auctions, > 0. */
  readonly dt: number;
  /** Mean of the initial endowments e_i0. */
  readonly muE: number;
  /** sd of the initial endowments e_i0. */
  readonly sigma0: number;
  /** Volatility of the endowment shocks. */
  readonly sigmaZ: number;
}

/** "efficient": Proposition 12's fee and charge; "no-fee": the same market without the fee (negative control). */
export const dynamicMechanisms = ["efficient", "no-fee"] as const;
export type DynamicMechanismId = (typeof dynamicMechanisms)[number];

/** Registered fee module of each mechanism. */
const feeOfMechanism: Record<DynamicMechanismId, DynamicFeeId> = { efficient: "prop12", "no-fee": "prop12-none" };
export type DynamicFeeId = "prop12" | "prop12-none";

/** Which implementation of each auction runs: the declared linear-book fast path, or schedules -> clear -> settle (runRounds). */
export type MarketPath = "fast" | "general";

/**
 * The expected tail beyond the horizon T of every reported quantity is at most
 * e^{-delta T} N (mu_e^2 + sigma_0^2 + sigma_Z^2 (T + 1/delta)) / (2 kappa delta) (the autarky cost's
 * tail integral, which dominates the tails of the gains, the subsidies and the budget); T is the
 * first auction time at which this is at most TAIL_RELATIVE times its value at T = 0. A bias of 1e-8
 * of the scale is a thousandth of the standard error of 1e8 markets whenever a quantity's sd per
 * market exceeds a tenth of the scale.
 */
export const TAIL_RELATIVE = 1e-8;

/** Largest number of normal draws a path may need (auctions x traders): memory and time per market. */
export const MAX_PATH_DRAWS = 4_000_000;

/** The truthful holding strategy of Proposition 12: q(p) = -y - kappa delta p for a trader entering with holding y. */
export interface TruthfulHoldingStrategy extends Strategy<number> {
  readonly linearBatch: LinearBatch;
}

/** Proposition 12's schedule with slope `slope` (kappa delta; another slope only as a test's wrong strategy). */
export function truthfulHoldingStrategy(slope: number): TruthfulHoldingStrategy {
  return {
    id: "truthful-holding",
    bid: (y) => [linearSchedule(-y, slope)],
    linearBatch: {
      slope,
      interceptsInto: (types, out) => {
        for (let i = 0; i < types.length; i++) out[i] = -types[i]!;
      },
    },
  };
}

/** One economy: its parameters, horizon, strategy, registered fee and the constants of the flow costs. */
export interface DynamicEconomy {
  readonly params: DynamicSimulationParams;
  readonly theory: DynamicDoubleAuction;
  /** Auctions at 0, dt, ..., (auctions - 1) dt; the horizon is auctions x dt. */
  readonly auctions: number;
  readonly horizon: number;
  /** Bound on the expected truncation error of every quantity (see TAIL_RELATIVE). */
  readonly tailBound: number;
  readonly strategy: TruthfulHoldingStrategy;
  readonly fee: BuiltFee;
  /** Lump-sum charge per trader at t = 0 (G(mu_e), Proposition 12). */
  readonly charge: number;
  /** (1 - e^{-delta dt})/(2 kappa delta): expected discounted cost of holding h over one interval is this x h^2 + shockCost. */
  readonly holdingWeight: number;
  /** sigma_Z^2 int_0^dt u e^{-delta u} du / (2 kappa): the Brownian part of one interval's expected cost. */
  readonly shockCost: number;
  /** sigma_Z sqrt(dt): sd of one interval's endowment shock. */
  readonly shockSd: number;
  /** e^{-delta k dt} for each auction k: the discount to t = 0. */
  readonly discounts: Float64Array;
}

export interface DynamicEconomyOptions {
  /** Auctions per path (default: the horizon of TAIL_RELATIVE). */
  readonly auctions?: number;
  /** Build the registered fee for this discount rate instead of delta (tests' wrong fees). */
  readonly feeDelta?: number;
  /** Schedule slope instead of kappa delta (tests' wrong strategies). */
  readonly slope?: number;
}

/** Auctions needed for TAIL_RELATIVE (at least 1). */
export function horizonAuctions(p: DynamicSimulationParams): number {
  const { delta, dt } = p;
  const a = p.muE * p.muE + p.sigma0 * p.sigma0;
  const b = p.sigmaZ * p.sigmaZ;
  const scale = a + b / delta;
  const bound = (T: number) => Math.exp(-delta * T) * (a + b * (T + 1 / delta));
  const target = TAIL_RELATIVE * scale;
  if (!(scale > 0)) return 1;
  // T = ln((a + b (T + 1/delta)) / target) / delta, a contraction from T = 0.
  let T = 0;
  for (let k = 0; k < 50; k++) T = Math.log((a + b * (T + 1 / delta)) / target) / delta;
  let K = Math.max(1, Math.ceil(T / dt));
  while (K > 1 && bound((K - 1) * dt) <= target) K--;
  while (bound(K * dt) > target) K++;
  return K;
}

/**
 * The economy of `params` with the registered fee `feeId` (prop12 or the control prop12-none).
 * Throws TheoryError for bad parameters, InputError when the horizon needs more than MAX_PATH_DRAWS draws.
 */
export function dynamicEconomy(params: DynamicSimulationParams, feeId: DynamicFeeId, options: DynamicEconomyOptions = {}): DynamicEconomy {
  const env = {
    traders: params.traders,
    kappa: params.kappa,
    delta: params.delta,
    dt: params.dt,
    muE: params.muE,
    sigma0: params.sigma0,
    sigmaZ: params.sigmaZ,
  };
  checkDynamicEnvironment(env);
  const theory = dynamicDoubleAuction(env);
  const { kappa, delta, dt, sigmaZ } = params;
  const auctions = options.auctions ?? horizonAuctions(params);
  if (!(Number.isInteger(auctions) && auctions >= 1)) throw new RangeError(`auctions must be an integer >= 1, got ${auctions}`);
  if (auctions * params.traders > MAX_PATH_DRAWS) {
    throw new InputError(
      `delta dt = ${delta * dt} is too small: a path to the horizon ${auctions * dt} needs ${auctions} auctions x ${params.traders} traders of draws (at most ${MAX_PATH_DRAWS}); raise delta or dt`,
    );
  }
  const horizon = auctions * dt;
  const D = Math.exp(-delta * dt);
  const a = params.muE ** 2 + params.sigma0 ** 2;
  return {
    params,
    theory,
    auctions,
    horizon,
    tailBound: (Math.exp(-delta * horizon) * params.traders * (a + sigmaZ ** 2 * (horizon + 1 / delta))) / (2 * kappa * delta),
    strategy: truthfulHoldingStrategy(options.slope ?? kappa * delta),
    fee: buildFee(feeId, { model: "dynamic", traders: params.traders, kappa, delta: options.feeDelta ?? delta }),
    charge: theory.perTrader.participationCharge,
    holdingWeight: -Math.expm1(-delta * dt) / (2 * kappa * delta),
    // int_0^dt u e^{-delta u} du = (1 - D - delta dt D) / delta^2.
    shockCost: (sigmaZ * sigmaZ * (-Math.expm1(-delta * dt) - delta * dt * D)) / (delta * delta * 2 * kappa),
    shockSd: sigmaZ * Math.sqrt(dt),
    discounts: Float64Array.from({ length: auctions }, (_, k) => Math.exp(-delta * dt * k)),
  };
}

/** What a path of the economy gives each trader, in NPV at t = 0 (no participation charge). */
export interface DynamicPath {
  /** Expected discounted holding cost given each interval's starting state (closed form in the Brownian part). */
  readonly holdingCost: Float64Array;
  /** The same for autarky (holding e_it throughout). */
  readonly autarkyCost: Float64Array;
  /** Discounted p q + fee over the auctions. */
  readonly transfers: Float64Array;
  /** Discounted fees (negative: subsidies). */
  readonly fees: Float64Array;
  /** Discounted exchange revenue sum_i (p q_i + fee_i) over the auctions. */
  exchangeRevenue: number;
  /** Auctions without a unique clearing price (no trade, no transfer). */
  noTradeAuctions: number;
  /** Largest |sum_i q_i| / (1 + sum_i |q_i|) over the auctions. */
  worstImbalance: number;
}

export function createDynamicPath(traders: number): DynamicPath {
  return {
    holdingCost: new Float64Array(traders),
    autarkyCost: new Float64Array(traders),
    transfers: new Float64Array(traders),
    fees: new Float64Array(traders),
    exchangeRevenue: 0,
    noTradeAuctions: 0,
    worstImbalance: 0,
  };
}

function resetPath(out: DynamicPath): void {
  out.holdingCost.fill(0);
  out.autarkyCost.fill(0);
  out.transfers.fill(0);
  out.fees.fill(0);
  out.exchangeRevenue = 0;
  out.noTradeAuctions = 0;
  out.worstImbalance = 0;
}

/** The state carried from auction to auction: holdings entering the auction (the types), autarky endowments, the path's shocks. */
interface PathState {
  readonly economy: DynamicEconomy;
  readonly holdings: number[];
  readonly autarky: Float64Array;
  /** Standard normal shocks, traders per interval (interval k after auction k). */
  readonly shocks: Float64Array;
  readonly out: DynamicPath;
  /** Scratch: this auction's trades. */
  readonly trades: Float64Array;
}

/**
 * One auction's books and the flow costs until the next auction, then the shocks (the one place both
 * paths do this, so they agree to the bit): trades and transfers are discounted to t = 0, the
 * holding h = y + q costs holdingWeight h^2 + shockCost in expectation given the state (the
 * Brownian increment has mean 0 and E[W_u^2] = u), and h and e_it receive the same shock.
 */
function accrue(
  s: PathState,
  round: number,
  cleared: boolean,
  fees: ArrayLike<number>,
  transfers: ArrayLike<number>,
  revenue: number,
): void {
  const { economy: ec, holdings, autarky, shocks, out, trades } = s;
  const N = holdings.length;
  const disc = ec.discounts[round]!;
  const w = ec.holdingWeight;
  const sc = ec.shockCost;
  if (!cleared) out.noTradeAuctions++;
  let net = 0;
  let volume = 0;
  for (let i = 0; i < N; i++) {
    const q = trades[i]!;
    net += q;
    volume += Math.abs(q);
    out.transfers[i]! += disc * transfers[i]!;
    out.fees[i]! += disc * fees[i]!;
    const h = holdings[i]! + q;
    const e = autarky[i]!;
    out.holdingCost[i]! += disc * (w * h * h + sc);
    out.autarkyCost[i]! += disc * (w * e * e + sc);
    holdings[i] = h;
  }
  out.exchangeRevenue += disc * revenue;
  out.worstImbalance = Math.max(out.worstImbalance, Math.abs(net) / (1 + volume));
  if (round + 1 < ec.auctions && ec.shockSd > 0) {
    const base = round * N;
    for (let i = 0; i < N; i++) {
      const z = ec.shockSd * shocks[base + i]!;
      holdings[i]! += z;
      autarky[i]! += z;
    }
  }
}

/** Standard normals a path needs after its initial endowments: traders x (auctions - 1), none without shocks. */
export function pathShockCount(ec: DynamicEconomy): number {
  return ec.shockSd > 0 ? ec.params.traders * (ec.auctions - 1) : 0;
}

/**
 * One path on the general path: every auction is a market of engine.runRounds, each trader bidding
 * through its Strategy (default: everyone truthful), cleared and settled by the engine with the
 * registered fee; the model's advance() carries holdings, clock and shocks. `e0` are the initial
 * endowments, `shocks` pathShockCount(ec) standard normals. Writes and returns `out`.
 */
export function runDynamicPath(
  ec: DynamicEconomy,
  e0: ArrayLike<number>,
  shocks: Float64Array,
  out: DynamicPath = createDynamicPath(ec.params.traders),
  strategies: Strategy<number> | readonly Strategy<number>[] = ec.strategy,
): DynamicPath {
  resetPath(out);
  const N = ec.params.traders;
  const state: PathState = {
    economy: ec,
    holdings: Array.from(e0),
    autarky: Float64Array.from(e0),
    shocks,
    out,
    trades: new Float64Array(N),
  };
  const market: RepeatedMarket<PathState, number> = {
    rounds: ec.auctions,
    assets: 1,
    typesOf: (s) => s.holdings,
    strategies,
    feeOf: () => ec.fee.fee,
    // The state is updated in place (one path, one state).
    advance: (s, settlement: MarketSettlement, round) => {
      for (let i = 0; i < N; i++) s.trades[i] = settlement.trades[i]![0]!;
      accrue(s, round, settlement.status === "cleared", settlement.fees, settlement.transfers, settlement.revenue);
      return s;
    },
  };
  runRounds(state, market);
  return out;
}

/** Scratch of the fast path, reused across paths. */
interface FastScratch {
  readonly book: LinearBook;
  readonly types: Float64Array;
  readonly fees: Float64Array;
  readonly transfers: Float64Array;
}

const scratches = new WeakMap<DynamicEconomy, FastScratch>();

/** The economy's fast-path scratch (created once; paths run one at a time). */
function fastScratch(ec: DynamicEconomy): FastScratch {
  let scratch = scratches.get(ec);
  if (scratch === undefined) {
    const N = ec.params.traders;
    const book = createLinearBook(N);
    book.slopes.fill(ec.strategy.linearBatch.slope);
    scratch = { book, types: new Float64Array(N), fees: new Float64Array(N), transfers: new Float64Array(N) };
    scratches.set(ec, scratch);
  }
  return scratch;
}

/**
 * The same path on the declared fast path: each auction fills a LinearBook from the strategy's
 * linearBatch (all bids linear with slope kappa delta), clears it in closed form (the engine's own
 * clearing of linear books) and charges the fee's feesInto; transfers and revenue as settleMarket
 * forms them. Equal to runDynamicPath on the same inputs (simulation.test.ts).
 */
export function runDynamicPathFast(
  ec: DynamicEconomy,
  e0: ArrayLike<number>,
  shocks: Float64Array,
  out: DynamicPath = createDynamicPath(ec.params.traders),
): DynamicPath {
  resetPath(out);
  const N = ec.params.traders;
  const state: PathState = {
    economy: ec,
    holdings: Array.from(e0),
    autarky: Float64Array.from(e0),
    shocks,
    out,
    trades: new Float64Array(N),
  };
  const { book, types, fees, transfers } = fastScratch(ec);
  const batch = ec.strategy.linearBatch;
  const schedule = ec.fee.schedule!;
  for (let round = 0; round < ec.auctions; round++) {
    for (let i = 0; i < N; i++) types[i] = state.holdings[i]!;
    batch.interceptsInto(types, book.intercepts);
    const p = clearLinearBook(book, state.trades);
    const cleared = p === p;
    if (cleared) {
      if (schedule.feesInto) schedule.feesInto(state.trades, p, fees);
      else for (let i = 0; i < N; i++) fees[i] = schedule.fee(i, state.trades[i]!, p);
      for (let i = 0; i < N; i++) transfers[i] = p * state.trades[i]! + fees[i]!;
    } else {
      fees.fill(0);
      transfers.fill(0);
    }
    accrue(state, round, cleared, fees, transfers, cleared ? compensatedSum(transfers) : 0);
  }
  return out;
}

/** The quantities of every mechanism, in this order. */
export const dynamicQuantities: readonly QuantitySpec[] = [
  { key: "npvSubsidies", label: "NPV at t = 0 of the fee subsidies paid to traders (total)" },
  {
    key: "chargeRevenue",
    label:
      "participation charge revenue (total, at t = 0): N x the simulated interim gain over autarky, before any charge, of a trader with e_i0 = mu_e (NPV): the largest charge every type accepts",
  },
  { key: "budgetSurplus", label: "budget surplus of the exchange (total, NPV): N x charge G(mu_e) + discounted auction revenue" },
  { key: "npvGainsFromTrade", label: "NPV of the gains from trade: fall in holding costs relative to autarky (total)" },
  { key: "autarkyHoldingCost", label: "autarky holding cost (per trader, NPV)" },
  { key: "netGain", label: "ex-ante gain over autarky after the charge (per trader, NPV)" },
];

/**
 * A mechanism of the dynamic model as markets. Each market is one economy path: e_i0 ~ N(mu_e,
 * sigma_0^2) and the interval shocks drawn from `rng` (in that order), auctions at 0, dt, ... until
 * the horizon, the charge G(mu_e) at t = 0. The same shocks run a second path with trader 0's e_00
 * set to mu_e, whose gain over autarky is the largest charge every type accepts. Holding costs
 * between auctions are integrated exactly in expectation given the state at the auction.
 * Theory: Proposition 12's closed forms (dynamicDoubleAuction) for both mechanisms; the no-fee
 * control must miss the subsidies, the charge and the budget.
 */
export function dynamicSimulation(
  params: DynamicSimulationParams,
  mechanism: DynamicMechanismId,
  path: MarketPath = "fast",
): MarketSimulation {
  const feeId = feeOfMechanism[mechanism];
  const ec = dynamicEconomy(params, feeId);
  const N = params.traders;
  const t = ec.theory;
  const theory: Record<string, number> = {
    npvSubsidies: t.total.npvSubsidies,
    chargeRevenue: t.total.chargeRevenue,
    budgetSurplus: t.total.budgetSurplus,
    npvGainsFromTrade: t.total.npvGainsFromTrade,
    autarkyHoldingCost: t.perTrader.autarkyHoldingCost,
    netGain: t.perTrader.netGain,
  };
  const e0 = new Float64Array(N);
  const e0AtMean = new Float64Array(N);
  const shocks = new Float64Array(pathShockCount(ec));
  const initial = params.sigma0 > 0 ? normal(params.muE, params.sigma0) : null;
  const standard = normal(0, 1);
  const pathA = createDynamicPath(N);
  const pathB = createDynamicPath(N);
  const run = (e: Float64Array, out: DynamicPath) =>
    path === "fast" ? runDynamicPathFast(ec, e, shocks, out) : runDynamicPath(ec, e, shocks, out);
  const note =
    mechanism === "efficient"
      ? `one market = one path of ${ec.auctions} auctions (horizon ${ec.horizon}, truncation bias <= ${ec.tailBound.toExponential(1)}); Proposition 12's fee every auction and the charge G(mu_e) at t = 0`
      : `negative control: Proposition 12's market without the fee (truthful bids are then not a best response; optex ic); its subsidies, charge and budget miss the theory`;
  return {
    mechanism,
    fee: feeId,
    strategy: ec.strategy.id,
    note,
    drawsPerTrader: ec.auctions,
    quantities: dynamicQuantities,
    theory,
    runMarkets: (rng, count, out): BlockDiagnostics => {
      let noTradeMarkets = 0;
      let worstImbalance = 0;
      for (let m = 0; m < count; m++) {
        if (initial) initial.sampleInto(rng, e0);
        else e0.fill(params.muE);
        standard.sampleInto(rng, shocks);
        e0AtMean.set(e0);
        e0AtMean[0] = params.muE;
        const a = run(e0, pathA);
        const b = run(e0AtMean, pathB);
        let fees = 0;
        let gains = 0;
        let autarky = 0;
        let net = 0;
        for (let i = 0; i < N; i++) {
          fees += a.fees[i]!;
          gains += a.autarkyCost[i]! - a.holdingCost[i]!;
          autarky += a.autarkyCost[i]!;
          net += a.autarkyCost[i]! - a.holdingCost[i]! - a.transfers[i]!;
        }
        out[0]![m] = -fees;
        out[1]![m] = N * (b.autarkyCost[0]! - b.holdingCost[0]! - b.transfers[0]!);
        out[2]![m] = N * ec.charge + a.exchangeRevenue;
        out[3]![m] = gains;
        out[4]![m] = autarky / N;
        out[5]![m] = net / N - ec.charge;
        noTradeMarkets += a.noTradeAuctions + b.noTradeAuctions;
        worstImbalance = Math.max(worstImbalance, a.worstImbalance, b.worstImbalance);
      }
      return { noTradeMarkets, worstImbalance };
    },
  };
}

/**
 * The dynamic model's mechanisms as markets (all when `mechanisms` is omitted). Throws InputError
 * for an unknown mechanism, for sigma_0 = sigma_Z = 0 (nothing is random: nobody ever trades), or
 * for a horizon too long to simulate (delta dt tiny).
 */
export function dynamicSimulations(
  params: DynamicSimulationParams,
  mechanisms?: readonly string[],
  path: MarketPath = "fast",
): MarketSimulation[] {
  const ids = mechanisms ?? dynamicMechanisms;
  for (const id of ids) {
    if (!(dynamicMechanisms as readonly string[]).includes(id))
      throw new InputError(`mechanism "${id}" is not one of model dynamic's: ${dynamicMechanisms.join(", ")}`);
  }
  if (params.sigma0 === 0 && params.sigmaZ === 0)
    throw new InputError(
      "sigma-0 and sigma-z are both 0: endowments are equal and never move, so nobody trades and there is nothing to simulate",
    );
  return ids.map((id) => dynamicSimulation(params, id as DynamicMechanismId, path));
}

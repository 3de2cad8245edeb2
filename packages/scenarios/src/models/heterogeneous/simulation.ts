import { heterogeneousSleBidder, type PerTraderLinearStrategy, perTraderLinearStrategy, truthfulBidder } from "@optex/agents";
import { clearLinearBook, createLinearBook, runMarket } from "@optex/engine";
import { type BuiltFee, buildFee } from "@optex/fees";
import {
  basicEnvironment,
  type Distribution,
  doubleAuctionOutcome,
  heterogeneousDoubleAuction,
  type HeterogeneousMechanism,
  type HeterogeneousTraderSpec,
  optimalMechanismOutcome,
  solveHeterogeneous,
  solveVirtualType,
  TheoryError,
} from "@optex/theory";
import { compensatedSum } from "@optex/numerics";
import { heterogeneousReport } from "./report.ts";
import { InputError } from "../../inputError.ts";
import type { BlockDiagnostics, MarketSimulation, QuantitySpec } from "../../montecarlo/marketSimulation.ts";
import type { MarketPath } from "../basic/simulation.ts";

/** Section 7's traders, as `optex theory --model heterogeneous` takes them. */
export interface HeterogeneousSimulationParams {
  /** Trader i's law of endowments (one per trader). */
  readonly dists: readonly Distribution[];
  /** Trader i's holding capacity kappa_i (one per trader). */
  readonly kappas: readonly number[];
  /** The designer's weight on revenue (Theorem 5). */
  readonly alpha: number;
  readonly muPi: number;
}

/**
 * optimal: Theorem 5's mechanism run as Proposition 10's fees with truthful virtual-type bids;
 * double-auction: no fee, the traders' linear equilibrium; first-best: Theorem 5 at alpha = 0.
 */
export const heterogeneousMechanisms = ["optimal", "double-auction", "first-best"] as const;
export type HeterogeneousMechanismId = (typeof heterogeneousMechanisms)[number];

/** How the markets run; the defaults are what `optex simulate` runs. */
export interface HeterogeneousSimulationOptions {
  /**
   * "fast" (default): the strategies' declared per-trader linear fast path fills a LinearBook
   * (per-trader slopes) and the fee's feesInto/fee charges; "general": every trader's Strategy
   * bids a schedule and engine.runMarket clears and settles. Both give the same markets.
   */
  readonly path?: MarketPath;
  /**
   * A registered heterogeneous-model fee to charge instead of the mechanism's own, the theory staying
   * the mechanism's (negative controls: "prop10-none" must fail against Theorem 5).
   */
  readonly fee?: string;
}

/**
 * One MarketSimulation per mechanism (all of heterogeneousMechanisms when omitted), in the order
 * asked. Quantities: per trader i (1-based) trader{i}Revenue, trader{i}HoldingCost,
 * trader{i}UtilityGain, trader{i}Trade (E[X_i]), trader{i}TradeVolume (E|X_i|), then totalRevenue,
 * totalHoldingCost, totalUtilityGain (sums over traders), all per market.
 * Throws InputError for bad parameters, an unknown mechanism, one that does not exist here (no
 * linear equilibrium with 2 traders; Theorem 5 inapplicable) or a fee of another model.
 */
export function heterogeneousSimulations(
  params: HeterogeneousSimulationParams,
  mechanisms: readonly string[] = heterogeneousMechanisms,
  options: HeterogeneousSimulationOptions = {},
): MarketSimulation[] {
  checkParams(params);
  return mechanisms.map((mechanism) => {
    if (!(heterogeneousMechanisms as readonly string[]).includes(mechanism))
      throw new InputError(
        `unknown mechanism "${mechanism}" for the heterogeneous model; expected one of ${heterogeneousMechanisms.join(", ")}`,
      );
    return simulationOf(params, mechanism as HeterogeneousMechanismId, options);
  });
}

function checkParams(p: HeterogeneousSimulationParams): void {
  const N = p.dists.length;
  if (p.kappas.length !== N) throw new InputError(`--dists has ${N} laws but --kappas has ${p.kappas.length} values; they must match`);
  if (N < 2) throw new InputError(`the heterogeneous model needs at least 2 traders, got ${N}`);
  p.kappas.forEach((kappa, i) => {
    if (!(Number.isFinite(kappa) && kappa > 0)) throw new InputError(`kappa of trader ${i + 1} must be a finite number > 0, got ${kappa}`);
  });
  if (!(p.alpha >= 0 && p.alpha <= 1)) throw new InputError(`alpha must be in [0, 1], got ${p.alpha}`);
  if (!Number.isFinite(p.muPi)) throw new InputError(`muPi must be a finite number, got ${p.muPi}`);
}

/** Theory of the quantities, by key; absent keys are reported without a check. */
type Theory = Record<string, number>;

function simulationOf(
  p: HeterogeneousSimulationParams,
  mechanism: HeterogeneousMechanismId,
  options: HeterogeneousSimulationOptions,
): MarketSimulation {
  const N = p.dists.length;
  const specs: HeterogeneousTraderSpec[] = p.dists.map((dist, i) => ({ dist, kappa: p.kappas[i]! }));
  // Identical traders: Section 7 reduces to the basic model, whose theory has E|X_i| (Theorem 1, Section 4).
  const identical = p.dists.every((d) => d.id === p.dists[0]!.id) && p.kappas.every((k) => k === p.kappas[0]);
  const basic = identical ? basicEnvironment({ dist: p.dists[0]!, kappa: p.kappas[0]!, traders: N, muPi: p.muPi }) : null;
  const solve = (alpha: number): HeterogeneousMechanism => {
    try {
      return solveHeterogeneous(specs, alpha);
    } catch (error) {
      if (error instanceof TheoryError) throw new InputError(`mechanism "${mechanism}": ${error.message}`);
      throw error;
    }
  };
  const feeOf = (id: string, alpha: number): BuiltFee => {
    try {
      return buildFee(id, { model: "heterogeneous", mechanism: solve(alpha), muPi: p.muPi });
    } catch (error) {
      if (error instanceof InputError) throw error;
      throw new InputError((error as Error).message);
    }
  };
  const theory: Theory = {};
  const volumeNote = identical ? "" : "; trade volume has theory only for identical traders";

  if (mechanism === "double-auction") {
    const eq = heterogeneousDoubleAuction(specs, p.muPi);
    if (!eq.exists) throw new InputError(`mechanism "double-auction": ${eq.reason ?? "no linear equilibrium"}`);
    const strategy = heterogeneousSleBidder(specs, p.muPi);
    eq.traders.forEach((t, i) => {
      const k = i + 1;
      theory[`trader${k}Revenue`] = t.revenue;
      theory[`trader${k}HoldingCost`] = t.holdingCost;
      theory[`trader${k}UtilityGain`] = t.utilityGain;
      theory[`trader${k}Trade`] = t.expectedTrade;
    });
    // p sum_i X_i: 0 but for rounding (checked with the rounding allowance).
    theory.totalRevenue = eq.traders.reduce((s, t) => s + t.revenue, 0);
    theory.totalHoldingCost = eq.traders.reduce((s, t) => s + t.holdingCost, 0);
    theory.totalUtilityGain = eq.traders.reduce((s, t) => s + t.utilityGain, 0);
    if (basic) setVolumes(theory, N, doubleAuctionOutcome(basic)!.tradeVolumePerTrader);
    // The plain auction's registered module charges nothing whatever the environment; it is
    // registered under the basic model, whose environment here only names it.
    const feeId = options.fee ?? "none";
    const fee =
      options.fee === undefined
        ? buildFee("none", {
            model: "basic",
            env: basicEnvironment({ dist: p.dists[0]!, kappa: p.kappas[0]!, traders: N, muPi: p.muPi }),
            alpha: 0,
          })
        : feeOf(options.fee, p.alpha);
    return marketSimulation({
      mechanism,
      feeId,
      fee,
      strategy,
      laws: p.dists,
      kappas: p.kappas,
      muPi: p.muPi,
      theory,
      note: `no fee; trader i bids the linear equilibrium -a_i e_i - c_i (p - mu_pi), c_i = 1/(Lambda_i + 1/kappa_i); total revenue p sum_i X_i is 0${volumeNote}`,
      path: options.path ?? "fast",
    });
  }

  const alpha = mechanism === "first-best" ? 0 : p.alpha;
  const mech = solve(alpha);
  const report = heterogeneousReport(p.dists, p.kappas, alpha, p.muPi);
  report.traders.forEach((t, i) => {
    const k = i + 1;
    theory[`trader${k}Revenue`] = t.revenue;
    theory[`trader${k}HoldingCost`] = t.holdingCost;
    theory[`trader${k}UtilityGain`] = t.utilityGain;
    theory[`trader${k}Trade`] = t.expectedTrade;
  });
  theory.totalRevenue = report.totals.revenue;
  theory.totalHoldingCost = report.totals.holdingCost;
  theory.totalUtilityGain = report.totals.utilityGain;
  if (basic) setVolumes(theory, N, optimalMechanismOutcome(basic, solveVirtualType(basic.dist, alpha)).tradeVolumePerTrader);
  // Proposition 10: trader i bids its own virtual type, q_i(p) = -v_i(e_i) - kappa_i (p - mu_pi).
  const bids = mech.traders.map((vt, i) => truthfulBidder(vt, p.kappas[i]!, p.muPi));
  const strategy = perTraderLinearStrategy(bids[0]!.id, bids);
  const feeId = options.fee ?? "prop10";
  return marketSimulation({
    mechanism,
    feeId,
    fee: feeOf(feeId, alpha),
    strategy,
    laws: p.dists,
    kappas: p.kappas,
    muPi: p.muPi,
    theory,
    note:
      (mechanism === "first-best"
        ? "Theorem 5 at alpha = 0 run as Proposition 10's trader-specific fees; each trader bids its endowment"
        : "Theorem 5's mechanism run as Proposition 10's trader-specific fees; each trader bids its own virtual type") + volumeNote,
    path: options.path ?? "fast",
  });
}

function setVolumes(theory: Theory, N: number, volume: number): void {
  for (let k = 1; k <= N; k++) theory[`trader${k}TradeVolume`] = volume;
}

/** Per trader: 5 quantities (revenue, holding cost, utility gain, trade, trade volume); then 3 totals. */
const PER_TRADER = 5;

function quantitiesOf(N: number): QuantitySpec[] {
  const out: QuantitySpec[] = [];
  for (let k = 1; k <= N; k++) {
    out.push(
      { key: `trader${k}Revenue`, label: `revenue from trader ${k} (its payment E[T_${k}], per market)` },
      { key: `trader${k}HoldingCost`, label: `holding cost of trader ${k} (E[(e_${k} + X_${k})^2] / (2 kappa_${k}), per market)` },
      { key: `trader${k}UtilityGain`, label: `utility gain of trader ${k} (over autarky, per market)` },
      { key: `trader${k}Trade`, label: `expected trade of trader ${k} (E[X_${k}], per market)` },
      { key: `trader${k}TradeVolume`, label: `trade volume of trader ${k} (E|X_${k}|, per market)` },
    );
  }
  out.push(
    { key: "totalRevenue", label: "total revenue (sum over traders, per market)" },
    { key: "totalHoldingCost", label: "total holding cost (sum over traders, per market)" },
    { key: "totalUtilityGain", label: "total utility gain (sum over traders, per market)" },
  );
  return out;
}

interface MarketSpec {
  readonly mechanism: HeterogeneousMechanismId;
  readonly feeId: string;
  readonly fee: BuiltFee;
  readonly strategy: PerTraderLinearStrategy;
  readonly laws: readonly Distribution[];
  readonly kappas: readonly number[];
  readonly muPi: number;
  readonly theory: Theory;
  readonly note: string;
  readonly path: MarketPath;
}

/**
 * The markets of one mechanism: each market draws trader i's endowment from its own law (in trader
 * order, from the one rng), the strategy bids, the engine (or the declared fast path) clears at one
 * price, the registered fee charges, and record() turns trades and transfers into the samples.
 */
function marketSimulation(s: MarketSpec): MarketSimulation {
  const N = s.laws.length;
  const { laws, kappas, muPi, strategy } = s;
  // One asset, a per-asset fee: the schedule the fast path charges is the one runMarket settles with.
  const fee = s.fee.schedule!;
  const inv2k = Float64Array.from(kappas, (k) => 1 / (2 * k));
  const endowments = new Float64Array(N);
  const quantities = new Float64Array(N);
  const transfers = new Float64Array(N);
  const absolute = new Float64Array(N);

  /** Samples of market m from its endowments, trades and transfers (all 0 without a unique price); returns |sum X| / (1 + sum |X|). */
  const record = (out: readonly Float64Array[], m: number, revenue: number): number => {
    let holdingTotal = 0;
    let gainTotal = 0;
    for (let i = 0; i < N; i++) {
      const e = endowments[i]!;
      const q = quantities[i]!;
      const t = transfers[i]!;
      const position = e + q;
      const holding = position * position * inv2k[i]!;
      const gain = muPi * q - t - q * (2 * e + q) * inv2k[i]!;
      const j = PER_TRADER * i;
      out[j]![m] = t;
      out[j + 1]![m] = holding;
      out[j + 2]![m] = gain;
      out[j + 3]![m] = q;
      out[j + 4]![m] = Math.abs(q);
      holdingTotal += holding;
      gainTotal += gain;
      absolute[i] = Math.abs(q);
    }
    const j = PER_TRADER * N;
    out[j]![m] = revenue;
    out[j + 1]![m] = holdingTotal;
    out[j + 2]![m] = gainTotal;
    return Math.abs(compensatedSum(quantities)) / (1 + compensatedSum(absolute));
  };

  const runFast = (rng: () => number, count: number, out: readonly Float64Array[]): BlockDiagnostics => {
    const book = createLinearBook(N);
    book.slopes.set(strategy.perTraderLinear.slopes);
    const fees = new Float64Array(N);
    let noTradeMarkets = 0;
    let worstImbalance = 0;
    for (let m = 0; m < count; m++) {
      for (let i = 0; i < N; i++) endowments[i] = laws[i]!.sample(rng);
      strategy.perTraderLinear.interceptsInto(endowments, book.intercepts);
      const price = clearLinearBook(book, quantities);
      if (Number.isNaN(price)) {
        // No unique clearing price: no trade, no transfer (clearLinearBook wrote zero trades).
        noTradeMarkets++;
        transfers.fill(0);
      } else {
        if (fee.feesInto) fee.feesInto(quantities, price, fees);
        else for (let i = 0; i < N; i++) fees[i] = fee.fee(i, quantities[i]!, price);
        // The settlement's transfers, p q_i + fee_i, and its revenue (compensated sum).
        for (let i = 0; i < N; i++) transfers[i] = price * quantities[i]! + fees[i]!;
      }
      const imbalance = record(out, m, compensatedSum(transfers));
      if (imbalance > worstImbalance) worstImbalance = imbalance;
    }
    return { noTradeMarkets, worstImbalance };
  };

  const runEngine = (rng: () => number, count: number, out: readonly Float64Array[]): BlockDiagnostics => {
    let noTradeMarkets = 0;
    let worstImbalance = 0;
    const types = new Array<number>(N);
    for (let m = 0; m < count; m++) {
      for (let i = 0; i < N; i++) types[i] = endowments[i] = laws[i]!.sample(rng);
      const settlement = runMarket(types, strategy, s.fee.fee);
      if (settlement.status !== "cleared") noTradeMarkets++;
      for (let i = 0; i < N; i++) {
        quantities[i] = settlement.trades[i]![0]!;
        transfers[i] = settlement.transfers[i]!;
      }
      const imbalance = record(out, m, settlement.revenue);
      if (imbalance > worstImbalance) worstImbalance = imbalance;
    }
    return { noTradeMarkets, worstImbalance };
  };

  return {
    mechanism: s.mechanism,
    fee: s.feeId,
    strategy: strategy.id,
    note: s.note,
    quantities: quantitiesOf(N),
    theory: s.theory,
    rounding: Object.fromEntries(Object.keys(s.theory).map((key) => [key, roundingOf(laws, kappas, muPi)])),
    runMarkets: s.path === "general" ? runEngine : runFast,
  };
}

/**
 * Floating-point resolution of a market's per-trader and total values: a few roundings of terms of
 * size p q ~ Q^2 / kappa, Q = max_i (|mu_i| + sd_i + kappa_i |mu_pi|) (the plain auction's total
 * revenue p sum_i q_i is only that). The basic model's allowance with the largest trader's scale.
 */
function roundingOf(laws: readonly Distribution[], kappas: readonly number[], muPi: number): number {
  let Q = 0;
  laws.forEach((d, i) => (Q = Math.max(Q, Math.abs(d.mean) + Math.sqrt(d.variance) + kappas[i]! * Math.abs(muPi))));
  return 8 * Number.EPSILON * laws.length * ((2 * Q * Q) / Math.min(...kappas));
}

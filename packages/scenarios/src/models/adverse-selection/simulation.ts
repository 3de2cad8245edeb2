import { type AdverseSelectionStrategy, type AdverseSelectionType, adverseSelectionSleBidder, effectiveTypeBidder } from "@optex/agents";
import { BALANCE_RELATIVE, clearLinearBook, createLinearBook, type FeeSchedule, type MarketFee, runMarket } from "@optex/engine";
import { buildFee, feeModule, type Prop5LawsFee, prop5LawsFee } from "@optex/fees";
import {
  basicEnvironment,
  type Distribution,
  gaussianRobustMechanism,
  normal,
  optimalAdverseSelection,
  optimalMechanismOutcome,
  priceInformativeness,
  solveVirtualTypeWithWeight,
  TheoryError,
} from "@optex/theory";
import { compensatedSum } from "@optex/numerics";
import { type AdverseSelectionReport, adverseSelectionLawsReport, adverseSelectionReport } from "./report.ts";
import { InputError } from "../../inputError.ts";
import type { BlockDiagnostics, MarketSimulation, QuantitySpec } from "../../montecarlo/marketSimulation.ts";

/** Section 5's Gaussian environment, named as `optex theory --model adverse-selection` names it. */
export interface AdverseSelectionSimulationParams {
  readonly traders: number;
  readonly kappa: number;
  /** Endowments e_i ~ N(muE, sigmaE^2). */
  readonly muE: number;
  readonly sigmaE: number;
  /** Signals zeta_i ~ N(0, sigmaZeta^2) with common pairwise correlation rho in [0, 1); E[pi | signals] = sum_j zeta_j at rho = 0. */
  readonly sigmaZeta: number;
  readonly rho: number;
  /** Weight on revenue of Theorem 3's optimal mechanism. */
  readonly alpha: number;
}

export const adverseSelectionMechanisms = ["optimal", "double-auction", "robust"] as const;
export type AdverseSelectionMechanismId = (typeof adverseSelectionMechanisms)[number];

/** Which implementation of the market runs: the strategies' declared linear batch, or schedules -> clear -> settle (runMarket). */
export type AdverseSelectionMarketPath = "fast" | "general";

export interface AdverseSelectionSimulationOptions {
  /** Default "fast". Theorem 4's direct mechanism has no market: there "general" calls its allocation and transfer functions as they are. */
  readonly path?: AdverseSelectionMarketPath;
  /**
   * The registered fee the "optimal" mechanism charges (default prop5); its negative controls
   * prop5-no-psi and prop5-none keep Theorem 3's theory, which they must then fail.
   */
  readonly optimalFee?: string;
}

const optimalQuantities: readonly QuantitySpec[] = [
  { key: "revenuePerTrader", label: "revenue per trader (p X_i + fee_i paid to the exchange)" },
  { key: "holdingCostPerTrader", label: "holding cost per trader, (e_i + X_i)^2 / (2 kappa)" },
  { key: "utilityGainPerTrader", label: "utility gain per trader over autarky, with E[pi | signals] = sum of signals" },
  { key: "tradeVolumePerTrader", label: "trade volume per trader, |X_i|" },
];

const doubleAuctionQuantities: readonly QuantitySpec[] = [
  { key: "totalHoldingCost", label: "holding cost, total over traders: sum_i (e_i + X_i)^2 / (2 kappa)" },
  { key: "totalRevenue", label: "revenue, total over traders (no fee: 0)" },
  {
    key: "priceInformativeness",
    label: "price informativeness E[Var(S | p)], S = sum of signals, per market (Corollary 3.2; lower = more informative)",
  },
];

const robustQuantities: readonly QuantitySpec[] = [
  { key: "revenuePerTrader", label: "revenue per trader (transfer rule (7))" },
  { key: "holdingCostPerTrader", label: "holding cost per trader, (e_i + X_i)^2 / (2 kappa)" },
];

/**
 * Section 5's mechanisms as markets (all that exist for these parameters when `mechanisms` is
 * omitted):
 * - "optimal": Proposition 5's fee with truthful bids on the effective type t = e/kappa - zeta,
 *   against Theorem 3 (independent signals only);
 * - "double-auction": the plain double auction (no fee) with Theorem 2's equilibrium bids, against
 *   Lemma 4, with correlated signals too; price informativeness against Corollary 3.2 (rho = 0);
 * - "robust": Theorem 4's mechanism run as the direct mechanism it is (reports t_i, rule (7)).
 * Throws InputError (one line) for an unknown mechanism, one that does not exist for these
 * parameters (Theorem 3 with rho > 0, no SLE), or parameters the theory rejects.
 */
export function adverseSelectionSimulations(
  params: AdverseSelectionSimulationParams,
  mechanisms?: readonly string[],
  options: AdverseSelectionSimulationOptions = {},
): MarketSimulation[] {
  checkMechanisms(mechanisms);
  const report = theoryOf(() => adverseSelectionReport(params));
  const path = options.path ?? "fast";
  const build: Record<AdverseSelectionMechanismId, () => MarketSimulation> = {
    optimal: () => optimalSimulation(params, report, path, options.optimalFee ?? "prop5"),
    "double-auction": () => doubleAuctionSimulation(params, report, path),
    robust: () => robustSimulation(params, report, path),
  };
  if (mechanisms) return mechanisms.map((m) => build[m as AdverseSelectionMechanismId]());
  const out: MarketSimulation[] = [];
  for (const m of adverseSelectionMechanisms) {
    try {
      out.push(build[m]());
    } catch (error) {
      // Omitted: the mechanisms that exist here (no Theorem 3 with rho > 0, no SLE for noisy signals).
      if (!(error instanceof InputError)) throw error;
    }
  }
  return out;
}

/** Laws of endowments and signals other than Section 5.3's Gaussian ones (independent signals). */
export interface AdverseSelectionLaws {
  readonly endowment: Distribution;
  readonly signal: Distribution;
}

/**
 * Section 5's markets with any laws of endowments and (independent) signals: only Theorem 3's
 * optimal mechanism exists as theory there (Theorem 2's linear equilibrium and Theorem 4's design
 * are Gaussian), run as a market: truthful bids on the effective type with Proposition 5's fee for
 * these laws (prop5LawsFee: psi by convolution), against Theorem 3 by convolution
 * (adverseSelectionLawsReport); the trade volume's theory from the fee's grid (Prop5LawsFee.tradeVolumePerTrader).
 * Throws InputError (one line) for another mechanism or parameters the theory rejects.
 */
export function adverseSelectionLawsSimulations(
  params: { traders: number; kappa: number; alpha: number },
  laws: AdverseSelectionLaws,
  mechanisms?: readonly string[],
  options: AdverseSelectionSimulationOptions = {},
): MarketSimulation[] {
  checkMechanisms(mechanisms);
  for (const m of mechanisms ?? []) {
    if (m !== "optimal") {
      throw new InputError(
        `${m}: exists only for Gaussian endowments and signals (Theorem 2's linear equilibrium, Theorem 4's design); with --endowment-dist or --signal-dist only "optimal" runs`,
      );
    }
  }
  const report = theoryOf(() => adverseSelectionLawsReport({ ...params, endowment: laws.endowment, signal: laws.signal }));
  const p: AdverseSelectionSimulationParams = {
    ...params,
    muE: laws.endowment.mean,
    sigmaE: Math.sqrt(laws.endowment.variance),
    sigmaZeta: Math.sqrt(laws.signal.variance + laws.signal.mean ** 2),
    rho: 0,
  };
  return [optimalSimulation(p, report, options.path ?? "fast", options.optimalFee ?? "prop5", laws)];
}

/** InputError (one line) for a mechanism the model does not have. */
function checkMechanisms(mechanisms: readonly string[] | undefined): void {
  for (const m of mechanisms ?? []) {
    if (!(adverseSelectionMechanisms as readonly string[]).includes(m)) {
      throw new InputError(`mechanism "${m}" is not one of model adverse-selection's: ${adverseSelectionMechanisms.join(", ")}`);
    }
  }
}

/** Theory errors (bad or unsupported parameters) are the user's: InputError with the same line. */
function theoryOf<T>(f: () => T): T {
  try {
    return f();
  } catch (error) {
    if (error instanceof TheoryError) throw new InputError(error.message);
    throw error;
  }
}

/**
 * Each market's types: endowments, then (rho > 0) one common factor, then each trader's own signal
 * factor, zeta_i = sigma_zeta (sqrt(rho) common + sqrt(1 - rho) own): Gaussian with pairwise
 * correlation rho. Both paths of a mechanism draw through this, so they see the same types.
 */
class TypeDraws {
  readonly endowments: Float64Array;
  readonly signals: Float64Array;
  private readonly endowmentLaw: Distribution;
  private readonly std = normal(0, 1);
  private readonly common: number;
  private readonly own: number;
  /**
   * `laws`: endowments from their law, then each trader's signal from its (independent) law, in
   * place of the Gaussian draws (rho = 0 there).
   */
  constructor(
    private readonly p: AdverseSelectionSimulationParams,
    private readonly laws?: AdverseSelectionLaws,
  ) {
    this.endowments = new Float64Array(p.traders);
    this.signals = new Float64Array(p.traders);
    this.endowmentLaw = laws?.endowment ?? normal(p.muE, p.sigmaE);
    this.common = Math.sqrt(p.rho);
    this.own = Math.sqrt(1 - p.rho);
  }
  /** Draws a market's types; returns S = sum_j zeta_j. */
  draw(rng: () => number): number {
    this.endowmentLaw.sampleInto(rng, this.endowments);
    const zeta = this.signals;
    if (this.laws) {
      this.laws.signal.sampleInto(rng, zeta);
      let S = 0;
      for (let i = 0; i < zeta.length; i++) S += zeta[i]!;
      return S;
    }
    if (!(this.p.sigmaZeta > 0)) {
      zeta.fill(0);
      return 0;
    }
    const c = this.p.rho > 0 ? this.common * this.std.sample(rng) : 0;
    this.std.sampleInto(rng, zeta);
    let S = 0;
    for (let i = 0; i < zeta.length; i++) {
      zeta[i] = this.p.sigmaZeta * (c + this.own * zeta[i]!);
      S += zeta[i]!;
    }
    return S;
  }
}

/**
 * One single-asset market of Section 5 traders with a registered fee: after run(), q holds the trades,
 * transfers the payments p q_i + fee_i, revenue their compensated sum (no trade, no transfer when
 * the market does not clear). "general": every trader bids through the Strategy interface and
 * runMarket clears and settles. "fast": the strategy's declared linear batch fills a LinearBook,
 * clearLinearBook clears it (what clear() does for linear books) and the fee is charged as
 * settleMarket charges it (its batch method when declared), with settleMarket's checks.
 */
class SignalMarket {
  readonly q: Float64Array;
  readonly transfers: Float64Array;
  price = Number.NaN;
  revenue = 0;
  cleared = false;
  readonly run: (endowments: Float64Array, signals: Float64Array) => void;

  constructor(
    traders: number,
    strategy: AdverseSelectionStrategy,
    fee: MarketFee,
    schedule: FeeSchedule,
    path: AdverseSelectionMarketPath,
  ) {
    const q = (this.q = new Float64Array(traders));
    const transfers = (this.transfers = new Float64Array(traders));
    if (path === "general") {
      const types: AdverseSelectionType[] = new Array(traders);
      this.run = (endowments, signals) => {
        for (let i = 0; i < traders; i++) types[i] = { endowment: endowments[i]!, signal: signals[i]! };
        const s = runMarket(types, strategy, fee);
        for (let i = 0; i < traders; i++) {
          q[i] = s.trades[i]![0]!;
          transfers[i] = s.transfers[i]!;
        }
        this.price = s.prices[0]!;
        this.revenue = s.revenue;
        this.cleared = s.status === "cleared";
      };
      return;
    }
    const batch = strategy.signalLinearBatch;
    const book = createLinearBook(traders);
    book.slopes.fill(batch.slope);
    const fees = new Float64Array(traders);
    const absolute = new Float64Array(traders);
    const noTrade = () => {
      q.fill(0);
      transfers.fill(0);
      this.price = Number.NaN;
      this.revenue = 0;
      this.cleared = false;
    };
    this.run = (endowments, signals) => {
      batch.interceptsInto(endowments, signals, book.intercepts);
      const price = clearLinearBook(book, q);
      if (Number.isNaN(price)) return noTrade();
      for (let i = 0; i < traders; i++) absolute[i] = Math.abs(q[i]!);
      if (!(Math.abs(compensatedSum(q)) <= BALANCE_RELATIVE * (1 + compensatedSum(absolute)))) return noTrade();
      if (schedule.feesInto) schedule.feesInto(q, price, fees);
      else for (let i = 0; i < traders; i++) fees[i] = schedule.fee(i, q[i]!, price);
      for (let i = 0; i < traders; i++) {
        if (!Number.isFinite(fees[i]!)) return noTrade();
        transfers[i] = price * q[i]! + fees[i]!;
      }
      this.price = price;
      this.revenue = compensatedSum(transfers);
      this.cleared = true;
    };
  }
}

/** |sum_i q_i| / (1 + sum_i |q_i|): the exchange property's residual. */
function imbalance(q: Float64Array): number {
  let net = 0;
  let gross = 0;
  for (let i = 0; i < q.length; i++) {
    net += q[i]!;
    gross += Math.abs(q[i]!);
  }
  return Math.abs(net) / (1 + gross);
}

/**
 * Floating-point allowance of every quantity (MarketSimulation.rounding): intercepts are of size
 * Q = |mu_e| + sigma_e + kappa sigma_zeta and prices of size Q/kappa, so a market's sums carry rounding
 * of order N eps Q^2/kappa (the plain auction's revenue, 0 exactly, is simulated as ~1e-17 with a
 * rounding bias far outside its tiny interval: -3.6e-17 at rho = 0.3, mu_e = 0.2).
 */
function roundingOf(p: AdverseSelectionSimulationParams, quantities: readonly QuantitySpec[]): Record<string, number> {
  const Q = Math.abs(p.muE) + p.sigmaE + p.kappa * p.sigmaZeta;
  const allowance = 16 * Number.EPSILON * p.traders * ((Q * Q) / p.kappa);
  return Object.fromEntries(quantities.map((q) => [q.key, allowance]));
}

/** The fee environment of Proposition 5 (independent signals: rho is not part of it). */
function feeEnvironment(p: AdverseSelectionSimulationParams) {
  return {
    model: "adverse-selection" as const,
    env: { traders: p.traders, kappa: p.kappa, muE: p.muE, sigmaE: p.sigmaE, sigmaZeta: p.sigmaZeta, alpha: p.alpha },
  };
}

/**
 * Theorem 3 / Proposition 5: truthful effective-type bids q_i(p) = -v(t_i) - kappa p with the
 * registered fee `feeId` (prop5, or a negative control), against Theorem 3's per-trader revenue,
 * holding cost and utility gain. Trade volume: in the Gaussian case v(t) = mu_e + k v_1(z),
 * z = (t - mu_t)/s_t, k = kappa s_t w, with v_1 Theorem 1's virtual type of N(0, 1) at hazard weight
 * alpha/w (optimalAdverseSelection), so X_i = -k (v_1(z_i) - mean_j v_1(z_j)) is k times the basic
 * model's optimal allocation for N(0, 1) endowments, and E|X_i| is k times that model's trade volume.
 */
function optimalSimulation(
  p: AdverseSelectionSimulationParams,
  report: Pick<AdverseSelectionReport, "optimal" | "optimalReason">,
  path: AdverseSelectionMarketPath,
  feeId: string,
  laws?: AdverseSelectionLaws,
): MarketSimulation {
  if (p.rho !== 0) throw new InputError(`optimal: Theorem 3 is stated for independent signals (rho = 0), got rho = ${p.rho}`);
  if (report.optimal === null) throw new InputError(`optimal: ${report.optimalReason ?? "Theorem 3's mechanism does not exist here"}`);
  let info: ReturnType<typeof feeModule>;
  try {
    info = feeModule(feeId);
  } catch (error) {
    throw new InputError(`optimal: ${(error as Error).message}`);
  }
  if (info.model !== "adverse-selection" || info.strategy !== "truthful-effective-type") {
    throw new InputError(
      `optimal: fee "${feeId}" is not an adverse-selection fee for truthful effective-type bids; use prop5, prop5-no-psi or prop5-none`,
    );
  }
  const { traders: N, kappa } = p;
  const optimal = report.optimal;
  let tradeVolumePerTrader: number;
  let strategy: ReturnType<typeof effectiveTypeBidder>;
  let built: ReturnType<typeof buildFee>;
  if (laws) {
    const env = { traders: N, kappa, alpha: p.alpha, endowment: laws.endowment, signal: laws.signal };
    built = theoryOf(() => buildFee(feeId, { model: "adverse-selection", env }));
    // Proposition 5's fee for these laws carries Theorem 3's v (the bidders') and the trade volume's
    // theory; the negative controls keep both.
    const prop5 = feeId === "prop5" ? (built.schedule as Prop5LawsFee) : theoryOf(() => prop5LawsFee(env));
    strategy = effectiveTypeBidder(prop5.mechanism, kappa);
    tradeVolumePerTrader = prop5.tradeVolumePerTrader;
  } else {
    const mechanism = theoryOf(() => optimalAdverseSelection(p));
    const w = mechanism.endowmentWeight;
    const st = Math.sqrt((p.sigmaE * p.sigmaE) / (kappa * kappa) + p.sigmaZeta * p.sigmaZeta);
    const unit = theoryOf(() => solveVirtualTypeWithWeight(normal(0, 1), p.alpha / w));
    tradeVolumePerTrader =
      kappa * st * w * optimalMechanismOutcome(basicEnvironment({ dist: normal(0, 1), kappa, traders: N }), unit).tradeVolumePerTrader;
    built = buildFee(feeId, feeEnvironment(p));
    strategy = effectiveTypeBidder(mechanism, kappa);
  }
  const quantities = optimalQuantities;
  const draws = new TypeDraws(p, laws);
  const market = new SignalMarket(N, strategy, built.fee, built.schedule!, path);
  const { endowments: e, signals: zeta } = draws;
  const { q, transfers } = market;
  return {
    mechanism: "optimal",
    fee: feeId,
    strategy: strategy.id,
    note: laws
      ? `laws ${laws.endowment.id} (endowments) and ${laws.signal.id} (signals): Theorem 3, Proposition 5's psi and the trade volume by convolution`
      : "trade volume's theory: Theorem 3's Gaussian allocation is kappa s_t w times Theorem 1's for N(0, 1) endowments at hazard weight alpha/w",
    quantities,
    rounding: roundingOf(p, quantities),
    theory: {
      revenuePerTrader: optimal.revenuePerTrader,
      holdingCostPerTrader: optimal.holdingCostPerTrader,
      utilityGainPerTrader: optimal.utilityGainPerTrader,
      tradeVolumePerTrader,
    },
    runMarkets: (rng, count, out): BlockDiagnostics => {
      let noTradeMarkets = 0;
      let worstImbalance = 0;
      for (let m = 0; m < count; m++) {
        const S = draws.draw(rng);
        market.run(e, zeta);
        if (!market.cleared) noTradeMarkets++;
        worstImbalance = Math.max(worstImbalance, imbalance(q));
        let holding = 0;
        let gain = 0;
        let volume = 0;
        for (let i = 0; i < N; i++) {
          const x = q[i]!;
          const h = e[i]! + x;
          holding += h * h;
          // U(e + X, T) - U(e, 0) with E[pi | all signals] = S (Section 5).
          gain += S * x - transfers[i]! - (x * (2 * e[i]! + x)) / (2 * kappa);
          volume += Math.abs(x);
        }
        out[0]![m] = market.revenue / N;
        out[1]![m] = holding / (2 * kappa * N);
        out[2]![m] = gain / N;
        out[3]![m] = volume / N;
      }
      return { noTradeMarkets, worstImbalance };
    },
  };
}

/**
 * The plain double auction with Theorem 2's equilibrium bids q_i = -a (e_i - mu_e) + b zeta_i - c (p + mu_e/kappa)
 * (any rho), no fee, against Lemma 4's total holding cost and revenue 0. Price informativeness is
 * what priceInformativeness (Corollary 3.2) computes, E[Var(S | p)] with S = sum_j zeta_j, sampled per
 * market as (S - E[S | p])^2: the price reveals Y = N c (p + mu_e/kappa) = sum_j (-a (e_j - mu_e) + b zeta_j),
 * jointly Gaussian with S, so E[S | p] = (Cov(S, Y)/Var Y) Y, with Var S = N sigma_zeta^2 (1 + (N-1) rho),
 * Cov(S, Y) = b Var S and Var Y = a^2 N sigma_e^2 + b^2 Var S. Its theory exists for rho = 0 only.
 * No registered fee id names "plain auction, Theorem 2's bidders" for this model: the no-fee module
 * prop5-none is charged (its registered strategy is truthful effective-type bidding, not this one).
 */
function doubleAuctionSimulation(
  p: AdverseSelectionSimulationParams,
  report: AdverseSelectionReport,
  path: AdverseSelectionMarketPath,
): MarketSimulation {
  const da = report.doubleAuction;
  if (!da.exists || da.totalHoldingCost === null) throw new InputError(`double-auction: ${da.reason ?? "no symmetric linear equilibrium"}`);
  const { traders: N, kappa, muE } = p;
  const strategy = theoryOf(() => adverseSelectionSleBidder(p));
  const { a, b, c } = strategy;
  const varS = N * p.sigmaZeta * p.sigmaZeta * (1 + (N - 1) * p.rho);
  const projection = (b * varS) / (a * a * N * p.sigmaE * p.sigmaE + b * b * varS);
  const theory: Record<string, number> = { totalHoldingCost: da.totalHoldingCost, totalRevenue: 0 };
  // Corollary 3.2's plain-auction value does not depend on alpha: evaluated at alpha = 0, where Theorem 3 always exists.
  if (p.rho === 0) theory.priceInformativeness = theoryOf(() => priceInformativeness({ ...p, alpha: 0 })).doubleAuction;
  const built = buildFee("prop5-none", feeEnvironment(p));
  const draws = new TypeDraws(p);
  const market = new SignalMarket(N, strategy, built.fee, built.schedule!, path);
  const { endowments: e, signals: zeta } = draws;
  const { q } = market;
  return {
    mechanism: "double-auction",
    fee: built.info.id,
    strategy: strategy.id,
    note:
      "no fee (registry id prop5-none, registered for truthful effective-type bids; no id names the plain auction with Theorem 2's bidders)" +
      (p.rho === 0 ? "" : "; price informativeness has theory (Corollary 3.2) only for rho = 0"),
    quantities: doubleAuctionQuantities,
    rounding: roundingOf(p, doubleAuctionQuantities),
    theory,
    runMarkets: (rng, count, out): BlockDiagnostics => {
      let noTradeMarkets = 0;
      let worstImbalance = 0;
      for (let m = 0; m < count; m++) {
        const S = draws.draw(rng);
        market.run(e, zeta);
        if (!market.cleared) noTradeMarkets++;
        worstImbalance = Math.max(worstImbalance, imbalance(q));
        let holding = 0;
        for (let i = 0; i < N; i++) {
          const h = e[i]! + q[i]!;
          holding += h * h;
        }
        // Without a price nothing is revealed: E[S | no price] = E[S] = 0.
        const posterior = market.cleared ? projection * N * c * (market.price + muE / kappa) : 0;
        out[0]![m] = holding / (2 * kappa);
        out[1]![m] = market.revenue;
        out[2]![m] = (S - posterior) ** 2;
      }
      return { noTradeMarkets, worstImbalance };
    },
  };
}

/**
 * Theorem 4's robust mechanism as the direct mechanism it is: each trader reports her effective type
 * t_i = e_i/kappa - zeta_i (optimal under every information structure, Corollary 4.1), the allocation
 * is Theorem 3's at alpha = 0 and the transfers rule (7), from gaussianRobustMechanism; against its
 * expected revenue and holding cost at the signals' actual correlation rho (adverseSelectionReport).
 * "general" calls the mechanism's allocation and transfers on the reports; "fast" evaluates the same
 * rule from its v and tau without allocating, X_i = (1/N) sum_j v(m_j) - v(m_i), T_i = tau(m_i) - X_i^2/(2 kappa).
 */
function robustSimulation(
  p: AdverseSelectionSimulationParams,
  report: AdverseSelectionReport,
  path: AdverseSelectionMarketPath,
): MarketSimulation {
  const { traders: N, kappa } = p;
  const robust = theoryOf(() => gaussianRobustMechanism(p));
  const draws = new TypeDraws(p);
  const { endowments: e, signals: zeta } = draws;
  const reports: number[] = new Array(N).fill(0);
  const x = new Float64Array(N);
  const t = new Float64Array(N);
  const settle =
    path === "general"
      ? () => {
          const allocation = robust.allocation(reports);
          const transfers = robust.transfers(reports);
          for (let i = 0; i < N; i++) {
            x[i] = allocation[i]!;
            t[i] = transfers[i]!;
          }
        }
      : () => {
          let sum = 0;
          for (let i = 0; i < N; i++) {
            x[i] = robust.v(reports[i]!);
            sum += x[i]!;
          }
          const mean = sum / N;
          for (let i = 0; i < N; i++) {
            x[i] = mean - x[i]!;
            t[i] = robust.ownReportTransfer(reports[i]!) - (x[i]! * x[i]!) / (2 * kappa);
          }
        };
  return {
    mechanism: "robust",
    fee: "rule-7-direct",
    strategy: "truthful-report",
    note: "Theorem 4's robust mechanism runs as the direct mechanism it is (reports t_i = e_i/kappa - zeta_i, allocation and transfer rule (7)): no schedules, no clearing, no registered fee",
    quantities: robustQuantities,
    rounding: roundingOf(p, robustQuantities),
    theory: { revenuePerTrader: report.robust.revenuePerTrader, holdingCostPerTrader: report.robust.holdingCostPerTrader },
    runMarkets: (rng, count, out): BlockDiagnostics => {
      let worstImbalance = 0;
      for (let m = 0; m < count; m++) {
        draws.draw(rng);
        for (let i = 0; i < N; i++) reports[i] = e[i]! / kappa - zeta[i]!;
        settle();
        worstImbalance = Math.max(worstImbalance, imbalance(x));
        let holding = 0;
        for (let i = 0; i < N; i++) {
          const h = e[i]! + x[i]!;
          holding += h * h;
        }
        out[0]![m] = compensatedSum(t) / N;
        out[1]![m] = holding / (2 * kappa * N);
      }
      return { noTradeMarkets: 0, worstImbalance };
    },
  };
}

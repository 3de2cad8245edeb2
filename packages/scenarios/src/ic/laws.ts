import fc from "fast-check";
import seedrandom from "seedrandom";

/**
 * The incentive-compatibility oracle: the laws every fee module must satisfy with its implementing
 * strategy (issue 4), checked on random markets of one environment. A model plugs in through
 * IcEnvironment; the laws and their tolerances live here, once, for every module.
 */

/** Relative regret a prescribed bid may leave: 1e-9 of the payoff scale (e.g. sigma_e^2 / kappa). */
export const REGRET_TOLERANCE = 1e-9;
/** The exchange property as the engine checks it: |sum X_i| <= 1e-9 (1 + sum |X_i|). */
export const BALANCE_TOLERANCE = 1e-9;
/** Revenue must equal the sum of fees (sum p X_i = 0) up to rounding of the summed transfers. */
export const BUDGET_TOLERANCE = 1e-12;

/** What one market with every trader on the prescribed strategy settles to. */
export interface MarketOutcome {
  /** Cleared in every asset (otherwise no trade, no transfer, and `reason`). */
  readonly cleared: boolean;
  readonly reason: string | null;
  /** sum_i X_ia for each asset a, and sum_i |X_ia| (the balance law's scale). */
  readonly tradeSums: readonly number[];
  readonly tradeScale: number;
  /** sum_i fee_i and the exchange's revenue sum_i T_i. */
  readonly feeSum: number;
  readonly revenue: number;
  /** Scale of the transfers, sum_i |T_i|, for the budget law. */
  readonly transferScale: number;
  readonly finite: boolean;
}

/** One realised market: everybody's type drawn, everybody's prescribed bid submitted. */
export interface IcMarket {
  readonly traders: number;
  /**
   * Trader i's regret: best response over its residual supply (for several assets, over the vector of
   * quantities) minus the prescribed bid's payoff, divided by the payoff scale. Any point of the
   * residual supply is reachable by some schedule, so this bounds every deviation.
   */
  regret(i: number): { readonly relativeRegret: number; readonly bestQuantity: number | readonly number[] };
  /**
   * Explicit deviations cleared by the engine: intercept shifts, slope changes, piecewise-linear
   * schedules (and joint ones for several assets). The largest payoff gain over the prescribed bid,
   * divided by the payoff scale, and which deviation gave it.
   */
  deviations(i: number): { readonly relativeGain: number; readonly deviation: string };
  outcome(): MarketOutcome;
}

/** A type at which interim participation is checked. */
export interface ParticipationPoint {
  readonly trader: number;
  readonly label: string;
}

/** One environment with one fee module and its implementing strategy. */
export interface IcEnvironment<Types> {
  readonly model: string;
  /** Registered id of the fee module (fees registry). */
  readonly fee: string;
  /** The strategy every trader follows. */
  readonly strategy: string;
  /** Environment parameters, as printed with a report. */
  readonly parameters: Readonly<Record<string, unknown>>;
  /** Payoff scale for the relative tolerances (sigma_e^2 / kappa in the basic model). */
  readonly scale: number;
  /** Random markets (types of all traders); shrinking moves types towards simple values. */
  readonly types: fc.Arbitrary<Types>;
  /** How to print a market's types in a counterexample. */
  describeTypes(types: Types): unknown;
  market(types: Types): IcMarket;
  readonly participationPoints: readonly ParticipationPoint[];
  /** Simulated utility gains of the point's type over `samples` markets (others' types random). */
  interimGains(point: ParticipationPoint, uniform: () => number, samples: number): Float64Array;
  /**
   * The exchange's expected revenue per market by theory (the direct mechanism the fee implements)
   * and simulated revenues of `samples` random markets; absent for negative controls, which
   * implement no mechanism.
   */
  readonly revenue?: { readonly theory: number; simulate(uniform: () => number, samples: number): Float64Array };
}

export interface LawOptions {
  /** Random markets to try (fast-check runs). */
  readonly cases: number;
  /** fast-check seed: same seed, same cases. */
  readonly seed: number;
  /** Monte Carlo markets per participation point, and for the revenue law; 0 skips both. */
  readonly participationSamples: number;
  /** Traders whose regret is checked in each market: all, or a first/middle/last subset (faster at large N). */
  readonly tradersChecked?: "all" | "ends";
}

export interface LawResult {
  readonly pass: boolean;
  readonly largest: number;
  readonly tolerance: number;
}

export interface WorstCase {
  readonly types: unknown;
  readonly trader: number;
  readonly relativeRegret: number;
  readonly bestQuantity: number | readonly number[];
  readonly deviation: string;
}

export interface ParticipationResult {
  readonly trader: number;
  readonly label: string;
  readonly mean: number;
  /** Half-width of the interval of the mean used by the law (4 standard errors). */
  readonly halfWidth: number;
  readonly pass: boolean;
}

export interface LawReport {
  readonly model: string;
  readonly fee: string;
  readonly strategy: string;
  readonly parameters: Readonly<Record<string, unknown>>;
  readonly cases: number;
  readonly seed: number;
  /** Largest relative regret over all markets and checked traders (best response and explicit deviations). */
  readonly largestRegret: number;
  readonly worstCase: WorstCase | null;
  readonly laws: {
    readonly incentiveCompatibility: LawResult;
    readonly balance: LawResult;
    readonly budget: LawResult;
    readonly finite: { readonly pass: boolean };
    /** Every market cleared with a unique price and finite fees; otherwise the first reason given. */
    readonly cleared: { readonly pass: boolean; readonly reason: string | null };
    readonly participation: { readonly pass: boolean; readonly points: readonly ParticipationResult[] } | null;
    /** Simulated mean revenue per market against the theory's (4 standard errors); null when skipped or for a control. */
    readonly revenue: { readonly pass: boolean; readonly theory: number; readonly mean: number; readonly halfWidth: number } | null;
  };
  readonly pass: boolean;
  /** fast-check's report of the first failing market, shrunk (null when every market passed). */
  readonly counterexample: string | null;
}

/**
 * Normal quantile of the Monte Carlo laws (participation: one-sided, 3e-5; revenue: two-sided,
 * 6e-5). The test suite makes about 150 such checks, so a 99.9% interval would raise a false alarm
 * at about one seed in twenty; at z = 4 it is under one in a hundred, while an error of a few percent
 * in a fee's constant or in the theory's revenue still fails (test/feeLaws.test.ts checks the power).
 */
const Z_LAW = 4;

/**
 * Runs every law on `options.cases` random markets of `env` (fast-check, seeded), then interim
 * participation on env's grid of types and the expected revenue against theory, by Monte Carlo. A market fails when any law fails in it;
 * fast-check then shrinks it to a simpler failing market, reported in `counterexample`.
 */
export function runLaws<Types>(env: IcEnvironment<Types>, options: LawOptions): LawReport {
  let largestRegret = 0;
  let largestImbalance = 0;
  let largestBudgetGap = 0;
  let allFinite = true;
  let firstUncleared: string | null = null;
  let worstCase: WorstCase | null = null;

  const check = (types: Types): boolean => {
    const market = env.market(types);
    const out = market.outcome();
    const finite = out.finite;
    allFinite &&= finite;
    if (!out.cleared) firstUncleared ??= out.reason ?? "no unique clearing price";
    let imbalance = 0;
    for (const s of out.tradeSums) imbalance = Math.max(imbalance, Math.abs(s) / (1 + out.tradeScale));
    const budgetGap = Math.abs(out.revenue - out.feeSum) / (1 + out.transferScale);
    largestImbalance = Math.max(largestImbalance, imbalance);
    largestBudgetGap = Math.max(largestBudgetGap, budgetGap);
    const N = market.traders;
    const checked = options.tradersChecked === "ends" ? [...new Set([0, N >> 1, N - 1])] : Array.from({ length: N }, (_, i) => i);
    let marketWorst = 0;
    for (const i of checked) {
      const r = market.regret(i);
      const d = market.deviations(i);
      const regret = Math.max(r.relativeRegret, d.relativeGain);
      marketWorst = Math.max(marketWorst, regret);
      if (worstCase === null || regret > largestRegret) {
        largestRegret = Math.max(largestRegret, regret);
        worstCase = {
          types: env.describeTypes(types),
          trader: i,
          relativeRegret: regret,
          bestQuantity: r.bestQuantity,
          deviation: d.relativeGain > r.relativeRegret ? d.deviation : "best response on the residual supply",
        };
      }
      if (!Number.isFinite(regret)) allFinite = false;
    }
    return finite && out.cleared && marketWorst <= REGRET_TOLERANCE && imbalance <= BALANCE_TOLERANCE && budgetGap <= BUDGET_TOLERANCE;
  };

  const result = fc.check(fc.property(env.types, check), { seed: options.seed, numRuns: options.cases });
  const counterexample = result.failed ? (fc.defaultReportMessage(result) ?? "property failed") : null;

  let participation: LawReport["laws"]["participation"] = null;
  if (options.participationSamples > 0) {
    const points = env.participationPoints.map((point, k): ParticipationResult => {
      const gains = env.interimGains(point, seedrandom.alea(`${options.seed}/participation/${k}`), options.participationSamples);
      const { mean, halfWidth } = meanAndHalfWidth(gains);
      const pass = Number.isFinite(mean) && mean >= -halfWidth - REGRET_TOLERANCE * env.scale;
      return { trader: point.trader, label: point.label, mean, halfWidth, pass };
    });
    participation = { pass: points.every((p) => p.pass), points };
  }

  let revenue: LawReport["laws"]["revenue"] = null;
  if (options.participationSamples > 0 && env.revenue) {
    const { mean, halfWidth } = meanAndHalfWidth(
      env.revenue.simulate(seedrandom.alea(`${options.seed}/revenue`), options.participationSamples),
    );
    const theory = env.revenue.theory;
    revenue = { pass: Math.abs(mean - theory) <= halfWidth + REGRET_TOLERANCE * env.scale, theory, mean, halfWidth };
  }

  const laws = {
    incentiveCompatibility: { pass: largestRegret <= REGRET_TOLERANCE, largest: largestRegret, tolerance: REGRET_TOLERANCE },
    balance: { pass: largestImbalance <= BALANCE_TOLERANCE, largest: largestImbalance, tolerance: BALANCE_TOLERANCE },
    budget: { pass: largestBudgetGap <= BUDGET_TOLERANCE, largest: largestBudgetGap, tolerance: BUDGET_TOLERANCE },
    finite: { pass: allFinite },
    cleared: { pass: firstUncleared === null, reason: firstUncleared },
    participation,
    revenue,
  };
  const pass =
    !result.failed &&
    laws.incentiveCompatibility.pass &&
    laws.balance.pass &&
    laws.budget.pass &&
    allFinite &&
    laws.cleared.pass &&
    (participation?.pass ?? true) &&
    (revenue?.pass ?? true);
  return {
    model: env.model,
    fee: env.fee,
    strategy: env.strategy,
    parameters: env.parameters,
    cases: options.cases,
    seed: options.seed,
    largestRegret,
    worstCase,
    laws,
    pass,
    counterexample,
  };
}

function meanAndHalfWidth(xs: Float64Array): { mean: number; halfWidth: number } {
  let s = 0;
  for (const x of xs) s += x;
  const mean = s / xs.length;
  let ss = 0;
  for (const x of xs) ss += (x - mean) ** 2;
  return { mean, halfWidth: (Z_LAW * Math.sqrt(ss / Math.max(1, xs.length - 1))) / Math.sqrt(xs.length) };
}

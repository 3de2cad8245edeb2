import { type LinearStrategy, payoffOfSchedule, regretOf, sleBidder, truthfulBidder } from "@optex/agents";
import {
  clear,
  clearLinearBook,
  createLinearBook,
  type DemandSchedule,
  type FeeSchedule,
  linearSchedule,
  noFee,
  piecewiseLinearSchedule,
  settle,
} from "@optex/engine";
import { buildFee, type Prop3Fee } from "@optex/fees";
import {
  basicEnvironment,
  type Distribution,
  heterogeneousOutcome,
  optimalMechanismOutcome,
  solveHeterogeneous,
  solveVirtualType,
  utilityGain,
} from "@optex/theory";
import fc from "fast-check";
import { uniformReal } from "./uniformReal.ts";
import type { IcEnvironment, IcMarket, MarketOutcome, ParticipationPoint } from "./laws.ts";

/** A one-asset private-values market: each trader has a law, a capacity and a linear strategy. */
interface SingleAssetSpec {
  readonly model: string;
  readonly fee: string;
  readonly strategy: string;
  readonly parameters: Readonly<Record<string, unknown>>;
  readonly laws: readonly Distribution[];
  readonly kappas: readonly number[];
  readonly muPi: number;
  readonly schedule: FeeSchedule;
  readonly strategies: readonly LinearStrategy[];
  /** Each trader's flat region (participation binds there), if any. */
  readonly flatRegions: readonly (readonly [number, number] | null)[];
  /** Traders whose interim participation is checked. */
  readonly participationTraders: readonly number[];
  /** Expected revenue per market of the mechanism the fee implements (absent for controls). */
  readonly theoryRevenue?: number;
}

/** Quantiles at which each trader's types are drawn: away from 0 and 1 so that unbounded laws stay finite. */
const U_MIN = 5e-4;

interface Point extends ParticipationPoint {
  readonly endowment: number;
}

function singleAssetEnvironment(spec: SingleAssetSpec): IcEnvironment<number[]> {
  const N = spec.laws.length;
  const scales = spec.laws.map((d, i) => d.variance / spec.kappas[i]!);
  const points: Point[] = [];
  for (const i of spec.participationTraders) {
    const law = spec.laws[i]!;
    for (const u of [0.01, 0.25, 0.5, 0.75, 0.99])
      points.push({ trader: i, label: `trader ${i}, quantile ${u}`, endowment: law.quantile(u) });
    const flat = spec.flatRegions[i];
    if (flat && flat[1] > flat[0])
      points.push({ trader: i, label: `trader ${i}, middle of the flat region`, endowment: 0.5 * (flat[0] + flat[1]) });
  }
  return {
    model: spec.model,
    fee: spec.fee,
    strategy: spec.strategy,
    parameters: spec.parameters,
    // No spreads of one argument per trader: markets may have a hundred thousand traders.
    scale: scales.reduce((a, b) => Math.max(a, b), -Infinity),
    types: fc
      .array(uniformReal(U_MIN, 1 - U_MIN), { minLength: spec.laws.length, maxLength: spec.laws.length })
      .map((us) => us.map((u, i) => spec.laws[i]!.quantile(u))),
    describeTypes: (endowments) => ({ endowments }),
    market: (endowments) => singleAssetMarket(spec, endowments, scales),
    participationPoints: points,
    ...(spec.theoryRevenue === undefined
      ? {}
      : {
          revenue: {
            theory: spec.theoryRevenue,
            simulate: (uniform: () => number, samples: number) => {
              const book = createLinearBook(N);
              spec.strategies.forEach((s, j) => (book.slopes[j] = s.slope));
              const q = new Float64Array(N);
              const revenues = new Float64Array(samples);
              for (let m = 0; m < samples; m++) {
                for (let j = 0; j < N; j++) book.intercepts[j] = spec.strategies[j]!.intercept(spec.laws[j]!.sample(uniform));
                const price = clearLinearBook(book, q);
                let total = 0;
                for (let j = 0; j < N; j++) total += price * q[j]! + spec.schedule.fee(j, q[j]!, price);
                revenues[m] = total;
              }
              return revenues;
            },
          },
        }),
    interimGains: (point, uniform, samples) => {
      const p = point as Point;
      const book = createLinearBook(N);
      spec.strategies.forEach((s, j) => (book.slopes[j] = s.slope));
      const q = new Float64Array(N);
      const gains = new Float64Array(samples);
      const i = p.trader;
      for (let m = 0; m < samples; m++) {
        for (let j = 0; j < N; j++)
          book.intercepts[j] = spec.strategies[j]!.intercept(j === i ? p.endowment : spec.laws[j]!.sample(uniform));
        const price = clearLinearBook(book, q);
        const transfer = price * q[i]! + spec.schedule.fee(i, q[i]!, price);
        gains[m] = utilityGain(p.endowment, q[i]!, transfer, spec.kappas[i]!, spec.muPi);
      }
      return gains;
    },
  };
}

function singleAssetMarket(spec: SingleAssetSpec, endowments: readonly number[], scales: readonly number[]): IcMarket {
  const N = endowments.length;
  const bids = endowments.map((e, i) => linearSchedule(spec.strategies[i]!.intercept(e), spec.strategies[i]!.slope));
  const problemOf = (i: number) => ({
    endowment: endowments[i]!,
    kappa: spec.kappas[i]!,
    muPi: spec.muPi,
    others: bids.filter((_, j) => j !== i),
    fee: spec.schedule,
    trader: i,
  });
  return {
    traders: N,
    regret: (i) => {
      const r = regretOf(problemOf(i), bids[i]!);
      return { relativeRegret: r.regret / scales[i]!, bestQuantity: r.best.quantity };
    },
    deviations: (i) => {
      const problem = problemOf(i);
      const own = payoffOfSchedule(problem, bids[i]!);
      let best = { gain: -Infinity, deviation: "" };
      for (const [name, schedule] of deviationsOf(bids[i]!, own.price, Math.sqrt(spec.laws[i]!.variance))) {
        const gain = payoffOfSchedule(problem, schedule).payoff - own.payoff;
        if (gain > best.gain || Number.isNaN(gain)) best = { gain, deviation: name };
      }
      return { relativeGain: best.gain / scales[i]!, deviation: best.deviation };
    },
    outcome: () => oneAssetOutcome(bids, spec.schedule),
  };
}

/** The settled outcome of one auction with everybody's bids (shared by the one-asset models). */
export function oneAssetOutcome(bids: readonly DemandSchedule[], fee: FeeSchedule): MarketOutcome {
  const N = bids.length;
  const s = settle(clear(bids), N, fee);
  let tradeScale = 0;
  let feeSum = 0;
  let transferScale = 0;
  let finite = Number.isFinite(s.revenue);
  for (let i = 0; i < N; i++) {
    tradeScale += Math.abs(s.trades[i]!);
    feeSum += s.fees[i]!;
    transferScale += Math.abs(s.transfers[i]!);
    finite &&= Number.isFinite(s.trades[i]!) && Number.isFinite(s.fees[i]!) && Number.isFinite(s.transfers[i]!);
  }
  return {
    cleared: s.status === "cleared",
    reason: s.reason,
    tradeSums: [s.trades.reduce((a, b) => a + b, 0)],
    tradeScale,
    feeSum,
    revenue: s.revenue,
    transferScale,
    finite,
  };
}

/**
 * Deviations a trader could submit instead of its linear bid q(p) = a - s p, each of which moves
 * the clearing point: shifted intercepts, other slopes (pivoting about a point one price step
 * below or above the clearing price), and piecewise-linear schedules that cross the prescribed one at
 * the clearing price's neighbours but not at it (kinks, a step, shading towards zero).
 */
export function deviationsOf(bid: DemandSchedule, price: number | null, width: number): [string, DemandSchedule][] {
  if (bid.kind !== "linear") return [];
  const { intercept: a, slope: s } = bid;
  const out: [string, DemandSchedule][] = [];
  for (const k of [-0.5, -0.1, -0.01, 0.01, 0.1, 0.5]) out.push([`intercept shifted by ${k} sd`, linearSchedule(a + k * width, s)]);
  const p = price ?? 0;
  const h = (0.2 * width) / s; // price step: the others' schedules move about 0.2 sd of quantity over it
  const q = (x: number) => a - s * x;
  for (const f of [0.5, 0.9, 1.1, 2]) {
    out.push([`slope times ${f}, pivoting one step below the price`, linearSchedule(q(p - h) + f * s * (p - h), f * s)]);
    out.push([`slope times ${f}, pivoting one step above the price`, linearSchedule(q(p + h) + f * s * (p + h), f * s)]);
  }
  const kinks: [string, number[], number[]][] = [
    ["piecewise: kinked below the prescribed point", [p - h, p, p + h], [q(p - h), q(p) - 0.1 * width, q(p + h)]],
    ["piecewise: kinked above the prescribed point", [p - h, p, p + h], [q(p - h), q(p) + 0.1 * width, q(p + h)]],
    ["piecewise: shaded towards zero", [p - h, p, p + h], [0.8 * q(p - h), 0.8 * q(p), 0.8 * q(p + h)]],
    [
      "piecewise: step down just below the price",
      [p - h, p - h / 10, p + h / 10, p + h],
      [q(p - h) + 0.1 * width, q(p - h / 10) + 0.1 * width, q(p + h / 10) - 0.2 * width, q(p + h) - 0.2 * width],
    ],
    ["piecewise: flat near the price", [p - h, p + h], [q(p) + 0.05 * width, q(p) + 0.05 * width - 1e-9 * width]],
  ];
  for (const [name, prices, quantities] of kinks) {
    if (quantities.every((x, k) => k === 0 || x <= quantities[k - 1]!))
      out.push([name, piecewiseLinearSchedule(prices, quantities, { lower: s, upper: s })]);
  }
  return out;
}

export interface BasicIcParams {
  readonly dist: Distribution;
  readonly traders: number;
  readonly kappa: number;
  readonly alpha: number;
  readonly muPi: number;
}

/** The basic model (Sections 3-4) with fee module `fee` (none, prop3, or a negative control) and its strategy. */
/** `perturb` rebuilds the implementing fee (power tests: a wrong constant must fail a law). */
export function basicIcEnvironment(p: BasicIcParams, fee: string, perturb?: (fee: Prop3Fee) => FeeSchedule): IcEnvironment<number[]> {
  const env = basicEnvironment({ dist: p.dist, kappa: p.kappa, traders: p.traders, muPi: p.muPi });
  const vt = solveVirtualType(p.dist, p.alpha);
  const truthful = truthfulBidder(vt, p.kappa, p.muPi);
  const base = {
    model: "basic",
    fee,
    laws: Array(p.traders).fill(p.dist),
    kappas: Array(p.traders).fill(p.kappa),
    muPi: p.muPi,
    participationTraders: [0],
  };
  const parameters = { dist: p.dist.id, traders: p.traders, kappa: p.kappa, alpha: p.alpha, muPi: p.muPi };
  const flat = Array(p.traders).fill([vt.eA, vt.eB] as const);
  switch (fee) {
    case "prop3":
      return singleAssetEnvironment({
        ...base,
        strategy: truthful.id,
        parameters,
        schedule: ((fee) => (perturb ? perturb(fee as Prop3Fee) : fee))(
          buildFee("prop3", { model: "basic", env, alpha: p.alpha, vt }).schedule!,
        ),
        strategies: Array(p.traders).fill(truthful),
        flatRegions: flat,
        theoryRevenue: p.traders * optimalMechanismOutcome(env, vt).revenuePerTrader,
      });
    case "none": {
      const sle = sleBidder(p.traders, p.kappa, p.muPi);
      const { alpha: _unused, ...rest } = parameters;
      // No revenue law: the plain auction collects p sum q_i = 0 by construction (the balance law).
      return singleAssetEnvironment({
        ...base,
        strategy: sle.id,
        parameters: rest,
        schedule: noFee,
        strategies: Array(p.traders).fill(sle),
        flatRegions: Array(p.traders).fill(null),
      });
    }
    case "none-truthful":
      return singleAssetEnvironment({
        ...base,
        strategy: truthful.id,
        parameters,
        schedule: noFee,
        strategies: Array(p.traders).fill(truthful),
        flatRegions: flat,
      });
    case "prop3-printed":
      return singleAssetEnvironment({
        ...base,
        strategy: truthful.id,
        parameters,
        schedule: buildFee("prop3-printed", { model: "basic", env, alpha: p.alpha, vt }).schedule!,
        strategies: Array(p.traders).fill(truthful),
        flatRegions: flat,
      });
    default:
      throw new Error(`fee "${fee}" is not a basic-model fee; expected one of none, prop3, none-truthful, prop3-printed`);
  }
}

export interface HeterogeneousIcParams {
  readonly dists: readonly Distribution[];
  readonly kappas: readonly number[];
  readonly alpha: number;
  readonly muPi: number;
}

/** Heterogeneous traders (Section 7) with Proposition 10's fees (or the fee-less control) and truthful virtual-type bids. */
export function heterogeneousIcEnvironment(p: HeterogeneousIcParams, fee: string): IcEnvironment<number[]> {
  if (fee !== "prop10" && fee !== "prop10-none")
    throw new Error(`fee "${fee}" is not a heterogeneous-model fee; expected prop10 or prop10-none`);
  const mech = solveHeterogeneous(
    p.dists.map((dist, i) => ({ dist, kappa: p.kappas[i]! })),
    p.alpha,
  );
  const strategies = mech.traders.map((vt, i) => truthfulBidder(vt, p.kappas[i]!, p.muPi));
  return singleAssetEnvironment({
    model: "heterogeneous",
    fee,
    strategy: "truthful-virtual-type",
    parameters: { dists: p.dists.map((d) => d.id), kappas: p.kappas, alpha: p.alpha, muPi: p.muPi },
    laws: p.dists,
    kappas: p.kappas,
    muPi: p.muPi,
    schedule: buildFee(fee, { model: "heterogeneous", mechanism: mech, muPi: p.muPi }).schedule!,
    ...(fee === "prop10" ? { theoryRevenue: heterogeneousOutcome(mech, p.muPi).reduce((s, t) => s + t.revenue, 0) } : {}),
    strategies,
    flatRegions: mech.traders.map((vt) => [vt.eA, vt.eB] as const),
    // Every trader: each has its own fee and participation constant d_i.
    participationTraders: p.dists.map((_, i) => i),
  });
}

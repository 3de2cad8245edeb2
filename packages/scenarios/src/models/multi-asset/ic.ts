import { multiAssetPayoffOfSchedules, multiAssetRegretOf, multiAssetUtilityGain, radialBidder } from "@optex/agents";
import {
  type CrossExchangeFee,
  type DemandSchedule,
  linearSchedule,
  type MarketSettlement,
  piecewiseLinearSchedule,
  runMarket,
} from "@optex/engine";
import { buildFee, prop8Fee } from "@optex/fees";
import { type MultiAssetEnvironment, normal, radialMechanism } from "@optex/theory";
import fc from "fast-check";
import { uniformReal } from "../../ic/uniformReal.ts";
import type { IcEnvironment, IcMarket, MarketOutcome, ParticipationPoint } from "../../ic/laws.ts";

/** Section 6 under Condition 3 (the theory's environment). */
export type MultiAssetIcParams = MultiAssetEnvironment;

interface Point extends ParticipationPoint {
  readonly endowment: readonly number[];
}

/** Quantiles of each coordinate, away from 0 and 1 so that the Gaussian stays finite. */
const U_MIN = 5e-4;

/**
 * Several assets under Condition 3 (Section 6): k separate double auctions, Proposition 8's
 * cross-exchange fee on the vector of trades and prices, truthful per-asset bids
 * q_a(p) = intercept_a(e) - (kappa/sigma_pi^2) p_a. `fee` is prop8, or a negative control:
 * prop8-printed (argument q + p/N) or prop8-none (no fee).
 */
export function multiAssetIcEnvironment(p: MultiAssetIcParams, fee: string): IcEnvironment<number[][]> {
  if (fee !== "prop8" && fee !== "prop8-printed" && fee !== "prop8-none")
    throw new Error(`fee "${fee}" is not a multi-asset fee; expected prop8, prop8-printed or prop8-none`);
  const f = prop8Fee({ assets: p.assets, traders: p.traders, kappa: p.kappa, sigmaE: p.sigmaE, sigmaPi: p.sigmaPi, alpha: p.alpha });
  const built = buildFee(fee, { model: "multi-asset", env: p }).fee;
  if (built.kind !== "cross-exchange") throw new Error(`fee "${fee}" is not a cross-exchange fee`);
  const schedule: CrossExchangeFee = built.fee;
  const k = p.assets;
  const N = p.traders;
  const law = normal(0, p.sigmaE);
  const scale = (k * p.sigmaE ** 2 * p.sigmaPi ** 2) / p.kappa;
  const muPi = new Array<number>(k).fill(0);
  // The agents' bidder, written from Proposition 7's v alone (not the fee module's own intercepts).
  const bidder = radialBidder(f, {
    kappa: p.kappa,
    sigmaPi: p.sigmaPi,
    muE: new Array<number>(k).fill(0),
    muPi: new Array<number>(k).fill(0),
  });
  const bidsOf = (e: readonly number[], trader: number): readonly DemandSchedule[] =>
    bidder.bid(e, { trader, traders: N, assets: k, round: 0 });
  // Markets run through the engine: each trader's strategy bids, each asset clears on its own, the fee is charged.
  const runAll = (endowments: readonly (readonly number[])[]) => runMarket(endowments, bidder, built, k);
  const direction = (r: number) => Array.from({ length: k }, (_, a) => (a === 0 ? r : 0));
  const points: Point[] = [
    { trader: 0, label: "trader 0 at the centre of the ball", endowment: direction(0) },
    { trader: 0, label: "trader 0 inside the ball (r = r*/2)", endowment: direction(f.radius / 2) },
    { trader: 0, label: "trader 0 just outside the ball (r = r* + sigma_e/2)", endowment: direction(f.radius + p.sigmaE / 2) },
    { trader: 0, label: "trader 0 far out (r = r* + 2 sigma_e)", endowment: direction(f.radius + 2 * p.sigmaE) },
  ];
  return {
    model: "multi-asset",
    fee,
    strategy: "truthful-radial-virtual-type",
    parameters: { ...p },
    scale,
    types: fc.array(
      fc.array(
        uniformReal(U_MIN, 1 - U_MIN).map((u) => law.quantile(u)),
        { minLength: k, maxLength: k },
      ),
      { minLength: N, maxLength: N },
    ),
    describeTypes: (endowments) => ({ endowments }),
    market: (endowments) => multiAssetMarket(endowments, bidsOf, schedule, runAll, p, scale),
    participationPoints: points,
    ...(fee === "prop8"
      ? {
          revenue: {
            theory:
              N *
              radialMechanism({
                assets: p.assets,
                traders: p.traders,
                kappa: p.kappa,
                sigmaE: p.sigmaE,
                sigmaPi: p.sigmaPi,
                alpha: p.alpha,
              }).revenuePerTrader,
            simulate: (uniform: () => number, samples: number) => {
              const revenues = new Float64Array(samples);
              for (let m = 0; m < samples; m++) {
                // No unique price: no trade, no transfer, revenue 0.
                revenues[m] = runAll(Array.from({ length: N }, () => Array.from({ length: k }, () => law.sample(uniform)))).revenue;
              }
              return revenues;
            },
          },
        }
      : {}),
    interimGains: (point, uniform, samples) => {
      const pt = point as Point;
      const gains = new Float64Array(samples);
      for (let m = 0; m < samples; m++) {
        const e = Array.from({ length: N }, (_, j) =>
          j === pt.trader ? [...pt.endowment] : Array.from({ length: k }, () => law.sample(uniform)),
        );
        const out = runAll(e);
        gains[m] =
          out.status === "cleared" ? gainOf(e[pt.trader]!, Array.from(out.trades[pt.trader]!), out.transfers[pt.trader]!, p, muPi) : 0;
      }
      return gains;
    },
  };
}

function gainOf(e: readonly number[], q: readonly number[], transfer: number, p: MultiAssetIcParams, muPi: readonly number[]): number {
  const sigma = Array.from({ length: e.length }, (_, a) => Array.from({ length: e.length }, (_, b) => (a === b ? p.sigmaPi ** 2 : 0)));
  return multiAssetUtilityGain(e, q, transfer, p.kappa, sigma, muPi);
}

function multiAssetMarket(
  endowments: readonly (readonly number[])[],
  bidsOf: (e: readonly number[], trader: number) => readonly DemandSchedule[],
  fee: CrossExchangeFee,
  runAll: (endowments: readonly (readonly number[])[]) => MarketSettlement,
  p: MultiAssetIcParams,
  scale: number,
): IcMarket {
  const N = endowments.length;
  const k = p.assets;
  const bids = endowments.map(bidsOf);
  const problemOf = (i: number) => ({
    endowment: endowments[i]!,
    kappa: p.kappa,
    sigmaPi: p.sigmaPi,
    others: Array.from({ length: k }, (_, a) => bids.filter((_, j) => j !== i).map((b) => b[a]!)),
    fee,
  });
  return {
    traders: N,
    regret: (i) => {
      const r = multiAssetRegretOf(problemOf(i), bids[i]!);
      return { relativeRegret: r.regret / scale, bestQuantity: r.best.quantities };
    },
    deviations: (i) => {
      const problem = problemOf(i);
      const own = multiAssetPayoffOfSchedules(problem, bids[i]!);
      let best = { gain: -Infinity, deviation: "" };
      for (const [name, schedules] of jointDeviations(bids[i]!, own.prices, p.sigmaE)) {
        const gain = multiAssetPayoffOfSchedules(problem, schedules).payoff - own.payoff;
        if (gain > best.gain || Number.isNaN(gain)) best = { gain, deviation: name };
      }
      return { relativeGain: best.gain / scale, deviation: best.deviation };
    },
    outcome: (): MarketOutcome => {
      const s = runAll(endowments);
      if (s.status !== "cleared")
        return {
          cleared: false,
          reason: s.reason,
          tradeSums: new Array<number>(k).fill(0),
          tradeScale: 0,
          feeSum: 0,
          revenue: 0,
          transferScale: 0,
          finite: true,
        };
      const tradeSums = Array.from({ length: k }, (_, a) => s.trades.reduce((sum, q) => sum + q[a]!, 0));
      const tradeScale = s.trades.reduce((sum, q) => sum + q.reduce((x, y) => x + Math.abs(y), 0), 0);
      const all = [...s.prices, ...s.trades.flatMap((q) => Array.from(q)), ...s.fees, ...s.transfers];
      return {
        cleared: true,
        reason: null,
        tradeSums,
        tradeScale,
        feeSum: s.fees.reduce((a, b) => a + b, 0),
        revenue: s.revenue,
        transferScale: s.transfers.reduce((a, b) => a + Math.abs(b), 0),
        finite: all.every(Number.isFinite),
      };
    },
  };
}

/**
 * Joint deviations across the k auctions, each moving the clearing points: every intercept shifted
 * together, one asset's alone, all slopes changed (pivoting off the clearing prices), trades shaded towards zero in
 * every asset, and kinked piecewise-linear schedules in the first asset (alone or with the others shifted).
 */
function jointDeviations(bids: readonly DemandSchedule[], prices: number[] | null, width: number): [string, DemandSchedule[]][] {
  const lines = bids.map((b) => (b.kind === "linear" ? b : null));
  if (lines.some((l) => l === null)) return [];
  const L = lines as { intercept: number; slope: number }[];
  const p = prices ?? L.map(() => 0);
  const out: [string, DemandSchedule[]][] = [];
  for (const shift of [-0.3, -0.03, 0.03, 0.3]) {
    out.push([`all intercepts shifted by ${shift} sd`, L.map((l) => linearSchedule(l.intercept + shift * width, l.slope))]);
    out.push([
      `first asset's intercept shifted by ${shift} sd`,
      L.map((l, a) => linearSchedule(l.intercept + (a === 0 ? shift * width : 0), l.slope)),
    ]);
  }
  // Pivot one price step below each asset's clearing price, so that the clearing points move.
  for (const f of [0.5, 0.9, 1.1, 2]) {
    out.push([
      `all slopes times ${f}, pivoting one step below the prices`,
      L.map((l, a) => {
        const step = (0.2 * width) / l.slope;
        const pivot = p[a]! - step;
        return linearSchedule(l.intercept - l.slope * pivot + f * l.slope * pivot, f * l.slope);
      }),
    ]);
  }
  out.push(["trades shaded by 20% in every asset", L.map((l, _a) => linearSchedule(0.8 * l.intercept, 0.8 * l.slope))]);
  const l0 = L[0]!;
  const h = (0.2 * width) / l0.slope;
  const q = (x: number) => l0.intercept - l0.slope * x;
  const p0 = p[0]!;
  out.push([
    "piecewise in the first asset, kinked below its prescribed point",
    [
      piecewiseLinearSchedule([p0 - h, p0, p0 + h], [q(p0 - h), q(p0) - 0.1 * width, q(p0 + h)], { lower: l0.slope, upper: l0.slope }),
      ...bids.slice(1),
    ],
  ]);
  out.push([
    "piecewise in the first asset, kinked above, with every other intercept shifted by 0.1 sd",
    [
      piecewiseLinearSchedule([p0 - h, p0, p0 + h], [q(p0 - h), q(p0) + 0.1 * width, q(p0 + h)], { lower: l0.slope, upper: l0.slope }),
      ...L.slice(1).map((l) => linearSchedule(l.intercept + 0.1 * width, l.slope)),
    ],
  ]);
  return out;
}

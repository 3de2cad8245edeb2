import { multiAssetUtilityGain } from "@optex/agents";
import {
  type DemandSchedule,
  linearSchedule,
  type MarketSettlement,
  piecewiseLinearSchedule,
  runMarket,
  type Strategy,
} from "@optex/engine";
import { nelderMead } from "@optex/numerics";
import { basicEnvironment, normal, optimalMechanismOutcome, solveVirtualType } from "@optex/theory";
import fc from "fast-check";
import { correlatedAssetsReport } from "./report.ts";
import type { IcEnvironment, IcMarket, MarketOutcome, ParticipationPoint } from "../../ic/laws.ts";
import { uniformReal } from "../../ic/uniformReal.ts";
import { type AuctionDesign, type AuctionedSecurities, auctionDesign, type CorrelatedAssetsFee, correlatedAssetsFees } from "./auctions.ts";
import { jointRegret, jointRegretScratch, type ResidualSupplies } from "./jointRegret.ts";

/** Proposition 6's environment for the IC oracle. */
export interface CorrelatedAssetsIcParams {
  readonly traders: number;
  readonly kappa: number;
  readonly sigmaE: number;
  /** Payoff covariance Sigma of the assets (symmetric positive definite). */
  readonly covariance: readonly (readonly number[])[];
  /**
   * The auctioned securities: "derivatives" (Proposition 6, the default) or "assets" (the correlated
   * assets themselves, each with its first-best fee), which the regret law rejects unless Sigma is diagonal.
   */
  readonly securities?: AuctionedSecurities;
}

interface Point extends ParticipationPoint {
  readonly endowment: readonly number[];
}

/** Quantiles of each endowment, away from 0 and 1 so that the Gaussian stays finite. */
const U_MIN = 5e-4;

/**
 * Correlated assets (Proposition 6): one double auction per auctioned security, the registered fee
 * `fee` (prop6: a first-best Proposition 3 fee per auction; prop6-none: no fee, the negative control)
 * and truthful first-best bids. The trader's utility is eq. (8) over its holdings of the ORIGINAL
 * assets, e + W y with y its trades of the securities (W = Q for the derivatives), so a joint
 * deviation across the auctions is valued with the full covariance Sigma. Markets run through
 * engine.runMarket; the best response maximises over the vector of trades along the residual supplies.
 * Throws TheoryError for a covariance that is not symmetric positive definite, Error for another model's fee.
 */
export function correlatedAssetsIcEnvironment(params: CorrelatedAssetsIcParams, fee: string): IcEnvironment<number[][]> {
  if (!(correlatedAssetsFees as readonly string[]).includes(fee))
    throw new Error(`fee "${fee}" is not a correlated-assets fee; expected ${correlatedAssetsFees.join(" or ")}`);
  const securities = params.securities ?? "derivatives";
  const env = { traders: params.traders, kappa: params.kappa, sigmaE: params.sigmaE, covariance: params.covariance };
  const design = auctionDesign(env, securities, fee as CorrelatedAssetsFee);
  const k = design.assets;
  const N = params.traders;
  const law = normal(0, params.sigmaE);
  // The payoff scale of the multi-asset oracle: sigma_e^2 tr(Sigma) / kappa.
  const scale = design.regretScale * k;
  const sigmaRows = params.covariance;
  const muPi = new Array<number>(k).fill(0);
  const gainOf = (e: readonly number[], s: MarketSettlement, i: number) =>
    multiAssetUtilityGain(e, assetTrades(design, s.trades[i]!), s.transfers[i]!, params.kappa, sigmaRows, muPi);
  const truthful = (endowments: readonly (readonly number[])[]) => runMarket(endowments, design.strategy, design.fee.fee, k);

  // Participation: the mean endowment (where it binds), and types along an asset and along the first security.
  const firstSecurity = Array.from({ length: k }, (_, a) => design.weights[a * k]!);
  const points: Point[] = [
    { trader: 0, label: "trader 0 at the mean endowment (participation binds)", endowment: new Array<number>(k).fill(0) },
    { trader: 0, label: "trader 0 long sigma_e of asset 0", endowment: Array.from({ length: k }, (_, a) => (a === 0 ? params.sigmaE : 0)) },
    { trader: 0, label: "trader 0 short 2 sigma_e of the first security", endowment: firstSecurity.map((w) => -2 * params.sigmaE * w) },
  ];
  const theoryRevenue = () => {
    if (securities === "derivatives") return N * correlatedAssetsReport(env).revenuePerTrader;
    const vt = solveVirtualType(law, 0);
    return (
      N *
      design.capacities.reduce(
        (s, capacity) => s + optimalMechanismOutcome(basicEnvironment({ dist: law, kappa: capacity, traders: N }), vt).revenuePerTrader,
        0,
      )
    );
  };
  return {
    model: "correlated-assets",
    fee,
    strategy: design.strategy.id,
    parameters: { ...params, securities },
    scale,
    types: fc.array(
      fc.array(
        uniformReal(U_MIN, 1 - U_MIN).map((u) => law.quantile(u)),
        { minLength: k, maxLength: k },
      ),
      { minLength: N, maxLength: N },
    ),
    describeTypes: (endowments) => ({ endowments }),
    market: (endowments) => correlatedAssetsMarket(design, endowments, scale),
    participationPoints: points,
    ...(fee === "prop6"
      ? {
          revenue: {
            theory: theoryRevenue(),
            simulate: (uniform: () => number, samples: number) => {
              const revenues = new Float64Array(samples);
              for (let m = 0; m < samples; m++)
                revenues[m] = truthful(Array.from({ length: N }, () => Array.from({ length: k }, () => law.sample(uniform)))).revenue;
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
        gains[m] = gainOf(e[pt.trader]!, truthful(e), pt.trader);
      }
      return gains;
    },
  };
}

/** The asset trades X = W y of trades y of the auctioned securities. */
function assetTrades(design: AuctionDesign, y: ArrayLike<number>): number[] {
  const k = design.assets;
  return Array.from({ length: k }, (_, a) => {
    let s = 0;
    for (let b = 0; b < k; b++) s += design.weights[a * k + b]! * y[b]!;
    return s;
  });
}

function correlatedAssetsMarket(design: AuctionDesign, endowments: readonly (readonly number[])[], scale: number): IcMarket {
  const N = endowments.length;
  const k = design.assets;
  const { kappa, sigmaE } = design;
  const sigmaRows = Array.from({ length: k }, (_, a) => Array.from(design.sigma.subarray(a * k, (a + 1) * k)));
  const muPi = new Array<number>(k).fill(0);
  const settled = runMarket(endowments, design.strategy, design.fee.fee, k);
  const bids = endowments.map((e, i) => design.strategy.bid(e, { trader: i, traders: N, assets: k, round: 0 }));
  const gainOf = (i: number, s: MarketSettlement) =>
    multiAssetUtilityGain(endowments[i]!, assetTrades(design, s.trades[i]!), s.transfers[i]!, kappa, sigmaRows, muPi);

  /** Residual supply of trader i in each auction: the others' linear bids aggregated. */
  const supplyOf = (i: number): ResidualSupplies => {
    const p0 = new Float64Array(k);
    const L = new Float64Array(k);
    for (let a = 0; a < k; a++) {
      let intercept = 0;
      let slope = 0;
      for (let j = 0; j < N; j++) {
        if (j === i) continue;
        const bid = bids[j]![a]!;
        if (bid.kind !== "linear") throw new Error("the residual supply needs linear bids");
        intercept += bid.intercept;
        slope += bid.slope;
      }
      p0[a] = intercept / slope;
      L[a] = 1 / slope;
    }
    return { p0, L };
  };
  /** Trader i's payoff from ending up with trades y along its residual supplies (eq. (8) over the original assets). */
  const payoffOf = (i: number, supply: ResidualSupplies, y: readonly number[]) => {
    let transfer = 0;
    for (let a = 0; a < k; a++) {
      const p = supply.p0[a]! + supply.L[a]! * y[a]!;
      transfer += p * y[a]! + design.schedules[a]!.fee(i, y[a]!, p);
    }
    return multiAssetUtilityGain(endowments[i]!, assetTrades(design, y), transfer, kappa, sigmaRows, muPi);
  };

  return {
    traders: N,
    regret: (i) => {
      if (settled.status !== "cleared") return { relativeRegret: 0, bestQuantity: new Array<number>(k).fill(0) };
      const own = gainOf(i, settled);
      const prescribed = Array.from(settled.trades[i]!);
      const supply = supplyOf(i);
      // Candidates: the Newton point of the quadratic payoff, and Nelder-Mead from it and from the prescribed trades.
      const step = new Float64Array(k);
      const newton = jointRegret(design, i, endowments[i]!, 0, prescribed, 0, supply, jointRegretScratch(k), step);
      const f = (y: readonly number[]) => payoffOf(i, supply, y);
      const candidates: number[][] = [prescribed];
      if (Number.isFinite(newton)) candidates.push(prescribed.map((y, a) => y + step[a]!));
      for (const start of [...candidates]) candidates.push(nelderMead(f, start, sigmaE, 1e-13 * sigmaE).x);
      let best = { y: prescribed, payoff: own };
      for (const y of candidates) {
        const payoff = f(y);
        if (payoff > best.payoff) best = { y, payoff };
      }
      // An unbounded payoff (H not positive definite) is infinite regret.
      const relativeRegret = Number.isFinite(newton) ? (best.payoff - own) / scale : Number.POSITIVE_INFINITY;
      return { relativeRegret, bestQuantity: best.y };
    },
    deviations: (i) => {
      if (settled.status !== "cleared") return { relativeGain: 0, deviation: "none: the market did not clear" };
      const own = gainOf(i, settled);
      let best = { gain: -Infinity, deviation: "" };
      for (const [name, schedules] of jointDeviations(bids[i]!, settled.prices, sigmaE)) {
        const deviant: Strategy<readonly number[]> = { id: "deviation", bid: () => schedules };
        const strategies = endowments.map((_, j) => (j === i ? deviant : design.strategy));
        const s = runMarket(endowments, strategies, design.fee.fee, k);
        // No unique price somewhere: no trade and no transfer anywhere, a gain of 0 over autarky.
        const gain = (s.status === "cleared" ? gainOf(i, s) : 0) - own;
        if (gain > best.gain || Number.isNaN(gain)) best = { gain, deviation: name };
      }
      return { relativeGain: best.gain / scale, deviation: best.deviation };
    },
    outcome: (): MarketOutcome => {
      const s = settled;
      const tradeSums = Array.from({ length: k }, (_, a) => s.trades.reduce((sum, q) => sum + q[a]!, 0));
      const tradeScale = s.trades.reduce((sum, q) => sum + q.reduce((x, y) => x + Math.abs(y), 0), 0);
      const all = [
        ...s.trades.flatMap((q) => Array.from(q)),
        ...s.fees,
        ...s.transfers,
        ...Array.from(s.prices).filter((_, a) => s.cleared[a]),
      ];
      return {
        cleared: s.status === "cleared",
        reason: s.reason,
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
 * Joint deviations across the auctions, each moving the clearing points: every intercept shifted
 * together (both ways: correlated payoffs reward moving the auctions together), one auction's
 * alone, all slopes changed pivoting one step below the prices, trades shaded towards zero, and a
 * kinked piecewise-linear schedule in the first auction with the others shifted.
 */
function jointDeviations(bids: readonly DemandSchedule[], prices: Float64Array, width: number): [string, DemandSchedule[]][] {
  const L = bids.map((b) => {
    if (b.kind !== "linear") throw new Error("the deviations are built from linear bids");
    return b;
  });
  const out: [string, DemandSchedule[]][] = [];
  for (const shift of [-0.3, -0.03, 0.03, 0.3]) {
    out.push([`all intercepts shifted by ${shift} sd`, L.map((l) => linearSchedule(l.intercept + shift * width, l.slope))]);
    out.push([
      `first auction's intercept shifted by ${shift} sd`,
      L.map((l, a) => linearSchedule(l.intercept + (a === 0 ? shift * width : 0), l.slope)),
    ]);
    out.push([
      `intercepts shifted by ${shift} sd with alternating signs`,
      L.map((l, a) => linearSchedule(l.intercept + (a % 2 === 0 ? shift : -shift) * width, l.slope)),
    ]);
  }
  for (const f of [0.5, 0.9, 1.1, 2]) {
    out.push([
      `all slopes times ${f}, pivoting one step below the prices`,
      L.map((l, a) => {
        const pivot = prices[a]! - (0.2 * width) / l.slope;
        return linearSchedule(l.intercept - l.slope * pivot + f * l.slope * pivot, f * l.slope);
      }),
    ]);
  }
  out.push(["trades shaded by 20% in every auction", L.map((l) => linearSchedule(0.8 * l.intercept, 0.8 * l.slope))]);
  const l0 = L[0]!;
  const h = (0.2 * width) / l0.slope;
  const q = (x: number) => l0.intercept - l0.slope * x;
  const p0 = prices[0]!;
  out.push([
    "piecewise in the first auction, kinked above, with every other intercept shifted by 0.1 sd",
    [
      piecewiseLinearSchedule([p0 - h, p0, p0 + h], [q(p0 - h), q(p0) + 0.1 * width, q(p0 + h)], { lower: l0.slope, upper: l0.slope }),
      ...L.slice(1).map((l) => linearSchedule(l.intercept + 0.1 * width, l.slope)),
    ],
  ]);
  return out;
}

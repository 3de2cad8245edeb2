import { clear, type DemandSchedule, type FeeSchedule, linearSchedule, settle } from "@optex/engine";
import { maximize } from "@optex/numerics";
import { normal } from "@optex/theory";
import fc from "fast-check";
import type { IcEnvironment, IcMarket, ParticipationPoint } from "../../ic/laws.ts";
import { deviationsOf, oneAssetOutcome } from "../../ic/singleAsset.ts";
import { uniformReal } from "../../ic/uniformReal.ts";
import {
  createDynamicPath,
  type DynamicEconomy,
  dynamicEconomy,
  type DynamicFeeId,
  type DynamicSimulationParams,
  pathShockCount,
  runDynamicPathFast,
} from "./simulation.ts";

/** The dynamic model's parameters (those of its simulation). */
export type DynamicIcParams = DynamicSimulationParams;

/** Quantiles at which holdings are drawn: away from 0 and 1 so that the Gaussian stays finite. */
const U_MIN = 5e-4;
/** Grid of the best-response scan over the trade (then Brent on the best cells). */
const GRID_POINTS = 41;

interface Point extends ParticipationPoint {
  readonly endowment: number;
}

/**
 * One auction of Proposition 12's repeated market, given the state: the types are the holdings y_j
 * the traders enter the auction with (drawn N(mu_e, sigma_0^2 + sigma_Z^2 dt), the spread of an
 * auction's holdings), everybody else bids truthfully q_j(p) = -y_j - kappa delta p now and
 * everybody, the deviator included, bids truthfully from the next auction on. A deviation at this
 * auction is undone at the next one at the next price: after it every holding is the average, which
 * trading does not change, so later auctions do not depend on it. Trader i's payoff of a schedule
 * (up to terms no deviation changes) is
 *   -(p q_i + fee_i) - E[discounted holding cost until the next auction | h_i]
 *   - e^{-delta dt} E[p' q'_i + fee'_i]   (the next auction, cleared and settled by the engine),
 * the next auction's expectation over the shocks computed exactly for payoffs quadratic in them by
 * the 2N points +-sigma_Z sqrt(N dt) on each trader's shock (mean 0, covariance sigma_Z^2 dt I).
 * Participation (t = 0) and revenue (the exchange's NPV budget per path) are simulated on whole
 * paths (runDynamicPathFast) with the charge G(mu_e). `fee` is prop12 or the control prop12-none.
 */
export function dynamicIcEnvironment(params: DynamicIcParams, fee: string): IcEnvironment<number[]> {
  if (fee !== "prop12" && fee !== "prop12-none") throw new Error(`fee "${fee}" is not a dynamic-model fee; expected prop12 or prop12-none`);
  const ec = dynamicEconomy(params, fee as DynamicFeeId);
  const schedule = ec.fee.schedule!;
  const N = params.traders;
  const sdHolding = Math.sqrt(params.sigma0 ** 2 + params.sigmaZ ** 2 * params.dt);
  if (!(sdHolding > 0)) throw new Error("sigma-0 and sigma-z are both 0: holdings are equal and nobody trades");
  const law = normal(params.muE, sdHolding);
  // Payoffs are of order (holding spread)^2 / (kappa delta): the price moves 1/(kappa delta) per unit held.
  const scale = sdHolding ** 2 / (params.kappa * params.delta);
  const points: Point[] = [{ trader: 0, label: "trader 0 with e_00 = mu_e (the charge binds)", endowment: params.muE }];
  if (params.sigma0 > 0)
    points.push({ trader: 0, label: "trader 0 with e_00 = mu_e + 1.5 sigma_0", endowment: params.muE + 1.5 * params.sigma0 });
  return {
    model: "dynamic",
    fee,
    strategy: ec.strategy.id,
    parameters: { ...params },
    scale,
    types: fc.tuple(...Array.from({ length: N }, () => uniformReal(U_MIN, 1 - U_MIN).map((u) => law.quantile(u)))),
    describeTypes: (holdings) => ({ holdings }),
    market: (holdings) => dynamicMarket(ec, schedule, holdings, scale, sdHolding),
    participationPoints: points,
    interimGains: (point, uniform, samples) => {
      const e = (point as Point).endowment;
      return simulatePaths(ec, uniform, samples, e, (path) => path.autarkyCost[0]! - path.holdingCost[0]! - path.transfers[0]! - ec.charge);
    },
    ...(fee === "prop12"
      ? {
          revenue: {
            theory: ec.theory.total.budgetSurplus,
            simulate: (uniform: () => number, samples: number) =>
              simulatePaths(ec, uniform, samples, null, (path) => N * ec.charge + path.exchangeRevenue),
          },
        }
      : {}),
  };
}

/** `samples` paths (trader 0's e_00 fixed when given, the rest drawn) mapped to one number each. */
function simulatePaths(
  ec: DynamicEconomy,
  uniform: () => number,
  samples: number,
  e00: number | null,
  value: (path: ReturnType<typeof createDynamicPath>) => number,
): Float64Array {
  const N = ec.params.traders;
  const initial = ec.params.sigma0 > 0 ? normal(ec.params.muE, ec.params.sigma0) : null;
  const standard = normal(0, 1);
  const e0 = new Float64Array(N);
  const shocks = new Float64Array(pathShockCount(ec));
  const path = createDynamicPath(N);
  const out = new Float64Array(samples);
  for (let m = 0; m < samples; m++) {
    if (initial) initial.sampleInto(uniform, e0);
    else e0.fill(ec.params.muE);
    if (e00 !== null) e0[0] = e00;
    standard.sampleInto(uniform, shocks);
    out[m] = value(runDynamicPathFast(ec, e0, shocks, path));
  }
  return out;
}

function dynamicMarket(ec: DynamicEconomy, fee: FeeSchedule, holdings: readonly number[], scale: number, width: number): IcMarket {
  const N = holdings.length;
  const truthful = (ys: readonly number[], round: number) =>
    ys.map((y, j) => ec.strategy.bid(y, { trader: j, traders: N, assets: 1, round })[0]!);
  const bids = truthful(holdings, 0);
  const { delta, dt, sigmaZ } = ec.params;
  const D = Math.exp(-delta * dt);
  const spread = sigmaZ * Math.sqrt(N * dt);
  const nodes = spread > 0 ? 2 * N : 1;
  const next = new Array<number>(N);

  /** Trader i's payoff from submitting `schedule` at this auction (others truthful), with its trade and the price. */
  const payoff = (i: number, schedule: DemandSchedule) => {
    const book = bids.slice();
    book[i] = schedule;
    const now = settle(clear(book), N, fee);
    const h = holdings.map((y, j) => y + now.trades[j]!);
    // Expected discounted holding cost over [t, t + dt) given h (common to autarky and trade: the Brownian part).
    let value = -now.transfers[i]! - (ec.holdingWeight * h[i]! * h[i]! + ec.shockCost);
    let later = 0;
    for (let k = 0; k < nodes; k++) {
      for (let j = 0; j < N; j++) next[j] = h[j]! + (nodes === 1 || j !== k >> 1 ? 0 : k & 1 ? spread : -spread);
      const s = settle(clear(truthful(next, 1)), N, fee);
      later += s.transfers[i]!;
    }
    value -= (D * later) / nodes;
    return { payoff: value, quantity: now.trades[i]!, price: now.price };
  };

  const own = (i: number) => payoff(i, bids[i]!);
  return {
    traders: N,
    regret: (i) => {
      const prescribed = own(i);
      // Any point of the residual supply is reached by the constant schedule q.
      const f = (q: number) => payoff(i, linearSchedule(q, 0)).payoff;
      const radius = 8 * width + Math.abs(prescribed.quantity);
      const lo = prescribed.quantity - radius;
      const step = (2 * radius) / (GRID_POINTS - 1);
      let bestK = 0;
      let bestValue = -Infinity;
      for (let k = 0; k < GRID_POINTS; k++) {
        const v = f(lo + k * step);
        if (v > bestValue) {
          bestValue = v;
          bestK = k;
        }
      }
      const refined = maximize(
        f,
        lo + Math.max(0, bestK - 1) * step,
        lo + Math.min(GRID_POINTS - 1, bestK + 1) * step,
        1e-14 * (1 + radius),
      );
      const best = refined.value > bestValue ? refined : { x: lo + bestK * step, value: bestValue };
      const regret = Math.max(0, best.value - prescribed.payoff);
      return { relativeRegret: regret / scale, bestQuantity: best.value > prescribed.payoff ? best.x : prescribed.quantity };
    },
    deviations: (i) => {
      const prescribed = own(i);
      let best = { gain: -Infinity, deviation: "" };
      for (const [name, schedule] of deviationsOf(bids[i]!, prescribed.price, width)) {
        const gain = payoff(i, schedule).payoff - prescribed.payoff;
        if (gain > best.gain || Number.isNaN(gain)) best = { gain, deviation: name };
      }
      return { relativeGain: best.gain / scale, deviation: best.deviation };
    },
    outcome: () => oneAssetOutcome(bids, fee),
  };
}

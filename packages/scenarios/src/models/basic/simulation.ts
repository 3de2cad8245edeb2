import { type LinearStrategy, sleBidder, truthfulBidder } from "@optex/agents";
import { type FeeSchedule, perAssetFee, runMarket } from "@optex/engine";
import { buildFee } from "@optex/fees";
import {
  type BasicEnvironment,
  doubleAuctionOutcome,
  type MechanismOutcome,
  optimalMechanismOutcome,
  solveVirtualType,
  symmetricLinearEquilibrium,
} from "@optex/theory";
import { InputError } from "../../inputError.ts";
import type { BlockDiagnostics, MarketSimulation, QuantitySpec } from "../../montecarlo/marketSimulation.ts";
import { quantityNames, runBasicMarkets } from "./fastPath.ts";

export const basicMechanisms = ["optimal", "first-best", "double-auction"] as const;
export type BasicMechanismId = (typeof basicMechanisms)[number];

/** The basic model's four quantities, each an average over a market's traders. */
export const basicQuantities: readonly QuantitySpec[] = [
  { key: "revenuePerTrader", label: "revenue per trader" },
  { key: "holdingCostPerTrader", label: "holding cost per trader" },
  { key: "utilityGainPerTrader", label: "utility gain per trader" },
  { key: "tradeVolumePerTrader", label: "trade volume per trader" },
];

/**
 * Floating-point resolution of the simulated quantities: schedules' intercepts are of size
 * Q = |mu_e| + sigma_e + kappa |mu_pi| and prices of size P = Q / kappa, so a market's sums carry
 * rounding of order N eps (P Q + Q^2 / kappa). Theory within that of the interval agrees, and the
 * result says the allowance was used.
 */
export function simulationResolution(env: BasicEnvironment): number {
  const Q = Math.abs(env.dist.mean) + Math.sqrt(env.dist.variance) + env.kappa * Math.abs(env.muPi);
  return 8 * Number.EPSILON * env.traders * ((2 * Q * Q) / env.kappa);
}

/** Largest rounding allowance of a simulated quantity, as a share of the quantities' scale sd^2 / kappa. */
export const MAX_RELATIVE_RESOLUTION = 1e-6;

/** Which implementation of the market runs: the declared batch fast path, or schedules -> clear -> settle. */
export type MarketPath = "fast" | "general";

/** Bids, fee and theory of one mechanism of the basic model (Section 4.4). */
export interface BasicMechanism {
  readonly id: BasicMechanismId;
  readonly strategy: LinearStrategy;
  readonly fee: FeeSchedule;
  readonly feeId: string;
  readonly theory: MechanismOutcome;
}

/**
 * "optimal": truthful virtual-type bids with the Proposition 3 fee at weight alpha; "first-best":
 * the same at alpha = 0; "double-auction": the symmetric linear equilibrium's bids, no fee.
 * Throws InputError (one line) when the mechanism does not exist (no SLE with N = 2).
 */
export function basicMechanism(id: BasicMechanismId, env: BasicEnvironment, alpha: number): BasicMechanism {
  if (id === "double-auction") {
    const sle = symmetricLinearEquilibrium(env.traders, env.kappa);
    if (!sle.exists) throw new InputError(sle.reason);
    const fee = buildFee("none", { model: "basic", env, alpha }).schedule!;
    return { id, strategy: sleBidder(env.traders, env.kappa, env.muPi), fee, feeId: "none", theory: doubleAuctionOutcome(env)! };
  }
  const weight = id === "first-best" ? 0 : alpha;
  const vt = solveVirtualType(env.dist, weight);
  const fee = buildFee("prop3", { model: "basic", env, alpha: weight, vt }).schedule!;
  return { id, strategy: truthfulBidder(vt, env.kappa, env.muPi), fee, feeId: "prop3", theory: optimalMechanismOutcome(env, vt) };
}

/**
 * The mechanism as markets. The fast path fills a LinearBook and charges the fee's batch method;
 * the general path has every trader submit its schedule through the Strategy interface and lets the
 * engine clear and settle (runMarket). Both draw the endowments identically from the stream.
 */
export function basicSimulation(env: BasicEnvironment, m: BasicMechanism, path: MarketPath = "fast"): MarketSimulation {
  const theory = Object.fromEntries(quantityNames.map((q) => [q, m.theory[q]]));
  const resolution = simulationResolution(env);
  // Where double precision ends, the simulation's range ends: an allowance above this share of the
  // quantities' scale sd^2 / kappa would widen intervals until any theory passes.
  const scale = env.dist.variance / env.kappa;
  if (!(resolution <= MAX_RELATIVE_RESOLUTION * scale)) {
    throw new InputError(
      `these markets are beyond double precision: prices and intercepts of size |mu_e| + sd + kappa |mu_pi| = ${(Math.abs(env.dist.mean) + Math.sqrt(env.dist.variance) + env.kappa * Math.abs(env.muPi)).toPrecision(3)} against an endowment sd of ${Math.sqrt(env.dist.variance).toPrecision(3)} round the simulated quantities to ${(resolution / scale).toPrecision(2)} of their scale sd^2 / kappa (at most ${MAX_RELATIVE_RESOLUTION}); use a law with a smaller mean relative to its sd, or a smaller kappa |mu-pi|`,
    );
  }
  const rounding = Object.fromEntries(quantityNames.map((q) => [q, resolution]));
  const base = { mechanism: m.id, fee: m.feeId, strategy: m.strategy.id, quantities: basicQuantities, theory, rounding };
  if (path === "fast") return { ...base, runMarkets: (rng, count, out) => runBasicMarkets(env, m.strategy, m.fee, rng, count, out) };
  const strategy = m.strategy;
  const fee = perAssetFee(m.fee);
  const { traders: N, kappa, muPi } = env;
  const endowments = new Float64Array(N);
  const types: number[] = new Array(N);
  return {
    ...base,
    runMarkets: (rng, count, out): BlockDiagnostics => {
      let noTradeMarkets = 0;
      let worstImbalance = 0;
      for (let m = 0; m < count; m++) {
        env.dist.sampleInto(rng, endowments);
        for (let i = 0; i < N; i++) types[i] = endowments[i]!;
        const s = runMarket(types, strategy, fee);
        let holding = 0;
        let gain = 0;
        let volume = 0;
        let net = 0;
        for (let i = 0; i < N; i++) {
          const q = s.trades[i]![0]!;
          const e = endowments[i]!;
          holding += ((e + q) * (e + q)) / (2 * kappa);
          // Utility gain in expectation over pi: mu_pi q - T - ((e + q)^2 - e^2)/(2 kappa).
          gain += muPi * q - s.transfers[i]! - (q * (2 * e + q)) / (2 * kappa);
          volume += Math.abs(q);
          net += q;
        }
        if (s.status !== "cleared") noTradeMarkets++;
        worstImbalance = Math.max(worstImbalance, Math.abs(net) / (1 + volume));
        out[0]![m] = s.revenue / N;
        out[1]![m] = holding / N;
        out[2]![m] = gain / N;
        out[3]![m] = volume / N;
      }
      return { noTradeMarkets, worstImbalance };
    },
  };
}

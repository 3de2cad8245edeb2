import { adverseSelectionPayoffOfSchedule, adverseSelectionRegret, effectiveTypeBidder, othersSignalFromIntercept } from "@optex/agents";
import { clearLinearBook, createLinearBook, type DemandSchedule, type FeeSchedule } from "@optex/engine";
import {
  type AdverseSelectionFeeEnvironment,
  type AdverseSelectionLawsFeeEnvironment,
  buildFee,
  prop5Fee,
  prop5LawsFee,
} from "@optex/fees";
import { normal } from "@optex/theory";
import fc from "fast-check";
import type { IcEnvironment, IcMarket, ParticipationPoint } from "../../ic/laws.ts";
import { uniformReal } from "../../ic/uniformReal.ts";
import { deviationsOf, oneAssetOutcome } from "../../ic/singleAsset.ts";

/** The Proposition 5 fee's environment: Section 5.3's Gaussian one, or any laws (independent signals). */
export type AdverseSelectionIcParams = AdverseSelectionFeeEnvironment | AdverseSelectionLawsFeeEnvironment;

/** A trader's type: endowment and signal (zeta_i, her posterior mean of her share of pi). */
type Type = readonly [number, number];

interface Point extends ParticipationPoint {
  readonly type: Type;
}

const U_MIN = 5e-4;

/**
 * Adverse selection with independent Gaussian signals (Section 5, rho = 0): Proposition 5's fee and
 * truthful bids on the effective type t = e/kappa - zeta, q(p) = -v(t) - kappa p. A trader's payoff
 * conditions on what the residual supply reveals, E[pi | zeta_i, S] = zeta_i + psi(S) (the agents'
 * adverse-selection best responder). `fee` is prop5, or a negative control: prop5-no-psi (the fee
 * without the psi(S) q term, i.e. Proposition 3's fee on effective types) or prop5-none (no fee).
 */
export function adverseSelectionIcEnvironment(p: AdverseSelectionIcParams, fee: string): IcEnvironment<Type[]> {
  if (fee !== "prop5" && fee !== "prop5-no-psi" && fee !== "prop5-none")
    throw new Error(`fee "${fee}" is not an adverse-selection fee; expected prop5, prop5-no-psi or prop5-none`);
  const laws = "endowment" in p;
  const f = laws ? prop5LawsFee(p) : prop5Fee(p);
  const schedule: FeeSchedule = laws
    ? fee === "prop5"
      ? f
      : buildFee(fee, { model: "adverse-selection", env: p }).schedule!
    : buildFee(fee, { model: "adverse-selection", env: p }).schedule!;
  const othersSignal = othersSignalFromIntercept((S) => f.othersSignal(S));
  // The agents' bidder, written from Theorem 3's v alone (not the fee module's own bid).
  const bidder = effectiveTypeBidder(f.mechanism, p.kappa);
  const N = p.traders;
  const bidOf = (endowment: number, signal: number, trader: number): DemandSchedule =>
    bidder.bid({ endowment, signal }, { trader, traders: N, assets: 1, round: 0 })[0]!;
  const endowmentLaw = laws ? p.endowment : normal(p.muE, p.sigmaE);
  const sigmaE = Math.sqrt(endowmentLaw.variance);
  const sigmaZeta = laws ? Math.sqrt(p.signal.variance) : p.sigmaZeta;
  const signalLaw = laws ? p.signal : normal(0, Math.max(p.sigmaZeta, 1e-300));
  const o = f.mechanism;
  const kappa = p.kappa;
  // Types with a given effective type t and the signal's median z: e = kappa (t + z).
  const z0 = sigmaZeta > 0 ? signalLaw.quantile(0.5) : 0;
  const at = (t: number, label: string): Point => ({ trader: 0, label, type: [kappa * (t + z0), z0] });
  const st = Math.sqrt(sigmaE ** 2 / kappa ** 2 + sigmaZeta ** 2);
  const high = sigmaZeta > 0 ? signalLaw.quantile(0.84) : 0;
  const points: Point[] = [
    at(0.5 * (o.tA + o.tB), "trader 0 in the middle of the flat region"),
    at(o.tA - st, "trader 0 one sd below the flat region"),
    at(o.tB + st, "trader 0 one sd above the flat region"),
    {
      trader: 0,
      label: "trader 0 with a high signal, t in the flat region",
      type: [kappa * (0.5 * (o.tA + o.tB) + high), high],
    },
  ];
  const scale = (sigmaE ** 2 + kappa ** 2 * sigmaZeta ** 2) / kappa;
  const typeArbitrary = fc
    .tuple(uniformReal(U_MIN, 1 - U_MIN), uniformReal(U_MIN, 1 - U_MIN))
    .map(([u, w]): Type => [endowmentLaw.quantile(u), sigmaZeta > 0 ? signalLaw.quantile(w) : 0]);
  return {
    model: "adverse-selection",
    fee,
    strategy: "truthful-effective-type",
    parameters: laws
      ? { traders: p.traders, kappa: p.kappa, alpha: p.alpha, endowmentLaw: p.endowment.id, signalLaw: p.signal.id }
      : { ...p },
    scale,
    types: fc.array(typeArbitrary, { minLength: N, maxLength: N }),
    describeTypes: (types) => ({ endowments: types.map((t) => t[0]), signals: types.map((t) => t[1]) }),
    market: (types) => adverseSelectionMarket(types, bidOf, schedule, othersSignal, kappa, scale, sigmaE),
    participationPoints: points,
    ...(fee === "prop5"
      ? {
          revenue: {
            theory: N * o.revenuePerTrader,
            simulate: (uniform: () => number, samples: number) => {
              const book = createLinearBook(N);
              book.slopes.fill(kappa);
              const q = new Float64Array(N);
              const revenues = new Float64Array(samples);
              for (let m = 0; m < samples; m++) {
                for (let j = 0; j < N; j++)
                  book.intercepts[j] = interceptOf(bidOf(endowmentLaw.sample(uniform), sigmaZeta > 0 ? signalLaw.sample(uniform) : 0, j));
                const price = clearLinearBook(book, q);
                let total = 0;
                for (let j = 0; j < N; j++) total += price * q[j]! + schedule.fee(j, q[j]!, price);
                revenues[m] = total;
              }
              return revenues;
            },
          },
        }
      : {}),
    interimGains: (point, uniform, samples) => {
      const pt = point as Point;
      const book = createLinearBook(N);
      book.slopes.fill(kappa);
      const q = new Float64Array(N);
      const gains = new Float64Array(samples);
      const [e0, z0] = pt.type;
      const ownIntercept = interceptOf(bidOf(e0, z0, 0));
      for (let m = 0; m < samples; m++) {
        let pi = z0; // E[pi | all signals] = sum_j zeta_j (Section 5)
        book.intercepts[0] = ownIntercept;
        for (let j = 1; j < N; j++) {
          const zj = sigmaZeta > 0 ? signalLaw.sample(uniform) : 0;
          book.intercepts[j] = interceptOf(bidOf(endowmentLaw.sample(uniform), zj, j));
          pi += zj;
        }
        const price = clearLinearBook(book, q);
        const transfer = price * q[0]! + schedule.fee(0, q[0]!, price);
        gains[m] = pi * q[0]! - transfer - (q[0]! * (2 * e0 + q[0]!)) / (2 * kappa);
      }
      return gains;
    },
  };
}

function interceptOf(s: DemandSchedule): number {
  if (s.kind !== "linear") throw new Error("prop5 bids are linear");
  return s.intercept;
}

function adverseSelectionMarket(
  types: readonly Type[],
  bidOf: (e: number, zeta: number, trader: number) => DemandSchedule,
  fee: FeeSchedule,
  othersSignal: (others: readonly DemandSchedule[]) => number,
  kappa: number,
  scale: number,
  width: number,
): IcMarket {
  const N = types.length;
  const bids = types.map(([e, z], i) => bidOf(e, z, i));
  const problemOf = (i: number) => ({
    endowment: types[i]![0],
    signal: types[i]![1],
    kappa,
    others: bids.filter((_, j) => j !== i),
    fee,
    trader: i,
    othersSignal,
  });
  return {
    traders: N,
    regret: (i) => {
      const r = adverseSelectionRegret(problemOf(i), bids[i]!);
      return { relativeRegret: r.regret / scale, bestQuantity: r.best.quantity };
    },
    deviations: (i) => {
      const problem = problemOf(i);
      const own = adverseSelectionPayoffOfSchedule(problem, bids[i]!);
      const candidates = deviationsOf(bids[i]!, own.price, width);
      let best = { gain: -Infinity, deviation: "" };
      for (const [name, schedule] of candidates) {
        const gain = adverseSelectionPayoffOfSchedule(problem, schedule).payoff - own.payoff;
        if (gain > best.gain || Number.isNaN(gain)) best = { gain, deviation: name };
      }
      return { relativeGain: best.gain / scale, deviation: best.deviation };
    },
    outcome: () => oneAssetOutcome(bids, fee),
  };
}

import { type DemandSchedule, type FeeSchedule, linearSchedule, noFee } from "@optex/engine";
import { type Prop5Fee, prop5Fee } from "../../fees/src/prop5Fee.ts";
import fc from "fast-check";
import seedrandom from "seedrandom";
import { describe, expect, test } from "vitest";
import {
  type AdverseSelectionProblem,
  adverseSelectionBestResponse,
  adverseSelectionPayoffOfSchedule,
  adverseSelectionRegret,
  othersSignalFromIntercept,
  posteriorPayoffMean,
} from "./adverseSelectionBestResponder.ts";
import { normal } from "./testSupport.ts";

/** Regret tolerance relative to the payoff scale kappa s_t^2 = sigma_e^2/kappa + kappa sigma_zeta^2. */
const RELATIVE_TOLERANCE = 1e-9;
const std = normal(0, 1);

interface Case {
  traders: number;
  kappa: number;
  muE: number;
  sigmaE: number;
  sigmaZeta: number;
  alpha: number;
  /** Per trader: a standard normal draw of (e, zeta), or a point of the flat region (fraction in [0, 1]). */
  types: { flat: boolean; x: number; y: number }[];
}

/**
 * Uniform on [lo, hi] (2^20 steps): fc.double piles its draws on subnormals and the ends of the range,
 * which here would mean no news in the price and types at the mean.
 */
const between = (lo: number, hi: number) => fc.integer({ min: 0, max: 2 ** 20 }).map((k) => lo + ((hi - lo) * k) / 2 ** 20);
/** Mostly interior values, sometimes an end of the range (alpha = 0 or 1, sigma_zeta = 0). */
const withEnds = (lo: number, hi: number, ends: number[]) =>
  fc.oneof({ arbitrary: between(lo, hi), weight: 5 }, { arbitrary: fc.constantFrom(...ends), weight: 1 });

const caseArbitrary: fc.Arbitrary<Case> = fc.integer({ min: 2, max: 10 }).chain((traders) =>
  fc.record({
    traders: fc.constant(traders),
    kappa: between(0.3, 3),
    muE: between(-1, 1),
    sigmaE: between(0.4, 2),
    sigmaZeta: withEnds(0, 1, [0]),
    alpha: withEnds(0, 1, [0, 1]),
    types: fc.array(fc.record({ flat: fc.boolean(), x: between(-3, 3), y: between(-3, 3) }), { minLength: traders, maxLength: traders }),
  }),
);

/** (e, zeta) of each trader: a flat-region type puts t = e/kappa - zeta at a fraction of [tA, tB]. */
function typesOf(c: Case, fee: Prop5Fee): [number, number][] {
  const o = fee.mechanism;
  return c.types.map(({ flat, x, y }) => {
    const zeta = c.sigmaZeta * y;
    if (flat) {
      const t = o.tA + ((x + 3) / 6) * (o.tB - o.tA);
      return [c.kappa * (t + zeta), zeta];
    }
    return [c.muE + c.sigmaE * x, zeta];
  });
}

/**
 * Largest relative regret over three traders of one market where everybody bids q(p) = -v(t) - kappa p
 * and pays `feeOf`; each trader infers E[sum_{j != i} zeta_j | S] from the residual supply (psi).
 */
function largestRegret(c: Case, feeOf: (fee: Prop5Fee) => FeeSchedule): number {
  const fee = prop5Fee(c);
  const types = typesOf(c, fee);
  const bids = types.map(([e, zeta]) => fee.bid(e, zeta));
  const schedule = feeOf(fee);
  const infer = othersSignalFromIntercept(fee.othersSignal);
  const scale = c.sigmaE ** 2 / c.kappa + c.kappa * c.sigmaZeta ** 2;
  let worst = 0;
  for (const i of new Set([0, c.traders >> 1, c.traders - 1])) {
    const problem: AdverseSelectionProblem = {
      endowment: types[i]![0],
      signal: types[i]![1],
      kappa: c.kappa,
      others: bids.filter((_, j) => j !== i),
      fee: schedule,
      trader: i,
      othersSignal: infer,
    };
    worst = Math.max(worst, adverseSelectionRegret(problem, bids[i]!).regret / scale);
  }
  return worst;
}

/** The Proposition 3 fee applied to effective types: Proposition 5's fee without the psi(S) q term. */
const withoutPsi = (fee: Prop5Fee): FeeSchedule => ({
  id: "prop5-without-psi",
  fee: (i, q, p) => fee.fee(i, q, p) - fee.othersSignal(fee.revealedOthers(q, p)) * q,
});

describe("Proposition 5: truthful bids are a best response given what the price reveals", () => {
  test("regret of q(p) = -v(t) - kappa p under the Proposition 5 fee is <= 1e-9 (relative)", () => {
    fc.assert(
      fc.property(caseArbitrary, (c) => largestRegret(c, (fee) => fee) <= RELATIVE_TOLERANCE),
      { seed: 42, numRuns: 15, endOnFailure: true },
    );
  });

  test("negative control: without the psi(S) q term (Proposition 3's fee on effective types) the law fails", () => {
    expect(() =>
      fc.assert(
        fc.property(caseArbitrary, (c) => largestRegret(c, withoutPsi) <= RELATIVE_TOLERANCE),
        { seed: 42, numRuns: 40, endOnFailure: true },
      ),
    ).toThrow(/Property failed/);
    expect(largestRegret(typicalCase(), withoutPsi)).toBeGreaterThan(1e-4);
  });

  test("negative control: the plain double auction with the same truthful bids fails the law", () => {
    expect(() =>
      fc.assert(
        fc.property(caseArbitrary, (c) => largestRegret(c, () => noFee) <= RELATIVE_TOLERANCE),
        { seed: 42, numRuns: 40, endOnFailure: true },
      ),
    ).toThrow(/Property failed/);
    expect(largestRegret(typicalCase(), () => noFee)).toBeGreaterThan(1e-4);
  });
});

/** A fixed market with all traders off the flat region and news in the price. */
function typicalCase(): Case {
  return {
    traders: 4,
    kappa: 1,
    muE: 0,
    sigmaE: 1,
    sigmaZeta: 0.8,
    alpha: 0.5,
    types: [
      { flat: false, x: 1.8, y: -0.5 },
      { flat: false, x: -2.1, y: 0.9 },
      { flat: false, x: 0.9, y: 1.2 },
      { flat: false, x: -1.4, y: -1 },
    ],
  };
}

describe("the adverse-selection best responder", () => {
  test("matches the analytic best response with a constant posterior and no fee", () => {
    // Residual supply p = p0 + Lambda q; the expected gain (zeta + psi) q - p q - ((e+q)^2 - e^2)/(2 kappa)
    // peaks at q* = (zeta + psi - p0 - e/kappa) / (2 Lambda + 1/kappa).
    const kappa = 1.5;
    const others = [linearSchedule(0.4, 1), linearSchedule(-1.2, 2)];
    const problem: AdverseSelectionProblem = {
      endowment: 0.8,
      signal: -0.3,
      kappa,
      others,
      fee: noFee,
      trader: 0,
      othersSignal: () => 0.45,
    };
    const br = adverseSelectionBestResponse(problem);
    expect(br.quantity).toBeCloseTo((-0.3 + 0.45 - (0.4 - 1.2) / 3 - 0.8 / kappa) / (2 / 3 + 1 / kappa), 8);
    expect(posteriorPayoffMean(problem)).toBeCloseTo(0.15, 15);
  });

  test("the inference reads S = sum_{j != i} v(t_j) off the residual supply of truthful bids", () => {
    const env = { traders: 5, kappa: 0.9, muE: 0.2, sigmaE: 1.1, sigmaZeta: 0.6, alpha: 0.4 };
    const fee = prop5Fee(env);
    const seen: number[] = [];
    const infer = othersSignalFromIntercept((S) => {
      seen.push(S);
      return fee.othersSignal(S);
    });
    const types: [number, number][] = [
      [1.3, 0.2],
      [-0.4, -0.5],
      [0.1, 0.9],
      [2, 0],
    ];
    const bids: DemandSchedule[] = types.map(([e, z]) => fee.bid(e, z));
    const S = types.reduce((s, [e, z]) => s + fee.mechanism.v(e / env.kappa - z), 0);
    expect(infer(bids)).toBeCloseTo(fee.othersSignal(S), 12);
    expect(seen[0]).toBeCloseTo(S, 12);
  });

  test("conditioning on the price matters: with the prior mean of the others' signals truthful bids look wrong", () => {
    // Under the Proposition 5 fee a trader who ignored the news in the price (E[sum_{j != i} zeta_j] = 0)
    // would see the psi(S) q charge as a tax and regret the truthful bid, while the conditioned trader does not.
    const c = typicalCase();
    const fee = prop5Fee(c);
    const types = typesOf(c, fee);
    const bids = types.map(([e, zeta]) => fee.bid(e, zeta));
    const problem = (othersSignal: (o: readonly DemandSchedule[]) => number): AdverseSelectionProblem => ({
      endowment: types[0]![0],
      signal: types[0]![1],
      kappa: c.kappa,
      others: bids.slice(1),
      fee,
      trader: 0,
      othersSignal,
    });
    const scale = c.sigmaE ** 2 / c.kappa + c.kappa * c.sigmaZeta ** 2;
    expect(adverseSelectionRegret(problem(othersSignalFromIntercept(fee.othersSignal)), bids[0]!).regret / scale).toBeLessThan(
      RELATIVE_TOLERANCE,
    );
    expect(
      adverseSelectionRegret(
        problem(() => 0),
        bids[0]!,
      ).regret / scale,
    ).toBeGreaterThan(1e-4);
  });

  test("interim: truthful bids beat shifted bids in expectation over the others (common random numbers)", () => {
    // Ex-post optimality for every residual supply implies interim optimality; a Monte Carlo over the
    // others' types confirms it for schedules shifted by +-0.15 in intercept.
    const env = { traders: 4, kappa: 1.2, muE: 0.1, sigmaE: 1, sigmaZeta: 0.7, alpha: 0.6 };
    const fee = prop5Fee(env);
    const infer = othersSignalFromIntercept(fee.othersSignal);
    const [e, zeta] = [1.4, -0.3];
    const own = fee.bid(e, zeta);
    if (own.kind !== "linear") throw new Error("linear bid expected");
    const rng = seedrandom.alea("interim-br");
    const draws = 1500;
    const diffs = { minus: new Float64Array(draws), plus: new Float64Array(draws) };
    for (let k = 0; k < draws; k++) {
      const others = Array.from({ length: env.traders - 1 }, () =>
        fee.bid(env.muE + env.sigmaE * std.sample(rng), env.sigmaZeta * std.sample(rng)),
      );
      const problem: AdverseSelectionProblem = {
        endowment: e,
        signal: zeta,
        kappa: env.kappa,
        others,
        fee,
        trader: 0,
        othersSignal: infer,
      };
      const truthful = adverseSelectionPayoffOfSchedule(problem, own).payoff;
      diffs.minus[k] = truthful - adverseSelectionPayoffOfSchedule(problem, linearSchedule(own.intercept - 0.15, own.slope)).payoff;
      diffs.plus[k] = truthful - adverseSelectionPayoffOfSchedule(problem, linearSchedule(own.intercept + 0.15, own.slope)).payoff;
    }
    for (const xs of [diffs.minus, diffs.plus]) {
      // Pointwise (ex post given S) the truthful bid is never worse.
      expect(Math.min(...xs)).toBeGreaterThan(-1e-12);
      expect(xs.reduce((s, x) => s + x, 0) / draws).toBeGreaterThan(1e-4);
    }
  });
});

import { bidOf, regretOf, truthfulBidder } from "@optex/agents";
import { clearLinearBook, createLinearBook, linearSchedule, noFee } from "@optex/engine";
import { prop10Fee } from "@optex/fees";
import {
  basicEnvironment,
  doubleAuctionOutcome,
  exponential,
  heterogeneousDoubleAuction,
  heterogeneousOutcome,
  type HeterogeneousTraderSpec,
  normal,
  solveHeterogeneous,
  symmetricLinearEquilibrium,
  uniform,
  utilityGain,
} from "@optex/theory";
import fc from "fast-check";
import seedrandom from "seedrandom";
import { describe, expect, test } from "vitest";
import { distributionArbitrary, fcSeed, meanAndHalfWidth, uniformReal } from "./support.ts";

// Proposition 10 with the c_i and d_i that `optex theory --model heterogeneous` prints: checked by the
// numerical best responder (IC) and by simulated interim gains (participation binds where it should).

const specsArbitrary: fc.Arbitrary<HeterogeneousTraderSpec[]> = fc.array(
  fc.record({
    dist: distributionArbitrary.filter((d) => !Number.isFinite(d.upper) && !Number.isFinite(d.lower)),
    kappa: uniformReal(0.3, 4),
  }),
  { minLength: 3, maxLength: 8 },
);

function largestRegret(specs: HeterogeneousTraderSpec[], alpha: number, muPi: number, seed: number, withFee: boolean): number {
  const mech = solveHeterogeneous(specs, alpha);
  const fee = withFee ? prop10Fee(mech, muPi) : noFee;
  const rng = seedrandom.alea(String(seed));
  const endowments = specs.map((s) => s.dist.sample(rng));
  const bids = endowments.map((e, i) => bidOf(truthfulBidder(mech.traders[i]!, specs[i]!.kappa, muPi), e));
  let worst = 0;
  for (let i = 0; i < specs.length; i++) {
    const others = bids.filter((_, j) => j !== i);
    const r = regretOf({ endowment: endowments[i]!, kappa: specs[i]!.kappa, muPi, others, fee, trader: i }, bids[i]!);
    worst = Math.max(worst, r.regret / (specs[i]!.dist.variance / specs[i]!.kappa));
  }
  return worst;
}

describe("Proposition 10: trader-specific fees for heterogeneous traders", () => {
  test("truthful bids q_i = -v_i(e_i) - kappa_i (p - mu_pi) have no ex-post regret (relative 1e-9)", () => {
    fc.assert(
      fc.property(
        specsArbitrary,
        uniformReal(0, 1),
        uniformReal(-1, 1),
        fc.nat(),
        (specs, alpha, muPi, seed) => largestRegret(specs, alpha, muPi, seed, true) <= 1e-9,
      ),
      // Every trader of each market (the law suite in feeLaws.test.ts checks more environments, at the ends of each book).
      { seed: fcSeed, numRuns: 8, endOnFailure: true },
    );
  });

  test("negative control: without the fee the same bids have regret", () => {
    const specs = [
      { dist: normal(0, 1), kappa: 1 },
      { dist: normal(0.5, 2), kappa: 3 },
      { dist: normal(-1, 0.5), kappa: 0.5 },
    ];
    expect(largestRegret(specs, 0.5, 0, 3, false)).toBeGreaterThan(1e-4);
  });

  test("simulated interim gains: 0 on each trader's flat region, eq. (3) elsewhere; transfers match eq. (4)", () => {
    const specs: HeterogeneousTraderSpec[] = [
      { dist: normal(0.5, 1), kappa: 1 },
      { dist: uniform(-2, 2), kappa: 2.5 },
      { dist: exponential(1), kappa: 0.7 },
      { dist: normal(-0.3, 1.5), kappa: 1.2 },
    ];
    const muPi = 0.2;
    const mech = solveHeterogeneous(specs, 0.6);
    const out = heterogeneousOutcome(mech, muPi);
    const fee = prop10Fee(mech, muPi);
    const strategies = mech.traders.map((vt, i) => truthfulBidder(vt, specs[i]!.kappa, muPi));
    const N = specs.length;
    const book = createLinearBook(N);
    strategies.forEach((s, i) => (book.slopes[i] = s.slope));
    const q = new Float64Array(N);
    for (let i = 0; i < N; i++) {
      const o = out[i]!;
      for (const e0 of [0.5 * (o.eA + o.eB), specs[i]!.dist.quantile(0.9)]) {
        const rng = seedrandom.alea(`p10-${i}-${e0}`);
        const markets = 30_000;
        const gains = new Float64Array(markets);
        const transfers = new Float64Array(markets);
        for (let m = 0; m < markets; m++) {
          for (let j = 0; j < N; j++) book.intercepts[j] = strategies[j]!.intercept(j === i ? e0 : specs[j]!.dist.sample(rng));
          const p = clearLinearBook(book, q);
          const t = p * q[i]! + fee.fee(i, q[i]!, p);
          transfers[m] = t;
          gains[m] = utilityGain(e0, q[i]!, t, specs[i]!.kappa, muPi);
        }
        const g = meanAndHalfWidth(gains);
        const tr = meanAndHalfWidth(transfers);
        expect(Math.abs(g.mean - o.interimUtilityGain(e0)), `gain of trader ${i} at ${e0}`).toBeLessThanOrEqual(g.halfWidth + 1e-12);
        expect(Math.abs(tr.mean - o.interimTransfer(e0)), `transfer of trader ${i} at ${e0}`).toBeLessThanOrEqual(tr.halfWidth + 1e-12);
      }
    }
  });
});

describe("the plain double auction with heterogeneous traders (no fee)", () => {
  const specs: HeterogeneousTraderSpec[] = [
    { dist: normal(0.3, 0.5), kappa: 1 },
    { dist: uniform(-1, 2), kappa: 2 },
    { dist: exponential(1.5), kappa: 3 },
    { dist: normal(-0.2, 1.2), kappa: 0.6 },
  ];
  const muPi = 0.25;

  test("identical traders reproduce Section 4's SLE and its outcome; two traders have no equilibrium", () => {
    const dist = uniform(-1, 1);
    const d = heterogeneousDoubleAuction(Array(6).fill({ dist, kappa: 1.5 }), 0.2);
    const sle = symmetricLinearEquilibrium(6, 1.5);
    const ref = doubleAuctionOutcome(basicEnvironment({ dist, kappa: 1.5, traders: 6, muPi: 0.2 }))!;
    if (!sle.exists) throw new Error("expected an SLE");
    for (const t of d.traders) {
      expect(t.c).toBeCloseTo(sle.c, 12);
      expect(t.a).toBeCloseTo(sle.a, 12);
      expect(t.holdingCost).toBeCloseTo(ref.holdingCostPerTrader, 12);
      expect(t.utilityGain).toBeCloseTo(ref.utilityGainPerTrader, 12);
    }
    expect(heterogeneousDoubleAuction(specs.slice(0, 2), 0).exists).toBe(false);
  });

  test("badly mismatched capacities still have an equilibrium (N >= 3), and it is a fixed point", () => {
    for (const kappas of [
      [1, 1, 1e-9],
      [1e8, 1e-8, 1e-8],
      [1, 1, 1e-6],
      [5, 0.01, 0.3, 2],
    ]) {
      const d = heterogeneousDoubleAuction(
        kappas.map((kappa) => ({ dist: normal(0, 1), kappa })),
        0,
      );
      expect(d.exists, String(kappas)).toBe(true);
      const C = d.traders.reduce((s, t) => s + t.c, 0);
      for (const t of d.traders) {
        // c_i = 1/(Lambda_i + 1/kappa_i) with Lambda_i = 1/(C - c_i), to rounding.
        expect(Math.abs(t.c - 1 / (1 / (C - t.c) + 1 / t.kappa)) / t.c, String(kappas)).toBeLessThan(1e-10);
        expect(t.c).toBeGreaterThan(0);
      }
    }
  });

  test("the equilibrium bids have no ex-post regret (numerical best responder)", () => {
    const d = heterogeneousDoubleAuction(specs, muPi);
    const rng = seedrandom.alea("het-da");
    for (let m = 0; m < 5; m++) {
      const e = specs.map((s) => s.dist.sample(rng));
      const bids = e.map((ei, i) => linearSchedule(d.traders[i]!.c * muPi - d.traders[i]!.a * ei, d.traders[i]!.c));
      for (let i = 0; i < specs.length; i++) {
        const r = regretOf(
          { endowment: e[i]!, kappa: specs[i]!.kappa, muPi, others: bids.filter((_, j) => j !== i), fee: noFee, trader: i },
          bids[i]!,
        );
        expect(r.regret / (specs[i]!.dist.variance / specs[i]!.kappa)).toBeLessThanOrEqual(1e-9);
      }
    }
    // Control: bidding as if every other trader had trader i's capacity (the symmetric SLE) leaves regret.
    const e = specs.map((s) => s.dist.sample(rng));
    const naive = e.map((ei, i) => {
      const sle = symmetricLinearEquilibrium(specs.length, specs[i]!.kappa);
      if (!sle.exists) throw new Error("expected an SLE");
      return linearSchedule(sle.c * muPi - sle.a * ei, sle.c);
    });
    const r = regretOf({ endowment: e[0]!, kappa: specs[0]!.kappa, muPi, others: naive.slice(1), fee: noFee, trader: 0 }, naive[0]!);
    expect(r.regret).toBeGreaterThan(1e-6);
  });

  test("holding costs, payments and gains match a Monte Carlo of the cleared market; payments sum to 0", () => {
    const d = heterogeneousDoubleAuction(specs, muPi);
    const N = specs.length;
    const rng = seedrandom.alea("het-da-mc");
    const markets = 40_000;
    const holding = specs.map(() => new Float64Array(markets));
    const pay = specs.map(() => new Float64Array(markets));
    const gain = specs.map(() => new Float64Array(markets));
    const book = createLinearBook(N);
    d.traders.forEach((t, i) => (book.slopes[i] = t.c));
    const q = new Float64Array(N);
    for (let m = 0; m < markets; m++) {
      const e = specs.map((s) => s.dist.sample(rng));
      d.traders.forEach((t, i) => (book.intercepts[i] = t.c * muPi - t.a * e[i]!));
      const p = clearLinearBook(book, q);
      for (let i = 0; i < N; i++) {
        holding[i]![m] = (e[i]! + q[i]!) ** 2 / (2 * specs[i]!.kappa);
        pay[i]![m] = p * q[i]!;
        gain[i]![m] = utilityGain(e[i]!, q[i]!, p * q[i]!, specs[i]!.kappa, muPi);
      }
    }
    d.traders.forEach((t, i) => {
      for (const [name, xs, theory] of [
        ["holding", holding[i]!, t.holdingCost],
        ["payment", pay[i]!, t.revenue],
        ["gain", gain[i]!, t.utilityGain],
      ] as const) {
        const s = meanAndHalfWidth(xs);
        expect(Math.abs(s.mean - theory), `${name} of trader ${i}`).toBeLessThanOrEqual(s.halfWidth);
      }
    });
    expect(Math.abs(d.traders.reduce((s, t) => s + t.revenue, 0))).toBeLessThan(1e-12);
  });
});

import { bidOf, regretOf, truthfulBidder } from "@optex/agents";
import { clearLinearBook, createLinearBook, noFee } from "@optex/engine";
import { prop10Fee } from "@optex/fees";
import { exponential, heterogeneousOutcome, type HeterogeneousTraderSpec, normal, solveHeterogeneous, uniform, utilityGain } from "@optex/theory";
import fc from "fast-check";
import seedrandom from "seedrandom";
import { describe, expect, test } from "vitest";
import { distributionArbitrary, fcSeed, meanAndHalfWidth, uniformReal } from "./support.ts";

// Proposition 10 with the c_i and d_i that `optex theory --model heterogeneous` prints: checked by the
// numerical best responder (IC) and by simulated interim gains (participation binds where it should).

const specsArbitrary: fc.Arbitrary<HeterogeneousTraderSpec[]> = fc.array(
  fc.record({ dist: distributionArbitrary.filter((d) => !Number.isFinite(d.upper) && !Number.isFinite(d.lower)), kappa: uniformReal(0.3, 4) }),
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
      fc.property(specsArbitrary, uniformReal(0, 1), uniformReal(-1, 1), fc.nat(), (specs, alpha, muPi, seed) => largestRegret(specs, alpha, muPi, seed, true) <= 1e-9),
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

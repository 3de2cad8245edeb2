import { integrate } from "@optex/numerics";
import seedrandom from "seedrandom";
import { describe, expect, test } from "vitest";
import { basicEnvironment } from "./basicEnvironment.ts";
import type { Distribution } from "../laws/distribution.ts";
import { exponential } from "../laws/exponential.ts";
import type { MechanismOutcome } from "./mechanismOutcome.ts";
import { normal } from "../laws/normal.ts";
import { optimalMechanismOutcome } from "./optimalMechanism.ts";
import { uniform } from "../laws/uniform.ts";
import { solveVirtualType } from "./virtualType.ts";

const solve = (dist: Distribution, alpha: number, traders: number, kappa = 1, muPi = 0) =>
  optimalMechanismOutcome(basicEnvironment({ dist, kappa, traders, muPi }), solveVirtualType(dist, alpha));

describe("optimal mechanism, basic model", () => {
  test.each([
    [0, 2, 1],
    [0.5, 5, 1],
    [1, 3, 2],
    [0.3, 10, 0.5],
  ])("U[-1,1] closed forms (docs/model.md) at alpha %s, N %s, kappa %s", (alpha, N, kappa) => {
    const o = solve(uniform(-1, 1), alpha, N, kappa);
    const s = (N - 1) / N;
    expect(o.revenuePerTrader).toBeCloseTo((s * alpha) / (3 * (1 + alpha) ** 2) / kappa, 11);
    expect(o.holdingCostPerTrader).toBeCloseTo((1 / 6 - (s * (1 + 2 * alpha)) / (6 * (1 + alpha) ** 2)) / kappa, 11);
    expect(o.utilityGainPerTrader).toBeCloseTo(s / (6 * (1 + alpha) ** 2) / kappa, 11);
  });

  test.each([
    ["U[-1,3]", uniform(-1, 3)],
    ["N(1,2)", normal(1, 2)],
    ["Exp(0.7)", exponential(0.7)],
  ] as const)("Proposition 1: first best has zero expected revenue (%s)", (_name, dist) => {
    expect(Math.abs(solve(dist, 0, 7, 1.3).revenuePerTrader)).toBeLessThan(1e-10);
  });

  test.each([
    [uniform(-1, 1), 0.5],
    [normal(0, 1), 0.8],
    [exponential(1), 1],
  ] as const)(
    "Proposition 2: revenue, holding cost change and gain are proportional to (N-1)/N (%s; a regression check: the code builds them from (N-1)/N)",
    (dist, alpha) => {
      const ref = solve(dist, alpha, 2);
      for (const N of [3, 7, 40]) {
        const o = solve(dist, alpha, N);
        const ratio = (N - 1) / N / (1 / 2);
        expect(o.revenuePerTrader / ref.revenuePerTrader).toBeCloseTo(ratio, 9);
        expect(
          (o.holdingCostPerTrader - o.autarkyHoldingCostPerTrader) / (ref.holdingCostPerTrader - ref.autarkyHoldingCostPerTrader),
        ).toBeCloseTo(ratio, 9);
        expect(o.utilityGainPerTrader / ref.utilityGainPerTrader).toBeCloseTo(ratio, 9);
      }
    },
  );

  test("Proposition 2 part 2: expected utility and (symmetric F) trade volume fall as alpha rises", () => {
    let prev = solve(normal(0, 1), 0, 6);
    for (const alpha of [0.2, 0.5, 1]) {
      const o = solve(normal(0, 1), alpha, 6);
      expect(o.utilityGainPerTrader).toBeLessThan(prev.utilityGainPerTrader);
      expect(o.tradeVolumePerTrader).toBeLessThan(prev.tradeVolumePerTrader);
      expect(o.revenuePerTrader).toBeGreaterThan(prev.revenuePerTrader);
      prev = o;
    }
  });

  test("Example 3 (signs as corrected in docs/ERRATA.md): a type-0 trader buys ((N-1)/N) 0.86814", () => {
    const N = 4;
    const o = solve(exponential(1), 1, N);
    expect(Math.abs(o.interimAllocation(0) - ((N - 1) / N) * 0.86814)).toBeLessThan(5e-6);
    expect(solve(exponential(1), 0, N).interimAllocation(0)).toBeCloseTo((N - 1) / N, 12);
  });

  test.each([
    [uniform(-1, 1), 0.5, 5],
    [exponential(1), 1, 3],
    [normal(0.5, 1.5), 0.3, 8],
  ] as const)("interim rules integrate to the per-trader expectations; participation binds exactly on [eA, eB] (%s)", (dist, alpha, N) => {
    const kappa = 1.7;
    const muPi = 0.4;
    const vt = solveVirtualType(dist, alpha);
    const o = solve(dist, alpha, N, kappa, muPi);
    const expectation = (g: (e: number) => number) => integrate((e) => g(e) * dist.pdf(e), dist.lower, dist.upper, { relTol: 1e-9 }).value;
    expect(expectation(o.interimTransfer)).toBeCloseTo(o.revenuePerTrader, 8);
    expect(expectation(o.interimUtilityGain)).toBeCloseTo(o.utilityGainPerTrader, 8);
    expect(expectation(o.interimAllocation)).toBeCloseTo(0, 10);
    // Identity (docs/quantities.md): revenue + (holding - autarky) + gain = 0.
    expect(o.revenuePerTrader + o.holdingCostPerTrader - o.autarkyHoldingCostPerTrader + o.utilityGainPerTrader).toBeCloseTo(0, 12);
    if (alpha > 0) {
      expect(o.interimUtilityGain(0.5 * (vt.eA + vt.eB))).toBe(0);
      expect(o.interimUtilityGain(vt.eB + 0.1)).toBeGreaterThan(0);
      if (vt.eA > dist.lower) expect(o.interimUtilityGain(vt.eA - 0.05)).toBeGreaterThan(0);
    }
    // Interim allocation is nonincreasing (Lemma 3 prints "nondecreasing").
    let prev = Infinity;
    for (let u = 0.01; u < 1; u += 0.01) {
      const x = o.interimAllocation(dist.quantile(u));
      expect(x).toBeLessThanOrEqual(prev);
      prev = x;
    }
  });

  test("interim utility gain satisfies the envelope condition (eq. (3)): G'(e) = -Xhat(e)/kappa", () => {
    const kappa = 0.8;
    const o = solve(normal(0, 1), 0.6, 5, kappa);
    for (const e of [-2, -1.2, 1.3, 2.5]) {
      const h = 1e-5;
      expect((o.interimUtilityGain(e + h) - o.interimUtilityGain(e - h)) / (2 * h)).toBeCloseTo(-o.interimAllocation(e) / kappa, 6);
    }
  });

  test("trade volume: closed forms", () => {
    // First best with normal endowments: X_i ~ N(0, ((N-1)/N) sigma^2).
    for (const N of [2, 10, 60]) {
      expect(solve(normal(3, 2), 0, N).tradeVolumePerTrader).toBeCloseTo(2 * Math.sqrt(((2 / Math.PI) * (N - 1)) / N), 8);
    }
    // First best, U[-1,1], N = 2: |e1 - e2|/2 has mean 1/3.
    expect(solve(uniform(-1, 1), 0, 2).tradeVolumePerTrader).toBeCloseTo(1 / 3, 9);
  });

  test.each([
    [uniform(-1, 1), 0.5, 5],
    [exponential(1), 1, 3],
    [normal(0, 1), 0.7, 12],
  ] as const)("holding cost and trade volume agree with a direct Monte Carlo of Theorem 1's allocation (%s)", (dist, alpha, N) => {
    const vt = solveVirtualType(dist, alpha);
    const o: MechanismOutcome = solve(dist, alpha, N);
    const rng = seedrandom.alea(`direct-${dist.id}`);
    const markets = 40_000;
    const v = new Float64Array(N);
    const e = new Float64Array(N);
    const absX: number[] = [];
    const hold: number[] = [];
    for (let k = 0; k < markets; k++) {
      let sum = 0;
      for (let i = 0; i < N; i++) {
        e[i] = dist.sample(rng);
        v[i] = vt.v(e[i]!);
        sum += v[i]!;
      }
      let a = 0;
      let h = 0;
      for (let i = 0; i < N; i++) {
        const x = -v[i]! + sum / N;
        a += Math.abs(x);
        h += (e[i]! + x) ** 2 / 2;
      }
      absX.push(a / N);
      hold.push(h / N);
    }
    // Market averages are iid across markets: 99.9% interval from their sample sd.
    const check = (xs: number[], target: number) => {
      const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
      const sd = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (xs.length - 1));
      expect(Math.abs(mean - target)).toBeLessThan((3.29 * sd) / Math.sqrt(xs.length));
    };
    check(absX, o.tradeVolumePerTrader);
    check(hold, o.holdingCostPerTrader);
  });
});

describe("units do not matter: results are equivariant under e -> mu + s e", () => {
  // v(mu + s z) = mu + s v(z), so revenue, gain and the holding cost's change scale with s^2 and
  // trade volume with s; a large mean or a tiny scale must not cost accuracy.
  test.each([
    ["N(0,1)", normal(0, 1), (mu: number, s: number) => normal(mu, s)],
    ["U[-1,1]", uniform(-1, 1), (mu: number, s: number) => uniform(mu - s, mu + s)],
    ["Exp(1)", exponential(1), (_mu: number, s: number) => exponential(1 / s)],
  ] as const)("%s", (_name, base, transformed) => {
    for (const alpha of [0, 0.5, 1]) {
      const ref = solve(base, alpha, 5);
      const shifts = base.symmetric ? [0, 1e5, -3e7] : [0];
      for (const nominal of [1e-5, 1e4]) {
        for (const mu of shifts) {
          const dist = transformed(mu, nominal);
          // The scale the law really has (mu +- s rounds when mu is large).
          const s = Math.sqrt(dist.variance / base.variance);
          const o = solve(dist, alpha, 5);
          const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(1e-300, Math.abs(b));
          expect(Math.abs(o.revenuePerTrader / (s * s) - ref.revenuePerTrader), `revenue at s=${s}, mu=${mu}, alpha=${alpha}`).toBeLessThan(
            1e-9,
          );
          expect(rel(o.utilityGainPerTrader / (s * s), ref.utilityGainPerTrader)).toBeLessThan(1e-8);
          // The change of the holding cost is tiny next to mu^2 when mu is large: compare it at mu = 0.
          if (mu === 0)
            expect(
              rel(
                (o.holdingCostPerTrader - o.autarkyHoldingCostPerTrader) / (s * s),
                ref.holdingCostPerTrader - ref.autarkyHoldingCostPerTrader,
              ),
            ).toBeLessThan(1e-8);
          expect(rel(o.tradeVolumePerTrader / s, ref.tradeVolumePerTrader)).toBeLessThan(1e-7);
        }
      }
    }
  });
});

import { integrate } from "@optex/numerics";
import seedrandom from "seedrandom";
import { describe, expect, test } from "vitest";
import { basicEnvironment } from "../basic/basicEnvironment.ts";
import { exponential } from "../laws/exponential.ts";
import { heterogeneousOutcome, type HeterogeneousTraderSpec, solveHeterogeneous } from "./heterogeneous.ts";
import { normal } from "../laws/normal.ts";
import { optimalMechanismOutcome } from "../basic/optimalMechanism.ts";
import { TheoryError } from "../theoryError.ts";
import { uniform } from "../laws/uniform.ts";
import { solveVirtualType } from "../basic/virtualType.ts";

const mixed: HeterogeneousTraderSpec[] = [
  { dist: normal(1, 0.5), kappa: 1 },
  { dist: uniform(-1, 3), kappa: 2 },
  { dist: normal(-1, 2), kappa: 0.5 },
  { dist: exponential(1.5), kappa: 1.2 },
];

describe("Theorem 5: heterogeneous traders", () => {
  test("identical traders reproduce Theorem 1 and Proposition 3's constants", () => {
    const dist = normal(0.3, 1.2);
    const out = heterogeneousOutcome(
      solveHeterogeneous(
        [0, 1, 2, 3].map(() => ({ dist, kappa: 1.5 })),
        0.6,
      ),
      0.2,
    );
    const vt = solveVirtualType(dist, 0.6);
    const basic = optimalMechanismOutcome(basicEnvironment({ dist, kappa: 1.5, traders: 4, muPi: 0.2 }), vt);
    for (const o of out) {
      expect(o.eA).toBeCloseTo(vt.eA, 10);
      expect(o.eB).toBeCloseTo(vt.eB, 10);
      expect(o.flatLevel).toBeCloseTo(vt.meanVirtualType, 10);
      expect(o.revenue).toBeCloseTo(basic.revenuePerTrader, 10);
      expect(o.holdingCost).toBeCloseTo(basic.holdingCostPerTrader, 10);
      expect(o.utilityGain).toBeCloseTo(basic.utilityGainPerTrader, 10);
      expect(o.fee.c).toBeCloseTo(-1 / (3 * 1.5), 14);
      // Proposition 3's d = Var v/(2 N kappa) + B(m), B centred on mu_e, B(m) from its definition by quadrature.
      const mu = dist.mean;
      const m = vt.meanVirtualType;
      const Bm = ((4 - 1) / (4 * 1.5)) * ((m - mu) ** 2 / 2 - integrate((x) => vt.vInverse(x) - mu, mu, m, { relTol: 1e-12 }).value);
      expect(o.fee.d).toBeCloseTo(vt.varianceVirtualType / (2 * 4 * 1.5) + Bm, 10);
    }
  });

  test("Corollary 5.1: means proportional to kappas and symmetric laws give E[v_i] = mu_i", () => {
    const kappas = [1, 2, 0.5];
    const specs = kappas.map((k, i) => ({ dist: i === 1 ? uniform(0.6 * k - 1.5, 0.6 * k + 1.5) : normal(0.6 * k, 0.4 + i), kappa: k }));
    const mech = solveHeterogeneous(specs, 0.8);
    mech.traders.forEach((vt, i) => {
      const mu = specs[i]!.dist.mean;
      expect(vt.meanVirtualType).toBeCloseTo(mu, 10);
      expect(vt.flatLevel).toBeCloseTo(mu, 10);
      // e_ia + alpha F/f = mu_i and e_ib - alpha (1-F)/f = mu_i.
      const d = specs[i]!.dist;
      expect(vt.eA + 0.8 * d.cdfOverPdf(vt.eA)).toBeCloseTo(mu, 10);
      expect(vt.eB - 0.8 * d.survivalOverPdf(vt.eB)).toBeCloseTo(mu, 10);
    });
  });

  test("the fixed point holds: L_i = kappa_i sum_{j != i} E[v_j] / sum_{j != i} kappa_j, E[v_i] by Monte Carlo", () => {
    const mech = solveHeterogeneous(mixed, 0.7);
    const K = mech.totalKappa;
    const means = mech.traders.map((vt) => vt.meanVirtualType);
    const total = means.reduce((a, b) => a + b, 0);
    mech.traders.forEach((vt, i) => {
      const kappa = mixed[i]!.kappa;
      expect(vt.flatLevel).toBeCloseTo((kappa * (total - means[i]!)) / (K - kappa), 11);
      // v_i is continuous at the flat level.
      expect(Math.abs(vt.v(vt.eA - 1e-9) - vt.flatLevel)).toBeLessThan(1e-6);
      expect(Math.abs(vt.v(vt.eB + 1e-9) - vt.flatLevel)).toBeLessThan(1e-6);
      const rng = seedrandom.alea(`het-${i}`);
      let s = 0;
      let s2 = 0;
      const n = 100_000;
      for (let k = 0; k < n; k++) {
        const x = vt.v(mixed[i]!.dist.sample(rng));
        s += x;
        s2 += x * x;
      }
      const mean = s / n;
      expect(Math.abs(mean - vt.meanVirtualType)).toBeLessThan(3.29 * Math.sqrt((s2 / n - mean * mean) / n));
    });
  });

  test("allocation, expected trades and holding costs agree with a Monte Carlo of Theorem 5's rule", () => {
    const mech = solveHeterogeneous(mixed, 0.5);
    const out = heterogeneousOutcome(mech, 0.3);
    const N = mixed.length;
    const K = mech.totalKappa;
    const rng = seedrandom.alea("het-mc");
    const markets = 60_000;
    const trades = Array.from({ length: N }, () => new Float64Array(markets));
    const holding = Array.from({ length: N }, () => new Float64Array(markets));
    const e = new Float64Array(N);
    const v = new Float64Array(N);
    for (let m = 0; m < markets; m++) {
      let sum = 0;
      for (let i = 0; i < N; i++) {
        e[i] = mixed[i]!.dist.sample(rng);
        v[i] = mech.traders[i]!.v(e[i]!);
        sum += v[i]!;
      }
      let net = 0;
      for (let i = 0; i < N; i++) {
        const x = -v[i]! + (mixed[i]!.kappa / K) * sum;
        net += x;
        trades[i]![m] = x;
        holding[i]![m] = (e[i]! + x) ** 2 / (2 * mixed[i]!.kappa);
      }
      expect(Math.abs(net)).toBeLessThan(1e-12); // exchange: sum of trades is zero
    }
    const check = (xs: Float64Array, target: number, what: string) => {
      let s = 0;
      for (const x of xs) s += x;
      const mean = s / xs.length;
      let ss = 0;
      for (const x of xs) ss += (x - mean) ** 2;
      expect(Math.abs(mean - target), what).toBeLessThan((3.29 * Math.sqrt(ss / (xs.length - 1))) / Math.sqrt(xs.length));
    };
    out.forEach((o, i) => {
      check(trades[i]!, o.expectedTrade, `E[X_${i}]`);
      check(holding[i]!, o.holdingCost, `holding_${i}`);
    });
    // Trades balance in expectation too.
    expect(Math.abs(out.reduce((s, o) => s + o.expectedTrade, 0))).toBeLessThan(1e-10);
  });

  test("interim rules integrate to the expectations (quadrature consistency; the fee-augmented auction is simulated in test/heterogeneousIncentives.test.ts)", () => {
    const out = heterogeneousOutcome(solveHeterogeneous(mixed, 0.6), 0.25);
    out.forEach((o, i) => {
      const d = mixed[i]!.dist;
      const E = (g: (e: number) => number) => integrate((e) => g(e) * d.pdf(e), d.lower, d.upper, { relTol: 1e-9 }).value;
      expect(E(o.interimTransfer)).toBeCloseTo(o.revenue, 7);
      expect(E(o.interimUtilityGain)).toBeCloseTo(o.utilityGain, 7);
      expect(E(o.interimAllocation)).toBeCloseTo(o.expectedTrade, 8);
      expect(o.interimUtilityGain(0.5 * (o.eA + o.eB))).toBe(0);
      expect(o.interimUtilityGain(o.eB + 0.2)).toBeGreaterThan(0);
    });
  });

  describe("Proposition 9 (Gaussian endowments with zero means)", () => {
    const specs = (sigmas: number[], kappas: number[]) => sigmas.map((s, i) => ({ dist: normal(0, s), kappa: kappas[i]! }));
    const solve = (sigmas: number[], kappas: number[], alpha = 0.6) =>
      heterogeneousOutcome(solveHeterogeneous(specs(sigmas, kappas), alpha), 0);
    test("part 1: binding regions do not depend on the kappas", () => {
      const a = solve([0.5, 1, 2], [1, 2, 3]);
      const b = solve([0.5, 1, 2], [3, 0.2, 1]);
      a.forEach((o, i) => {
        expect(o.eA).toBeCloseTo(b[i]!.eA, 10);
        expect(o.eB).toBeCloseTo(b[i]!.eB, 10);
      });
    });
    test("part 2: a larger sigma_i widens only trader i's region, lowers its interim gain at a fixed type, leaves the others' gains", () => {
      const base = solve([0.5, 1, 2], [1, 2, 3]);
      const wider = solve([0.5, 1.5, 2], [1, 2, 3]);
      expect(wider[1]!.eB - wider[1]!.eA).toBeGreaterThan(base[1]!.eB - base[1]!.eA);
      for (const j of [0, 2]) {
        expect(wider[j]!.eA).toBeCloseTo(base[j]!.eA, 10);
        expect(wider[j]!.utilityGain).toBeCloseTo(base[j]!.utilityGain, 10); // 2c
      }
      // 2b as docs/environments/heterogeneous.md reads it: the interim gain at a fixed endowment falls ...
      expect(wider[1]!.interimUtilityGain(2.5)).toBeLessThan(base[1]!.interimUtilityGain(2.5));
      // ... while the ex-ante gain rises (the paper's wording is wrong for it).
      expect(wider[1]!.utilityGain).toBeGreaterThan(base[1]!.utilityGain);
    });
    test("part 3: a larger kappa_i lowers trader i's expected gain and raises the others'", () => {
      const base = solve([0.5, 1, 2], [1, 2, 3]);
      const bigger = solve([0.5, 1, 2], [1, 2.5, 3]);
      expect(bigger[1]!.utilityGain).toBeLessThan(base[1]!.utilityGain);
      for (const j of [0, 2]) expect(bigger[j]!.utilityGain).toBeGreaterThan(base[j]!.utilityGain);
    });
  });

  test("bad input and infeasible heterogeneity are reported", () => {
    expect(() => solveHeterogeneous([{ dist: normal(0, 1), kappa: 1 }], 0.5)).toThrow(/at least 2 traders/);
    expect(() =>
      solveHeterogeneous(
        [
          { dist: normal(0, 1), kappa: 1 },
          { dist: normal(0, 1), kappa: -1 },
        ],
        0.5,
      ),
    ).toThrow(/trader 2: kappa/);
    expect(() =>
      solveHeterogeneous(
        [
          { dist: normal(0, 1), kappa: 1 },
          { dist: normal(0, 1), kappa: 1 },
        ],
        2,
      ),
    ).toThrow(/alpha/);
    // A bounded law whose flat level falls outside the range of its virtual type.
    expect(() =>
      solveHeterogeneous(
        [
          { dist: uniform(0, 1), kappa: 1 },
          { dist: normal(50, 1), kappa: 5 },
        ],
        0.5,
      ),
    ).toThrow(TheoryError);
  });
});

import seedrandom from "seedrandom";
import { describe, expect, test } from "vitest";
import { meanWithHalfWidth } from "../testSupport.ts";
import { basicEnvironment } from "../basic/basicEnvironment.ts";
import { normal } from "../laws/normal.ts";
import { optimalAdverseSelection, priceInformativeness, robustAllocationHoldingCost } from "./optimalAdverseSelection.ts";
import { optimalMechanismOutcome } from "../basic/optimalMechanism.ts";
import { solveVirtualType } from "../basic/virtualType.ts";

describe("Theorem 3 / Corollary 3.1 (Gaussian, independent signals)", () => {
  test("as sigma_zeta -> 0 it reproduces Theorem 1 (t = e/kappa)", () => {
    for (const [N, kappa, muE, sigmaE, alpha] of [
      [5, 1, 0, 1, 0.5],
      [8, 2, 0.7, 1.5, 0.9],
    ] as const) {
      const o = optimalAdverseSelection({ traders: N, kappa, muE, sigmaE, sigmaZeta: 1e-7, alpha });
      const dist = normal(muE, sigmaE);
      const vt = solveVirtualType(dist, alpha);
      const basic = optimalMechanismOutcome(basicEnvironment({ dist, kappa, traders: N }), vt);
      expect(o.tA * kappa).toBeCloseTo(vt.eA, 6);
      expect(o.tB * kappa).toBeCloseTo(vt.eB, 6);
      expect(o.revenuePerTrader).toBeCloseTo(basic.revenuePerTrader, 8);
      expect(o.holdingCostPerTrader).toBeCloseTo(basic.holdingCostPerTrader, 8);
      expect(o.utilityGainPerTrader).toBeCloseTo(basic.utilityGainPerTrader, 8);
    }
  });

  test("z_b solves w z = alpha (1 - Phi(z))/phi(z); tA, tB symmetric about mu_t; E[v] = mu_e", () => {
    const env = { traders: 5, kappa: 1.5, muE: 0.4, sigmaE: 1, sigmaZeta: 0.6, alpha: 0.7 };
    const o = optimalAdverseSelection(env);
    const st = Math.sqrt(1 / 1.5 ** 2 + 0.36);
    const muT = 0.4 / 1.5;
    const zb = (o.tB - muT) / st;
    const std = normal(0, 1);
    expect(o.endowmentWeight * zb).toBeCloseTo(0.7 * std.survivalOverPdf(zb), 12);
    expect(o.tA - muT).toBeCloseTo(-(o.tB - muT), 12);
    expect(o.meanVirtualType).toBeCloseTo(0.4, 12);
  });

  test("Proposition 4: noisier signals widen the binding region without bound, lower efficiency, and move the frontier down-left", () => {
    const at = (sigmaZeta: number, alpha: number) => optimalAdverseSelection({ traders: 6, kappa: 1, muE: 0, sigmaE: 1, sigmaZeta, alpha });
    let prev = at(0, 0.6);
    for (const sigmaZeta of [0.2, 0.5, 1, 2, 5, 20]) {
      const o = at(sigmaZeta, 0.6);
      expect(o.tB - o.tA).toBeGreaterThan(prev.tB - prev.tA);
      expect(o.holdingCostPerTrader).toBeGreaterThan(prev.holdingCostPerTrader);
      prev = o;
    }
    expect(prev.tB - prev.tA).toBeGreaterThan(50);
    // Part 2 as a statement about sets: every point of the noisier frontier is weakly dominated
    // (more revenue and less holding cost) by a point of the less noisy one.
    const alphas = Array.from({ length: 21 }, (_, k) => k / 20);
    for (const [s1, s2] of [
      [0, 0.5],
      [0.5, 1],
      [1, 2],
    ] as const) {
      const f1 = alphas.map((a) => at(s1, a));
      for (const a of alphas) {
        const p2 = at(s2, a);
        const dominated = f1.some(
          (p1) => p1.revenuePerTrader >= p2.revenuePerTrader - 1e-12 && p1.holdingCostPerTrader <= p2.holdingCostPerTrader + 1e-12,
        );
        expect(dominated, `sigma_zeta ${s2}, alpha ${a}`).toBe(true);
      }
    }
  });

  test("first best with adverse selection runs a deficit of ((N-1)/N) sigma_e^2 (1 - w) / (2 kappa)", () => {
    // Closed form at alpha = 0 (v = E[e | t]); it vanishes as sigma_zeta -> 0 (Proposition 1).
    for (const sigmaZeta of [0.3, 1]) {
      const o = optimalAdverseSelection({ traders: 6, kappa: 1.5, muE: 0, sigmaE: 1.2, sigmaZeta, alpha: 0 });
      expect(o.revenuePerTrader).toBeCloseTo(-(5 / 6) * ((1.44 * (1 - o.endowmentWeight)) / 3), 12);
    }
  });

  test("the direct mechanism with the real payoff: truthful gain is G(t), equal for types with the same t, and misreports lose", () => {
    // pi = sum_j zeta_j + independent noise (so zeta_i = E[pi | zeta_i] and E[pi | all] = sum zeta_j);
    // a type (e, zeta) reporting t' gets X = -v(t') + mean v and pays That(t').
    const env = { traders: 4, kappa: 1.2, muE: 0.1, sigmaE: 1, sigmaZeta: 0.6, alpha: 0.7 };
    const o = optimalAdverseSelection(env);
    const { traders: N, kappa } = env;
    const z = normal(0, 1);
    const gainOf = (e: number, zeta: number, report: number, seed: string) => {
      const rng = seedrandom.alea(seed);
      const draws = 120_000;
      const xs = new Float64Array(draws);
      const vr = o.v(report);
      const pay = o.interimTransfer(report);
      for (let k = 0; k < draws; k++) {
        let sumV = vr;
        let pi = zeta + 0.5 * z.sample(rng);
        for (let j = 1; j < N; j++) {
          const ej = env.muE + env.sigmaE * z.sample(rng);
          const zj = env.sigmaZeta * z.sample(rng);
          sumV += o.v(ej / kappa - zj);
          pi += zj;
        }
        const x = -vr + sumV / N;
        xs[k] = pi * x - pay - ((e + x) ** 2 - e * e) / (2 * kappa);
      }
      let s = 0;
      for (const g of xs) s += g;
      const mean = s / draws;
      let ss = 0;
      for (const g of xs) ss += (g - mean) ** 2;
      return { mean, half: (3.29 * Math.sqrt(ss / (draws - 1))) / Math.sqrt(draws) };
    };
    for (const [e, zeta] of [
      [2.2, -0.3],
      [1.2, -1.133333],
      [-1.5, 0.4],
    ] as const) {
      const t = e / kappa - zeta;
      const truthful = gainOf(e, zeta, t, `g-${e}`);
      expect(Math.abs(truthful.mean - o.interimUtilityGain(t)), `type (${e}, ${zeta})`).toBeLessThan(truthful.half + 1e-12);
      // Common random numbers: misreporting by +-0.3 in t must lose.
      for (const d of [-0.3, 0.3]) expect(gainOf(e, zeta, t + d, `g-${e}`).mean).toBeLessThan(truthful.mean);
    }
  });

  test("holding cost agrees with a Monte Carlo of the allocation; the envelope holds", () => {
    const env = { traders: 5, kappa: 1.3, muE: 0.2, sigmaE: 1.1, sigmaZeta: 0.7, alpha: 0.8 };
    const o = optimalAdverseSelection(env);
    const rng = seedrandom.alea("thm3");
    const z = normal(0, 1);
    const markets = 60_000;
    const hold = new Float64Array(markets);
    const { traders: N, kappa } = env;
    for (let m = 0; m < markets; m++) {
      const e: number[] = [];
      const v: number[] = [];
      let sum = 0;
      for (let j = 0; j < N; j++) {
        const ej = env.muE + env.sigmaE * z.sample(rng);
        const zj = env.sigmaZeta * z.sample(rng);
        e.push(ej);
        v.push(o.v(ej / kappa - zj));
        sum += v[j]!;
      }
      let h = 0;
      for (let j = 0; j < N; j++) h += (e[j]! - v[j]! + sum / N) ** 2 / (2 * kappa);
      hold[m] = h / N;
    }
    const check = meanWithHalfWidth(hold);
    expect(Math.abs(check.mean - o.holdingCostPerTrader)).toBeLessThan(check.halfWidth);
    // Envelope in t: G'(t) = -Xhat(t); zero on the binding region.
    for (const t of [o.tA - 0.8, o.tB + 0.5, o.tB + 2]) {
      const h = 1e-5;
      expect((o.interimUtilityGain(t + h) - o.interimUtilityGain(t - h)) / (2 * h)).toBeCloseTo(-o.interimAllocation(t), 6);
    }
    expect(o.interimUtilityGain(0.5 * (o.tA + o.tB))).toBe(0);
    // Welfare accounting: revenue + change in holding cost + gain = 0.
    const autarky = (env.sigmaE ** 2 + env.muE ** 2) / (2 * kappa);
    expect(o.revenuePerTrader + o.holdingCostPerTrader - autarky + o.utilityGainPerTrader).toBeCloseTo(0, 10);
  });
});

describe("Theorem 4: robustness of the alpha = 0 rule to the information structure", () => {
  test("its holding cost under correlated signals matches Monte Carlo, equals Theorem 3's at rho = 0, and is highest at rho = 0", () => {
    const base = { traders: 5, kappa: 1.2, muE: 0.3, sigmaE: 1, sigmaZeta: 0.8 };
    const designed = optimalAdverseSelection({ ...base, alpha: 0 });
    expect(robustAllocationHoldingCost({ ...base, rho: 0 })).toBeCloseTo(designed.holdingCostPerTrader, 12);
    let prev = Infinity;
    for (const rho of [0, 0.2, 0.5, 0.8, 0.95]) {
      const h = robustAllocationHoldingCost({ ...base, rho });
      expect(h).toBeLessThan(prev);
      prev = h;
    }
    // Monte Carlo at rho = 0.5: signals sigma (sqrt(rho) common + sqrt(1 - rho) own); traders report t_i.
    const rho = 0.5;
    const rng = seedrandom.alea("thm4");
    const z = normal(0, 1);
    const markets = 50_000;
    const hold = new Float64Array(markets);
    const N = base.traders;
    for (let m = 0; m < markets; m++) {
      const common = z.sample(rng);
      const e = Array.from({ length: N }, () => base.muE + base.sigmaE * z.sample(rng));
      const v = e.map((x) => designed.v(x / base.kappa - base.sigmaZeta * (Math.sqrt(rho) * common + Math.sqrt(1 - rho) * z.sample(rng))));
      const mean = v.reduce((s, x) => s + x, 0) / N;
      hold[m] = e.reduce((s, x, i) => s + (x - v[i]! + mean) ** 2 / (2 * base.kappa), 0) / N;
    }
    const check = meanWithHalfWidth(hold);
    expect(Math.abs(check.mean - robustAllocationHoldingCost({ ...base, rho }))).toBeLessThan(check.halfWidth);
  });
});

describe("Corollary 3.2: the optimal fee makes the price less informative", () => {
  test("Monte Carlo: residual variance of S = sum zeta given the price, plain auction vs optimal fee", () => {
    const env = { traders: 3, kappa: 1, muE: 0, sigmaE: 1, sigmaZeta: 0.6, alpha: 0.8 };
    const info = priceInformativeness(env);
    const o = optimalAdverseSelection(env);
    expect(info.optimalLowerBound).toBeGreaterThan(info.doubleAuction);
    // Both prices are functions of the effective types; estimate E[Var(S | p)] by regressing S on the
    // price in fine bins (a consistent estimate from below of the residual variance given p).
    const rng = seedrandom.alea("cor32");
    const z = normal(0, 1);
    const n = 400_000;
    const S = new Float64Array(n);
    const pDA = new Float64Array(n);
    const pFee = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      let s = 0;
      let sumT = 0;
      let sumV = 0;
      for (let j = 0; j < env.traders; j++) {
        const e = env.sigmaE * z.sample(rng);
        const zeta = env.sigmaZeta * z.sample(rng);
        const t = e / env.kappa - zeta;
        s += zeta;
        sumT += t;
        sumV += o.v(t);
      }
      S[k] = s;
      pDA[k] = sumT;
      pFee[k] = sumV;
    }
    const residual = (p: Float64Array) => {
      // Equal-count bins of the price; within-bin variance of S, plus ties at the atom (sumV = 0) in one bin.
      const order = Array.from(p.keys()).sort((a, b) => p[a]! - p[b]!);
      const bins = 400;
      let total = 0;
      for (let b = 0; b < bins; b++) {
        const idx = order.slice((b * n) / bins, ((b + 1) * n) / bins);
        const mean = idx.reduce((acc, i) => acc + S[i]!, 0) / idx.length;
        total += idx.reduce((acc, i) => acc + (S[i]! - mean) ** 2, 0);
      }
      return total / n;
    };
    const da = residual(pDA);
    const fee = residual(pFee);
    expect(da).toBeCloseTo(info.doubleAuction, 2);
    expect(fee).toBeGreaterThan(da + 0.5 * (info.optimalLowerBound - info.doubleAuction));
  });
});

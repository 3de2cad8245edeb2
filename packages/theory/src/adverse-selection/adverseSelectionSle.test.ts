import fc from "fast-check";
import { Matrix, solve } from "ml-matrix";
import seedrandom from "seedrandom";
import { describe, expect, test } from "vitest";
import { meanWithHalfWidth } from "../testSupport.ts";
import { type AdverseSelectionEnvironment, adverseSelectionSle, sleExistenceThreshold, sleInterimRules } from "./adverseSelectionSle.ts";
import { normal } from "../laws/normal.ts";
import { TheoryError } from "../theoryError.ts";

/**
 * Trader i's best linear response when the others bid q_j = -a e_j + b zeta_j - c p: with
 * Y = sum_{j != i} (-a e_j + b zeta_j) revealed by the price (Y = (N-1) c p - q), E[pi | zeta_i, Y]
 * = w1 zeta_i + w2 Y by Gaussian conditioning on the joint covariance of pi = beta sum zeta + noise,
 * computed numerically (ml-matrix), not from the paper's equations. Maximising
 * E[pi | .] q - (e + q)^2/(2 kappa) - p(q) q gives q = (w1 zeta - e/kappa - (1 - w2 (N-1) c) p) / D,
 * D = Lambda + 1/kappa + w2.
 */
function bestResponseCoefficients(env: AdverseSelectionEnvironment, a: number, b: number, c: number) {
  const { traders: N, kappa, sigmaE, sigmaZeta, rho } = env;
  const s2 = sigmaZeta * sigmaZeta;
  const covSignals = new Matrix([
    [s2, b * (N - 1) * rho * s2],
    [b * (N - 1) * rho * s2, a * a * (N - 1) * sigmaE * sigmaE + b * b * (N - 1) * s2 * (1 + (N - 2) * rho)],
  ]);
  const covPi = Matrix.columnVector([s2, b * (N - 1) * s2]);
  const [w1, w2] = solve(covSignals, covPi).to1DArray() as [number, number];
  const lambda = 1 / ((N - 1) * c);
  const D = lambda + 1 / kappa + w2;
  return { a: 1 / kappa / D, b: w1 / D, c: (1 - w2 * (N - 1) * c) / D };
}

/** Uniform on [lo, hi]: fc.double piles its draws on tiny values (rho would be ~0 in most cases). */
const real = (lo: number, hi: number) => fc.noBias(fc.integer({ min: 0, max: 2 ** 20 })).map((k) => lo + ((hi - lo) * k) / 2 ** 20);

const envArbitrary = fc.record({
  traders: fc.integer({ min: 3, max: 40 }),
  kappa: real(0.2, 5),
  sigmaE: real(0.2, 5),
  sigmaZeta: real(0.01, 3),
  rho: real(0, 0.95),
});

describe("Lemma 4 / Theorem 2: the plain double auction with adverse selection", () => {
  test("the SLE coefficients are a fixed point of the numerically computed best response", () => {
    let checked = 0;
    fc.assert(
      fc.property(envArbitrary, (env) => {
        const sle = adverseSelectionSle(env);
        if (!sle.exists) return true;
        checked++;
        const br = bestResponseCoefficients(env, sle.a, sle.b, sle.c);
        const scale = Math.max(sle.a, sle.b / env.kappa, sle.c);
        return (
          Math.abs(br.a - sle.a) <= 1e-9 * scale &&
          Math.abs(br.b - sle.b) <= 1e-9 * scale * env.kappa &&
          Math.abs(br.c - sle.c) <= 1e-9 * scale
        );
      }),
      { seed: 7, numRuns: 200 },
    );
    expect(checked).toBeGreaterThan(50);
  });

  test("the check can fail: the printed (14) (inverted) is not a fixed point", () => {
    const env = { traders: 6, kappa: 1.3, sigmaE: 1, sigmaZeta: 0.4, rho: 0.3 };
    const sle = adverseSelectionSle(env);
    if (!sle.exists) throw new Error("expected an SLE");
    const sh2 = 0.16 * (1 + 4 * 0.3 - 5 * 0.09);
    const g = (sle.b * sle.beta * sh2) / (sle.a ** 2 * env.sigmaE ** 2 + sle.b ** 2 * sh2);
    const printedC = ((6 - 1) / (6 - 2)) * (1 / (1 / 1.3 + 6 * g));
    const br = bestResponseCoefficients(env, sle.a, sle.b, printedC);
    expect(Math.abs(br.c - printedC)).toBeGreaterThan(1e-3);
  });

  test("rho = 0: Theorem 2 parts 1, 4 and 5 in closed form (docs/environments/adverse-selection.md)", () => {
    for (const [N, kappa, sigmaE, sigmaZeta] of [
      [5, 1, 1, 0.5],
      [10, 2, 1.5, 0.3],
      [4, 0.5, 1, 0.1],
    ] as const) {
      const sle = adverseSelectionSle({ traders: N, kappa, sigmaE, sigmaZeta, rho: 0 });
      const r = sigmaZeta ** 2 / (sigmaE ** 2 / kappa ** 2 + sigmaZeta ** 2);
      const a = (N - 2) / (N - 1) - 2 * r;
      const t = (N - 2) / (2 * (N - 1));
      expect(sleExistenceThreshold({ traders: N, kappa, sigmaE, rho: 0 })).toBeCloseTo((sigmaE / kappa) * Math.sqrt(t / (1 - t)), 9);
      if (!sle.exists) throw new Error("expected an SLE");
      expect(sle.a).toBeCloseTo(a, 12);
      expect(sle.b).toBeCloseTo(kappa * a, 12);
      // Part 4 as corrected: worst-case allocative efficiency = -total holding cost.
      expect(sle.totalHoldingCost).toBeCloseTo(
        (sigmaE ** 2 + (N - 1) * ((1 - a) ** 2 * sigmaE ** 2 + kappa ** 2 * a ** 2 * sigmaZeta ** 2)) / (2 * kappa),
        12,
      );
      // Part 5 reading alpha as a.
      expect(sle.priceImpact).toBeCloseTo(
        (1 / (N - 2)) * (1 / kappa + (N * kappa * a * sigmaZeta ** 2) / (a * a * sigmaE ** 2 + kappa ** 2 * a * a * sigmaZeta ** 2)),
        12,
      );
    }
    // No equilibrium beyond the threshold.
    expect(adverseSelectionSle({ traders: 5, kappa: 1, sigmaE: 1, sigmaZeta: 0.78, rho: 0 }).exists).toBe(false);
    expect(adverseSelectionSle({ traders: 5, kappa: 1, sigmaE: 1, sigmaZeta: 0.77, rho: 0 }).exists).toBe(true);
  });

  test("Theorem 2 parts 1-3 on a grid: existence widens and efficiency rises with rho (rho = 0 is the worst case); a and c rise", () => {
    for (const N of [3, 5, 12]) {
      for (const sigmaZeta of [0.1, 0.3, 0.6]) {
        let prev = adverseSelectionSle({ traders: N, kappa: 1, sigmaE: 1, sigmaZeta, rho: 0 });
        let prevThreshold = sleExistenceThreshold({ traders: N, kappa: 1, sigmaE: 1, rho: 0 });
        const worst = prev.exists ? prev.totalHoldingCost : Infinity;
        for (let rho = 0.05; rho < 0.96; rho += 0.05) {
          const sle = adverseSelectionSle({ traders: N, kappa: 1, sigmaE: 1, sigmaZeta, rho });
          const threshold = sleExistenceThreshold({ traders: N, kappa: 1, sigmaE: 1, rho });
          expect(threshold).toBeGreaterThanOrEqual(prevThreshold);
          // The threshold separates existence from non-existence (a direct check of the bisection).
          expect(adverseSelectionSle({ traders: N, kappa: 1, sigmaE: 1, sigmaZeta: threshold * 0.999, rho }).exists).toBe(true);
          expect(adverseSelectionSle({ traders: N, kappa: 1, sigmaE: 1, sigmaZeta: threshold * 1.001, rho }).exists).toBe(false);
          if (prev.exists) expect(sle.exists).toBe(true);
          if (prev.exists && sle.exists) {
            expect(sle.totalHoldingCost).toBeLessThan(prev.totalHoldingCost);
            expect(sle.totalHoldingCost).toBeLessThan(worst);
            expect(sle.a).toBeGreaterThan(prev.a);
            expect(sle.c).toBeGreaterThan(prev.c);
          }
          prev = sle;
          prevThreshold = threshold;
        }
      }
    }
  });

  test("new erratum: Lemma 5's claim that b rises with rho fails (the SLE itself is confirmed by the best response)", () => {
    const env = { traders: 12, kappa: 1, sigmaE: 1, sigmaZeta: 0.3 };
    const at0 = adverseSelectionSle({ ...env, rho: 0 });
    const at05 = adverseSelectionSle({ ...env, rho: 0.05 });
    if (!at0.exists || !at05.exists) throw new Error("expected SLEs");
    expect(at05.b).toBeLessThan(at0.b - 0.01); // 0.7440 -> 0.7331
    const br = bestResponseCoefficients({ ...env, rho: 0.05 }, at05.a, at05.b, at05.c);
    expect(br.b).toBeCloseTo(at05.b, 10);
  });

  test("total holding cost agrees with a Monte Carlo of the cleared market (correlated Gaussian signals)", () => {
    const env = { traders: 6, kappa: 1.4, sigmaE: 1.2, sigmaZeta: 0.5, rho: 0.35 };
    const sle = adverseSelectionSle(env);
    if (!sle.exists) throw new Error("expected an SLE");
    const rng = seedrandom.alea("as-mc");
    const z = normal(0, 1);
    const markets = 60_000;
    const samples = new Float64Array(markets);
    const { traders: N, kappa, sigmaE, sigmaZeta, rho } = env;
    for (let m = 0; m < markets; m++) {
      // zeta_j = sigma (sqrt(rho) common + sqrt(1 - rho) own): pairwise correlation rho.
      const common = z.sample(rng);
      const e: number[] = [];
      const q: number[] = [];
      let intercepts = 0;
      for (let j = 0; j < N; j++) {
        const ej = sigmaE * z.sample(rng);
        const zj = sigmaZeta * (Math.sqrt(rho) * common + Math.sqrt(1 - rho) * z.sample(rng));
        e.push(ej);
        q.push(-sle.a * ej + sle.b * zj);
        intercepts += q[j]!;
      }
      const p = intercepts / (N * sle.c);
      let hold = 0;
      for (let j = 0; j < N; j++) hold += (e[j]! + q[j]! - sle.c * p) ** 2 / (2 * kappa);
      samples[m] = hold;
    }
    const check = meanWithHalfWidth(samples);
    expect(Math.abs(check.mean - sle.totalHoldingCost)).toBeLessThan(check.halfWidth);
  });

  test("bad input and N = 2", () => {
    expect(adverseSelectionSle({ traders: 2, kappa: 1, sigmaE: 1, sigmaZeta: 0.1, rho: 0 }).exists).toBe(false);
    expect(() => adverseSelectionSle({ traders: 5, kappa: 1, sigmaE: 1, sigmaZeta: 0.1, rho: 1 })).toThrow(/rho must be in \[0, 1\)/);
    expect(() => adverseSelectionSle({ traders: 5, kappa: 1, sigmaE: -1, sigmaZeta: 0.1, rho: 0 })).toThrow(TheoryError);
    expect(() => adverseSelectionSle({ traders: 5, kappa: 1, sigmaE: 1, sigmaZeta: -0.1, rho: 0 })).toThrow(/sigma-zeta/);
  });
});

describe("interim rules of the SLE in the effective type (rho = 0; Figure 4)", () => {
  test("E[X_i | t] and E[p X_i | t] match a Monte Carlo of the auction, whatever the split of t into e and zeta", () => {
    const env = { traders: 5, kappa: 1.4, sigmaE: 1, sigmaZeta: 0.35, rho: 0, muE: 0.6 };
    const sle = adverseSelectionSle(env);
    if (!sle.exists) throw new Error("expected an SLE");
    const rules = sleInterimRules(env);
    const gauss = normal(0, 1);
    for (const [t, zeta] of [
      [0.2, 0],
      [0.2, 0.5],
      [1.5, -0.3],
      [-0.8, 0.1],
    ] as const) {
      const e = env.kappa * (t + zeta);
      const rng = seedrandom.alea(`sle-interim-${t}-${zeta}`);
      const markets = 40_000;
      const X = new Float64Array(markets);
      const T = new Float64Array(markets);
      for (let m = 0; m < markets; m++) {
        // Bids q_j = -a (e_j - mu_e) + b zeta_j - c (p + mu_e/kappa), cleared in closed form.
        let sum = -sle.a * (e - env.muE) + sle.b * zeta;
        for (let j = 1; j < env.traders; j++) sum += -sle.a * (env.sigmaE * gauss.sample(rng)) + sle.b * env.sigmaZeta * gauss.sample(rng);
        const p = sum / (env.traders * sle.c) - env.muE / env.kappa;
        const q = -sle.a * (e - env.muE) + sle.b * zeta - sle.c * (p + env.muE / env.kappa);
        X[m] = q;
        T[m] = p * q;
      }
      const x = meanWithHalfWidth(X);
      const tr = meanWithHalfWidth(T);
      expect(Math.abs(x.mean - rules.interimAllocation(t)), `X at t = ${t}`).toBeLessThan(x.halfWidth);
      expect(Math.abs(tr.mean - rules.interimTransfer(t)), `T at t = ${t}`).toBeLessThan(tr.halfWidth);
    }
    expect(() => sleInterimRules({ ...env, rho: 0.2 })).toThrow(/rho = 0/);
  });
});

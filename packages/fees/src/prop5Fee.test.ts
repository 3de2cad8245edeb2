import { clear, settle } from "@optex/engine";
import { findRoot, integrate } from "@optex/numerics";
import { basicEnvironment, normal, solveVirtualType, solveVirtualTypeWithWeight, TheoryError } from "@optex/theory";
import seedrandom from "seedrandom";
import { describe, expect, test } from "vitest";
import { prop3Fee } from "./prop3Fee.ts";
import { type AdverseSelectionFeeEnvironment, pooledSumPosterior, prop5Fee } from "./prop5Fee.ts";

const std = normal(0, 1);

/** Sample mean and the half-width of its 99% normal interval (2.576 standard errors). */
function mean99(xs: ArrayLike<number>): { mean: number; half: number } {
  let s = 0;
  for (let k = 0; k < xs.length; k++) s += xs[k]!;
  const mean = s / xs.length;
  let ss = 0;
  for (let k = 0; k < xs.length; k++) ss += (xs[k]! - mean) ** 2;
  return { mean, half: (2.576 * Math.sqrt(ss / (xs.length - 1))) / Math.sqrt(xs.length) };
}

/** Draws (e, zeta) of one trader. */
function drawType(env: AdverseSelectionFeeEnvironment, rng: () => number): [number, number] {
  return [env.muE + env.sigmaE * std.sample(rng), env.sigmaZeta * std.sample(rng)];
}

describe("phi_n: E[sum z | sum u(z)] under pooling", () => {
  test("n = 1 is u^{-1}; n = 2 agrees with direct quadrature of the convolution to 1e-6", () => {
    for (const a of [0.3, 1, 5]) {
      const u = solveVirtualTypeWithWeight(std, a);
      const zB = u.eB;
      const p0 = 1 - 2 * std.survival(zB);
      // Density of u at y != 0 by the change of variables with a numerical derivative of v (one-sided,
      // away from the flat region, second order): an independent route to the FFT code's analytic u'.
      const g = (y: number) => {
        const z = u.vInverse(y);
        const dz = 1e-5 * Math.sign(y);
        return std.pdf(z) / ((-3 * u.v(z) + 4 * u.v(z + dz) - u.v(z + 2 * dz)) / (2 * dz));
      };
      const phi1 = pooledSumPosterior(1, a, zB);
      const phi2 = pooledSumPosterior(2, a, zB);
      for (const y of [-3, -0.2, 1e-7, 0.4, 2]) expect(phi1(y)).toBeCloseTo(u.vInverse(y), 10);
      expect(phi1(0)).toBe(0);
      const quad = (y: number) => {
        const cuts = [-40, Math.min(0, y), Math.max(0, y), 40];
        let den = 2 * p0 * g(y);
        let num = 2 * p0 * u.vInverse(y) * g(y);
        for (let k = 0; k < 3; k++) {
          if (cuts[k]! >= cuts[k + 1]!) continue;
          den += integrate((s) => g(s) * g(y - s), cuts[k]!, cuts[k + 1]!, { relTol: 1e-9, absTol: 1e-300 }).value;
          num += integrate((s) => (u.vInverse(s) + u.vInverse(y - s)) * g(s) * g(y - s), cuts[k]!, cuts[k + 1]!, {
            relTol: 1e-9,
            absTol: 1e-300,
          }).value;
        }
        return num / den;
      };
      // Up to 5 standard deviations of the sum: the FFT's trapezoid error is ~1e-7 (measured).
      for (const y of [1e-6, 0.01, 0.3, -1, 2.5, 5])
        expect(Math.abs(phi2(y) - quad(y)), `a=${a} y=${y}`).toBeLessThan(1e-6 * (1 + Math.abs(y)));
      // The jump at the all-pooled atom (one unpooled share near 0 has z near +-zB); phi is odd.
      expect(phi2(0)).toBe(0);
      expect(phi2(1e-9)).toBeGreaterThan(0.4 * zB);
      expect(phi2(-1e-9)).toBeCloseTo(-phi2(1e-9), 12);
    }
  });

  test("weight 0 (no pooling) is the identity; bad input throws", () => {
    const phi = pooledSumPosterior(5, 0, 0);
    for (const y of [-2, 0, 3.3]) expect(phi(y)).toBe(y);
    expect(() => pooledSumPosterior(0, 1, 0.7)).toThrow(/others must be an integer >= 1/);
    expect(() => pooledSumPosterior(3, -1, 0.7)).toThrow(/hazard weight/);
  });

  test("psi(S) is E[sum_{j != i} zeta_j | S] (Monte Carlo orthogonality); the best linear predictor is not", () => {
    // A conditional expectation leaves a residual orthogonal to every function of S. Test functions:
    // 1, S, sign, and indicators of the atom and of two bands. 99.9% intervals (3.29 se), 6 checks.
    const env = { traders: 4, kappa: 1.2, muE: 0.3, sigmaE: 1, sigmaZeta: 0.7, alpha: 0.8 };
    const fee = prop5Fee(env);
    const n = env.traders - 1;
    const rng = seedrandom.alea("psi-mc");
    const draws = 60_000;
    const sums = new Float64Array(draws);
    const signals = new Float64Array(draws);
    for (let k = 0; k < draws; k++) {
      let S = 0;
      let Z = 0;
      for (let j = 0; j < n; j++) {
        const [e, zeta] = drawType(env, rng);
        S += fee.mechanism.v(e / env.kappa - zeta);
        Z += zeta;
      }
      sums[k] = S;
      signals[k] = Z;
    }
    const center = n * env.muE;
    const tests: [string, (S: number) => number][] = [
      ["1", () => 1],
      ["S", (S) => S - center],
      ["sign", (S) => Math.sign(S - center)],
      ["atom", (S) => (S === center ? 1 : 0)],
      ["band 0-0.3", (S) => (S - center > 0 && S - center < 0.3 ? 1 : 0)],
      ["band 0.5-1.5", (S) => (S - center > 0.5 && S - center < 1.5 ? 1 : 0)],
    ];
    const orthogonality = (predict: (S: number) => number) =>
      tests.map(([name, h]) => {
        const xs = new Float64Array(draws);
        for (let k = 0; k < draws; k++) xs[k] = (signals[k]! - predict(sums[k]!)) * h(sums[k]!);
        const m = mean99(xs);
        return { name, mean: m.mean, half: (m.half * 3.29) / 2.576 };
      });
    let atoms = 0;
    for (const S of sums) if (S === center) atoms++;
    expect(atoms).toBeGreaterThan(100); // the all-pooled atom is exercised
    for (const r of orthogonality(fee.othersSignal)) expect(Math.abs(r.mean), r.name).toBeLessThan(r.half);
    // Power: the best linear predictor in S (sample regression) violates orthogonality clearly.
    let sxy = 0;
    let sxx = 0;
    for (let k = 0; k < draws; k++) {
      sxy += (sums[k]! - center) * signals[k]!;
      sxx += (sums[k]! - center) ** 2;
    }
    const slope = sxy / sxx;
    const linear = orthogonality((S) => slope * (S - center));
    expect(Math.max(...linear.map((r) => Math.abs(r.mean) / r.half))).toBeGreaterThan(3);
  });
});

describe("Proposition 5 fee: parts", () => {
  const env = { traders: 5, kappa: 1.3, muE: -0.4, sigmaE: 0.9, sigmaZeta: 0.6, alpha: 0.7 };
  const fee = prop5Fee(env);
  const o = fee.mechanism;
  const st = Math.sqrt((env.sigmaE / env.kappa) ** 2 + env.sigmaZeta ** 2);
  const muT = env.muE / env.kappa;

  test("B' = ((N-1)/(N kappa)) (l - kappa v^{-1}(l)), with v^{-1} by root finding on Theorem 3's v; B(E[v]) = 0", () => {
    const { traders: N, kappa } = env;
    const vInverse = (l: number) => findRoot((t) => o.v(t) - l, muT - 12 * st, muT + 12 * st, { absoluteTolerance: 1e-13 });
    expect(fee.B(o.meanVirtualType)).toBeCloseTo(0, 13);
    for (const l of [-3, -1.1, -0.6, -0.3, 0.2, 0.9, 2.5]) {
      if (Math.abs(l - o.meanVirtualType) < 1e-3) continue;
      const h = 1e-5;
      const slope = (fee.B(l + h) - fee.B(l - h)) / (2 * h);
      expect(slope, `l = ${l}`).toBeCloseTo(((N - 1) / (N * kappa)) * (l - kappa * vInverse(l)), 7);
    }
    // The kink at E[v]: slopes ((N-1)/(N kappa)) (m - kappa tA) below and (m - kappa tB) above, so B is
    // convex there (a concave kink of the payoff, which pools the flat region).
    const m = o.meanVirtualType;
    const h = 1e-6;
    const s = (N - 1) / (N * kappa);
    expect((fee.B(m) - fee.B(m - h)) / h).toBeCloseTo(s * (m - kappa * o.tA), 5);
    expect((fee.B(m + h) - fee.B(m)) / h).toBeCloseTo(s * (m - kappa * o.tB), 5);
  });

  test("c is minus the price impact and d = Var[v]/(2 N kappa) (variance by quadrature of Theorem 3's v)", () => {
    const { traders: N, kappa } = env;
    expect(fee.c).toBeCloseTo(-1 / ((N - 1) * kappa), 15);
    const Q = { relTol: 1e-11, absTol: 1e-14 };
    const pdf = (t: number) => std.pdf((t - muT) / st) / st;
    const m = integrate((t) => o.v(t) * pdf(t), -Infinity, Infinity, Q).value;
    const variance = integrate((t) => (o.v(t) - m) ** 2 * pdf(t), -Infinity, Infinity, Q).value;
    expect(m).toBeCloseTo(env.muE, 10); // Corollary 3.1
    expect(fee.d).toBeCloseTo(variance / (2 * N * kappa), 10);
  });

  test("expected fee per trader equals Theorem 3's revenue (quadrature, given E[psi(S) X_i] = ((N-1)/N) E[zeta v(t)])", () => {
    const { traders: N, kappa } = env;
    const Q = { relTol: 1e-11, absTol: 1e-14 };
    const pdf = (t: number) => std.pdf((t - muT) / st) / st;
    const variance = integrate((t) => (o.v(t) - env.muE) ** 2 * pdf(t), -Infinity, Infinity, Q).value;
    const eB = integrate((t) => fee.B(o.v(t)) * pdf(t), -Infinity, Infinity, Q).value;
    // E[zeta | t] = -(1 - w) (t - mu_t).
    const C = integrate((t) => -(1 - o.endowmentWeight) * (t - muT) * o.v(t) * pdf(t), -Infinity, Infinity, Q).value;
    const expected = 0.5 * fee.c * ((N - 1) / N) * variance - eB + fee.d + ((N - 1) / N) * C;
    expect(expected).toBeCloseTo(o.revenuePerTrader, 9);
    void kappa;
  });

  test("bad environments throw TheoryError", () => {
    expect(() => prop5Fee({ ...env, alpha: 1.5 })).toThrow(TheoryError);
    expect(() => prop5Fee({ ...env, traders: 1 })).toThrow(/traders/);
    expect(() => prop5Fee({ ...env, sigmaZeta: -1 })).toThrow(/sigma-zeta/);
  });
});

describe("Proposition 5 fee: tabulated psi and the batch method", () => {
  // Environments from light pooling to heavy (hazard weight alpha/w up to ~20), N = 2 (one other
  // trader: psi = -(1 - w) s_t u^{-1}) to 10, mu_e on either side of 0.
  const envs: AdverseSelectionFeeEnvironment[] = [
    { traders: 5, kappa: 1.2, muE: 0.3, sigmaE: 1, sigmaZeta: 0.7, alpha: 0.8 },
    { traders: 2, kappa: 2, muE: -1, sigmaE: 0.7, sigmaZeta: 0.9, alpha: 0.3 },
    { traders: 4, kappa: 0.8, muE: 0.5, sigmaE: 0.4, sigmaZeta: 1.3, alpha: 1 },
    { traders: 10, kappa: 1.1, muE: -0.2, sigmaE: 1, sigmaZeta: 0.5, alpha: 0.05 },
  ];

  test.each(envs)("psi within 1e-12 sigma_zeta sqrt(N-1) of the direct computation: the atom's edges, the body, the tails (%o)", (env) => {
    const fee = prop5Fee(env);
    const n = env.traders - 1;
    const center = n * env.muE;
    const w = fee.mechanism.endowmentWeight;
    const st = Math.sqrt((env.sigmaE / env.kappa) ** 2 + env.sigmaZeta ** 2);
    const k = env.kappa * st * w; // y = (S - (N-1) mu_e)/k is phi's argument
    const atomTolerance = 1e-9 * n * (k + Math.abs(env.muE));
    const rng = seedrandom.alea(`psi-table-${env.traders}`);
    const points: number[] = [];
    // S of truthful markets (the Monte Carlo's own distribution, atom included).
    for (let m = 0; m < 20_000; m++) {
      let S = 0;
      for (let j = 0; j < n; j++) {
        const [e, zeta] = drawType(env, rng);
        S += fee.mechanism.v(e / env.kappa - zeta);
      }
      points.push(S);
    }
    // The flat region of v makes S jump at the all-pooled atom: both sides, from the tolerance that
    // makes a recovered S the atom outwards.
    for (const offset of [0, 0.5, 0.999999, 1.000001, 2, 1e3, 1e6, 1e8])
      points.push(center + offset * atomTolerance, center - offset * atomTolerance);
    for (let e = -9; e <= 0; e++) points.push(center + 10 ** e * k, center - 10 ** e * k);
    // Body and tails, out to 40 standard deviations of a share (far beyond the table).
    for (let m = 0; m < 20_000; m++) points.push(center + (2 * rng() - 1) * 40 * k * Math.sqrt(n));
    let worst = 0;
    for (const S of points) worst = Math.max(worst, Math.abs(fee.othersSignal(S) - fee.othersSignalDirect(S)));
    expect(worst).toBeLessThanOrEqual(1e-12 * env.sigmaZeta * Math.sqrt(n));
    expect(fee.othersSignal(center)).toBe(0);
    expect(fee.othersSignal(center + 0.5 * atomTolerance)).toBe(0);
    // The direct computation is the one of pooledSumPosterior (phi) scaled by -(1 - w) s_t.
    const phi = pooledSumPosterior(n, env.alpha / w, solveVirtualTypeWithWeight(std, env.alpha / w).eB);
    for (const S of [-2.3, -0.4, 0.01, 1.7].map((y) => center + y * k))
      expect(fee.othersSignalDirect(S)).toBe(-(1 - w) * st * phi((S - center) / k));
  });

  test("feesInto equals fee() bit for bit, at truthful trades, off them, at the atom and where the tables end", () => {
    for (const env of envs) {
      const fee = prop5Fee(env);
      const N = env.traders;
      const rng = seedrandom.alea(`batch-${N}`);
      const q = new Float64Array(N);
      const out = new Float64Array(N);
      for (let m = 0; m < 1000; m++) {
        const v = Array.from({ length: N }, () => {
          const [e, zeta] = drawType(env, rng);
          return fee.mechanism.v(e / env.kappa - zeta);
        });
        const p = -v.reduce((s, x) => s + x, 0) / (N * env.kappa);
        for (let i = 0; i < N; i++)
          q[i] = -v[i]! - env.kappa * p + (m % 3 === 0 ? 0 : (m % 3) * 0.37 * (rng() - 0.5) * 10 ** ((m % 4) - 3));
        fee.feesInto(q, p, out);
        for (let i = 0; i < N; i++) expect(out[i]).toBe(fee.fee(i, q[i]!, p));
      }
      // Beyond the tables of B and psi (their exact evaluations), everybody pooled (q = 0 at
      // p = -mu_e/kappa: S is the atom), and NaN.
      for (let i = 0; i < N; i++) q[i] = (i % 2 === 0 ? 1 : -1) * 40 * (i + 1);
      fee.feesInto(q, 0.3, out);
      for (let i = 0; i < N; i++) expect(out[i]).toBe(fee.fee(i, q[i]!, 0.3));
      q.fill(0);
      fee.feesInto(q, -env.muE / env.kappa, out);
      for (let i = 0; i < N; i++) expect(out[i]).toBe(fee.fee(i, 0, -env.muE / env.kappa));
      q[0] = Number.NaN;
      fee.feesInto(q, 0.1, out);
      expect(Number.isNaN(out[0]!)).toBe(true);
    }
  });
});

describe("Proposition 5 fee in the market", () => {
  test("truthful bids clear at Theorem 3's allocation; the fee reads S = sum_{j != i} v(t_j) and v(t_i) off (q, p)", () => {
    for (const [env, seed] of [
      [{ traders: 6, kappa: 0.8, muE: 0.5, sigmaE: 1.3, sigmaZeta: 0.4, alpha: 1 }, "alloc-1"],
      [{ traders: 2, kappa: 2, muE: -1, sigmaE: 0.7, sigmaZeta: 0.9, alpha: 0.3 }, "alloc-2"],
    ] as const) {
      const fee = prop5Fee(env);
      const rng = seedrandom.alea(seed);
      for (let market = 0; market < 20; market++) {
        const types = Array.from({ length: env.traders }, () => drawType(env, rng));
        const v = types.map(([e, zeta]) => fee.mechanism.v(fee.effectiveType(e, zeta)));
        const book = types.map(([e, zeta]) => fee.bid(e, zeta));
        const result = clear(book);
        if (result.status !== "cleared") throw new Error("no price");
        const mean = v.reduce((s, x) => s + x, 0) / env.traders;
        const settlement = settle(result, env.traders, fee);
        if (settlement.status !== "cleared") throw new Error("no settlement");
        for (let i = 0; i < env.traders; i++) {
          const q = settlement.trades[i]!;
          expect(q).toBeCloseTo(-v[i]! + mean, 12); // Theorem 3
          expect(fee.impliedIntercept(q, result.price)).toBeCloseTo(v[i]!, 12);
          expect(fee.revealedOthers(q, result.price)).toBeCloseTo(env.traders * mean - v[i]!, 12);
          const expectedFee = 0.5 * fee.c * q * q - fee.B(v[i]!) + fee.othersSignal(env.traders * mean - v[i]!) * q + fee.d;
          expect(settlement.transfers[i]! - result.price * q).toBeCloseTo(expectedFee, 10);
        }
      }
    }
  });

  test("Monte Carlo: expected fee revenue per trader equals Theorem 3's revenue (99% CI); without psi it does not", () => {
    const env = { traders: 4, kappa: 1.2, muE: 0.3, sigmaE: 1, sigmaZeta: 0.7, alpha: 0.8 };
    const fee = prop5Fee(env);
    const { traders: N, kappa } = env;
    const rng = seedrandom.alea("revenue");
    const markets = 30_000;
    const revenue = new Float64Array(markets);
    const psiPart = new Float64Array(markets);
    const v = new Float64Array(N);
    for (let k = 0; k < markets; k++) {
      let sum = 0;
      for (let i = 0; i < N; i++) {
        const [e, zeta] = drawType(env, rng);
        v[i] = fee.mechanism.v(e / kappa - zeta);
        sum += v[i]!;
      }
      const p = -sum / (N * kappa); // clearing price of the truthful bids
      let total = 0;
      let psiTotal = 0;
      for (let i = 0; i < N; i++) {
        const q = -v[i]! - kappa * p;
        total += p * q + fee.fee(i, q, p);
        psiTotal += fee.othersSignal(fee.revealedOthers(q, p)) * q;
      }
      revenue[k] = total / N;
      psiPart[k] = psiTotal / N;
    }
    const r = mean99(revenue);
    expect(Math.abs(r.mean - fee.mechanism.revenuePerTrader)).toBeLessThan(r.half);
    // Power: the psi term carries ((N-1)/N) E[zeta v] of revenue, far outside the interval.
    const withoutPsi = new Float64Array(markets);
    for (let k = 0; k < markets; k++) withoutPsi[k] = revenue[k]! - psiPart[k]!;
    const w = mean99(withoutPsi);
    expect(Math.abs(w.mean - fee.mechanism.revenuePerTrader)).toBeGreaterThan(5 * w.half);
  });

  test("Monte Carlo: interim gain is 0 on the flat region and equals G(t) > 0 outside (participation binds on [tA, tB])", () => {
    const env = { traders: 4, kappa: 1.1, muE: -0.2, sigmaE: 1, sigmaZeta: 0.5, alpha: 0.9 };
    const fee = prop5Fee(env);
    const o = fee.mechanism;
    const { traders: N, kappa } = env;
    const z = std;
    // Own types (e, zeta): two in the flat region (its centre and near its edge), two outside.
    const types: [number, number][] = [
      [kappa * (0.5 * (o.tA + o.tB)) + 0.3, 0.3 / kappa],
      [kappa * (o.tA + 0.05), 0],
      [kappa * (o.tB + 0.8), -0.2],
      [kappa * (o.tA - 1.2), 0.1],
    ];
    for (const [index, [e, zeta]] of types.entries()) {
      const t = e / kappa - zeta;
      const rng = seedrandom.alea(`interim-${index}`);
      const draws = 30_000;
      const gains = new Float64Array(draws);
      const vi = o.v(t);
      for (let k = 0; k < draws; k++) {
        let sum = vi;
        let pi = zeta; // E[pi | all signals] = sum_j zeta_j
        for (let j = 1; j < N; j++) {
          const ej = env.muE + env.sigmaE * z.sample(rng);
          const zj = env.sigmaZeta * z.sample(rng);
          sum += o.v(ej / kappa - zj);
          pi += zj;
        }
        const p = -sum / (N * kappa);
        const q = -vi - kappa * p;
        const transfer = p * q + fee.fee(0, q, p);
        gains[k] = pi * q - transfer - (q * (2 * e + q)) / (2 * kappa);
      }
      const g = mean99(gains);
      const theory = o.interimUtilityGain(t);
      expect(Math.abs(g.mean - theory), `type ${index}: t = ${t}`).toBeLessThan(g.half);
      if (t >= o.tA && t <= o.tB) expect(theory).toBe(0);
      else expect(g.mean).toBeGreaterThan(5 * g.half);
    }
  });

  test("as sigma_zeta -> 0 the fee tends to Proposition 3's (difference O(sigma_zeta^2))", () => {
    const base = { traders: 5, kappa: 1.4, muE: 0.2, sigmaE: 0.8, alpha: 0.6 };
    const dist = normal(base.muE, base.sigmaE);
    const p3 = prop3Fee(basicEnvironment({ dist, kappa: base.kappa, traders: base.traders }), solveVirtualType(dist, base.alpha));
    const gap = (sigmaZeta: number) => {
      const fee = prop5Fee({ ...base, sigmaZeta });
      let worst = 0;
      for (const q of [-1.5, -0.4, 0, 0.3, 1.2])
        for (const p of [-0.9, -0.15, 0.1, 0.7]) worst = Math.max(worst, Math.abs(fee.fee(0, q, p) - p3.fee(0, q, p)));
      return worst;
    };
    const coarse = gap(1e-2);
    const fine = gap(1e-3);
    // psi ~ (1 - w) s_t phi with 1 - w ~ kappa^2 sigma_zeta^2 / sigma_e^2 ~ 3e-4 at sigma_zeta = 0.01.
    expect(coarse).toBeLessThan(1e-2);
    expect(fine).toBeLessThan(1e-4);
    expect(coarse / fine).toBeGreaterThan(50); // quadratic: ratio ~100
    // sigma_zeta = 0 exactly: no news in the price, and the fee is Proposition 3's.
    expect(gap(0)).toBeLessThan(1e-9);
  });
});

import { clear, linearSchedule } from "@optex/engine";
import { findRoot, integrate } from "@optex/numerics";
import { basicEnvironment, normal, radialMechanism, solveVirtualType } from "@optex/theory";
import seedrandom from "seedrandom";
import { describe, expect, test } from "vitest";
import { meanWithHalfWidth } from "../../theory/src/testSupport.ts";
import { prop3Fee } from "./prop3Fee.ts";
import { type Prop8Environment, prop8Fee } from "./prop8Fee.ts";

// Proposition 8 (docs/environments/multi-asset.md): the cross-exchange fee T(q, p) = (c/2)|q|^2 - B(|y|) + d,
// y = -q - (kappa/sigma_pi^2)(p - mu_pi) - mu_e. Incentive compatibility (truthful bids have no
// regret; the printed argument q + p/N and the plain auctions do) is checked by the numerical
// best responder in packages/agents/src/multiAssetBestResponder.test.ts.

const z = normal(0, 1);

/** Proposition 7's allocation for centred endowments x_i: X_i = -V(x_i) + mean_j V(x_j), V(x) = v(|x|) x/|x|. */
function prop7Allocation(v: (r: number) => number, x: readonly (readonly number[])[]): number[][] {
  const V = x.map((xi) => {
    const r = Math.hypot(...xi);
    return xi.map((xa) => (r > 0 ? (v(r) * xa) / r : 0));
  });
  const k = x[0]!.length;
  const mean = Array.from({ length: k }, (_, a) => V.reduce((s, Vi) => s + Vi[a]!, 0) / x.length);
  return V.map((Vi) => Vi.map((Va, a) => -Va + mean[a]!));
}

/** Endowments of N traders, e_i ~ N(mu_e, sigma_e^2 I). */
function drawEndowments(rng: () => number, env: Prop8Environment, muE: readonly number[]): number[][] {
  return Array.from({ length: env.traders }, () => muE.map((m) => m + env.sigmaE * z.sample(rng)));
}

/**
 * One market under truthful bidding, cleared in closed form (each asset separately; the engine's
 * clearing is checked against this in the allocation test): prices, trades, and each trader's fee
 * and ex-post utility gain, eq. (8) with Sigma = sigma_pi^2 I.
 */
function truthfulMarket(fee: ReturnType<typeof prop8Fee>, env: Prop8Environment, e: readonly (readonly number[])[]) {
  const k = env.assets;
  const N = env.traders;
  const intercepts = e.map((ei) => fee.intercepts(ei));
  const p = Array.from({ length: k }, (_, a) => intercepts.reduce((s, ii) => s + ii[a]!, 0) / (N * fee.slope));
  const q = intercepts.map((ii) => ii.map((c, a) => c - fee.slope * p[a]!));
  const fees = q.map((qi) => fee.feeOf(qi, p));
  const s2k = env.sigmaPi ** 2 / env.kappa;
  const gains = q.map((qi, i) => {
    let g = -fees[i]!;
    for (let a = 0; a < k; a++) g += (fee.muPi[a]! - p[a]!) * qi[a]! - (s2k * qi[a]! * (2 * e[i]![a]! + qi[a]!)) / 2;
    return g;
  });
  return { p, q, fees, gains };
}

describe("Proposition 8 fee: B, c and d", () => {
  test("k = 2: B and d in closed form (r is Rayleigh, so v(r) = r - alpha sigma_e^2 / r)", () => {
    for (const [alpha, N, kappa, sigmaE, sigmaPi] of [
      [0.5, 5, 1, 1, 1],
      [1, 3, 2, 0.6, 1.4],
      [0.1, 12, 0.5, 2, 0.7],
    ] as const) {
      const fee = prop8Fee({ assets: 2, traders: N, kappa, sigmaE, sigmaPi, alpha });
      const scale = ((N - 1) * sigmaPi ** 2) / (N * kappa);
      // v^{-1}(s) = (s + sqrt(s^2 + C^2))/2 with C^2 = 4 alpha sigma_e^2, integrated in closed form.
      const C = 2 * Math.sqrt(alpha) * sigmaE;
      for (const rho of [0, 0.01, 0.5, 1, 2.7, 7, 20, 60, 200].map((t) => t * sigmaE)) {
        const expected = (scale / 4) * (rho * rho - rho * Math.hypot(rho, C) - C * C * Math.asinh(rho / C));
        expect(Math.abs(fee.B(rho) - expected), `rho = ${rho}`).toBeLessThan(1e-12 * scale * (sigmaE ** 2 + rho * rho));
      }
      expect(fee.radius).toBeCloseTo(Math.sqrt(alpha) * sigmaE, 12);
      // E[v^2] = sigma_e^2 [(2 - alpha) e^{-alpha/2} + alpha^2 E1(alpha/2)/2], E1 the exponential integral.
      const E1 = integrate((t) => Math.exp(-t) / t, alpha / 2, Infinity, { relTol: 1e-14, absTol: 0 }).value;
      const Evv = sigmaE ** 2 * ((2 - alpha) * Math.exp(-alpha / 2) + (alpha ** 2 * E1) / 2);
      expect(fee.d / ((sigmaPi ** 2 * Evv) / (2 * N * kappa)) - 1).toBeLessThan(1e-11);
      expect(fee.c).toBeCloseTo(-(sigmaPi ** 2) / (kappa * (N - 1)), 15);
    }
  });

  test.each([
    [1, 0.5],
    [3, 0.8],
    [4, 0.05],
    [4, 1],
    [6, 0.3],
  ] as const)("k = %i, alpha = %f: B equals the printed b's definition, -b(x) = B(sqrt x) by quadrature of v^{-1}", (k, alpha) => {
    const env = { assets: k, traders: 5, kappa: 1.3, sigmaE: 0.8, sigmaPi: 1.2, alpha };
    const fee = prop8Fee(env);
    const mech = radialMechanism(env);
    const scale = ((env.traders - 1) * env.sigmaPi ** 2) / (env.traders * env.kappa);
    // An independent v^{-1}: root of radialMechanism's v (not the fee's own inverse).
    const vInverse = (s: number) =>
      findRoot((R) => mech.v(R) - s, mech.radius, mech.radius + s + 10 * env.sigmaE, { absoluteTolerance: 1e-17 });
    const rng = seedrandom.alea(`B-${k}`);
    // Random points hit the interpolation cells' interiors; the last ones lie beyond the table.
    const points = [0, 1e-9, ...Array.from({ length: 12 }, () => rng() * 10 * env.sigmaE), 14 * env.sigmaE * Math.sqrt(k)];
    for (const rho of points) {
      const definition =
        scale * ((rho * rho) / 2 - integrate(vInverse, 0, rho, { relTol: 1e-13, absTol: 1e-15, maxSubdivisions: 20_000 }).value);
      // The quadrature of a root-found integrand is good to about 1e-12 relative.
      expect(Math.abs(fee.B(rho) - definition), `rho = ${rho}`).toBeLessThan(1e-10 * scale * env.sigmaE ** 2);
      // The printed b is -B of the squared norm: b(x) = ((N-1)/N)(sigma_pi^2/kappa)[int_0^sqrt(x) v^{-1} - x/2].
      expect(fee.b(rho * rho)).toBe(-fee.B(rho));
    }
    // The fee's v agrees with Proposition 7's (it only differs where the density underflows).
    for (const r of [0.5, 1, 2, 4].map((t) => t * env.sigmaE)) expect(fee.v(r)).toBeCloseTo(mech.v(r), 12);
    // grad B = scale (y - w(y)): B'(rho) = scale (rho - v^{-1}(rho)), by central differences.
    for (const rho of [0.3, 1.1, 2.5]) {
      const h = 1e-5;
      expect((fee.B(rho + h) - fee.B(rho - h)) / (2 * h)).toBeCloseTo(scale * (rho - vInverse(rho)), 8);
    }
  });

  test("alpha = 0: B vanishes and d = sigma_pi^2 k sigma_e^2 / (2 N kappa) (first best, Proposition 6 with iid assets)", () => {
    const env = { assets: 3, traders: 4, kappa: 0.7, sigmaE: 1.3, sigmaPi: 0.9, alpha: 0 };
    const fee = prop8Fee(env);
    expect(fee.radius).toBe(0);
    for (const rho of [0, 0.4, 3]) expect(fee.B(rho)).toBe(0);
    expect(fee.d).toBeCloseTo((env.sigmaPi ** 2 * 3 * env.sigmaE ** 2) / (2 * env.traders * env.kappa), 11);
  });

  test("k = 1 reduces to Proposition 3 for N(mu_e, sigma_e^2) with capacity kappa / sigma_pi^2", () => {
    for (const [alpha, N, kappa, sigmaE, sigmaPi, muE, muPi] of [
      [0.5, 5, 1, 1, 1, 0, 0],
      [0.9, 3, 2, 0.7, 1.3, 0.4, -0.3],
      [0.2, 8, 0.6, 1.5, 0.8, -1, 0.5],
    ] as const) {
      const fee8 = prop8Fee({ assets: 1, traders: N, kappa, sigmaE, sigmaPi, alpha, muE: [muE], muPi: [muPi] });
      const dist = normal(muE, sigmaE);
      const vt = solveVirtualType(dist, alpha);
      const K = kappa / sigmaPi ** 2;
      const fee3 = prop3Fee(basicEnvironment({ dist, kappa: K, traders: N, muPi }), vt);
      expect(fee8.c).toBeCloseTo(fee3.c, 14);
      expect(fee8.slope).toBe(K);
      expect(fee8.radius).toBeCloseTo(vt.eB - muE, 10);
      // Both are tabulated (Hermite, 1e-10 of sigma_e^2 / kappa): compare to that accuracy.
      const tol = 1e-9 * (sigmaE ** 2 / K);
      expect(Math.abs(fee8.d - fee3.d)).toBeLessThan(tol);
      for (let i = -6; i <= 6; i++)
        for (let j = -3; j <= 3; j++) {
          const q = (i / 2) * sigmaE;
          const p = muPi + (j / K) * sigmaE;
          expect(Math.abs(fee8.feeOf([q], [p]) - fee3.fee(0, q, p)), `q = ${q}, p = ${p}`).toBeLessThan(tol);
        }
      // The truthful bid is Proposition 3's: q(p) = -v(e) - K (p - mu_pi).
      for (const e of [-2, -0.3, 0, 0.1, 1.7].map((t) => muE + t * sigmaE))
        expect(fee8.intercepts([e])[0]!).toBeCloseTo(-vt.v(e) + K * muPi, 10);
    }
  });

  test("bad input gets a one-line error naming the field", () => {
    expect(() => prop8Fee({ assets: 2, traders: 3, kappa: 1, sigmaE: 1, sigmaPi: 1, alpha: 0.5, muE: [0] })).toThrow(
      /muE must be 2 finite numbers/,
    );
    expect(() => prop8Fee({ assets: 2, traders: 1, kappa: 1, sigmaE: 1, sigmaPi: 1, alpha: 0.5 })).toThrow(
      /traders must be an integer >= 2/,
    );
    const fee = prop8Fee({ assets: 2, traders: 3, kappa: 1, sigmaE: 1, sigmaPi: 1, alpha: 0.5 });
    expect(() => fee.feeOf([1], [0, 0])).toThrow(/q must have length 2/);
    expect(() => fee.intercepts([1, 2, 3])).toThrow(/endowment must have length 2/);
  });
});

describe("Proposition 8 fee: outcome, revenue and participation", () => {
  test("truthful bids, each asset cleared by the engine on its own, give Proposition 7's allocation", () => {
    for (const k of [2, 3, 4]) {
      const muE = Array.from({ length: k }, (_, a) => 0.5 - 0.4 * a);
      const env = {
        assets: k,
        traders: 6,
        kappa: 1.4,
        sigmaE: 1.1,
        sigmaPi: 0.8,
        alpha: 0.7,
        muE,
        muPi: Array.from({ length: k }, (_, a) => 0.2 * a),
      };
      const fee = prop8Fee(env);
      const rng = seedrandom.alea(`allocation-${k}`);
      for (let market = 0; market < 5; market++) {
        const e = drawEndowments(rng, env, muE);
        e[0] = muE.map((m, a) => m + (a === 0 ? 0.6 * fee.radius : 0)); // one trader inside the ball
        const expected = prop7Allocation(
          fee.v,
          e.map((ei) => ei.map((x, a) => x - muE[a]!)),
        );
        const closedForm = truthfulMarket(fee, env, e);
        for (let a = 0; a < k; a++) {
          const result = clear(e.map((ei) => linearSchedule(fee.intercepts(ei)[a]!, fee.slope)));
          if (result.status !== "cleared") throw new Error("expected a price");
          expect(result.price).toBeCloseTo(closedForm.p[a]!, 12);
          for (let i = 0; i < env.traders; i++) {
            expect(result.quantities[i]!).toBeCloseTo(expected[i]![a]!, 12);
            expect(closedForm.q[i]![a]!).toBeCloseTo(expected[i]![a]!, 12);
          }
        }
        // The type inside the ball bids only the common part: it expects to trade 0 (Proposition 7).
        fee.intercepts(e[0]!).forEach((c, a) => expect(c - fee.slope * fee.muPi[a]! + muE[a]!).toBeCloseTo(0, 14));
      }
    }
  });

  test("expected fee revenue equals the radial mechanism's revenue: quadrature (-E[B(v(r))]) and Monte Carlo (99% interval)", () => {
    const env = { assets: 3, traders: 4, kappa: 1.2, sigmaE: 1.5, sigmaPi: 1.1, alpha: 0.6, muE: [0.3, -0.2, 1], muPi: [0.1, 0, -0.4] };
    const fee = prop8Fee(env);
    const mech = radialMechanism(env);
    // -E[B(v(r))] by quadrature over r ~ sigma_e chi_3 (density r^2 e^{-r^2/2s^2} sqrt(2/pi)/s^3).
    const s = env.sigmaE;
    const pdf = (r: number) => (Math.sqrt(2 / Math.PI) * r * r * Math.exp((-r * r) / (2 * s * s))) / s ** 3;
    const quad = -integrate((r) => (pdf(r) === 0 ? 0 : fee.B(fee.v(r)) * pdf(r)), fee.radius, 40 * s, { relTol: 1e-12, absTol: 1e-15 })
      .value;
    expect(quad).toBeCloseTo(mech.revenuePerTrader, 9);
    expect(mech.revenuePerTrader).toBeGreaterThan(0.01); // revenue is what the fee must deliver: not a trivial 0
    const rng = seedrandom.alea("prop8-revenue");
    const markets = 20_000;
    const revenue = new Float64Array(markets);
    for (let m = 0; m < markets; m++) {
      const e = drawEndowments(rng, env, env.muE);
      const { p, q, fees } = truthfulMarket(fee, env, e);
      // Per-trader revenue: fees plus sum_a p_a q_ia (which sums to 0 over traders).
      let total = 0;
      for (let i = 0; i < env.traders; i++) total += fees[i]! + q[i]!.reduce((t, qa, a) => t + p[a]! * qa, 0);
      revenue[m] = total / env.traders;
    }
    const { mean, halfWidth } = meanWithHalfWidth(revenue);
    const half99 = (halfWidth * 2.576) / 3.29; // meanWithHalfWidth gives 99.9% (3.29 standard errors)
    expect(Math.abs(mean - mech.revenuePerTrader)).toBeLessThan(half99);
    // Power: an error of 10% in d (or in E[B]) would move the mean by more than the interval.
    expect(half99).toBeLessThan(0.1 * Math.min(fee.d, mech.revenuePerTrader));
  });

  test("interim gain is 0 inside the ball (participation binds) and the envelope integral outside (Monte Carlo, 99%)", () => {
    const env = { assets: 2, traders: 3, kappa: 0.8, sigmaE: 1, sigmaPi: 1.3, alpha: 0.5, muE: [1, -1], muPi: [0.5, 0.5] };
    const fee = prop8Fee(env);
    const N = env.traders;
    const rng = seedrandom.alea("prop8-participation");
    const markets = 20_000;
    const share = ((N - 1) / N) * (env.sigmaPi ** 2 / env.kappa);
    // G(r) = (sigma_pi^2/kappa)((N-1)/N) int_{r*}^{r} v: the envelope formula (33), 0 on the ball.
    const G = (r: number) => (r <= fee.radius ? 0 : share * integrate(fee.v, fee.radius, r).value);
    for (const [r, angle] of [
      [0, 0],
      [0.99 * fee.radius, 2.5],
      [fee.radius + 0.7 * env.sigmaE, 4],
      [fee.radius + 2 * env.sigmaE, 0.3],
    ] as const) {
      const own = [env.muE[0]! + r * Math.cos(angle), env.muE[1]! + r * Math.sin(angle)];
      const gains = new Float64Array(markets);
      for (let m = 0; m < markets; m++) {
        const e = drawEndowments(rng, env, env.muE);
        e[0] = own;
        gains[m] = truthfulMarket(fee, env, e).gains[0]!;
      }
      const { mean, halfWidth } = meanWithHalfWidth(gains);
      const half99 = (halfWidth * 2.576) / 3.29;
      expect(Math.abs(mean - G(r)), `r = ${r}`).toBeLessThan(half99);
      // Power: the interval is much narrower than d, so d set "sufficiently high" (e.g. 10% too high) would fail.
      expect(half99).toBeLessThan(0.1 * fee.d);
    }
  });
});

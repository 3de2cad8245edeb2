import { integrate } from "@optex/numerics";
import { describe, expect, test } from "vitest";
import { basicEnvironment } from "../basic/basicEnvironment.ts";
import { discreteDynamicDesign, dynamicDoubleAuction, type DynamicEnvironment, dynamicInterimGain } from "./dynamics.ts";
import { optimalMechanismOutcome } from "../basic/optimalMechanism.ts";
import { TheoryError } from "../theoryError.ts";
import { uniform } from "../laws/uniform.ts";
import { solveVirtualType } from "../basic/virtualType.ts";

// The economy itself (schedules cleared by the engine, the registered fee, flow costs, one-auction
// deviations, interim gains by Monte Carlo) is simulated in packages/scenarios/src/models/dynamic/
// (economy.test.ts, simulation.test.ts): theory cannot depend on the market. What stays here needs no market.

const env: DynamicEnvironment = { traders: 3, kappa: 1, delta: 0.5, dt: 1, muE: 0.4, sigma0: 1, sigmaZ: 1 };

describe("Proposition 12: input validation", () => {
  test("bad fields throw one-line TheoryErrors naming the field", () => {
    const cases: [Partial<DynamicEnvironment>, string][] = [
      [{ traders: 1 }, "traders"],
      [{ traders: 2.5 }, "traders"],
      [{ kappa: 0 }, "kappa"],
      [{ delta: 0 }, "delta"],
      [{ dt: -1 }, "dt"],
      [{ muE: Number.NaN }, "mu-e"],
      [{ sigma0: -1 }, "sigma-0"],
      [{ sigmaZ: Number.POSITIVE_INFINITY }, "sigma-z"],
    ];
    for (const [patch, field] of cases) {
      expect(() => dynamicDoubleAuction({ ...env, ...patch })).toThrow(TheoryError);
      expect(() => dynamicDoubleAuction({ ...env, ...patch })).toThrow(new RegExp(`^${field} must`));
    }
  });
});

describe("Proposition 12: limits and comparative statics", () => {
  test("dt -> 0 reaches the continuous-time (Pavan-Segal-Toikka) bound (N-1) sigma_Z^2/(2 kappa delta^2)", () => {
    for (const e of [env, { ...env, traders: 7, kappa: 2.5, delta: 0.1, sigmaZ: 0.3 }]) {
      const bound = ((e.traders - 1) * e.sigmaZ ** 2) / (2 * e.kappa * e.delta ** 2);
      let prev = 0;
      for (const dt of [4, 1, 0.25, 1 / 16, 1 / 256]) {
        const s = dynamicDoubleAuction({ ...e, dt }).total.budgetSurplus;
        expect(s).toBeGreaterThan(prev); // more frequent auctions, more surplus
        expect(s).toBeLessThan(bound);
        prev = s;
      }
      // R = dt/(e^{delta dt} - 1) = 1/delta - dt/2 + O(dt^2): relative gap delta dt/2.
      const fine = dynamicDoubleAuction({ ...e, dt: 1e-6 });
      expect(fine.total.budgetSurplus / bound).toBeCloseTo(1, 5);
      expect(fine.continuousLimit.budgetSurplus).toBeCloseTo(bound, 10);
    }
  });

  test("single shock (sigma_Z = 0): zero surplus at every dt and delta, as Proposition 1's zero revenue", () => {
    for (const dt of [0.1, 1, 5])
      for (const delta of [0.05, 1]) expect(dynamicDoubleAuction({ ...env, sigmaZ: 0, dt, delta }).total.budgetSurplus).toBe(0);
  });

  test("series and integrals behind A and R (independent sums)", () => {
    const t = dynamicDoubleAuction(env);
    // A: int_0^dt e^{-delta u} du / kappa; R: sum_{k >= 1} D^k dt.
    const A = integrate((u) => Math.exp(-env.delta * u) / env.kappa, 0, env.dt).value;
    let R = 0;
    for (let k = 1; k < 400; k++) R += Math.exp(-env.delta * k * env.dt) * env.dt;
    expect(t.periodHoldingCost).toBeCloseTo(A, 13);
    expect(t.shockWeight).toBeCloseTo(R, 13);
    // Autarky cost: E int e^{-delta t} (e0 + sigma W_t)^2 dt / (2 kappa) by quadrature.
    const aut =
      integrate((u) => Math.exp(-env.delta * u) * (env.muE ** 2 + env.sigma0 ** 2 + env.sigmaZ ** 2 * u), 0, 200).value / (2 * env.kappa);
    expect(t.perTrader.autarkyHoldingCost).toBeCloseTo(aut, 10);
  });

  test("patience makes e_i0 irrelevant: the spread of G relative to its level vanishes as delta -> 0", () => {
    const spread = (delta: number) => {
      const e = { ...env, delta };
      return (dynamicInterimGain(e, e.muE + 2 * e.sigma0) - dynamicInterimGain(e, e.muE)) / dynamicInterimGain(e, e.muE);
    };
    expect(spread(0.01)).toBeLessThan(spread(0.1));
    expect(spread(0.001)).toBeLessThan(0.01);
  });
});

describe("Proposition 11: with one shock and commitment, all trade happens at t = 0", () => {
  const K = 6;
  const types = Array.from({ length: K }, (_, k) => -1 + (2 * (k + 0.5)) / K);
  const probabilities = types.map(() => 1 / K);
  const kappa = 1.3;
  const delta = 0.4;
  const dt = 0.5;
  const weights = Array.from({ length: 5 }, (_, t) => (Math.exp(-delta * t * dt) - Math.exp(-delta * (t + 1) * dt)) / delta);
  const W = weights.reduce((s, x) => s + x, 0);

  test("the QP over all allocation paths picks constant paths worth W x the static optimum", () => {
    for (const alpha of [0.3, 1]) {
      const stat = discreteDynamicDesign({ types, probabilities, kappa, alpha, weights: [1] });
      const dyn = discreteDynamicDesign({ types, probabilities, kappa, alpha, weights });
      let spread = 0;
      for (let a = 0; a < K; a++) {
        for (let b = 0; b < K; b++) {
          const path = dyn.allocation[a]![b]!;
          spread = Math.max(spread, Math.max(...path) - Math.min(...path));
          // Constant at the static allocation itself (no averaging constant to rescale it).
          expect(path[0]).toBeCloseTo(stat.allocation[a]![b]![0]!, 8);
        }
      }
      // Interior-point tolerance 1e-12 relative; measured spread ~1e-11.
      expect(spread).toBeLessThan(1e-8);
      expect(dyn.objective / W).toBeCloseTo(stat.objective, 9);
      expect(dyn.revenue / W).toBeCloseTo(stat.revenue, 9);
      expect(dyn.holdingCost / W).toBeCloseTo(stat.holdingCost, 9);
      // Independent feasibility check with the original utilities (not the QP's change of variables).
      checkFeasible(dyn, types, probabilities, kappa, weights);
      // Participation binds (on the middle types, as on Theorem 1's flat region).
      expect(Math.min(...dyn.utilityGain)).toBeCloseTo(0, 9);
    }
  });

  test("small alpha: the QP approaches the first best X_1 = (e_2 - e_1)/2", () => {
    const dyn = discreteDynamicDesign({ types, probabilities, kappa, alpha: 1e-4, weights });
    for (let a = 0; a < K; a++) for (let b = 0; b < K; b++) expect(dyn.allocation[a]![b]![2]).toBeCloseTo((types[b]! - types[a]!) / 2, 3);
  });

  test("averaging a time-varying path with weight 1/W ~ delta keeps IC and rents and raises revenue and efficiency; 1/delta does not keep IC", () => {
    // Continuous types U[-1, 1], Theorem 1 allocation scaled by a time profile g_t with sum w_t g_t = W.
    const N = 4;
    const alpha = 0.6;
    const dist = uniform(-1, 1);
    const vt = solveVirtualType(dist, alpha);
    const stat = optimalMechanismOutcome(basicEnvironment({ dist, kappa, traders: N }), vt);
    const share = (N - 1) / N;
    const xhat = (e: number) => -share * (vt.v(e) - vt.meanVirtualType);
    const Q = { absTol: 1e-14, relTol: 1e-12 };
    const Eex = integrate((e) => e * xhat(e) * dist.pdf(e), -1, 1, Q).value;
    const Ex2 = share * vt.varianceVirtualType;
    /** Per-trader revenue, holding cost and expected rent of X_t = g_t X*, with rents from the envelope of M(e) = sum_t w_t g_t Xhat(e). */
    const outcome = (g: readonly number[]) => {
      const G1 = g.reduce((s, x, t) => s + weights[t]! * x, 0);
      const G2 = g.reduce((s, x, t) => s + weights[t]! * x * x, 0);
      // Rent: G(e) = (1/kappa) |int from the flat region to e of M| ; E over e by quadrature.
      const rent = (e: number) =>
        (G1 / kappa) * Math.abs(integrate((s) => xhat(s), e < vt.eA ? e : vt.eB, e < vt.eA ? vt.eA : Math.max(e, vt.eB), Q).value);
      const Erent = integrate((e) => rent(e) * dist.pdf(e), -1, 1, Q).value;
      const Ee2 = dist.variance + dist.mean ** 2;
      const holdingCost = (W * Ee2 + 2 * G1 * Eex + G2 * Ex2) / (2 * kappa);
      const revenue = -(2 * G1 * Eex + G2 * Ex2) / (2 * kappa) - Erent;
      return { revenue, holdingCost, Erent, M: G1 };
    };
    const constant = outcome(weights.map(() => 1));
    // Constant path = the static optimum times the annuity W.
    expect(constant.revenue / W).toBeCloseTo(stat.revenuePerTrader, 9);
    expect(constant.holdingCost / W).toBeCloseTo(stat.holdingCostPerTrader, 9);
    expect(constant.Erent / W).toBeCloseTo(stat.utilityGainPerTrader, 9);
    // A front-loaded path and its averages.
    const raw = weights.map((_, t) => 1.8 * Math.exp(-0.9 * t));
    const sumW = raw.reduce((s, x, t) => s + weights[t]! * x, 0);
    const varying = outcome(raw);
    const averaged = outcome(weights.map(() => sumW / W)); // the correct constant 1/W (-> delta as the horizon grows)
    const printed = outcome(weights.map(() => sumW / delta)); // (1/delta) sum w_t X_t, as printed
    expect(averaged.M).toBeCloseTo(varying.M, 12);
    expect(averaged.Erent).toBeCloseTo(varying.Erent, 12);
    expect(averaged.revenue - varying.revenue).toBeGreaterThan(1e-3);
    expect(varying.holdingCost - averaged.holdingCost).toBeGreaterThan(1e-3);
    // Revenue gains exactly what efficiency gains (rents unchanged).
    expect(averaged.revenue - varying.revenue).toBeCloseTo(varying.holdingCost - averaged.holdingCost, 12);
    // The printed constant changes the discounted allocation, hence IC and rents (by 1/(delta W) ~ 1/delta^2 here).
    expect(Math.abs(printed.M / varying.M - 1)).toBeGreaterThan(1);
    expect(Math.abs(printed.Erent / varying.Erent - 1)).toBeGreaterThan(1);
  });

  test("input validation", () => {
    expect(() => discreteDynamicDesign({ types, probabilities: [1], kappa, alpha: 0.5, weights })).toThrow(TheoryError);
    expect(() => discreteDynamicDesign({ types, probabilities, kappa, alpha: 0, weights })).toThrow(/^alpha must/);
    expect(() => discreteDynamicDesign({ types, probabilities, kappa: -1, alpha: 0.5, weights })).toThrow(/^kappa must/);
    expect(() => discreteDynamicDesign({ types, probabilities, kappa, alpha: 0.5, weights: [1, 0] })).toThrow(/^weights must/);
  });
});

/** IC and IR of the discrete design from the primitives: U(report j | type k) = -sum_t w_t E[(e_k + X_t(j, .))^2]/(2 kappa) - T_j. */
function checkFeasible(
  d: ReturnType<typeof discreteDynamicDesign>,
  types: readonly number[],
  p: readonly number[],
  kappa: number,
  w: readonly number[],
): void {
  const U = (k: number, j: number) =>
    -w.reduce((s, wt, t) => s + wt * types.reduce((s2, _, b) => s2 + p[b]! * (types[k]! + d.allocation[j]![b]![t]!) ** 2, 0), 0) /
      (2 * kappa) -
    d.transfer[j]!;
  const W = w.reduce((s, x) => s + x, 0);
  for (let k = 0; k < types.length; k++) {
    const truth = U(k, k);
    expect(truth + (W * types[k]! ** 2) / (2 * kappa)).toBeGreaterThanOrEqual(-1e-9);
    expect(truth + (W * types[k]! ** 2) / (2 * kappa)).toBeCloseTo(d.utilityGain[k]!, 9);
    for (let j = 0; j < types.length; j++) expect(truth).toBeGreaterThanOrEqual(U(k, j) - 1e-9);
  }
}

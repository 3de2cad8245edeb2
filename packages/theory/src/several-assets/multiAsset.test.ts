import seedrandom from "seedrandom";
import { describe, expect, test } from "vitest";
import { meanWithHalfWidth } from "../testSupport.ts";
import { basicEnvironment } from "../basic/basicEnvironment.ts";
import { radialMechanism, radialOutcome } from "./multiAsset.ts";
import { normal } from "../laws/normal.ts";
import { optimalMechanismOutcome } from "../basic/optimalMechanism.ts";
import { solveVirtualType } from "../basic/virtualType.ts";

describe("Proposition 7 for k assets (radial mechanism)", () => {
  test("k = 1 is Theorem 1 for N(0, sigma_e^2) with capacity kappa / sigma_pi^2", () => {
    for (const [N, kappa, sigmaE, sigmaPi, alpha] of [
      [5, 1, 1.5, 1, 0.5],
      [3, 2, 0.7, 1.3, 0.9],
    ] as const) {
      const r = radialMechanism({ assets: 1, traders: N, kappa, sigmaE, sigmaPi, alpha });
      const dist = normal(0, sigmaE);
      const vt = solveVirtualType(dist, alpha);
      const b = optimalMechanismOutcome(basicEnvironment({ dist, kappa: kappa / sigmaPi ** 2, traders: N }), vt);
      expect(r.radius).toBeCloseTo(vt.eB, 10);
      expect(r.revenuePerTrader).toBeCloseTo(b.revenuePerTrader, 10);
      expect(r.holdingCostPerTrader).toBeCloseTo(b.holdingCostPerTrader, 10);
      expect(r.utilityGainPerTrader).toBeCloseTo(b.utilityGainPerTrader, 10);
    }
  });

  test("k = 2: the ball's radius is sqrt(alpha) sigma_e (the text drops sigma_e: docs/environments/multi-asset.md); it grows with k", () => {
    for (const alpha of [0.1, 0.5, 1])
      expect(radialMechanism({ assets: 2, traders: 4, kappa: 1, sigmaE: 1.7, sigmaPi: 1, alpha }).radius).toBeCloseTo(
        Math.sqrt(alpha) * 1.7,
        12,
      );
    let prev = 0;
    for (const k of [1, 2, 3, 5, 10]) {
      const r = radialMechanism({ assets: k, traders: 4, kappa: 1, sigmaE: 1, sigmaPi: 1, alpha: 0.5 }).radius;
      expect(r).toBeGreaterThan(prev);
      prev = r;
    }
  });

  test("holding cost and the exchange property agree with a Monte Carlo of the radial rule (k = 3)", () => {
    const env = { assets: 3, traders: 4, kappa: 1.2, sigmaE: 1.5, sigmaPi: 1.5, alpha: 0.5 };
    const mech = radialMechanism(env);
    const rng = seedrandom.alea("radial");
    const z = normal(0, 1);
    const markets = 40_000;
    const samples = new Float64Array(markets);
    const { assets: k, traders: N } = env;
    for (let m = 0; m < markets; m++) {
      const e = Array.from({ length: N }, () => Array.from({ length: k }, () => env.sigmaE * z.sample(rng)));
      const v = e.map((ei) => {
        const r = Math.hypot(...ei);
        const s = mech.v(r) / r;
        return ei.map((x) => s * x);
      });
      const mean = Array.from({ length: k }, (_, a) => v.reduce((t, vi) => t + vi[a]!, 0) / N);
      let hold = 0;
      for (let i = 0; i < N; i++)
        for (let a = 0; a < k; a++) hold += (env.sigmaPi ** 2 * (e[i]![a]! - v[i]![a]! + mean[a]!) ** 2) / (2 * env.kappa);
      samples[m] = hold / N;
    }
    const check = meanWithHalfWidth(samples);
    expect(Math.abs(check.mean - mech.holdingCostPerTrader)).toBeLessThan(check.halfWidth);
  });

  test("within radial rules, Proposition 7's rule maximises the designer's objective (perturbed rules do worse)", () => {
    for (const alpha of [0.3, 0.8]) {
      const env = { assets: 3, traders: 5, kappa: 1, sigmaE: 1.2, sigmaPi: 1.1, alpha };
      const mech = radialMechanism(env);
      const best = mech.objective;
      const perturbed: [string, (r: number) => number, number][] = [];
      for (const eps of [-0.1, -0.02, 0.02, 0.1]) perturbed.push([`scale ${eps}`, (r) => (1 + eps) * mech.v(r), mech.radius]);
      for (const delta of [-0.05, 0.05]) {
        // Shift the rule (and with it the ball): u = max(0, v + delta) on its own support.
        const r0 = delta > 0 ? mech.radius * 0.9 : mech.radius;
        perturbed.push([`shift ${delta}`, (r) => (r <= r0 ? 0 : Math.max(0, mech.v(r) + delta)), r0]);
      }
      perturbed.push(["first best", (r) => r, 0]);
      for (const [name, u, r0] of perturbed) expect(radialOutcome(env, u, r0).objective, name).toBeLessThan(best);
    }
  });
});

describe("many assets (the CLI accepts up to 1000)", () => {
  test.each([120, 190, 500, 1000])("k = %i: every alpha gives finite quantities; at alpha = 0 the first best's closed forms", (k) => {
    // Near r = 0 the chi law's density underflows while its survival is 1: 0 x infinity made NaN at alpha = 0.
    const env = { assets: k, traders: 5, kappa: 1.5, sigmaE: 1.2, sigmaPi: 0.8, alpha: 0 };
    const fb = radialMechanism(env);
    const scale = (k * env.sigmaE ** 2 * env.sigmaPi ** 2) / env.kappa;
    expect(Math.abs(fb.holdingCostPerTrader - scale / (2 * env.traders))).toBeLessThan(1e-9 * scale);
    expect(Math.abs(fb.revenuePerTrader)).toBeLessThan(1e-9 * scale);
    for (const alpha of [0.1, 1]) {
      const m = radialMechanism({ ...env, alpha });
      for (const x of [m.radius, m.revenuePerTrader, m.holdingCostPerTrader, m.utilityGainPerTrader]) expect(Number.isFinite(x)).toBe(true);
      expect(m.revenuePerTrader).toBeGreaterThan(0);
    }
  });
});

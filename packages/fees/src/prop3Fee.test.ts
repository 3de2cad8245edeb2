import { integrate } from "@optex/numerics";
import {
  basicEnvironment,
  type Distribution,
  exponential,
  normal,
  optimalMechanismOutcome,
  solveVirtualType,
  uniform,
} from "@optex/theory";
import { describe, expect, test } from "vitest";
import { buildFee } from "./registry.ts";
import { prop3Fee } from "./prop3Fee.ts";

/**
 * B(l) from its definition, by adaptive quadrature of v^{-1} (an independent route to the tables),
 * split where v^{-1} jumps (at m, from eA to eB) or has a kink (v at a finite end of the support,
 * beyond which v^{-1} is clamped): error estimates are unreliable across those points.
 */
function definitionB(dist: Distribution, alpha: number, N: number, kappa: number, l: number): number {
  const vt = solveVirtualType(dist, alpha);
  const breaks = [vt.meanVirtualType];
  if (Number.isFinite(dist.lower)) breaks.push(vt.v(dist.lower));
  if (Number.isFinite(dist.upper)) breaks.push(vt.v(dist.upper));
  const a = Math.min(dist.mean, l);
  const b = Math.max(dist.mean, l);
  const cuts = [a, ...breaks.filter((x) => x > a && x < b).sort((x, y) => x - y), b];
  let I = 0;
  for (let k = 0; k + 1 < cuts.length; k++)
    I += integrate((s) => vt.vInverse(s), cuts[k]!, cuts[k + 1]!, { relTol: 1e-12, absTol: 1e-14 }).value;
  if (l < dist.mean) I = -I;
  // optex centres B on mu_e: printed B minus ((N-1)/(N kappa)) mu_e^2/2 (d absorbs the constant).
  return ((N - 1) / (N * kappa)) * (0.5 * l * l - I - 0.5 * dist.mean ** 2);
}

describe("Proposition 3 fee (corrected)", () => {
  test("U[-1,1]: B, c and d in closed form", () => {
    for (const [alpha, N, kappa] of [
      [0.5, 5, 1],
      [1, 3, 2],
      [0.2, 12, 0.5],
    ]) {
      const env = basicEnvironment({ dist: uniform(-1, 1), kappa, traders: N });
      const fee = prop3Fee(env, solveVirtualType(env.dist, alpha));
      const s = (N - 1) / (N * kappa);
      // v^{-1}(s) = (s + alpha)/(1 + alpha) above 0, (s - alpha)/(1 + alpha) below, clamped to [-1, 1].
      for (const l of [-1, -0.7, -0.2, 0, 0.3, 0.99, 1]) {
        const expected = (s * alpha * ((l * l) / 2 - Math.abs(l))) / (1 + alpha);
        expect(fee.B(l)).toBeCloseTo(expected, 12);
      }
      expect(fee.B(1.5)).toBeCloseTo(s * (1.5 ** 2 / 2 - (0.5 + alpha) / (1 + alpha) - 0.5), 12);
      expect(fee.c).toBeCloseTo(-1 / ((N - 1) * kappa), 15);
      expect(fee.d).toBeCloseTo(1 / (3 * (1 + alpha)) / (2 * N * kappa), 12);
    }
  });

  test.each([
    ["N(0.3, 1.2)", normal(0.3, 1.2), 0.7],
    ["Exp(2)", exponential(2), 1],
    ["U[0, 3]", uniform(0, 3), 0.4],
    ["N(0, 1), alpha 0", normal(0, 1), 0],
  ] as const)("%s: tabulated B equals its definition (quadrature of v^{-1}) to 1e-10", (_name, dist, alpha) => {
    const env = basicEnvironment({ dist, kappa: 1.3, traders: 6 });
    const vt = solveVirtualType(dist, alpha);
    const fee = prop3Fee(env, vt);
    const sd = Math.sqrt(dist.variance);
    const points = [vt.meanVirtualType, vt.meanVirtualType - 1e-9, vt.meanVirtualType + 1e-9];
    for (let k = -40; k <= 40; k++) points.push(dist.mean + (k / 10) * sd);
    points.push(dist.mean + 12 * sd, dist.mean - 12 * sd); // beyond the tables
    for (const l of points) expect(Math.abs(fee.B(l) - definitionB(dist, alpha, 6, 1.3, l)), `l = ${l}`).toBeLessThan(1e-10 * (1 + l * l));
  });

  test.each([
    ["U[-1,1]", uniform(-1, 1), 0.5, 5],
    ["N(1, 2)", normal(1, 2), 0.3, 9],
    ["Exp(1)", exponential(1), 1, 4],
  ] as const)("%s: expected fee per trader equals the optimal mechanism's revenue (quadrature)", (_name, dist, alpha, N) => {
    const kappa = 0.9;
    const env = basicEnvironment({ dist, kappa, traders: N, muPi: 0.2 });
    const vt = solveVirtualType(dist, alpha);
    const fee = prop3Fee(env, vt);
    // E[fee] = (c/2) E[X^2] - E[B(v(e))] + d, with E[X^2] = ((N-1)/N) Var v; sum_i p X_i = 0.
    const eB = integrate((e) => fee.B(vt.v(e)) * dist.pdf(e), dist.lower, dist.upper, { relTol: 1e-11 }).value;
    const expectedFee = 0.5 * fee.c * ((N - 1) / N) * vt.varianceVirtualType - eB + fee.d;
    expect(expectedFee).toBeCloseTo(optimalMechanismOutcome(env, vt).revenuePerTrader, 9);
  });

  test("the batch method agrees with fee() and the fee ignores the trader's identity", () => {
    const env = basicEnvironment({ dist: normal(0, 1), kappa: 1, traders: 7, muPi: -0.4 });
    const fee = prop3Fee(env, solveVirtualType(env.dist, 0.6));
    const qs = Float64Array.from([-3, -1.1, -0.2, 0, 0.05, 0.8, 2.4, 40]);
    const out = new Float64Array(qs.length);
    fee.feesInto(qs, 0.37, out);
    qs.forEach((q, i) => {
      expect(out[i]).toBe(fee.fee(i, q, 0.37));
      expect(fee.fee(0, q, 0.37)).toBe(fee.fee(5, q, 0.37));
      expect(Number.isFinite(out[i])).toBe(true);
    });
    expect(fee.impliedIntercept(0.5, 0.1)).toBeCloseTo(-0.5 - 1 * (0.1 + 0.4), 15);
  });

  test("registry builds fees by id and rejects unknown ids", () => {
    const env = basicEnvironment({ dist: uniform(-1, 1), kappa: 1, traders: 4 });
    expect(buildFee("none", { model: "basic", env, alpha: 0.5 }).schedule!.fee(0, 1, 1)).toBe(0);
    const vt = solveVirtualType(env.dist, 0.5);
    const built = buildFee("prop3", { model: "basic", env, alpha: 0.5 });
    expect(built.schedule!.id).toBe("prop3");
    expect(built.info.paper).toBe("Proposition 3");
    // The registry's fee is prop3Fee of the same environment, value for value.
    for (const [q, p] of [
      [0.3, -0.2],
      [-1.2, 0.4],
      [0, 0],
    ] as const)
      expect(built.schedule!.fee(1, q, p)).toBe(prop3Fee(env, vt).fee(1, q, p));
    expect(() => buildFee("maker-taker", { model: "basic", env, alpha: 0.5 })).toThrow(/unknown fee "maker-taker"/);
    expect(() => buildFee("prop8", { model: "basic", env, alpha: 0.5 })).toThrow(/fee "prop8" is for the multi-asset model, not basic/);
  });
});

import {
  basicEnvironment,
  type BasicEnvironment,
  type Distribution,
  normal,
  solveHeterogeneous,
  solveVirtualType,
  uniform,
  type VirtualType,
} from "@optex/theory";
import { describe, expect, test } from "vitest";
import { prop3Fee } from "./prop3Fee.ts";
import { prop10Fee } from "./prop10Fee.ts";

/** The same virtual type without its exact forms: the fee falls back to its Hermite tables. */
function withoutExactForms(vt: VirtualType): VirtualType {
  const strip = (w: VirtualType): VirtualType => ({ ...w, vPieces: undefined, inverseIntegralPieces: undefined });
  const z = strip(vt.standardized);
  return vt.standardized === vt ? { ...z, standardized: z } : { ...strip(vt), standardized: z };
}

/** The same virtual type with its standardized K replaced (a deliberately wrong closed form). */
function withInverseIntegral(vt: VirtualType, K: NonNullable<VirtualType["inverseIntegralPieces"]>): VirtualType {
  return { ...vt, standardized: { ...vt.standardized, inverseIntegralPieces: K } };
}

/**
 * Largest |closed - table| / max(|table|, floor) over B(l) at many l across and beyond the range of
 * v, and over fee() and feesInto() at many (q, p); floor = ((N-1)/(N kappa)) sigma_e^2, the scale of
 * B (so values crossing 0 are compared relative to the fee's size, not to 0).
 */
function worstRelativeDifference(env: BasicEnvironment, closedVt: VirtualType, tableVt: VirtualType): number {
  const closed = prop3Fee(env, closedVt);
  const table = prop3Fee(env, tableVt);
  const { dist } = env;
  const sd = Math.sqrt(dist.variance);
  const floor = ((env.traders - 1) / (env.traders * env.kappa)) * sd * sd;
  let worst = 0;
  const compare = (a: number, b: number) => void (worst = Math.max(worst, Math.abs(a - b) / Math.max(Math.abs(b), floor)));
  const ls: number[] = [tableVt.flatLevel];
  for (let k = -600; k <= 600; k++) ls.push(dist.mean + (k / 150) * sd);
  for (const l of ls) compare(closed.B(l), table.B(l));
  const qs = Float64Array.from(ls.map((l) => dist.mean - l));
  const [outClosed, outTable] = [new Float64Array(qs.length), new Float64Array(qs.length)];
  for (const p of [env.muPi - sd, env.muPi, env.muPi + 0.37 * sd]) {
    closed.feesInto(qs, p, outClosed);
    table.feesInto(qs, p, outTable);
    for (let i = 0; i < qs.length; i++) {
      compare(outClosed[i]!, outTable[i]!);
      compare(closed.fee(i, qs[i]!, p), outTable[i]!);
    }
  }
  return worst;
}

const cases: [string, Distribution, number, number, number, number][] = [
  // name, law, alpha, N, kappa, mu_pi
  ["U[-1,1], alpha 0.5, N 10", uniform(-1, 1), 0.5, 10, 1, 0],
  ["U[-1,1], alpha 1, N 3", uniform(-1, 1), 1, 3, 2, 0.4],
  ["U[0,3], alpha 0.4, N 6", uniform(0, 3), 0.4, 6, 1.3, -0.2],
  ["U[1e6, 1e6 + 2], alpha 0.7, N 4", uniform(1e6, 1e6 + 2), 0.7, 4, 0.8, 5],
  ["U[-1e-4, 3e-4], alpha 0.9, N 20", uniform(-1e-4, 3e-4), 0.9, 20, 3, 0],
  ["U[-2,5], first best (alpha 0), N 5", uniform(-2, 5), 0, 5, 1, 0],
  ["N(0.3, 2), first best (alpha 0), N 7", normal(0.3, 2), 0, 7, 0.6, 0.1],
];

describe("Proposition 3 fee: closed form (piecewise quadratic B) and Hermite tables", () => {
  test.each(cases)("%s: the two paths agree to 1e-12 relative", (_name, dist, alpha, N, kappa, muPi) => {
    const env = basicEnvironment({ dist, kappa, traders: N, muPi });
    const vt = solveVirtualType(dist, alpha);
    expect(vt.standardized.inverseIntegralPieces).toBeDefined();
    expect(withoutExactForms(vt).standardized.inverseIntegralPieces).toBeUndefined();
    const worst = worstRelativeDifference(env, vt, withoutExactForms(vt));
    expect(worst).toBeLessThan(1e-12);
    // c and d do not depend on the path.
    const [closed, table] = [prop3Fee(env, vt), prop3Fee(env, withoutExactForms(vt))];
    expect(closed.c).toBe(table.c);
    expect(closed.d).toBe(table.d);
  });

  test("a deliberately wrong closed form fails the comparison", () => {
    const env = basicEnvironment({ dist: uniform(-1, 1), kappa: 1, traders: 10 });
    const vt = solveVirtualType(env.dist, 0.5);
    const table = withoutExactForms(vt);
    const K = vt.standardized.inverseIntegralPieces!;
    // K of a slightly different alpha; K plus 1e-9 t^2 (a wrong curvature); K plus 1e-10 t (a wrong
    // slope). (K plus a constant is not wrong: B uses K(t) - K(0).)
    const wrongs = [
      withInverseIntegral(vt, solveVirtualType(env.dist, 0.5 * (1 + 1e-8)).standardized.inverseIntegralPieces!),
      withInverseIntegral(vt, K.transformed(0, 1, 1, 1e-9, 0, 0)),
      withInverseIntegral(vt, K.transformed(0, 1, 1, 0, 1e-10, 0)),
    ];
    expect(worstRelativeDifference(env, vt, table)).toBeLessThan(1e-12);
    for (const wrong of wrongs) expect(worstRelativeDifference(env, wrong, table)).toBeGreaterThan(1e-12);
  });

  test("laws without exact forms use the tables (normal, alpha > 0)", () => {
    const vt = solveVirtualType(normal(0, 1), 0.5);
    expect(vt.standardized.inverseIntegralPieces).toBeUndefined();
    const env = basicEnvironment({ dist: normal(0, 1), kappa: 1, traders: 5 });
    expect(worstRelativeDifference(env, vt, withoutExactForms(vt))).toBe(0);
  });

  test("Proposition 10 (Theorem 5's flat levels): the two paths agree to 1e-12", () => {
    const specs = [
      { dist: uniform(-1, 1), kappa: 1 },
      { dist: uniform(-0.5, 2), kappa: 2.5 },
      { dist: uniform(0, 1), kappa: 0.5 },
    ];
    const mech = solveHeterogeneous(specs, 0.6);
    const closed = prop10Fee(mech, 0.2);
    const table = prop10Fee({ ...mech, traders: mech.traders.map(withoutExactForms) }, 0.2);
    for (let i = 0; i < specs.length; i++) {
      expect(mech.traders[i]!.standardized.inverseIntegralPieces).toBeDefined();
      const sd = Math.sqrt(specs[i]!.dist.variance);
      for (let k = -300; k <= 300; k++) {
        const l = specs[i]!.dist.mean + (k / 100) * sd;
        const [b, bTable] = [closed.traders[i]!.B(l), table.traders[i]!.B(l)];
        expect(Math.abs(b - bTable), `trader ${i}, l = ${l}`).toBeLessThanOrEqual(1e-12 * Math.max(Math.abs(bTable), sd * sd));
        const q = 0.1 - l;
        expect(Math.abs(closed.fee(i, q, 0.3) - table.fee(i, q, 0.3))).toBeLessThanOrEqual(
          1e-12 * Math.max(Math.abs(table.fee(i, q, 0.3)), sd * sd),
        );
      }
    }
  });
});

import { describe, expect, test } from "vitest";
import type { Distribution } from "../laws/distribution.ts";
import { solveHeterogeneous } from "../heterogeneous/heterogeneous.ts";
import { exactInverseIntegral, inverseVirtualTypeIntegral } from "./inverseVirtualTypeIntegral.ts";
import { normal } from "../laws/normal.ts";
import { uniform } from "../laws/uniform.ts";
import { solveVirtualType, type VirtualType } from "./virtualType.ts";

/** Points across and beyond the support (where v and K are clamped or linear), with the breaks themselves. */
function pointsOf(vt: VirtualType): number[] {
  const { dist } = vt;
  const sd = Math.sqrt(dist.variance);
  const points = [vt.eA, vt.eB, vt.flatLevel];
  if (Number.isFinite(dist.lower)) points.push(dist.lower, vt.v(dist.lower));
  if (Number.isFinite(dist.upper)) points.push(dist.upper, vt.v(dist.upper));
  for (let k = -400; k <= 400; k++) points.push(dist.mean + (k / 80) * sd);
  return points;
}

const laws: [string, Distribution, number][] = [
  ["U[-1,1]", uniform(-1, 1), 0.5],
  ["U[-1,1], alpha 1", uniform(-1, 1), 1],
  ["U[0,3]", uniform(0, 3), 0.4],
  ["U[-2,5]", uniform(-2, 5), 0.05],
  ["U[1e6, 1e6 + 2]", uniform(1e6, 1e6 + 2), 0.7],
  ["U[-1e-4, 3e-4]", uniform(-1e-4, 3e-4), 0.9],
  ["U[-1,1], alpha 0", uniform(-1, 1), 0],
  ["N(0.3, 2), alpha 0", normal(0.3, 2), 0],
];

describe("exact (piecewise polynomial) forms of the virtual type", () => {
  test.each(laws)("%s: vPieces equal v to rounding, in the user's units and standardized", (_name, dist, alpha) => {
    const vt = solveVirtualType(dist, alpha);
    for (const w of [vt, vt.standardized]) {
      expect(w.vPieces).toBeDefined();
      const sd = Math.sqrt(w.dist.variance);
      for (const e of pointsOf(w)) {
        expect(Math.abs(w.vPieces!.at(e) - w.v(e)), `e = ${e}`).toBeLessThanOrEqual(
          4 * Number.EPSILON * (Math.abs(e) + Math.abs(w.v(e)) + sd),
        );
      }
    }
  });

  test.each(laws)("%s: inverseIntegralPieces equal the tabulated K = int_m^l v^{-1} to 1e-12 (standardized)", (_name, dist, alpha) => {
    const z = solveVirtualType(dist, alpha).standardized;
    const K = inverseVirtualTypeIntegral(z);
    expect(z.inverseIntegralPieces).toBeDefined();
    // Uniform: breaks at v(lower), m and v(upper); a normal law: m alone.
    expect(z.inverseIntegralPieces!.pieceCount).toBe(Number.isFinite(dist.lower) ? 4 : 2);
    for (const l of pointsOf(z)) {
      const table = K.evaluate(l);
      expect(Math.abs(z.inverseIntegralPieces!.at(l) - table), `l = ${l}`).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(table)));
    }
    expect(z.inverseIntegralPieces!.at(z.flatLevel)).toBe(0);
    expect(Math.abs(z.inverseIntegralPieces!.at(0.3) - exactInverseIntegral(z, 0.3))).toBeLessThan(1e-13);
  });

  test.each([0.2, 0.5, 1])("U[-1,1], alpha %s: K(l) = (l^2/2 + alpha |l|)/(1 + alpha) on [-1, 1], linear beyond", (alpha) => {
    const K = solveVirtualType(uniform(-1, 1), alpha).inverseIntegralPieces!;
    for (let l = -1; l <= 1; l += 1 / 64)
      expect(Math.abs(K.at(l) - ((l * l) / 2 + alpha * Math.abs(l)) / (1 + alpha)), `l = ${l}`).toBeLessThan(1e-15);
    // v^{-1} is clamped to the support's ends beyond the range [-1, 1] of v.
    expect(K.at(2.5)).toBeCloseTo(K.at(1) + 1.5, 14);
    expect(K.at(-3)).toBeCloseTo(K.at(-1) + 2, 14);
  });

  test("no exact forms where v is not piecewise polynomial (normal law, alpha > 0)", () => {
    const vt = solveVirtualType(normal(0, 1), 0.5);
    expect(vt.vPieces).toBeUndefined();
    expect(vt.inverseIntegralPieces).toBeUndefined();
    expect(vt.standardized.vPieces).toBeUndefined();
  });

  test("Theorem 5's levels (flat level != E[v]) keep exact forms that match v and the tables", () => {
    const mech = solveHeterogeneous(
      [
        { dist: uniform(-1, 1), kappa: 1 },
        { dist: uniform(-0.5, 2), kappa: 2.5 },
        { dist: uniform(0, 1), kappa: 0.5 },
      ],
      0.6,
    );
    for (const vt of mech.traders) {
      const z = vt.standardized;
      expect(z.flatLevel).not.toBeCloseTo(z.meanVirtualType, 6);
      for (const e of pointsOf(vt))
        expect(Math.abs(vt.vPieces!.at(e) - vt.v(e))).toBeLessThanOrEqual(4 * Number.EPSILON * (Math.abs(e) + Math.abs(vt.v(e)) + 1));
      const K = inverseVirtualTypeIntegral(z);
      for (const l of pointsOf(z))
        expect(Math.abs(z.inverseIntegralPieces!.at(l) - K.evaluate(l)), `l = ${l}`).toBeLessThanOrEqual(
          1e-12 * (1 + Math.abs(K.evaluate(l))),
        );
    }
  });
});

import { describe, expect, test } from "vitest";
import { gaussKronrod21, gaussLegendreRule, integrate } from "./quadrature.ts";
import { NumericsError } from "./numericsError.ts";

describe("gaussKronrod21", () => {
  // The 21-point Kronrod rule is exact to degree 31 and its 10-point Gauss rule to degree 19;
  // a mistyped digit in any node or weight breaks one of these.
  test("Kronrod rule integrates x^k exactly for k <= 31", () => {
    for (let k = 0; k <= 31; k++) {
      const exact = k % 2 === 1 ? 0 : 2 / (k + 1);
      expect(Math.abs(gaussKronrod21((x) => x ** k, -1, 1).value - exact)).toBeLessThan(1e-15);
    }
  });
  test("embedded Gauss rule is exact to degree 19 and not 20", () => {
    for (let k = 0; k <= 19; k++) expect(gaussKronrod21((x) => x ** k, -1, 1).error).toBeLessThan(1e-15);
    expect(gaussKronrod21((x) => x ** 20, -1, 1).error).toBeGreaterThan(1e-8);
  });
});

describe("integrate", () => {
  test("finite, semi-infinite and infinite intervals to the stated tolerance", () => {
    expect(integrate(Math.exp, 0, 1).value).toBeCloseTo(Math.E - 1, 13);
    expect(integrate((x) => Math.exp(-x), 0, Infinity).value).toBeCloseTo(1, 12);
    expect(integrate((x) => Math.exp(-x * x), -Infinity, Infinity).value).toBeCloseTo(Math.sqrt(Math.PI), 12);
    expect(integrate((x) => Math.exp(x), -Infinity, 0).value).toBeCloseTo(1, 12);
    expect(integrate(Math.exp, 1, 0).value).toBeCloseTo(1 - Math.E, 13);
  });
  test("a kink is handled by subdivision", () => {
    const r = integrate((x) => Math.abs(x - 0.3), -1, 1);
    // Default target: relative 1e-11.
    expect(Math.abs(r.value - (1.3 * 1.3 + 0.7 * 0.7) / 2)).toBeLessThan(1.09e-11);
    expect(r.evaluations).toBeGreaterThan(21);
  });
  test("throws instead of returning an unconverged value", () => {
    expect(() => integrate((x) => Math.sin(1 / x) / x, 1e-9, 1, { maxSubdivisions: 20 })).toThrow(NumericsError);
    expect(() => integrate(() => Number.NaN, 0, 1)).toThrow(/not finite/);
  });
});

describe("Gauss-Legendre rules", () => {
  test("n points integrate x^k exactly on [-1, 1] for k <= 2n - 1 and not beyond; nodes ascend", () => {
    for (const n of [1, 2, 5, 10, 32]) {
      const { nodes, weights } = gaussLegendreRule(n);
      for (let i = 1; i < n; i++) expect(nodes[i]!).toBeGreaterThan(nodes[i - 1]!);
      for (let k = 0; k <= 2 * n - 1; k++) {
        let sum = 0;
        for (let i = 0; i < n; i++) sum += weights[i]! * nodes[i]! ** k;
        expect(sum, `n = ${n}, k = ${k}`).toBeCloseTo(k % 2 === 0 ? 2 / (k + 1) : 0, 13);
      }
      // Degree 2n is not exact (the error is visible for small n; for n = 32 it is below rounding).
      if (n <= 5) {
        let beyond = 0;
        for (let i = 0; i < n; i++) beyond += weights[i]! * nodes[i]! ** (2 * n);
        expect(Math.abs(beyond - 2 / (2 * n + 1))).toBeGreaterThan(1e-6);
      }
    }
  });
});

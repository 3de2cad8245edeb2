import { describe, expect, it, test } from "vitest";
import { brent, findRoot, findRootExpanding } from "./brent.ts";
import { NumericsError } from "./numericsError.ts";

describe("brent", () => {
  it("finds sqrt(2) to the default tolerance in a few iterations", () => {
    const r = brent((x) => 2 - x * x, 0, 2);
    expect(r.converged).toBe(true);
    expect(Math.abs(r.root - Math.SQRT2)).toBeLessThanOrEqual(1e-12 * Math.SQRT2);
    expect(r.iterations).toBeLessThan(15);
  });

  it("converges on a kinked monotone function (bisection fallback)", () => {
    const f = (x: number): number => (x < 1 ? 1 - x : 0.001 * (1 - x)) + 1e-4;
    const r = brent(f, -10, 10, { relativeTolerance: 1e-14 });
    expect(r.converged).toBe(true);
    expect(Math.abs(r.root - 1.1)).toBeLessThanOrEqual(1e-12);
  });

  it("returns a bracket end where f is 0 without iterating", () => {
    expect(brent((x) => x - 3, 3, 5)).toEqual({ root: 3, value: 0, iterations: 0, converged: true });
    expect(brent((x) => 3 - x, 0, 3, { fLo: 3, fHi: 0 }).root).toBe(3);
  });

  it("reports non-convergence when maxIterations runs out", () => {
    const r = brent((x) => Math.cbrt(x - 0.3), -1, 1, { maxIterations: 2, relativeTolerance: 0, absoluteTolerance: 0 });
    expect(r.converged).toBe(false);
    expect(r.iterations).toBe(2);
  });

  it("reports NaN inside the bracket as non-convergence", () => {
    const r = brent((x) => (x === -1 || x === 1 ? x : Number.NaN), -1, 1);
    expect(r.converged).toBe(false);
    expect(r.value).toBeNaN();
  });

  it("throws RangeError without a sign change, on NaN ends or bad options", () => {
    expect(() => brent((x) => x * x + 1, -1, 1)).toThrow(RangeError);
    expect(() => brent(() => Number.NaN, -1, 1)).toThrow(RangeError);
    expect(() => brent((x) => x, -1, 1, { relativeTolerance: -1 })).toThrow(RangeError);
    expect(() => brent((x) => x, -1, 1, { absoluteTolerance: Number.NaN })).toThrow(RangeError);
    expect(() => brent((x) => x, -1, 1, { maxIterations: 0 })).toThrow(RangeError);
    expect(() => brent((x) => x * x + 1, -1, 1)).toThrow(NumericsError);
  });
});

describe("findRoot", () => {
  test("locates roots to the stated tolerance", () => {
    expect(findRoot((x) => x * x - 2, 0, 2)).toBeCloseTo(Math.SQRT2, 14);
    expect(findRoot((x) => Math.cos(x) - x, 0, 1)).toBeCloseTo(0.7390851332151607, 14);
    expect(findRoot((x) => x ** 3, -1, 2, { absoluteTolerance: 1e-12 })).toBeCloseTo(0, 4);
  });
  test("an infinite value at a bracket end falls back to bisection", () => {
    expect(findRoot((x) => (x > 5 ? Infinity : x - 1), 0, 10)).toBeCloseTo(1, 13);
  });
  test("rejects a bracket without a sign change", () => {
    expect(() => findRoot((x) => x * x + 1, -1, 1)).toThrow(NumericsError);
  });
  test("throws where brent reports non-convergence: too few iterations, NaN inside the bracket", () => {
    expect(() => findRoot((x) => Math.cbrt(x - 0.3), -1, 1, { maxIterations: 2, absoluteTolerance: 0 })).toThrow(
      /no convergence in 2 iterations/,
    );
    expect(() => findRoot((x) => (x === -1 || x === 1 ? x : Number.NaN), -1, 1)).toThrow(NumericsError);
  });
  test("agrees with brent bit for bit", () => {
    const f = (x: number) => Math.exp(x) - 3 * x;
    expect(findRoot(f, 0, 1, { relativeTolerance: 1e-9 })).toBe(brent(f, 0, 1, { relativeTolerance: 1e-9 }).root);
  });
  test("findRootExpanding widens the bracket and respects bounds", () => {
    expect(findRootExpanding((x) => x - 1000, 0, 1)).toBeCloseTo(1000, 10);
    expect(() => findRootExpanding((x) => x - 1000, 0, 1, -10, 10)).toThrow(/no sign change/);
    expect(() => findRootExpanding((x) => x - 1000, 0, 1, -10, 10)).toThrow(NumericsError);
  });
  test("findRootExpanding evaluates the final bracket's ends once", () => {
    const seen = new Map<number, number>();
    const root = findRootExpanding(
      (x) => {
        seen.set(x, (seen.get(x) ?? 0) + 1);
        return x - 1000;
      },
      0,
      1,
    );
    expect(root).toBeCloseTo(1000, 10);
    expect(Math.max(...seen.values())).toBe(1);
  });
});

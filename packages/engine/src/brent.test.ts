import { describe, expect, it } from "vitest";
import { brent } from "./brent.ts";

describe("brent", () => {
  it("finds sqrt(2) to the default relative tolerance in a few iterations", () => {
    const r = brent((x) => 2 - x * x, 0, 2);
    expect(r.converged).toBe(true);
    expect(Math.abs(r.root - Math.SQRT2)).toBeLessThanOrEqual(1e-12 * Math.SQRT2);
    expect(r.iterations).toBeLessThan(15);
  });

  it("converges on a kinked monotone function (bisection fallback)", () => {
    const f = (x: number): number => (x < 1 ? 1 - x : 0.001 * (1 - x)) + 1e-4;
    const r = brent(f, -10, 10, { tolerance: 1e-14 });
    expect(r.converged).toBe(true);
    expect(Math.abs(r.root - 1.1)).toBeLessThanOrEqual(1e-12);
  });

  it("returns a bracket end where f is 0 without iterating", () => {
    expect(brent((x) => x - 3, 3, 5)).toEqual({ root: 3, value: 0, iterations: 0, converged: true });
    expect(brent((x) => 3 - x, 0, 3, { fLo: 3, fHi: 0 }).root).toBe(3);
  });

  it("reports non-convergence when maxIterations runs out", () => {
    const r = brent((x) => Math.cbrt(x - 0.3), -1, 1, { maxIterations: 2, tolerance: 0 });
    expect(r.converged).toBe(false);
    expect(r.iterations).toBe(2);
  });

  it("throws RangeError without a sign change, on NaN ends or bad options", () => {
    expect(() => brent((x) => x * x + 1, -1, 1)).toThrow(RangeError);
    expect(() => brent(() => Number.NaN, -1, 1)).toThrow(RangeError);
    expect(() => brent((x) => x, -1, 1, { tolerance: -1 })).toThrow(RangeError);
    expect(() => brent((x) => x, -1, 1, { maxIterations: 0 })).toThrow(RangeError);
  });
});

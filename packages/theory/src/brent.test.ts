import { describe, expect, test } from "vitest";
import { findRoot, findRootExpanding } from "./brent.ts";
import { TheoryError } from "./theoryError.ts";

describe("findRoot", () => {
  test("locates roots to the stated tolerance", () => {
    expect(findRoot((x) => x * x - 2, 0, 2)).toBeCloseTo(Math.SQRT2, 14);
    expect(findRoot((x) => Math.cos(x) - x, 0, 1)).toBeCloseTo(0.7390851332151607, 14);
    expect(findRoot((x) => x ** 3, -1, 2, { tolerance: 1e-12 })).toBeCloseTo(0, 4);
  });
  test("an infinite value at a bracket end falls back to bisection", () => {
    expect(findRoot((x) => (x > 5 ? Infinity : x - 1), 0, 10)).toBeCloseTo(1, 13);
  });
  test("rejects a bracket without a sign change", () => {
    expect(() => findRoot((x) => x * x + 1, -1, 1)).toThrow(TheoryError);
  });
  test("findRootExpanding widens the bracket and respects bounds", () => {
    expect(findRootExpanding((x) => x - 1000, 0, 1)).toBeCloseTo(1000, 10);
    expect(() => findRootExpanding((x) => x - 1000, 0, 1, -10, 10)).toThrow(/no sign change/);
  });
});

describe("maximize", () => {
  test("finds smooth and kinked maxima", async () => {
    const { maximize } = await import("./maximize.ts");
    expect(maximize((x) => -((x - 1) ** 2), -3, 3).x).toBeCloseTo(1, 7);
    expect(maximize((x) => -Math.abs(x - 0.3) - 0.1 * x * x, -2, 2).x).toBeCloseTo(0.3, 9);
    expect(maximize(Math.sin, 0, 3).value).toBeCloseTo(1, 14);
  });
});

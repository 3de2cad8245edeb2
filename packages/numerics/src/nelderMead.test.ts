import { describe, expect, test } from "vitest";
import { bestFirst, nelderMead } from "./nelderMead.ts";

describe("nelderMead", () => {
  test("Nelder-Mead finds the maximum of a smooth and of a kinked concave function", () => {
    const smooth = nelderMead((x) => -((x[0]! - 1) ** 2) - 3 * (x[1]! + 2) ** 2 - (x[0]! - 1) * (x[1]! + 2), [5, 5], 1, 1e-12);
    expect(smooth.x[0]!).toBeCloseTo(1, 10);
    expect(smooth.x[1]!).toBeCloseTo(-2, 10);
    const cone = nelderMead((x) => -Math.hypot(x[0]! - 0.3, x[1]!, x[2]! + 0.1) - 0.1 * x[0]! ** 2, [2, -1, 1], 0.5, 1e-12);
    expect(cone.value).toBeGreaterThan(-0.1 * 0.09 - 1e-10);
  });

  test("a NaN value (failed evaluation) never wins", () => {
    const r = nelderMead((x) => (x[0]! > 2 ? Number.NaN : -((x[0]! - 1) ** 2)), [0], 1, 1e-12);
    expect(r.x[0]!).toBeCloseTo(1, 10);
    expect(r.value).not.toBeNaN();
  });

  test("bestFirst sorts higher values first and NaN last", () => {
    const sorted = [{ value: 1 }, { value: Number.NaN }, { value: 3 }, { value: -2 }].sort(bestFirst).map((p) => p.value);
    expect(sorted).toEqual([3, 1, -2, Number.NaN]);
  });
});

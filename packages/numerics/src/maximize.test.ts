import { describe, expect, test } from "vitest";
import { maximize } from "./maximize.ts";

describe("maximize", () => {
  test("finds smooth and kinked maxima", () => {
    expect(maximize((x) => -((x - 1) ** 2), -3, 3).x).toBeCloseTo(1, 7);
    expect(maximize((x) => -Math.abs(x - 0.3) - 0.1 * x * x, -2, 2).x).toBeCloseTo(0.3, 9);
    expect(maximize(Math.sin, 0, 3).value).toBeCloseTo(1, 14);
  });
});

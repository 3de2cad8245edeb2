import { findRoot, integrate, NumericsError } from "@optex/numerics";
import { describe, expect, test } from "vitest";
import { TheoryError } from "./theoryError.ts";

describe("TheoryError", () => {
  test("root finding and quadrature failures inside the theory are TheoryErrors", () => {
    expect(() => findRoot((x) => x * x + 1, -1, 1)).toThrow(TheoryError);
    expect(() => integrate((x) => Math.sin(1 / x) / x, 1e-9, 1, { maxSubdivisions: 20 })).toThrow(TheoryError);
  });
  test("is still an ordinary Error class: its own instances, not other errors", () => {
    const e = new TheoryError("bad");
    expect(e).toBeInstanceOf(TheoryError);
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe("TheoryError");
    expect(new RangeError("x") instanceof TheoryError).toBe(false);
    expect(new Error("x") instanceof TheoryError).toBe(false);
    expect(new NumericsError("x") instanceof TheoryError).toBe(true);
    expect(e instanceof NumericsError).toBe(false);
  });
});

import { describe, expect, it } from "vitest";
import { isNegligible, NEGLIGIBLE_RELATIVE } from "./isNegligible.ts";

describe("isNegligible", () => {
  it("accepts a rounding residue and rejects a real difference", () => {
    expect(isNegligible(0.1 + 0.2 - 0.3, 0.6)).toBe(true);
    expect(isNegligible(0, 0)).toBe(true);
    expect(isNegligible(1e-3, 1)).toBe(false);
    expect(isNegligible(NEGLIGIBLE_RELATIVE, 1)).toBe(true);
  });

  it("is false for non-finite input: an overflow is not a zero", () => {
    expect(isNegligible(Infinity, Infinity)).toBe(false);
    expect(isNegligible(-Infinity, Infinity)).toBe(false);
    expect(isNegligible(1, Infinity)).toBe(false);
    expect(isNegligible(0, Number.NaN)).toBe(false);
    expect(isNegligible(Number.NaN, 1)).toBe(false);
  });
});

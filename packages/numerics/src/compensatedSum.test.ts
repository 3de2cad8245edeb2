import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CompensatedAdder, compensatedSum } from "./compensatedSum.ts";

const naiveSum = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0);

describe("compensatedSum", () => {
  it("recovers what naive summation loses to catastrophic cancellation", () => {
    const xs = [1e16, 1, -1e16];
    expect(naiveSum(xs)).toBe(0);
    expect(compensatedSum(xs)).toBe(1);
  });

  it("handles a large term arriving after a small one (Neumaier, where Kahan fails)", () => {
    expect(compensatedSum([1, 1e100, 1, -1e100])).toBe(2);
  });

  it("sums typed arrays and keeps an overflow infinite instead of NaN", () => {
    expect(compensatedSum(new Float64Array([1e16, 1, -1e16]))).toBe(1);
    expect(compensatedSum([1e308, 1e308, 1])).toBe(Infinity);
    expect(compensatedSum([])).toBe(0);
  });

  it("is exact on integers that overflow the 53-bit mantissa in naive order", () => {
    // 2^53 + 1 + 1 - 2^53 = 2 exactly; naive summation drops both ones.
    const xs = [2 ** 53, 1, 1, -(2 ** 53)];
    expect(naiveSum(xs)).toBe(0);
    expect(compensatedSum(xs)).toBe(2);
  });
});

describe("CompensatedAdder", () => {
  it("beats naive summation on [1e16, 1, -1e16]", () => {
    const adder = new CompensatedAdder();
    for (const x of [1e16, 1, -1e16]) adder.add(x);
    expect(adder.value).toBe(1);
    adder.reset();
    expect(adder.value).toBe(0);
    adder.add(3);
    expect(adder.value).toBe(3);
  });

  it("agrees with compensatedSum term by term", () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -1e12, max: 1e12, noNaN: true }), { maxLength: 50 }), (xs) => {
        const adder = new CompensatedAdder();
        for (const x of xs) adder.add(x);
        expect(adder.value).toBe(compensatedSum(xs));
      }),
      { seed: 42, numRuns: 200 },
    );
  });

  it("stays within Neumaier's error bound of the exact sum (terms m * 2^k summed exactly with BigInt)", () => {
    const term = fc.tuple(fc.integer({ min: -(2 ** 30), max: 2 ** 30 }), fc.integer({ min: -30, max: 30 }));
    fc.assert(
      fc.property(fc.array(term, { minLength: 1, maxLength: 60 }), (terms) => {
        const xs = terms.map(([m, k]) => m * 2 ** k);
        // m * 2^(k + 30) is an integer: the exact sum, rounded once, then scaled back exactly.
        const exact = Number(terms.reduce((s, [m, k]) => s + BigInt(m) * 2n ** BigInt(k + 30), 0n)) * 2 ** -30;
        const absolute = xs.reduce((s, x) => s + Math.abs(x), 0);
        const bound = Number.EPSILON * Math.abs(exact) + 4 * xs.length * Number.EPSILON ** 2 * absolute;
        expect(Math.abs(compensatedSum(xs) - exact)).toBeLessThanOrEqual(bound);
      }),
      { seed: 42, numRuns: 300 },
    );
  });
});

import { compensatedSum } from "@optex/numerics";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { clear } from "./clear.ts";
import { piecewiseLinearSchedule } from "./demandSchedule.ts";
import { clearLinearBook, createLinearBook, linearBookFailure } from "./linearBook.ts";
import type { LinearBook } from "./linearBook.ts";

function bookOf(intercepts: readonly number[], slopes: readonly number[]): LinearBook {
  const book = createLinearBook(intercepts.length);
  book.intercepts.set(intercepts);
  book.slopes.set(slopes);
  return book;
}

/** x = m / 2^k exactly (m, k BigInt, k >= 0), for a finite double x. */
function exactDyadic(x: number): [bigint, bigint] {
  let k = 0;
  while (!Number.isInteger(x * 2 ** k)) k++;
  return [BigInt(x * 2 ** k), BigInt(k)];
}

const trader = fc.record({
  intercept: fc.double({ min: -100, max: 100, noNaN: true }),
  slope: fc.double({ min: 0.01, max: 10, noNaN: true }),
});

describe("clearLinearBook", () => {
  it("gives the closed-form price sum(a) / sum(b) and q_i = a_i - b_i p", () => {
    const book = bookOf([2, -1, 5], [1, 2, 1]);
    const q = new Float64Array(3);
    const p = clearLinearBook(book, q);
    expect(p).toBe(1.5);
    expect(Array.from(q)).toEqual([0.5, -4, 3.5]);
    expect(linearBookFailure(book)).toBeNull();
  });

  it("gives the correctly rounded price on integer books (exact BigInt arithmetic) and balances the trades", () => {
    const integerTrader = fc.record({
      intercept: fc.integer({ min: -1_000_000, max: 1_000_000 }),
      slope: fc.integer({ min: 1, max: 1000 }),
    });
    fc.assert(
      fc.property(fc.array(integerTrader, { minLength: 1, maxLength: 40 }), (traders) => {
        const book = bookOf(
          traders.map((t) => t.intercept),
          traders.map((t) => t.slope),
        );
        const q = new Float64Array(traders.length);
        const p = clearLinearBook(book, q);
        // The exact price is A / B; p = P / 2^k and ulp(p) = U / 2^kU exactly.
        // |p - A/B| <= ulp(p) / 2 means 2 |P B - A 2^k| 2^kU <= U B 2^k.
        const A = traders.reduce((s, t) => s + BigInt(t.intercept), 0n);
        const B = traders.reduce((s, t) => s + BigInt(t.slope), 0n);
        const [P, k] = exactDyadic(p);
        const error = P * B - A * 2n ** k;
        const [U, kU] = exactDyadic(p === 0 ? 0 : 2 ** (Math.floor(Math.log2(Math.abs(p))) - 52));
        expect(2n * (error < 0n ? -error : error) * 2n ** kU <= U * B * 2n ** k).toBe(true);
        // The trades balance: their exact (BigInt) sum is what the rounding of p (sum of
        // slopes * ulp(p) / 2) and of each a_i - b_i p (eps (|a_i| + |b_i p|)) allow.
        let k2 = 0n;
        const dyadic = Array.from(q, (x) => exactDyadic(x));
        for (const [, e] of dyadic) if (e > k2) k2 = e;
        const sum = dyadic.reduce((s, [m, e]) => s + m * 2n ** (k2 - e), 0n);
        const allowed = traders.reduce(
          (s, t) => s + t.slope * (Number(U) / 2 ** Number(kU)) + 2 * Number.EPSILON * (Math.abs(t.intercept) + Math.abs(t.slope * p)),
          0,
        );
        expect(Math.abs(Number(sum) / 2 ** Number(k2))).toBeLessThanOrEqual(allowed);
        // Each q_i is the schedule at the exact price: a_i - b_i p moved along its slope by
        // at most the rounding of p and of all the terms, over the sum of slopes.
        const ulp = Number(U) / 2 ** Number(kU);
        const terms = traders.reduce((s, t) => s + Math.abs(t.intercept) + Math.abs(t.slope * p), 0);
        for (let i = 0; i < traders.length; i++) {
          const { intercept: a, slope: b } = traders[i];
          const shift = b * (ulp + (2 * Number.EPSILON * terms) / Number(B));
          expect(Math.abs(q[i] - (a - b * p))).toBeLessThanOrEqual(shift + 2 * Number.EPSILON * (Math.abs(a) + Math.abs(b * p)));
        }
      }),
      { seed: 42, numRuns: 300 },
    );
  });

  it("agrees with the piecewise path on the same lines (two breakpoints, matching tails)", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(trader, fc.double({ min: -50, max: 50, noNaN: true })), { minLength: 1, maxLength: 40 }), (rows) => {
        const book = bookOf(
          rows.map(([t]) => t.intercept),
          rows.map(([t]) => t.slope),
        );
        const q = new Float64Array(rows.length);
        const p = clearLinearBook(book, q);
        const piecewise = clear(
          rows.map(([t, from]) => {
            const ps = [from, from + 1];
            return piecewiseLinearSchedule(
              ps,
              ps.map((x) => t.intercept - t.slope * x),
              {
                lower: t.slope,
                upper: t.slope,
              },
            );
          }),
        );
        if (piecewise.status !== "cleared") throw new Error(piecewise.reason);
        const scale = 1 + compensatedSum(q.map(Math.abs));
        expect(Math.abs(p - piecewise.price)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(p)));
        for (let i = 0; i < rows.length; i++) expect(Math.abs(q[i] - piecewise.quantities[i])).toBeLessThanOrEqual(1e-11 * scale);
        expect(Math.abs(compensatedSum(q))).toBeLessThanOrEqual(1e-12 * scale);
      }),
      { seed: 42, numRuns: 300 },
    );
  });

  it("does not modify the book's arrays", () => {
    const book = bookOf([1, 2, -4], [1, 1, 2]);
    clearLinearBook(book, new Float64Array(3));
    expect(Array.from(book.intercepts)).toEqual([1, 2, -4]);
    expect(Array.from(book.slopes)).toEqual([1, 1, 2]);
  });

  it("returns NaN, writes zeros and reports invalid for a NaN or negative slope", () => {
    const q = new Float64Array([7, 7, 7]);
    const book = bookOf([1, 2, -3], [1, Number.NaN, 1]);
    expect(clearLinearBook(book, q)).toBeNaN();
    expect(Array.from(q)).toEqual([0, 0, 0]);
    expect(linearBookFailure(book)).toEqual({
      status: "invalid",
      reason: "trader 1: slope must be a finite number >= 0, got NaN",
    });
    book.slopes[1] = -2;
    expect(clearLinearBook(book, q)).toBeNaN();
    expect(linearBookFailure(book)?.reason).toBe("trader 1: slope must be a finite number >= 0, got -2");
    book.slopes[1] = 1;
    book.intercepts[2] = Infinity;
    expect(clearLinearBook(book, q)).toBeNaN();
    expect(linearBookFailure(book)?.reason).toBe("trader 2: intercept must be a finite number, got Infinity");
  });

  it("reports no-price and non-unique-price when every slope is 0, and forgets failures after a success", () => {
    const q = new Float64Array(2);
    const book = bookOf([1, 1], [0, 0]);
    expect(clearLinearBook(book, q)).toBeNaN();
    expect(linearBookFailure(book)?.status).toBe("no-price");
    book.intercepts[1] = -1;
    expect(clearLinearBook(book, q)).toBeNaN();
    expect(linearBookFailure(book)?.status).toBe("non-unique-price");
    book.slopes[0] = 1;
    expect(clearLinearBook(book, q)).toBe(0);
    expect(linearBookFailure(book)).toBeNull();
  });

  it("treats a rounding residue of the intercepts as 0 (0.1 + 0.2 - 0.3)", () => {
    const book = bookOf([0.1, 0.2, -0.3], [0, 0, 0]);
    expect(clearLinearBook(book, new Float64Array(3))).toBeNaN();
    expect(linearBookFailure(book)?.status).toBe("non-unique-price");
  });

  it("works on books not made by createLinearBook and reports nothing before the first clear", () => {
    const book: LinearBook = { size: 2, intercepts: new Float64Array([1, -3]), slopes: new Float64Array([1, 1]) };
    expect(linearBookFailure(book)).toBeNull();
    expect(clearLinearBook(book, new Float64Array(2))).toBe(-1);
  });

  it("throws RangeError on a bad size or a short output array", () => {
    expect(() => createLinearBook(-1)).toThrow(RangeError);
    expect(() => createLinearBook(1.5)).toThrow(RangeError);
    expect(() => clearLinearBook(createLinearBook(3), new Float64Array(2))).toThrow(RangeError);
  });
});

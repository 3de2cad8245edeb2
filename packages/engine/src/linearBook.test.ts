import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { clear } from "./clear.ts";
import { compensatedSum } from "./compensatedSum.ts";
import { linearSchedule } from "./demandSchedule.ts";
import { clearLinearBook, createLinearBook, linearBookFailure } from "./linearBook.ts";
import type { LinearBook } from "./linearBook.ts";

function bookOf(intercepts: readonly number[], slopes: readonly number[]): LinearBook {
  const book = createLinearBook(intercepts.length);
  book.intercepts.set(intercepts);
  book.slopes.set(slopes);
  return book;
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

  it("agrees with clear() to the bit on random books and balances the trades", () => {
    fc.assert(
      fc.property(fc.array(trader, { minLength: 1, maxLength: 40 }), (traders) => {
        const book = bookOf(
          traders.map((t) => t.intercept),
          traders.map((t) => t.slope),
        );
        const q = new Float64Array(traders.length);
        const p = clearLinearBook(book, q);
        const r = clear(traders.map((t) => linearSchedule(t.intercept, t.slope)));
        if (r.status !== "cleared") throw new Error(r.reason);
        expect(p).toBe(r.price);
        expect(q).toEqual(r.quantities);
        const scale = 1 + compensatedSum(q.map(Math.abs));
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

import { compensatedSum } from "@optex/numerics";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { clear } from "./clear.ts";
import type { ClearingResult } from "./clearingResult.ts";
import { evaluateSchedule, fnSchedule, linearSchedule, piecewiseLinearSchedule, ScheduleError } from "./demandSchedule.ts";
import { noFee } from "./feeSchedule.ts";
import { clearLinearBook, createLinearBook, linearBookFailure } from "./linearBook.ts";
import { settle } from "./settle.ts";

type Cleared = Extract<ClearingResult, { status: "cleared" }>;

function cleared(r: ClearingResult): Cleared {
  if (r.status !== "cleared") throw new Error(`expected cleared, got ${r.status}: ${r.reason}`);
  return r;
}

function failed(r: ClearingResult, status: "no-price" | "non-unique-price" | "invalid"): string {
  if (r.status === "cleared") throw new Error(`expected ${status}, got cleared at ${r.price}`);
  expect(r.status).toBe(status);
  expect(r.reason).not.toContain("\n");
  return r.reason;
}

describe("clear: aggregate overflow (fn path)", () => {
  it("reports an aggregate that overflows as invalid with a clear reason, not as D = 0", () => {
    const r = clear([fnSchedule(() => 1e308), fnSchedule(() => 1e308), fnSchedule((p) => -p)]);
    expect(failed(r, "invalid")).toContain("aggregate excess demand overflows at p = 0");
  });

  it("says that a zero set found at the resolution limit is zero to machine precision", () => {
    // 1 - p^3 rounds to exactly 1 for |p| <= 1e-6: a resolution limit, reported as such.
    const r = clear([fnSchedule((p) => 1 - p ** 3), linearSchedule(-1, 0)]);
    expect(failed(r, "non-unique-price")).toContain("0 to machine precision on [-0.000001, 0.000001]");
  });
});

describe("clear: negligibility is judged on the terms actually summed", () => {
  it("does not mistake a real excess demand for 0 next to large inactive breakpoints", () => {
    // At p = 0 the piecewise schedule is exactly 0 and D = 0.01; the unique price is 10.
    const schedules = [piecewiseLinearSchedule([-10, 0, 100, 110], [1e12, 0, 0, -1e12]), linearSchedule(0.01, 0.001)];
    const r = cleared(clear(schedules));
    expect(Math.abs(r.price - 10)).toBeLessThanOrEqual(1e-12);
    expect(Math.abs(r.quantities[1])).toBeLessThanOrEqual(1e-15);
    expect(Math.abs(r.imbalance)).toBeLessThanOrEqual(1e-15);
    expect(compensatedSum(schedules.map((s) => evaluateSchedule(s, 0)))).toBe(0.01);
  });

  it("holds a compensated sum of exact intercepts to the tight bound: 1e12 - 1e12 + 0.01 is not 0", () => {
    const lines = [linearSchedule(1e12, 0), linearSchedule(-1e12, 0), linearSchedule(0.01, 0)];
    expect(failed(clear(lines), "no-price")).toContain("sum to 0.01");
    const book = createLinearBook(3);
    book.intercepts.set([1e12, -1e12, 0.01]);
    expect(clearLinearBook(book, new Float64Array(3))).toBeNaN();
    expect(linearBookFailure(book)?.status).toBe("no-price");
    // The same flat book with one piecewise schedule takes the exact path and agrees.
    failed(clear([piecewiseLinearSchedule([0], [1e12]), lines[1], lines[2]]), "no-price");
    // A representation residue still counts as 0, on both paths.
    failed(clear([linearSchedule(0.1, 0), linearSchedule(0.2, 0), linearSchedule(-0.3, 0)]), "non-unique-price");
    failed(clear([piecewiseLinearSchedule([0], [0.1]), linearSchedule(0.2, 0), linearSchedule(-0.3, 0)]), "non-unique-price");
  });
});

/** The exchange property as settle() checks it, and imbalance = compensated sum of the quantities. */
function expectBalanced(r: Cleared, tol = 1e-9): void {
  expect(r.imbalance).toBe(compensatedSum(r.quantities));
  expect(Math.abs(r.imbalance)).toBeLessThanOrEqual(tol * (1 + compensatedSum(r.quantities.map(Math.abs))));
}

describe("clear: steep pieces stay balanced (quantities interpolated with the price's t)", () => {
  it("balances a limit-order-like book for every gap and offset, and settle() accepts it", () => {
    for (const gap of [1e-8, 1e-10, 1e-12]) {
      for (let k = 0; k <= 270; k += 3) {
        const p0 = 100 + k / 100;
        const schedules = [piecewiseLinearSchedule([p0, p0 + gap], [5, 0]), linearSchedule(-2.5 + 0.01 * p0, 0.01)];
        const r = cleared(clear(schedules));
        expect(r.price).toBeGreaterThanOrEqual(p0);
        expect(r.price).toBeLessThanOrEqual(p0 + gap);
        expect(Math.abs(r.imbalance)).toBeLessThanOrEqual(1e-14);
        expect(settle(r, 2, noFee).status).toBe("cleared");
      }
    }
  });

  it("balances a near-vertical piece against a flat book", () => {
    const r = cleared(clear([piecewiseLinearSchedule([100, 100 + 1e-13], [5, -5]), linearSchedule(0, 0)]));
    expect(r.price).toBeGreaterThanOrEqual(100);
    expect(r.price).toBeLessThanOrEqual(100 + 1e-13);
    expect(Math.abs(r.imbalance)).toBeLessThanOrEqual(1e-15);
    // Cancellation inside a steep piece (1e12 - 2e12 t) is spread within its rounding.
    const s = cleared(clear([piecewiseLinearSchedule([0, 1], [1e12, -1e12]), linearSchedule(0.3, 0)]));
    expect(Math.abs(s.quantities[0] + 0.3)).toBeLessThanOrEqual(1e-3);
    expect(s.quantities[1]).toBe(0.3);
    expectBalanced(s, 1e-15);
  });

  it("balances random books with steep pieces and steep or shallow tails (fast-check, fixed seed)", () => {
    const schedule = fc
      .record({
        start: fc.double({ min: -20, max: 20, noNaN: true }),
        gaps: fc.array(fc.oneof(fc.double({ min: 0.01, max: 5, noNaN: true }), fc.constantFrom(1e-8, 1e-10, 1e-13)), {
          maxLength: 5,
        }),
        top: fc.double({ min: -30, max: 30, noNaN: true }),
        drops: fc.array(fc.double({ min: 0, max: 5, noNaN: true }), { minLength: 5, maxLength: 5 }),
        tails: fc.tuple(fc.constantFrom(0, 1e-9, 0.5, 1e9), fc.constantFrom(0, 1e-9, 0.5, 1e9)),
      })
      .map(({ start, gaps, top, drops, tails: [lower, upper] }) => {
        const prices = [100 + start];
        const quantities = [top];
        gaps.forEach((g, j) => {
          prices.push(prices[j] + g);
          quantities.push(quantities[j] - drops[j]);
        });
        return piecewiseLinearSchedule(prices, quantities, { lower, upper });
      });
    fc.assert(
      fc.property(fc.array(schedule, { minLength: 1, maxLength: 12 }), (schedules) => {
        const r = clear(schedules);
        expect(r.status).not.toBe("invalid");
        if (r.status === "cleared") expectBalanced(r, 1e-15);
      }),
      { seed: 42, numRuns: 400 },
    );
  });
});

describe("clear: the piecewise path returns cleared only for a valid result", () => {
  it("reports no-price, like the linear path, when the zero is beyond the largest finite price", () => {
    const reason = failed(clear([linearSchedule(1e300, 1e-10), piecewiseLinearSchedule([0], [0])]), "no-price");
    expect(reason).toContain("not finite");
    failed(clear([linearSchedule(1e300, 1e-10), linearSchedule(0, 0)]), "no-price");
  });

  it("balances a zero far out in a shallow tail, and next to a breakpoint in a steep one", () => {
    // q(p) = 1 - 1e-300 p is 0 at p = 1e300: a representable price.
    const far = cleared(clear([piecewiseLinearSchedule([0], [1], { upper: 1e-300 })]));
    expect(Math.abs(far.price - 1e300)).toBeLessThanOrEqual(1e286);
    expect(Math.abs(far.imbalance)).toBeLessThanOrEqual(1e-15);
    const steep = cleared(clear([piecewiseLinearSchedule([1e10], [0], { lower: 1e300, upper: 1e300 }), linearSchedule(1, 0)]));
    expect(steep.price).toBe(1e10);
    expect(Array.from(steep.quantities)).toEqual([-1, 1]);
    const below = cleared(clear([piecewiseLinearSchedule([-1e10], [0], { lower: 1e300, upper: 1e300 }), linearSchedule(-1, 0)]));
    expect(below.price).toBe(-1e10);
    expect(Array.from(below.quantities)).toEqual([1, -1]);
  });

  it("rejects at construction a piece whose slope overflows, naming the fields", () => {
    expect(() => piecewiseLinearSchedule([0, 5e-324], [1, -1])).toThrow(ScheduleError);
    expect(() => piecewiseLinearSchedule([0, 5e-324], [1, -1])).toThrow(
      "slope (quantities[1] - quantities[0]) / (prices[1] - prices[0]) must be finite, got -2 / 5e-324",
    );
    expect(() => piecewiseLinearSchedule([-1e308, 1e308], [1e308, -1e308])).toThrow(
      "slope (quantities[1] - quantities[0]) / (prices[1] - prices[0]) must be finite, got -Infinity / Infinity",
    );
    // The same schedule as a literal is invalid, not non-unique on [-Infinity, -1e308].
    const literal = {
      kind: "piecewiseLinear",
      prices: [-1e308, 1e308],
      quantities: [1e308, -1e308],
      lowerTailSlope: 0,
      upperTailSlope: 0,
    } as const;
    expect(failed(clear([literal]), "invalid")).toContain("trader 0: slope");
  });

  it("reports an aggregate that overflows at a breakpoint as invalid", () => {
    const r = clear([piecewiseLinearSchedule([0], [1e308]), piecewiseLinearSchedule([0], [1e308]), linearSchedule(0, 1)]);
    expect(failed(r, "invalid")).toContain("aggregate excess demand overflows at p = 0");
  });
});

describe("clear: balanced at non-unit scales (prices near 1e6 and 1e-6, quantities near 1e9 and 1e-9)", () => {
  const scales = [
    [1e6, 1e9],
    [1e6, 1e-9],
    [1e-6, 1e9],
    [1e-6, 1e-9],
  ] as const;
  // A book around price P with quantities of order Q: trader i wants q_i(p) = Q (c_i - s_i (p / P - 1)).
  const row = fc.record({
    c: fc.double({ min: -10, max: 10, noNaN: true }),
    s: fc.double({ min: 0.01, max: 10, noNaN: true }),
    from: fc.double({ min: -0.5, max: 0.5, noNaN: true }),
    width: fc.double({ min: 1e-9, max: 0.5, noNaN: true }),
  });

  it.each(scales)("P = %s, Q = %s: linear and piecewise books clear with settle()'s exchange property", (P, Q) => {
    fc.assert(
      fc.property(fc.array(row, { minLength: 2, maxLength: 20 }), (rows) => {
        const linear = rows.map((r) => linearSchedule(Q * (r.c + r.s), (Q / P) * r.s));
        const piecewise = rows.map((r) => {
          // Two breakpoints near P (possibly very close together: a steep piece), matching tails.
          const ps = [P * (1 + r.from), P * (1 + r.from + r.width)];
          const qs = ps.map((p) => evaluateSchedule(linear[rows.indexOf(r)], p));
          return piecewiseLinearSchedule(ps, [qs[0], Math.min(qs[0], qs[1])], {
            lower: (Q / P) * r.s,
            upper: (Q / P) * r.s,
          });
        });
        for (const book of [linear, piecewise]) {
          const r = cleared(clear(book));
          expectBalanced(r, 1e-9);
          expect(settle(r, book.length, noFee).status).toBe("cleared");
          // Balanced to rounding relative to the terms of the trades (intercepts and slope * p).
          const terms = compensatedSum(rows.map((x) => Q * (Math.abs(x.c + x.s) + x.s * (r.price / P))));
          expect(Math.abs(r.imbalance)).toBeLessThanOrEqual(8 * Number.EPSILON * terms);
        }
        // The numerical path (a price within its tolerance, not a balance guarantee) finds the same price.
        const fn = cleared(clear(linear.map((s) => fnSchedule((p) => evaluateSchedule(s, p)))));
        const closed = cleared(clear(linear));
        expect(Math.abs(fn.price - closed.price)).toBeLessThanOrEqual(1e-9 * P);
      }),
      { seed: 42, numRuns: 60 },
    );
  });

  it.each(scales)("P = %s, Q = %s: a limit-order-like book (a steep piece) stays balanced", (P, Q) => {
    for (const gap of [1e-6, 1e-10, 1e-13]) {
      for (let k = 0; k < 50; k++) {
        const p0 = P * (1 + k / 37);
        const book = [
          piecewiseLinearSchedule([p0, p0 * (1 + gap)], [5 * Q, 0]),
          linearSchedule(Q * (-2.5 + 0.01 * (p0 / P)), (0.01 * Q) / P),
        ];
        const r = cleared(clear(book));
        const size = compensatedSum(r.quantities.map(Math.abs));
        expect(Math.abs(r.imbalance)).toBeLessThanOrEqual(1e-14 * size);
        expect(settle(r, 2, noFee).status).toBe("cleared");
      }
    }
  });
});

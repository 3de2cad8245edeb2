import { compensatedSum } from "@optex/numerics";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { clear } from "./clear.ts";
import type { ClearingResult } from "./clearingResult.ts";
import { evaluateSchedule, fnSchedule, linearSchedule, piecewiseLinearSchedule } from "./demandSchedule.ts";
import type { DemandSchedule } from "./demandSchedule.ts";

type Cleared = Extract<ClearingResult, { status: "cleared" }>;

function cleared(r: ClearingResult): Cleared {
  if (r.status !== "cleared") throw new Error(`expected cleared, got ${r.status}: ${r.reason}`);
  return r;
}

function failed(r: ClearingResult, status: "no-price" | "non-unique-price" | "invalid"): string {
  expect(r.status).toBe(status);
  if (r.status === "cleared") throw new Error("expected no clearing");
  expect(r.reason).not.toContain("\n");
  expect(r.reason.length).toBeGreaterThan(0);
  return r.reason;
}

/** |a - b| <= tol * max(1, |a|, |b|). */
function expectClose(a: number, b: number, tol: number): void {
  expect(Math.abs(a - b)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(a), Math.abs(b)));
}

/** The exchange property: the quantities sum to 0 up to rounding, and imbalance is their compensated sum. */
function expectBalanced(r: Cleared, tol = 1e-12): void {
  expect(r.imbalance).toBe(compensatedSum(r.quantities));
  const scale = 1 + compensatedSum(r.quantities.map(Math.abs));
  expect(Math.abs(r.imbalance)).toBeLessThanOrEqual(tol * scale);
}

const line = fc.record({
  intercept: fc.double({ min: -100, max: 100, noNaN: true }),
  slope: fc.double({ min: 0.01, max: 10, noNaN: true }),
  from: fc.double({ min: -50, max: 50, noNaN: true }),
  width: fc.double({ min: 0.5, max: 20, noNaN: true }),
});

describe("clear: linear schedules (closed form)", () => {
  it("clears at sum(intercepts) / sum(slopes)", () => {
    const r = cleared(clear([linearSchedule(10, 1), linearSchedule(-2, 3)]));
    expect(r.price).toBe(2);
    expect(Array.from(r.quantities)).toEqual([8, -8]);
    expect(r.imbalance).toBe(0);
    expect(cleared(clear([linearSchedule(2, 1), linearSchedule(-1, 2)])).price).toBe(1 / 3);
  });

  it("returns no-price when every slope is 0 and the intercepts do not cancel", () => {
    const reason = failed(clear([linearSchedule(1, 0), linearSchedule(-2, 0)]), "no-price");
    expect(reason).toContain("sum to -1");
  });

  it("returns non-unique-price when every schedule is 0, even with rounding residue", () => {
    failed(clear([linearSchedule(0, 0), linearSchedule(0, 0), linearSchedule(0, 0)]), "non-unique-price");
    failed(clear([linearSchedule(0.1, 0), linearSchedule(0.2, 0), linearSchedule(-0.3, 0)]), "non-unique-price");
  });
});

describe("clear: the three paths agree", () => {
  it("linear, piecewise linear (two breakpoints, matching tails) and fn give the same price to 1e-9", () => {
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 25 }), (lines) => {
        const linear = cleared(clear(lines.map((l) => linearSchedule(l.intercept, l.slope))));
        const piecewise = cleared(
          clear(
            lines.map((l) => {
              const ps = [l.from, l.from + l.width];
              return piecewiseLinearSchedule(
                ps,
                ps.map((p) => l.intercept - l.slope * p),
                { lower: l.slope, upper: l.slope },
              );
            }),
          ),
        );
        const fn = cleared(clear(lines.map((l) => fnSchedule((p) => l.intercept - l.slope * p))));
        const expected = compensatedSum(lines.map((l) => l.intercept)) / compensatedSum(lines.map((l) => l.slope));
        expectClose(linear.price, expected, 1e-12);
        expectClose(piecewise.price, linear.price, 1e-9);
        expectClose(fn.price, linear.price, 1e-9);
        for (let i = 0; i < lines.length; i++) {
          expectClose(piecewise.quantities[i], linear.quantities[i], 1e-9);
          expectClose(fn.quantities[i], linear.quantities[i], 1e-9);
        }
        expectBalanced(linear);
        expectBalanced(piecewise);
        expectBalanced(fn, 1e-9);
      }),
      { seed: 42, numRuns: 150 },
    );
  });

  it("general piecewise books clear exactly where D = 0 and agree with Brent on the same functions", () => {
    const schedule = fc
      .record({
        start: fc.double({ min: -20, max: 20, noNaN: true }),
        gaps: fc.array(fc.double({ min: 0.01, max: 5, noNaN: true }), { minLength: 0, maxLength: 5 }),
        top: fc.double({ min: -30, max: 30, noNaN: true }),
        drops: fc.array(fc.double({ min: 0.001, max: 5, noNaN: true }), { minLength: 5, maxLength: 5 }),
        lower: fc.double({ min: 0.05, max: 3, noNaN: true }),
        upper: fc.double({ min: 0.05, max: 3, noNaN: true }),
      })
      .map(({ start, gaps, top, drops, lower, upper }) => {
        const prices = [start];
        const quantities = [top];
        gaps.forEach((g, j) => {
          prices.push(prices[j] + g);
          quantities.push(quantities[j] - drops[j]);
        });
        return piecewiseLinearSchedule(prices, quantities, { lower, upper });
      });
    fc.assert(
      fc.property(fc.array(schedule, { minLength: 1, maxLength: 20 }), (schedules) => {
        const exact = cleared(clear(schedules));
        const numeric = cleared(clear(schedules.map((s) => fnSchedule((p) => evaluateSchedule(s, p)))));
        expectClose(numeric.price, exact.price, 1e-9);
        expectBalanced(exact, 1e-12);
        const d = (p: number) => compensatedSum(schedules.map((s) => evaluateSchedule(s, p)));
        const h = 1e-6 * Math.max(1, Math.abs(exact.price));
        expect(d(exact.price - h)).toBeGreaterThan(0);
        expect(d(exact.price + h)).toBeLessThan(0);
      }),
      { seed: 42, numRuns: 150 },
    );
  });

  it("clears mixed books (linear, piecewise and fn together)", () => {
    const r = cleared(
      clear([linearSchedule(3, 1), piecewiseLinearSchedule([0, 2], [1, -1], { lower: 1, upper: 1 }), fnSchedule((p) => -2 * p)]),
    );
    // 3 - p + 1 - p - 2p = 0.
    expectClose(r.price, 1, 1e-12);
    expectBalanced(r, 1e-9);
  });

  it("clears 100,000 piecewise traders exactly like the closed form", () => {
    const n = 100_000;
    let state = 12345;
    // A small LCG: the test needs fixed pseudo-random numbers, not quality.
    const next = () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
    const schedules: DemandSchedule[] = [];
    const linear: DemandSchedule[] = [];
    for (let i = 0; i < n; i++) {
      const a = 20 * next() - 10;
      const b = 0.5 + next();
      const p0 = 10 * next() - 5;
      const ps = [p0, p0 + 0.5 + next(), p0 + 2 + next()];
      schedules.push(
        piecewiseLinearSchedule(
          ps,
          ps.map((p) => a - b * p),
          { lower: b, upper: b },
        ),
      );
      linear.push(linearSchedule(a, b));
    }
    const exact = cleared(clear(schedules));
    const closed = cleared(clear(linear));
    expectClose(exact.price, closed.price, 1e-9);
    expectBalanced(exact, 1e-12);
  });
});

describe("clear: piecewise linear special cases", () => {
  it("clears exactly at a breakpoint where D crosses 0", () => {
    const r = cleared(clear([piecewiseLinearSchedule([0, 1, 2], [1, 0, -1])]));
    expect(r.price).toBe(1);
    expect(r.quantities[0]).toBe(0);
  });

  it("solves in the lower and upper tails", () => {
    expect(cleared(clear([piecewiseLinearSchedule([1, 2], [-1, -2], { lower: 2 })])).price).toBe(0.5);
    expect(cleared(clear([piecewiseLinearSchedule([1, 2], [3, 1], { upper: 0.5 })])).price).toBe(4);
  });

  it("returns no-price when flat tails never cross 0", () => {
    expect(failed(clear([piecewiseLinearSchedule([1, 2], [2, 1])]), "no-price")).toContain("stays positive");
    const reason = failed(clear([piecewiseLinearSchedule([1, 2], [-1, -3]), linearSchedule(0, 0)]), "no-price");
    expect(reason).toContain("stays negative");
  });

  it("returns non-unique-price on a flat zero segment", () => {
    failed(clear([piecewiseLinearSchedule([1, 2], [0, 0], { lower: 1, upper: 1 })]), "non-unique-price");
    const reason = failed(
      clear([piecewiseLinearSchedule([0, 1, 2, 3], [2, 1, 1, 0], { lower: 1, upper: 1 }), linearSchedule(-1, 0)]),
      "non-unique-price",
    );
    expect(reason).toContain("[1, 2]");
  });

  it("returns non-unique-price on a flat zero tail", () => {
    failed(clear([piecewiseLinearSchedule([1], [0], { upper: 1 })]), "non-unique-price");
    failed(clear([piecewiseLinearSchedule([1], [0], { lower: 1 })]), "non-unique-price");
  });

  it("returns non-unique-price when every schedule is 0, even with rounding residue", () => {
    failed(clear([piecewiseLinearSchedule([0], [0]), piecewiseLinearSchedule([3, 4], [0, 0])]), "non-unique-price");
    failed(
      clear([piecewiseLinearSchedule([0, 1], [0.1, 0.1]), piecewiseLinearSchedule([0.5], [0.2]), piecewiseLinearSchedule([2], [-0.3])]),
      "non-unique-price",
    );
  });
});

describe("clear: fn schedules", () => {
  it("finds the root to the requested tolerance", () => {
    const r = cleared(clear([fnSchedule((p) => 2 - p ** 3)]));
    expectClose(r.price, Math.cbrt(2), 1e-12);
    const loose = cleared(clear([fnSchedule((p) => 2 - p ** 3)], { tolerance: 1e-4 }));
    expectClose(loose.price, Math.cbrt(2), 1e-3);
  });

  it("finds negative and large prices", () => {
    expectClose(cleared(clear([fnSchedule((p) => -3 - p)])).price, -3, 1e-12);
    expectClose(cleared(clear([fnSchedule((p) => 1e9 - p)])).price, 1e9, 1e-12);
  });

  it("returns invalid naming the trader when a quantity is NaN or infinite, or the function throws", () => {
    const ok = linearSchedule(1, 1);
    expect(failed(clear([ok, fnSchedule(() => Number.NaN)]), "invalid")).toContain("trader 1");
    expect(failed(clear([ok, ok, fnSchedule((p) => (p > 0.5 ? Infinity : 1))]), "invalid")).toContain("trader 2");
    const reason = failed(
      clear([
        fnSchedule(() => {
          throw new Error("boom\nsecond line");
        }),
      ]),
      "invalid",
    );
    expect(reason).toContain("trader 0");
    expect(reason).toContain("boom second line");
  });

  it("returns invalid when a demand increases, naming the trader", () => {
    expect(failed(clear([fnSchedule((p) => p - 1)]), "invalid")).toContain("demand of trader 0 is increasing");
    expect(failed(clear([linearSchedule(1, 1), fnSchedule((p) => p)]), "invalid")).toContain("demand of trader 1 is increasing");
  });

  it("returns non-unique-price on a zero set of positive length", () => {
    failed(clear([fnSchedule((p) => (p < 1 ? 1 - p : p > 2 ? 2 - p : 0))]), "non-unique-price");
    failed(clear([fnSchedule(() => 0), fnSchedule(() => 0)]), "non-unique-price");
    failed(clear([fnSchedule((p) => Math.max(0, 1 - p))]), "non-unique-price");
  });

  it("returns no-price when D never changes sign within the search bound or jumps over 0", () => {
    expect(failed(clear([fnSchedule(() => 1)]), "no-price")).toContain("stays positive");
    expect(failed(clear([fnSchedule((p) => -1 - 1e-20 * p)]), "no-price")).toContain("stays negative");
    expect(failed(clear([fnSchedule((p) => (p < 1 ? 1 : -1))]), "no-price")).toContain("jumps");
  });
});

describe("clear: inputs", () => {
  it("returns invalid for malformed schedules built as literals", () => {
    const bad = [
      [{ kind: "linear", intercept: Number.NaN, slope: 1 }, "trader 1: intercept must be a finite number, got NaN"],
      [{ kind: "linear", intercept: 0, slope: -1 }, "trader 1: slope must be a finite number >= 0, got -1"],
      [
        { kind: "piecewiseLinear", prices: [1, 0], quantities: [0, 0], lowerTailSlope: 0, upperTailSlope: 0 },
        "trader 1: prices[1] must be > prices[0] = 1 (strictly increasing), got 0",
      ],
      [
        { kind: "piecewiseLinear", prices: [0, 1], quantities: [0, 1], lowerTailSlope: 0, upperTailSlope: 0 },
        "trader 1: quantities[1] must be <= quantities[0] = 0 (non-increasing), got 1",
      ],
      [{ kind: "step" }, 'trader 1: kind must be "linear", "piecewiseLinear" or "fn", got "step"'],
    ] as const;
    for (const [schedule, reason] of bad) {
      const r = clear([linearSchedule(1, 1), schedule as unknown as DemandSchedule]);
      expect(failed(r, "invalid")).toBe(reason);
    }
  });

  it("accepts frozen literal schedules and leaves them unchanged", () => {
    const schedules = Object.freeze([
      Object.freeze({ kind: "linear" as const, intercept: 2, slope: 1 }),
      Object.freeze({
        kind: "piecewiseLinear" as const,
        prices: Object.freeze([0, 4]),
        quantities: Object.freeze([0, -4]),
        lowerTailSlope: 1,
        upperTailSlope: 1,
      }),
    ]);
    const snapshot = JSON.stringify(schedules);
    expect(cleared(clear(schedules)).price).toBe(1);
    expect(JSON.stringify(schedules)).toBe(snapshot);
  });

  it("treats an empty market as non-unique and rejects bad options with RangeError", () => {
    failed(clear([]), "non-unique-price");
    expect(() => clear([linearSchedule(1, 1)], { tolerance: -1 })).toThrow(RangeError);
    expect(() => clear([linearSchedule(1, 1)], { maxIterations: 0.5 })).toThrow(RangeError);
  });

  it("is deterministic", () => {
    const schedules = [fnSchedule((p) => Math.exp(-p) - 0.5), piecewiseLinearSchedule([0, 1], [0.2, -0.2])];
    expect(clear(schedules)).toEqual(clear(schedules));
  });
});

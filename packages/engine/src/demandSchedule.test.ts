import { describe, expect, it } from "vitest";
import { evaluateSchedule, fnSchedule, linearSchedule, piecewiseLinearSchedule, ScheduleError } from "./demandSchedule.ts";

/** The ScheduleError thrown by f (fails the test if none). */
function scheduleError(f: () => unknown): ScheduleError {
  try {
    f();
  } catch (error) {
    expect(error).toBeInstanceOf(ScheduleError);
    return error as ScheduleError;
  }
  throw new Error("expected a ScheduleError");
}

describe("linearSchedule", () => {
  it("evaluates q(p) = intercept - slope * p", () => {
    const s = linearSchedule(3, 2);
    expect(evaluateSchedule(s, 1)).toBe(1);
    expect(evaluateSchedule(s, -2)).toBe(7);
    expect(evaluateSchedule(linearSchedule(-1, 0), 1e9)).toBe(-1);
  });

  it.each([
    [() => linearSchedule(0, -1), "slope must be a finite number >= 0, got -1"],
    [() => linearSchedule(0, Number.NaN), "slope must be a finite number >= 0, got NaN"],
    [() => linearSchedule(0, Infinity), "slope must be a finite number >= 0, got Infinity"],
    [() => linearSchedule(Number.NaN, 1), "intercept must be a finite number, got NaN"],
    [() => linearSchedule(-Infinity, 1), "intercept must be a finite number, got -Infinity"],
  ])("throws a one-line ScheduleError naming the field (%#)", (make, message) => {
    const error = scheduleError(make);
    expect(error.message).toBe(message);
    expect(error.message).not.toContain("\n");
    expect(error.name).toBe("ScheduleError");
  });

  it("is frozen", () => {
    expect(Object.isFrozen(linearSchedule(1, 1))).toBe(true);
  });
});

describe("piecewiseLinearSchedule", () => {
  const s = piecewiseLinearSchedule([0, 1, 3], [4, 2, -2], { lower: 1, upper: 3 });

  it("interpolates between breakpoints and returns them exactly", () => {
    expect(evaluateSchedule(s, 0)).toBe(4);
    expect(evaluateSchedule(s, 1)).toBe(2);
    expect(evaluateSchedule(s, 3)).toBe(-2);
    expect(evaluateSchedule(s, 0.5)).toBe(3);
    expect(evaluateSchedule(s, 2)).toBe(0);
  });

  it("continues beyond the ends with slopes -lower and -upper", () => {
    expect(evaluateSchedule(s, -2)).toBe(6);
    expect(evaluateSchedule(s, 5)).toBe(-8);
  });

  it("is flat beyond the ends by default, and a single breakpoint is allowed", () => {
    const flat = piecewiseLinearSchedule([1, 2], [1, -1]);
    expect(evaluateSchedule(flat, -100)).toBe(1);
    expect(evaluateSchedule(flat, 100)).toBe(-1);
    const point = piecewiseLinearSchedule([2], [1], { lower: 1, upper: 2 });
    expect(evaluateSchedule(point, 1)).toBe(2);
    expect(evaluateSchedule(point, 3)).toBe(-1);
  });

  it.each([
    [() => piecewiseLinearSchedule([], []), "prices must have at least 1 breakpoint, got 0"],
    [() => piecewiseLinearSchedule([0, 1], [1]), "quantities.length must equal prices.length = 2, got 1"],
    [() => piecewiseLinearSchedule([0, Number.NaN], [1, 0]), "prices[1] must be a finite number, got NaN"],
    [() => piecewiseLinearSchedule([0, 1], [Infinity, 0]), "quantities[0] must be a finite number, got Infinity"],
    [() => piecewiseLinearSchedule([0, 2, 1], [3, 2, 1]), "prices[2] must be > prices[1] = 2 (strictly increasing), got 1"],
    [() => piecewiseLinearSchedule([0, 0], [1, 0]), "prices[1] must be > prices[0] = 0 (strictly increasing), got 0"],
    [() => piecewiseLinearSchedule([0, 1], [1, 2]), "quantities[1] must be <= quantities[0] = 1 (non-increasing), got 2"],
    [() => piecewiseLinearSchedule([0, 1], [1, 0], { lower: -1 }), "tails.lower must be a finite number >= 0, got -1"],
    [() => piecewiseLinearSchedule([0, 1], [1, 0], { upper: Number.NaN }), "tails.upper must be a finite number >= 0, got NaN"],
  ])("throws a one-line ScheduleError naming the field (%#)", (make, message) => {
    const error = scheduleError(make);
    expect(error.message).toBe(message);
    expect(error.message).not.toContain("\n");
  });

  it("does not mutate its inputs (frozen inputs are accepted)", () => {
    const prices = Object.freeze([0, 1, 2]);
    const quantities = Object.freeze([1, 0, -1]);
    const t = piecewiseLinearSchedule(prices, quantities);
    expect(prices).toEqual([0, 1, 2]);
    expect(quantities).toEqual([1, 0, -1]);
    expect(evaluateSchedule(t, 0.5)).toBe(0.5);
  });

  it("is unaffected by later mutation of the caller's arrays", () => {
    const prices = [0, 1, 2];
    const quantities = [1, 0, -1];
    const t = piecewiseLinearSchedule(prices, quantities);
    prices[1] = 10;
    quantities[0] = 100;
    quantities.push(-5);
    expect(evaluateSchedule(t, 0)).toBe(1);
    expect(evaluateSchedule(t, 1)).toBe(0);
    if (t.kind !== "piecewiseLinear") throw new Error("kind");
    expect(t.prices).toEqual([0, 1, 2]);
    expect(Object.isFrozen(t.prices) && Object.isFrozen(t.quantities) && Object.isFrozen(t)).toBe(true);
  });

  it("accepts typed arrays and copies them into frozen arrays", () => {
    const prices = new Float64Array([0, 1]);
    const t = piecewiseLinearSchedule(prices as unknown as number[], [1, -1]);
    prices[0] = 5;
    expect(evaluateSchedule(t, 0)).toBe(1);
  });
});

describe("fnSchedule", () => {
  it("evaluates the function", () => {
    expect(
      evaluateSchedule(
        fnSchedule((p) => 1 - p ** 3),
        2,
      ),
    ).toBe(-7);
  });

  it("throws a one-line ScheduleError when not given a function", () => {
    const error = scheduleError(() => fnSchedule(3 as unknown as (p: number) => number));
    expect(error.message).toBe("quantity must be a function, got 3");
  });
});

import { describe, expect, test } from "vitest";
import { cubicHermite, type CubicHermiteTable, quinticHermiteTable } from "./hermite.ts";

/** A table of f with slopes df on n cells of [start, end]. */
function cubicTable(f: (x: number) => number, df: (x: number) => number, start: number, end: number, n: number): CubicHermiteTable {
  const step = (end - start) / n;
  const xs = Array.from({ length: n + 1 }, (_, k) => (k === n ? end : start + k * step));
  return { start, end, step, values: Float64Array.from(xs, f), slopes: Float64Array.from(xs, df) };
}

describe("cubicHermite", () => {
  test("reproduces a cubic on every cell, ends included", () => {
    const f = (x: number) => 0.5 - 2 * x + 0.75 * x * x - 0.3 * x ** 3;
    const df = (x: number) => -2 + 1.5 * x - 0.9 * x * x;
    const t = cubicTable(f, df, -2, 3, 7);
    for (let x = -2; x <= 3; x += 1 / 16) expect(Math.abs(cubicHermite(t, x) - f(x)), `x = ${x}`).toBeLessThan(1e-13);
    expect(cubicHermite(t, 3)).toBeCloseTo(f(3), 13);
  });

  test("error falls as step^4 on a smooth function", () => {
    const error = (n: number) => {
      const t = cubicTable(Math.sin, Math.cos, 0, 2, n);
      let worst = 0;
      for (let k = 0; k <= 1000; k++) worst = Math.max(worst, Math.abs(cubicHermite(t, (2 * k) / 1000) - Math.sin((2 * k) / 1000)));
      return worst;
    };
    const ratio = error(8) / error(16);
    expect(ratio).toBeGreaterThan(14);
    expect(ratio).toBeLessThan(18);
  });

  test("a table of step 0 is its first value", () => {
    expect(cubicHermite({ start: 1, end: 1, step: 0, values: Float64Array.of(4), slopes: Float64Array.of(0) }, 1)).toBe(4);
  });
});

describe("quinticHermiteTable", () => {
  const f = (x: number) => 1 - x + 0.5 * x ** 2 + 0.2 * x ** 3 - 0.1 * x ** 4 + 0.03 * x ** 5;
  const node = (x: number): [number, number, number] => [
    f(x),
    -1 + x + 0.6 * x ** 2 - 0.4 * x ** 3 + 0.15 * x ** 4,
    1 + 1.2 * x - 1.2 * x ** 2 + 0.6 * x ** 3,
  ];

  test("reproduces a quintic inside and (extrapolating) just outside the table", () => {
    const t = quinticHermiteTable(-1, 2, 5, node);
    for (let x = -1.25; x <= 2.25; x += 1 / 32) expect(Math.abs(t.at(x) - f(x)), `x = ${x}`).toBeLessThan(1e-13);
  });

  test("calls node once per node, in increasing x", () => {
    const seen: number[] = [];
    quinticHermiteTable(0, 1, 8, (x) => {
      seen.push(x);
      return node(x);
    });
    expect(seen).toHaveLength(9);
    expect(seen[0]).toBe(0);
    expect(seen[8]).toBe(1);
    for (let k = 1; k < seen.length; k++) expect(seen[k]!).toBeGreaterThan(seen[k - 1]!);
  });

  test("an empty interval gives NaN", () => {
    expect(quinticHermiteTable(1, 1, 4, node).at(1)).toBeNaN();
    expect(quinticHermiteTable(Number.NaN, 1, 4, node).at(0)).toBeNaN();
  });
});

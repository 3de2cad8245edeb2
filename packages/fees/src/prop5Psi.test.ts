import { normal, solveVirtualTypeWithWeight } from "@optex/theory";
import seedrandom from "seedrandom";
import { describe, expect, test } from "vitest";
import { pooledSumPosterior, pooledSumPosteriorTable } from "./prop5Psi.ts";

const std = normal(0, 1);

/** The stated bound: |table - direct| <= 1e-12 sqrt(n) (phi_n is of size sqrt(n)). */
const BOUND = 1e-12;

/**
 * Points where the table could go wrong: uniform over 1.05 times its range (so the switch to the
 * direct evaluation at its edges is crossed), the neighbourhood of the atom at 0 (where z jumps from
 * -zB to zB) down to 1e-300, every cell edge of the first 200 cells either side and a few far ones,
 * each also 1e-12 cells to either side, the table's edges and the tails beyond them.
 */
function probePoints(edge: number, step: number, seed: string): number[] {
  const rng = seedrandom.alea(seed);
  const ys: number[] = [];
  for (let k = 0; k < 40_000; k++) ys.push((2 * rng() - 1) * 1.05 * edge);
  for (let k = 0; k < 10_000; k++) ys.push((2 * rng() - 1) * 20 * step);
  for (let e = -300; e <= 0; e += 3) ys.push(10 ** e * step, -(10 ** e) * step);
  const cells = Math.round(edge / step);
  const edges = [
    ...Array.from({ length: 401 }, (_, m) => m - 200),
    cells - 1,
    cells,
    1 - cells,
    -cells,
    Math.floor(cells / 2),
    -Math.floor(cells / 3),
  ];
  for (const m of edges) for (const d of [0, 1e-12, -1e-12]) ys.push((m + d) * step);
  for (const y of [edge, -edge, edge * (1 - 1e-15), -edge * (1 - 1e-15), edge * (1 + 1e-15), 1.5 * edge, -2 * edge, 3 * edge]) ys.push(y);
  return ys;
}

/** Worst |evaluate - direct| over the probe points, with where it occurs. */
function worstError(evaluate: (y: number) => number, direct: (y: number) => number, ys: readonly number[]): { error: number; at: number } {
  let error = 0;
  let at = Number.NaN;
  for (const y of ys) {
    const e = Math.abs(evaluate(y) - direct(y));
    if (!(e <= error)) {
      error = e;
      at = y;
    }
  }
  return { error, at };
}

describe("pooledSumPosteriorTable: phi_n tabulated once", () => {
  // n = 1 (two traders) to 9; hazard weights from light pooling (zB ~ 0.06) to heavy (zB ~ 10).
  const cases: [number, number][] = [
    [1, 0.3],
    [1, 30],
    [2, 0.05],
    [2, 3],
    [3, 1],
    [3, 100],
    [4, 0.8],
    [4, 10],
    [9, 0.3],
    [9, 10],
  ];
  test.each(cases)(
    "n = %d, hazard weight %d: within 1e-12 sqrt(n) of the direct evaluation everywhere; identical outside the table",
    (n, a) => {
      const zB = solveVirtualTypeWithWeight(std, a).eB;
      const table = pooledSumPosteriorTable(n, a, zB);
      expect(table.edge).toBeGreaterThan(2);
      expect(table.step).toBeGreaterThan(0);
      expect(table.step).toBeLessThan(0.01);
      const ys = probePoints(table.edge, table.step, `psi-table-${n}-${a}`);
      const { error, at } = worstError(table.evaluate, table.direct, ys);
      expect(error, `worst at y = ${at}`).toBeLessThanOrEqual(BOUND * Math.sqrt(n));
      // The direct evaluation is pooledSumPosterior's, and takes over (bit for bit) outside the table.
      const direct = pooledSumPosterior(n, a, zB);
      for (const y of [0.37, -1.2, 3 * table.edge, -1.5 * table.edge]) expect(table.direct(y)).toBe(direct(y));
      for (const y of [table.edge * (1 + 1e-12), -table.edge * (1 + 1e-12), 4 * table.edge, -7 * table.edge])
        expect(table.evaluate(y)).toBe(direct(y));
      // The atom: phi(0) = 0, and the jump next to it (up to zB when one unpooled share dominates).
      expect(table.evaluate(0)).toBe(0);
      expect(table.evaluate(1e-300)).toBeGreaterThan(0);
      expect(table.evaluate(-1e-300)).toBeLessThan(0);
      expect(Number.isNaN(table.evaluate(Number.NaN))).toBe(true);
    },
  );

  test("the check has power: the table read 1e-9 relative off its argument, or with the wrong side of the atom in the first cell, fails the bound", () => {
    const n = 4;
    const a = 0.8;
    const zB = solveVirtualTypeWithWeight(std, a).eB;
    const table = pooledSumPosteriorTable(n, a, zB);
    const ys = probePoints(table.edge, table.step, "psi-power");
    expect(worstError((y) => table.evaluate(y * (1 + 1e-9)), table.direct, ys).error).toBeGreaterThan(BOUND * Math.sqrt(n));
    // In the first cell below the atom, the odd extension of the first cell above it agrees with the
    // table (phi is odd; the FFT's round-off is not exactly symmetric, far below the bound), while the
    // even extension (z = +zB instead of -zB at 0-) is caught.
    expect(worstError((y) => (y < 0 && y > -table.step ? -table.evaluate(-y) : table.evaluate(y)), table.direct, ys).error).toBeLessThan(
      BOUND * Math.sqrt(n),
    );
    expect(worstError((y) => (y < 0 && y > -table.step ? table.evaluate(-y) : table.evaluate(y)), table.direct, ys).error).toBeGreaterThan(
      0.1,
    );
  });

  test("weight 0 is the identity (no table); bad input throws as pooledSumPosterior does", () => {
    const table = pooledSumPosteriorTable(5, 0, 0);
    expect(table.edge).toBe(0);
    for (const y of [-2, 0, 3.3]) expect(table.evaluate(y)).toBe(y);
    expect(() => pooledSumPosteriorTable(0, 1, 0.7)).toThrow(/others must be an integer >= 1/);
    expect(() => pooledSumPosteriorTable(3, -1, 0.7)).toThrow(/hazard weight/);
    expect(() => pooledSumPosteriorTable(3, 1, Number.NaN)).toThrow(/zB/);
  });
});

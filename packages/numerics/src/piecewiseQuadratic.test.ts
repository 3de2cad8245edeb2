import { describe, expect, test } from "vitest";
import { nextUp, PiecewiseQuadratic, type QuadraticPiece } from "./piecewiseQuadratic.ts";

/** The value by a plain search over the pieces (an independent route to at()). */
function reference(pieces: readonly QuadraticPiece[], x: number): number {
  let k = 0;
  while (k + 1 < pieces.length && x >= pieces[k + 1]!.start) k++;
  const p = pieces[k]!;
  const s = x - p.origin;
  return p.c0 + s * (p.c1 + s * p.c2);
}

describe("PiecewiseQuadratic", () => {
  const three: QuadraticPiece[] = [
    { start: -Infinity, origin: -1, c0: 2, c1: 0, c2: 0 },
    { start: -1, origin: 0, c0: 1, c1: -1, c2: 0 },
    { start: 1, origin: 1, c0: 0, c1: 0.5, c2: 3 },
  ];

  test("pieces are half-open [start, next start), each in its own coordinate", () => {
    const f = new PiecewiseQuadratic(three);
    expect(f.pieceCount).toBe(3);
    expect(f.degree).toBe(2);
    expect(f.at(-5)).toBe(2);
    expect(f.at(-1)).toBe(2); // start of the middle piece: 1 - (-1)
    expect(f.at(0.5)).toBe(0.5);
    expect(f.at(1)).toBe(0);
    expect(f.at(2)).toBe(3.5);
    expect(f.at(Infinity)).toBe(Infinity);
    expect(f.at(Number.NaN)).toBeNaN();
    expect(f.pieces()).toEqual(three);
    expect(f.end(1)).toBe(1);
    expect(f.end(2)).toBe(Infinity);
  });

  test("many pieces (beyond the unrolled comparisons) agree with a plain search", () => {
    const pieces: QuadraticPiece[] = [];
    for (let k = 0; k < 11; k++) pieces.push({ start: k === 0 ? -Infinity : k - 5, origin: k - 5, c0: k, c1: -k / 3, c2: (k % 3) / 7 });
    const f = new PiecewiseQuadratic(pieces);
    for (let x = -7; x <= 7; x += 0.125) expect(f.at(x), `x = ${x}`).toBe(reference(pieces, x));
  });

  test("transformed: a2 t^2 + a1 t + a0 + w P(t) at t = (x - shift)/scale", () => {
    const f = new PiecewiseQuadratic(three);
    const [shift, scale, w, a2, a1, a0] = [0.7, 2.5, -1.3, 0.4, -0.2, 0.9];
    const g = f.transformed(shift, scale, w, a2, a1, a0);
    for (let x = -8; x <= 8; x += 0.1) {
      const t = (x - shift) / scale;
      const expected = a2 * t * t + a1 * t + a0 + w * f.at(t);
      expect(Math.abs(g.at(x) - expected), `x = ${x}`).toBeLessThan(1e-14 * (1 + Math.abs(expected)));
    }
    expect(() => f.transformed(0, 0, 1, 0, 0, 0)).toThrow(RangeError);
  });

  test("bad pieces throw RangeError", () => {
    expect(() => new PiecewiseQuadratic([])).toThrow(RangeError);
    expect(() => new PiecewiseQuadratic([three[0]!, three[2]!, three[1]!])).toThrow(/increase/);
    expect(() => new PiecewiseQuadratic([{ ...three[0]!, c1: Number.NaN }])).toThrow(/finite/);
  });

  test("nextUp", () => {
    for (const x of [-3, -1e-300, 0, 1e-320, 1 / 3, 1e300]) {
      const y = nextUp(x);
      expect(y > x).toBe(true);
      expect((x + y) / 2 === x || (x + y) / 2 === y).toBe(true);
    }
    expect(nextUp(Infinity)).toBe(Infinity);
    expect(nextUp(Number.NaN)).toBeNaN();
  });
});

/** One piece: from `start` (inclusive) to the next piece's start, p(x) = c0 + c1 s + c2 s^2 with s = x - origin. */
export interface QuadraticPiece {
  readonly start: number;
  readonly origin: number;
  readonly c0: number;
  readonly c1: number;
  readonly c2: number;
}

/** Breaks compared without a loop (the common case: up to 5 pieces). */
const FIXED_BREAKS = 4;

/**
 * A function of one variable that is exactly a polynomial of degree <= 2 on each of finitely many
 * intervals, evaluated without closures or tables, for hot loops over random arguments (in optex:
 * a uniform law's F/f and (1-F)/f, its virtual type v and int v^{-1}). Piece k covers
 * [breaks[k-1], breaks[k]) (the first from -Infinity, the last to +Infinity) and is stored in its
 * own coordinate s = x - origin (origin near where the piece is used, so no large terms cancel).
 * at() finds the piece by counting breaks <= x without branches (random arguments make a search's
 * branches unpredictable); NaN gives NaN.
 */
export class PiecewiseQuadratic {
  /** Sorted breaks, padded with +Infinity to at least FIXED_BREAKS. */
  readonly breaks: Float64Array;
  /** Per piece (origin, c0, c1, c2); padded with copies of the last piece to breaks.length + 1 pieces. */
  readonly coefficients: Float64Array;
  /** Number of pieces (before padding). */
  readonly pieceCount: number;
  /** Largest degree of a piece (0, 1 or 2). */
  readonly degree: number;

  /** Throws RangeError unless there is a first piece, the starts increase and every number is finite (starts may be -Infinity only first). */
  constructor(pieces: readonly QuadraticPiece[]) {
    if (pieces.length === 0) throw new RangeError("a piecewise quadratic needs at least one piece");
    for (let k = 0; k < pieces.length; k++) {
      const p = pieces[k]!;
      if (![p.origin, p.c0, p.c1, p.c2].every(Number.isFinite)) throw new RangeError(`piece ${k}: origin and coefficients must be finite`);
      if (k > 0 && !(Number.isFinite(p.start) && p.start > pieces[k - 1]!.start))
        throw new RangeError(`piece ${k}: starts must increase and be finite`);
    }
    const count = pieces.length;
    const breakCount = Math.max(FIXED_BREAKS, count - 1);
    this.breaks = new Float64Array(breakCount).fill(Infinity);
    this.coefficients = new Float64Array(4 * (breakCount + 1));
    for (let k = 0; k <= breakCount; k++) {
      const p = pieces[Math.min(k, count - 1)]!;
      if (k > 0 && k < count) this.breaks[k - 1] = p.start;
      this.coefficients.set([p.origin, p.c0, p.c1, p.c2], 4 * k);
    }
    this.pieceCount = count;
    this.degree = pieces.reduce((d, p) => Math.max(d, p.c2 !== 0 ? 2 : p.c1 !== 0 ? 1 : 0), 0);
  }

  /** The value at x. */
  at(x: number): number {
    const b = this.breaks;
    // +(x >= b) compiles to a set-on-condition, not a branch.
    let k = +(x >= b[0]!) + +(x >= b[1]!) + +(x >= b[2]!) + +(x >= b[3]!);
    if (b.length > FIXED_BREAKS) for (let j = FIXED_BREAKS; j < b.length; j++) k += +(x >= b[j]!);
    const c = this.coefficients;
    const i = 4 * k;
    const s = x - c[i]!;
    return c[i + 1]! + s * (c[i + 2]! + s * c[i + 3]!);
  }

  /**
   * out[k] = (quad x^2 + outScale P(inScale x + inShift)) + outShift with x = xs[k], for k below
   * xs.length: at() over a batch in one loop, the breaks held in registers (a loop calling at() reloads
   * them after every store to out, which may alias them). With inScale = 1, inShift = 0, outScale = 1,
   * quad = outShift = 0 it is at() element by element, bit for bit. quad = 0 adds nothing, even for
   * an infinite x.
   */
  affineInto(
    xs: Float64Array,
    out: Float64Array,
    inScale: number,
    inShift: number,
    outScale: number,
    outShift: number,
    quad: number,
  ): void {
    const b = this.breaks;
    if (b.length > FIXED_BREAKS) {
      for (let k = 0; k < xs.length; k++) {
        const x = xs[k]!;
        out[k] = (quad === 0 ? 0 : quad * x * x) + outScale * this.at(inScale * x + inShift) + outShift;
      }
      return;
    }
    const c = this.coefficients;
    const b0 = b[0]!;
    const b1 = b[1]!;
    const b2 = b[2]!;
    const b3 = b[3]!;
    for (let k = 0; k < xs.length; k++) {
      const x = xs[k]!;
      const y = inScale * x + inShift;
      const i = 4 * (+(y >= b0) + +(y >= b1) + +(y >= b2) + +(y >= b3));
      const s = y - c[i]!;
      out[k] = (quad === 0 ? 0 : quad * x * x) + outScale * (c[i + 1]! + s * (c[i + 2]! + s * c[i + 3]!)) + outShift;
    }
  }

  /** The pieces (without padding). */
  pieces(): QuadraticPiece[] {
    const out: QuadraticPiece[] = [];
    for (let k = 0; k < this.pieceCount; k++) {
      const c = this.coefficients;
      out.push({
        start: k === 0 ? -Infinity : this.breaks[k - 1]!,
        origin: c[4 * k]!,
        c0: c[4 * k + 1]!,
        c1: c[4 * k + 2]!,
        c2: c[4 * k + 3]!,
      });
    }
    return out;
  }

  /**
   * x -> a2 t^2 + a1 t + a0 + w P(t) at t = (x - shift)/scale (scale > 0), as pieces in x: combined
   * about each piece's origin in t (where no large terms cancel), then mapped to x.
   */
  transformed(shift: number, scale: number, w: number, a2: number, a1: number, a0: number): PiecewiseQuadratic {
    if (!(scale > 0 && Number.isFinite(scale) && Number.isFinite(shift)))
      throw new RangeError(`transformed: need a finite shift and scale > 0, got ${shift}, ${scale}`);
    return new PiecewiseQuadratic(
      this.pieces().map((p) => {
        const o = p.origin;
        return {
          start: p.start === -Infinity ? -Infinity : shift + scale * p.start,
          origin: shift + scale * o,
          c0: w * p.c0 + (a2 * o + a1) * o + a0,
          c1: (w * p.c1 + 2 * a2 * o + a1) / scale,
          c2: (w * p.c2 + a2) / (scale * scale),
        };
      }),
    );
  }

  /** Where piece k ends (+Infinity for the last). */
  end(k: number): number {
    return k + 1 < this.pieceCount ? this.breaks[k]! : Infinity;
  }
}

/** The smallest double above x (x itself for +Infinity and NaN). */
export function nextUp(x: number): number {
  if (!(x < Infinity)) return x;
  if (x === 0) return Number.MIN_VALUE;
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  view.setBigUint64(0, x > 0 ? bits + 1n : bits - 1n);
  return view.getFloat64(0);
}

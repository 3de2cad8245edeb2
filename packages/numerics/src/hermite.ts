/** Values and slopes of a function on the uniform grid start + k step, k = 0..n (n = values.length - 1). */
export interface CubicHermiteTable {
  readonly start: number;
  readonly end: number;
  readonly step: number;
  readonly values: Float64Array;
  readonly slopes: Float64Array;
}

/**
 * Cubic Hermite interpolation in a table, for start <= x <= end: exact for cubics, error
 * O(step^4) for smooth functions. A table of step 0 is the constant values[0]. Throws nothing.
 * @example cubicHermite({ start: 0, end: 1, step: 1, values: Float64Array.of(0, 1), slopes: Float64Array.of(0, 3) }, 0.5) // 0.125
 */
export function cubicHermite(t: CubicHermiteTable, x: number): number {
  if (t.step === 0) return t.values[0]!;
  const u = (x - t.start) / t.step;
  const k = Math.min(Math.floor(u), t.values.length - 2);
  const s = u - k;
  const s2 = s * s;
  const s3 = s2 * s;
  return (
    (2 * s3 - 3 * s2 + 1) * t.values[k]! +
    (s3 - 2 * s2 + s) * t.step * t.slopes[k]! +
    (-2 * s3 + 3 * s2) * t.values[k + 1]! +
    (s3 - s2) * t.step * t.slopes[k + 1]!
  );
}

/** A function interpolated from a table (see quinticHermiteTable). */
export interface QuinticHermiteTable {
  at(x: number): number;
}

/**
 * A quintic Hermite table of f on [from, to] with `cells` uniform cells, from node(x) = [f, f', f'']
 * at the cells' ends (called once per node, in increasing x, so node may grow a cache as it goes):
 * exact for quintics, error O(h^6) for smooth f. at(x) extrapolates beyond [from, to] with the
 * first or last cell's polynomial. An empty interval (to <= from, or NaN) gives at(x) = NaN.
 * Throws nothing (node's errors propagate).
 * @example quinticHermiteTable(0, 1, 4, (x) => [x ** 5, 5 * x ** 4, 20 * x ** 3]).at(0.3) // 0.00243 (to rounding)
 */
export function quinticHermiteTable(
  from: number,
  to: number,
  cells: number,
  node: (x: number) => [number, number, number],
): QuinticHermiteTable {
  if (!(to > from)) return { at: () => Number.NaN };
  const step = (to - from) / cells;
  const t = new Float64Array(3 * (cells + 1));
  for (let j = 0; j <= cells; j++) {
    const [f, df, d2f] = node(j === cells ? to : from + j * step);
    t[3 * j] = f;
    t[3 * j + 1] = df * step;
    t[3 * j + 2] = d2f * step * step;
  }
  return {
    at: (x) => {
      const u = (x - from) / step;
      const j = Math.max(0, Math.min(cells - 1, Math.floor(u)));
      return quinticHermite(t, j, u - j);
    },
  };
}

/** Quintic Hermite on cell j at s in [0, 1] from (value, h * slope, h^2 * curvature) at both ends. */
function quinticHermite(t: Float64Array, j: number, s: number): number {
  const i = 3 * j;
  const p0 = t[i]!;
  const m0 = t[i + 1]!;
  const a0 = t[i + 2]!;
  const p1 = t[i + 3]!;
  const m1 = t[i + 4]!;
  const a1 = t[i + 5]!;
  const s2 = s * s;
  const s3 = s2 * s;
  const u = 1 - s;
  // Basis in the stable (s, 1 - s) form: value weights 1 - s^3 (10 - 15 s + 6 s^2) and s^3 (10 - 15 s + 6 s^2).
  const w = s3 * (10 - 15 * s + 6 * s2);
  return (
    p0 * (1 - w) + p1 * w + m0 * s * u * u * u * (1 + 3 * s) - m1 * s3 * u * (4 - 3 * s) + 0.5 * a0 * s2 * u * u * u + 0.5 * a1 * s3 * u * u
  );
}

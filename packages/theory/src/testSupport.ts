/**
 * Test helper (not exported by the package): sample mean of iid draws and the half-width of its
 * 99.9% normal interval (3.29 standard errors), for Monte Carlo checks with fixed seeds.
 */
export function meanWithHalfWidth(xs: ArrayLike<number>): { mean: number; halfWidth: number } {
  let s = 0;
  for (let k = 0; k < xs.length; k++) s += xs[k]!;
  const mean = s / xs.length;
  let ss = 0;
  for (let k = 0; k < xs.length; k++) ss += (xs[k]! - mean) ** 2;
  return { mean, halfWidth: (3.29 * Math.sqrt(ss / (xs.length - 1))) / Math.sqrt(xs.length) };
}

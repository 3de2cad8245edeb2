/**
 * Nelder-Mead maximisation of f from x0 with an axis-aligned initial simplex of edge `step`
 * (reflection 1, expansion 2, contraction 1/2, shrink 1/2). Stops when every vertex is within
 * xTol (max norm) of the best one, or after 2000 (k + 1) evaluations (k = x0.length); returns
 * the best vertex. A NaN value counts as worse than any number. Never throws.
 * @example nelderMead((x) => -((x[0]! - 1) ** 2) - (x[1]! + 2) ** 2, [0, 0], 1, 1e-12).x // about [1, -2]
 */
export function nelderMead(
  f: (x: readonly number[]) => number,
  x0: readonly number[],
  step: number,
  xTol: number,
): { x: number[]; value: number } {
  const k = x0.length;
  const simplex: { x: number[]; value: number }[] = [{ x: [...x0], value: f(x0) }];
  for (let a = 0; a < k; a++) {
    const x = [...x0];
    x[a]! += step;
    simplex.push({ x, value: f(x) });
  }
  const at = (c: readonly number[], worst: readonly number[], t: number) => c.map((ca, a) => ca + t * (ca - worst[a]!));
  const point = (x: number[]) => ({ x, value: f(x) });
  for (let evals = k + 1; evals < 2000 * (k + 1); ) {
    simplex.sort(bestFirst);
    const top = simplex[0]!;
    let size = 0;
    for (let j = 1; j <= k; j++) for (let a = 0; a < k; a++) size = Math.max(size, Math.abs(simplex[j]!.x[a]! - top.x[a]!));
    if (size <= xTol) break;
    const worst = simplex[k]!;
    const c = new Array<number>(k).fill(0);
    for (let j = 0; j < k; j++) for (let a = 0; a < k; a++) c[a]! += simplex[j]!.x[a]! / k;
    const r = point(at(c, worst.x, 1));
    evals++;
    if (r.value > top.value) {
      const e = point(at(c, worst.x, 2));
      evals++;
      simplex[k] = e.value > r.value ? e : r;
    } else if (r.value > simplex[k - 1]!.value) {
      simplex[k] = r;
    } else {
      // Outside contraction if the reflection beat the worst vertex, inside otherwise.
      const outside = r.value > worst.value;
      const ct = point(at(c, worst.x, outside ? 0.5 : -0.5));
      evals++;
      if (outside ? ct.value >= r.value : ct.value > worst.value) {
        simplex[k] = ct;
      } else {
        for (let j = 1; j <= k; j++) {
          simplex[j] = point(simplex[j]!.x.map((x, a) => top.x[a]! + 0.5 * (x - top.x[a]!)));
          evals++;
        }
      }
    }
  }
  simplex.sort(bestFirst);
  return simplex[0]!;
}

/**
 * Sort order of maximisation results: higher value first, NaN (a failed evaluation) last.
 * @example [{ value: 1 }, { value: Number.NaN }, { value: 3 }].sort(bestFirst) // values 3, 1, NaN
 */
export function bestFirst(u: { readonly value: number }, w: { readonly value: number }): number {
  if (u.value !== u.value) return w.value !== w.value ? 0 : 1;
  if (w.value !== w.value) return -1;
  return w.value - u.value;
}

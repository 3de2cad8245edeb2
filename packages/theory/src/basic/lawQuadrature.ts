import { integrate, type QuadratureOptions } from "@optex/numerics";

/**
 * int_a^b f for an integrand weighted by a law of unit scale (mean 0, sd 1), split where that law's
 * mass lies: at 0, at +-1 and at +-2^k out to a finite end far from 0. Unsplit, an interval such as
 * [-100, inf) is mapped onto [0, 1) with all its mass in a sliver that the first 21-point rule
 * misses, and adaptive quadrature returns about 0 with a tiny error estimate (a flat level many sds
 * from the law's mean, as in Section 7, makes such intervals).
 */
export function integrateOverUnitLaw(f: (t: number) => number, a: number, b: number, options: QuadratureOptions): number {
  if (!(a < b)) return 0;
  const points = [a];
  // Below 0: -1, then -2, -4, ... only towards a finite far end; likewise above 0.
  const below: number[] = [];
  for (let p = 1; p === 1 || (Number.isFinite(a) && -p > a); p *= 2) if (-p > a && -p < b) below.push(-p);
  points.push(...below.reverse());
  if (0 > a && 0 < b) points.push(0);
  for (let p = 1; p === 1 || (Number.isFinite(b) && p < b); p *= 2) if (p > a && p < b) points.push(p);
  points.push(b);
  let total = 0;
  for (let k = 1; k < points.length; k++) total += integrate(f, points[k - 1]!, points[k]!, options).value;
  return total;
}

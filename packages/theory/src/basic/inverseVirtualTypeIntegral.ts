import { cubicHermite, type CubicHermiteTable, integrate } from "@optex/numerics";
import type { VirtualType } from "./virtualType.ts";

/** Table size per branch of v; cubic Hermite error is below 1e-12 for the built-in laws (tested). */
const NODES = 4096;
/** Tail probability beyond which an unbounded branch is evaluated exactly (slowly) instead of from the table. */
const TAIL = 1e-13;
const QUAD = { absTol: 1e-16, relTol: 1e-13, maxSubdivisions: 2000 };

/**
 * K(l) = integral from m to l of v^{-1}(s) ds, m the flat level of v (E[v] in Theorem 1), with v^{-1} clamped to the support outside
 * the range of v: the building block of the Proposition 3 fee (docs/fees.md).
 * Substituting s = v(e) and integrating by parts,
 *   K(l) = u l - eB m - int_{eB}^{u} v(e) de   (l >= m, u = v^{-1}(l)),
 *   K(l) = u l - eA m + int_{u}^{eA} v(e) de   (l <  m),
 * so K has a concave kink at m (slope eA below, eB above) and K'(l) = v^{-1}(l).
 * Evaluation: cubic Hermite interpolation on a uniform grid in l (exact slopes K' = v^{-1}),
 * built once; exact (root finding + quadrature) beyond the 1e-13 tails of an unbounded support.
 */
export function inverseVirtualTypeIntegral(vt: VirtualType): InverseIntegral {
  const m = vt.flatLevel;
  const lower = buildBranch(vt, "lower");
  const upper = buildBranch(vt, "upper");
  const exact = (l: number) => exactInverseIntegral(vt, l);
  const evaluate = (l: number) => {
    const table = l >= m ? upper : lower;
    if (l >= table.start && l <= table.end) return cubicHermite(table, l);
    // Beyond the range of v on a bounded support v^{-1} is the support's end: K is linear there.
    if (l > table.end && table.clampedEnd)
      return table.values[table.values.length - 1]! + table.slopes[table.slopes.length - 1]! * (l - table.end);
    if (l < table.start && table.clampedStart) return table.values[0]! + table.slopes[0]! * (l - table.start);
    return exact(l);
  };
  return { evaluate, lower, upper };
}

/** K(l) by root finding and quadrature (no table): for single evaluations. */
export function exactInverseIntegral(vt: VirtualType, l: number): number {
  const { dist, eA, eB, flatLevel: m } = vt;
  const u = vt.vInverse(l);
  if (l >= m) {
    const uc = Math.min(u, dist.upper);
    return uc * l - eB * m - integrate(vt.v, eB, uc, QUAD).value;
  }
  const uc = Math.max(u, dist.lower);
  return uc * l - eA * m + integrate(vt.v, uc, eA, QUAD).value;
}

/** K(l) = int_m^l v^{-1}, with the Hermite tables it is interpolated from (for callers that fuse them). */
export interface InverseIntegral {
  evaluate(l: number): number;
  /** Table of K on [start, end] = [v(lowest tabulated e), m] (slopes are v^{-1}). */
  readonly lower: BranchTable;
  /** Table of K on [m, v(highest tabulated e)]. */
  readonly upper: BranchTable;
}

/** A cubic Hermite table of K on one branch; beyond a clamped end K is linear (v^{-1} is the support's end there). */
export interface BranchTable extends CubicHermiteTable {
  readonly clampedStart: boolean;
  readonly clampedEnd: boolean;
}

function buildBranch(vt: VirtualType, branch: "lower" | "upper"): BranchTable {
  const { dist, eA, eB, flatLevel: m } = vt;
  // The e-interval of the branch, truncated at the TAIL quantile when unbounded.
  const eFar =
    branch === "lower"
      ? Number.isFinite(dist.lower)
        ? dist.lower
        : dist.quantile(TAIL)
      : Number.isFinite(dist.upper)
        ? dist.upper
        : dist.quantile(1 - TAIL);
  const edge = branch === "lower" ? eA : eB;
  const lFar = vt.v(eFar);
  const start = branch === "lower" ? Math.min(lFar, m) : m;
  const end = branch === "lower" ? m : Math.max(lFar, m);
  const values = new Float64Array(NODES + 1);
  const slopes = new Float64Array(NODES + 1);
  const step = (end - start) / NODES;
  // March from the flat level outwards, accumulating int v de between consecutive preimages.
  let uPrev = edge;
  let integral = 0;
  for (let j = 0; j <= NODES; j++) {
    const k = branch === "lower" ? NODES - j : j;
    const l = j === NODES ? (branch === "lower" ? start : end) : branch === "lower" ? end - j * step : start + j * step;
    const u = j === 0 ? edge : j === NODES ? eFar : vt.vInverse(l);
    integral += u === uPrev ? 0 : integrate(vt.v, uPrev, u, QUAD).value;
    uPrev = u;
    // K(l) = u l - edge m - int_{edge}^{u} v  (the same expression on both branches).
    values[k] = u * l - edge * m - integral;
    slopes[k] = u;
  }
  return {
    start,
    end,
    step,
    values,
    slopes,
    clampedStart: branch === "lower" && Number.isFinite(dist.lower),
    clampedEnd: branch === "upper" && Number.isFinite(dist.upper),
  };
}

import { cubicHermite, type CubicHermiteTable, integrate } from "@optex/numerics";
import type { VirtualType } from "./virtualType.ts";

/** Table size per branch of v; cubic Hermite error is below 1e-12 for the built-in laws (tested). */
const NODES = 4096;
/** Tail probability beyond which an unbounded branch is evaluated exactly (slowly) instead of from the table. */
const TAIL = 1e-13;
/** Farthest level from the flat level the tables cover (standardized units: 40 sd). */
const L_REACH = 40;
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
  // Where ironing pools types, v^{-1} jumps and K has a kink inside a table's cell: the cells around
  // a pooled level are evaluated exactly.
  const kinks = vt.pooledLevels ?? [];
  const nearKink = (l: number) => kinks.some((k) => Math.abs(l - k) <= 1.01 * Math.max(lower.step, upper.step));
  const evaluate = (l: number) => {
    if (kinks.length > 0 && nearKink(l)) return exact(l);
    const table = l >= m ? upper : lower;
    if (l >= table.start && l <= table.end) {
      if (table.exactCells?.[Math.min(table.exactCells.length - 1, Math.floor((l - table.start) / table.step))]) return exact(l);
      return cubicHermite(table, l);
    }
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
    return uc * l - eB * m - integrateV(vt, eB, uc);
  }
  const uc = Math.max(u, dist.lower);
  return uc * l - eA * m + integrateV(vt, uc, eA);
}

/** int_a^b v, split at the ends of pooled pieces (kinks of an ironed v) so each piece is smooth. */
function integrateV(vt: VirtualType, a: number, b: number): number {
  if (!vt.pooled || vt.pooled.length === 0) return integrate(vt.v, a, b, QUAD).value;
  const breaks = [a, b, ...vt.pooled.flatMap((p) => [p.from, p.to]).filter((x) => x > Math.min(a, b) && x < Math.max(a, b))];
  breaks.sort((x, y) => (a <= b ? x - y : y - x));
  let total = 0;
  for (let i = 1; i < breaks.length; i++) total += integrate(vt.v, breaks[i - 1]!, breaks[i]!, QUAD).value;
  return total;
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
  /**
   * Cells whose interpolation missed the exact K at their midpoint by more than 1e-13 (checked for
   * laws that fail Condition 1, whose v can kink or nearly stall): evaluated exactly instead.
   */
  readonly exactCells?: Uint8Array;
}

function buildBranch(vt: VirtualType, branch: "lower" | "upper"): BranchTable {
  const { dist, eA, eB, flatLevel: m } = vt;
  // The e-interval of the branch, truncated at the TAIL quantile when unbounded.
  let eFar =
    branch === "lower"
      ? Number.isFinite(dist.lower)
        ? dist.lower
        : dist.quantile(TAIL)
      : Number.isFinite(dist.upper)
        ? dist.upper
        : dist.quantile(1 - TAIL);
  const edge = branch === "lower" ? eA : eB;
  // A heavy tail (Student t) puts v at the TAIL quantile hundreds of sds away, and 4,096 nodes
  // spread over that range interpolate the centre poorly: the table stops within L_REACH (in the
  // standardized law's units) of the flat level, and K beyond it is evaluated exactly (rarely needed).
  const lFarFull = vt.v(eFar);
  const lFar = Math.abs(lFarFull - m) <= L_REACH ? lFarFull : m + (branch === "lower" ? -L_REACH : L_REACH);
  if (lFar !== lFarFull) eFar = vt.vInverse(lFar);
  const start = branch === "lower" ? Math.min(lFar, m) : m;
  const end = branch === "lower" ? m : Math.max(lFar, m);
  // A law that fails Condition 1 has a v whose slope can change fast (a mode's edge): 4x the nodes.
  const nodes = vt.condition1Holds === false ? 4 * NODES : NODES;
  const values = new Float64Array(nodes + 1);
  const slopes = new Float64Array(nodes + 1);
  const step = (end - start) / nodes;
  // March from the flat level outwards, accumulating int v de between consecutive preimages.
  let uPrev = edge;
  let integral = 0;
  for (let j = 0; j <= nodes; j++) {
    const k = branch === "lower" ? nodes - j : j;
    const l = j === nodes ? (branch === "lower" ? start : end) : branch === "lower" ? end - j * step : start + j * step;
    const u = j === 0 ? edge : j === nodes ? eFar : vt.vInverse(l);
    integral += u === uPrev ? 0 : integrateV(vt, uPrev, u);
    uPrev = u;
    // K(l) = u l - edge m - int_{edge}^{u} v  (the same expression on both branches).
    values[k] = u * l - edge * m - integral;
    slopes[k] = u;
  }
  // For a law failing Condition 1, every cell is checked at its midpoint against the exact K.
  let exactCells: Uint8Array | undefined;
  if (vt.condition1Holds === false && step > 0) {
    exactCells = new Uint8Array(nodes);
    const table = { start, end, step, values, slopes };
    for (let k = 0; k < nodes; k++) {
      const l = start + (k + 0.5) * step;
      const want = exactInverseIntegral(vt, l);
      if (!(Math.abs(cubicHermite(table, l) - want) <= 1e-13 * (1 + Math.abs(want)))) exactCells[k] = 1;
    }
  }
  return {
    ...(exactCells ? { exactCells } : {}),
    start,
    end,
    step,
    values,
    slopes,
    // Clamped (K linear beyond) only where the table reaches the support's end.
    clampedStart: branch === "lower" && Number.isFinite(dist.lower) && lFar === lFarFull,
    clampedEnd: branch === "upper" && Number.isFinite(dist.upper) && lFar === lFarFull,
  };
}

import type { FeeSchedule } from "@optex/engine";
import {
  type BasicEnvironment,
  type BranchTable,
  exactInverseIntegral,
  type InverseIntegral,
  inverseVirtualTypeIntegral,
  type VirtualType,
} from "@optex/theory";

/** The Proposition 3 fee with its parts exposed for tests and reports. */
export interface Prop3Fee extends FeeSchedule {
  readonly id: "prop3";
  /** Quadratic coefficient: minus the price impact 1/((N-1) kappa). */
  readonly c: number;
  /** Participation constant: makes participation bind on [eA, eB]. */
  readonly d: number;
  /** B(l) = ((N-1)/(N kappa)) [l^2/2 - int_{mu_e}^{l} v^{-1}(s) ds]. */
  B(l: number): number;
  /** The schedule's implied intercept l = -q - kappa (p - mu_pi). */
  impliedIntercept(q: number, p: number): number;
  /** fee() over a batch of traders at one price. */
  feesInto(quantities: Float64Array, p: number, out: Float64Array): void;
}

/**
 * Proposition 3, as corrected in docs/fees.md (the printed a = -N/(N-1) makes the payoff
 * convex and the printed argument -q - p/N is wrong):
 *   T(q, p) = (c/2) q^2 - B(l) + d,  l = -q - kappa (p - mu_pi),  c = -1/((N-1) kappa),
 *   d = Var[v]/(2 N kappa) + B(m).
 * Along the residual supply p = p0 + q/((N-1) kappa) the trader's payoff has slope
 * (v^{-1}(l) - e)/kappa with l falling in q, so q(p) = -v(e) - kappa (p - mu_pi) is an ex-post best
 * response (checked numerically by the agents' best responder in test/). The fee does not depend
 * on the trader's identity.
 * B is defined up to a constant that d absorbs; optex centres it on mu_e,
 *   B(l) = ((N-1)/(N kappa)) [ (l - mu_e)^2/2 - int_{mu_e}^{l} (v^{-1}(s) - mu_e) ds ]
 *        = printed B(l) - ((N-1)/(N kappa)) mu_e^2 / 2,
 * so that a large mean does not cancel catastrophically. It is evaluated on the standardized law
 * (B scales with sigma_e^2): exactly, as a piecewise quadratic, when v is piecewise linear
 * (VirtualType.inverseIntegralPieces: uniform laws, alpha = 0); otherwise from Hermite tables of
 * int v^{-1} fused with the square (one table lookup per fee), and beyond the tables (1e-13 tails
 * of an unbounded law) by quadrature.
 */
export function prop3Fee(env: BasicEnvironment, vt: VirtualType): Prop3Fee {
  const { kappa, traders: N, muPi } = env;
  const parts = quadraticInverseFee(vt, {
    kappa,
    muPi,
    c: -1 / ((N - 1) * kappa),
    scale: (N - 1) / (N * kappa),
    dBeforeB: vt.varianceVirtualType / (2 * N * kappa),
  });
  return { id: "prop3", ...parts, fee: (_trader, q, p) => parts.feeOf(q, p) };
}

/** The trader-independent parts of a Proposition 3-type fee. */
export interface QuadraticInverseFee {
  readonly c: number;
  readonly d: number;
  B(l: number): number;
  impliedIntercept(q: number, p: number): number;
  feeOf(q: number, p: number): number;
  feesInto(quantities: Float64Array, p: number, out: Float64Array): void;
}

/**
 * The fee family of Propositions 3 and 10 for one trader with virtual type vt (flat at vt.flatLevel)
 * and holding capacity kappa: T(q, p) = (c/2) q^2 - B(l) + d with l = -q - kappa (p - mu_pi),
 * B(l) = scale [(l - mu_e)^2/2 - int_{mu_e}^{l} (v^{-1}(s) - mu_e) ds] and d = dBeforeB + B(flat level).
 */
export function quadraticInverseFee(
  vt: VirtualType,
  p: { kappa: number; muPi: number; c: number; scale: number; dBeforeB: number },
): QuadraticInverseFee {
  const { kappa, muPi, c } = p;
  const z = vt.standardized;
  const mu = vt.location;
  const sigma = vt.scale;
  const factor = p.scale * sigma * sigma;
  // d from quadrature alone: B at the flat level, where int_{flat}^{t} v^{-1} vanishes.
  const zFlat = z.flatLevel;
  const d = p.dBeforeB + factor * (0.5 * zFlat * zFlat + exactInverseIntegral(z, 0));
  const halfC = 0.5 * c;
  const impliedIntercept = (q: number, price: number) => -q - kappa * (price - muPi);
  // When v is piecewise linear (uniform laws; alpha = 0), int v^{-1} and so B are exactly piecewise
  // quadratic: B(l) = factor (t^2/2 - (K(t) - K(0))), t = (l - mu)/sigma, from the standardized
  // law's pieces, mapped to l. No tables, and the same values to rounding.
  const K = z.inverseIntegralPieces;
  if (K) {
    const pieces = K.transformed(mu, sigma, -factor, 0.5 * factor, 0, factor * K.at(0));
    const B = (l: number) => pieces.at(l);
    return {
      c,
      d,
      B,
      impliedIntercept,
      feeOf: (q, price) => halfC * q * q - pieces.at(-q - kappa * (price - muPi)) + d,
      // out[i] = (c/2) q^2 - B(-q - shift) + d, in one loop over the pieces.
      feesInto: (quantities, price, out) => pieces.affineInto(quantities, out, -1, -kappa * (price - muPi), -1, d, halfC),
    };
  }
  // The Hermite tables cost a few thousand root findings: built on the first fee, not for c and d.
  let lazy: { K: InverseIntegral; K0: number; table: FusedTable } | undefined;
  const tables = () => {
    if (!lazy) {
      const K = inverseVirtualTypeIntegral(z); // int_{flat level}^{t} v_z^{-1}
      const K0 = K.evaluate(0); // the standardized mean is 0
      const table = fuse(K.lower, K.upper, factor, K0, mu, sigma, vt.flatLevel);
      // An ironed v (docs/ironing.md) pools types at other levels, where B has a kink inside a cell:
      // those cells (and their neighbours) are left to the exact evaluation.
      for (const level of z.pooledLevels ?? []) markExact(table, mu + sigma * level);
      lazy = { K, K0, table };
    }
    return lazy;
  };
  const exactB = (l: number) => {
    const { K, K0 } = tables();
    const t = (l - mu) / sigma;
    return factor * (0.5 * t * t - (K.evaluate(t) - K0));
  };
  const B = (l: number): number => {
    const b = tableB(tables().table, l);
    return b === b ? b : exactB(l); // NaN: outside the tables
  };
  return {
    c,
    d,
    B,
    impliedIntercept,
    feeOf: (q, price) => halfC * q * q - B(-q - kappa * (price - muPi)) + d,
    feesInto: (quantities, price, out) => {
      const shift = kappa * (price - muPi);
      const table = tables().table;
      for (let i = 0; i < quantities.length; i++) {
        const q = quantities[i]!;
        const l = -q - shift;
        let b = tableB(table, l);
        if (b !== b) b = exactB(l);
        out[i] = halfC * q * q - b + d;
      }
    },
  };
}

/**
 * B tabulated on both branches as one array of cells: the lower branch's grid maps l in
 * [loStart, m] to cell coordinate x in [0, nLo], the upper's maps [m, hiEnd] to [nLo, nLo + nHi].
 * Each cell stores (B, B' h) at both of its ends, so the kink of B at m (slope jumps from
 * factor (m - eA) to factor (m - eB)) sits between cells and the lookup needs no branch on the side.
 */
interface FusedTable {
  m: number;
  loStart: number;
  loInv: number;
  hiStart: number;
  hiInv: number;
  nLo: number;
  cellCount: number;
  cells: Float64Array;
}

/**
 * B(l) from the cells by cubic Hermite interpolation; NaN outside the tables. The side is chosen
 * arithmetically (0/1 weight), not by a branch: random traders make that branch unpredictable.
 */
function tableB(t: FusedTable, l: number): number {
  const up = +(l >= t.m);
  const x = (1 - up) * ((l - t.loStart) * t.loInv) + up * (t.nLo + (l - t.hiStart) * t.hiInv);
  if (!(x >= 0 && x <= t.cellCount)) return Number.NaN;
  const k = x < t.cellCount ? x | 0 : t.cellCount - 1; // 0 <= x < 2^31: truncation is floor
  const s = x - k;
  const j = 4 * k;
  const cells = t.cells;
  const v0 = cells[j]!;
  const d0 = cells[j + 1]!;
  const v1 = cells[j + 2]!;
  const d1 = cells[j + 3]!;
  // Cubic Hermite in Horner form.
  return v0 + s * (d0 + s * (3 * (v1 - v0) - 2 * d0 - d1 + s * (2 * (v0 - v1) + d0 + d1)));
}

/** Fills the cells around l (the one holding it and its neighbours) with NaN: tableB then returns NaN there. */
function markExact(t: FusedTable, l: number): void {
  const up = +(l >= t.m);
  const x = (1 - up) * ((l - t.loStart) * t.loInv) + up * (t.nLo + (l - t.hiStart) * t.hiInv);
  if (!(x >= 0 && x <= t.cellCount)) return;
  const k = Math.min(t.cellCount - 1, Math.floor(x));
  for (let c = Math.max(0, k - 1); c <= Math.min(t.cellCount - 1, k + 1); c++) t.cells.fill(Number.NaN, 4 * c, 4 * c + 4);
}

/**
 * Cells of B from K's tables (standardized units t): B = factor (t^2/2 - (K - K0)),
 * dB/dt = factor (t - v_z^{-1}(t)), placed on the user's axis l = mu + sigma t.
 */
function fuse(lower: BranchTable, upper: BranchTable, factor: number, K0: number, mu: number, sigma: number, m: number): FusedTable {
  const nodes = (table: BranchTable) => {
    const n = table.values.length - 1;
    const values = new Float64Array(n + 1);
    const slopes = new Float64Array(n + 1);
    for (let k = 0; k <= n; k++) {
      const t = k === n ? table.end : table.start + k * table.step;
      values[k] = factor * (0.5 * t * t - (table.values[k]! - K0));
      slopes[k] = factor * (t - table.slopes[k]!) * table.step;
    }
    // A zero-width branch (never for laws satisfying Condition 1) gets no cells: lookups fall back to exact.
    return { n: table.step > 0 ? n : 0, values, slopes, exact: table.exactCells };
  };
  const lo = nodes(lower);
  const hi = nodes(upper);
  const cellCount = lo.n + hi.n;
  const cells = new Float64Array(4 * Math.max(1, cellCount));
  const put = (offset: number, side: { n: number; values: Float64Array; slopes: Float64Array; exact?: Uint8Array | undefined }) => {
    for (let k = 0; k < side.n; k++) {
      const j = 4 * (offset + k);
      // A cell K's table evaluates exactly is left NaN here: tableB falls back to the exact B.
      const flagged = side.exact?.[k] === 1;
      cells[j] = flagged ? Number.NaN : side.values[k]!;
      cells[j + 1] = flagged ? Number.NaN : side.slopes[k]!;
      cells[j + 2] = flagged ? Number.NaN : side.values[k + 1]!;
      cells[j + 3] = flagged ? Number.NaN : side.slopes[k + 1]!;
    }
  };
  put(0, lo);
  put(lo.n, hi);
  return {
    m,
    loStart: mu + sigma * lower.start,
    loInv: lo.n > 0 ? 1 / (sigma * lower.step) : Number.NaN,
    hiStart: mu + sigma * upper.start,
    hiInv: hi.n > 0 ? 1 / (sigma * upper.step) : Number.NaN,
    nLo: lo.n,
    cellCount,
    cells,
  };
}

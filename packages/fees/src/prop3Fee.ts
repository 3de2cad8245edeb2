import type { FeeSchedule } from "@optex/engine";
import { type BasicEnvironment, type BranchTable, inverseVirtualTypeIntegral, type VirtualType } from "@optex/theory";

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
 * Proposition 3, as corrected in MODEL.md section 5 (the printed a = -N/(N-1) makes the payoff
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
 * (B scales with sigma_e^2) from Hermite tables of int v^{-1} fused with the square (one table
 * lookup per fee); beyond the tables (1e-13 tails of an unbounded law) it is computed exactly.
 */
export function prop3Fee(env: BasicEnvironment, vt: VirtualType): Prop3Fee {
  const { kappa, traders: N, muPi } = env;
  const z = vt.standardized;
  const mu = vt.location;
  const sigma = vt.scale;
  const K = inverseVirtualTypeIntegral(z); // int_{m_z}^{t} v_z^{-1}
  const factor = ((N - 1) / (N * kappa)) * sigma * sigma;
  const K0 = K.evaluate(0); // the standardized mean is 0
  const exactB = (l: number) => {
    const t = (l - mu) / sigma;
    return factor * (0.5 * t * t - (K.evaluate(t) - K0));
  };
  const lo = fuse(K.lower, factor, K0, mu, sigma);
  const hi = fuse(K.upper, factor, K0, mu, sigma);
  const m = vt.meanVirtualType;
  const B = (l: number): number => {
    const t = l >= m ? hi : lo;
    const x = (l - t.start) * t.invStep;
    if (!(x >= 0 && x <= t.n)) return exactB(l);
    const k = x < t.n ? x | 0 : t.n - 1;
    const s = x - k;
    const j = 2 * k;
    const v0 = t.interleaved[j]!;
    const d0 = t.interleaved[j + 1]!;
    const v1 = t.interleaved[j + 2]!;
    const d1 = t.interleaved[j + 3]!;
    // Cubic Hermite in Horner form.
    return v0 + s * (d0 + s * (3 * (v1 - v0) - 2 * d0 - d1 + s * (2 * (v0 - v1) + d0 + d1)));
  };
  const c = -1 / ((N - 1) * kappa);
  const d = vt.varianceVirtualType / (2 * N * kappa) + exactB(m);
  const halfC = 0.5 * c;
  return {
    id: "prop3",
    c,
    d,
    B,
    impliedIntercept: (q, p) => -q - kappa * (p - muPi),
    fee: (_trader, q, p) => halfC * q * q - B(-q - kappa * (p - muPi)) + d,
    feesInto: (quantities, p, out) => {
      // B inlined with the tables in locals: this is the Monte Carlo's per-trader hot path.
      const shift = kappa * (p - muPi);
      const loStart = lo.start;
      const loInv = lo.invStep;
      const loN = lo.n;
      const loT = lo.interleaved;
      const hiStart = hi.start;
      const hiInv = hi.invStep;
      const hiN = hi.n;
      const hiT = hi.interleaved;
      const count = quantities.length;
      for (let i = 0; i < count; i++) {
        const q = quantities[i]!;
        const l = -q - shift;
        const upper = l >= m;
        const x = upper ? (l - hiStart) * hiInv : (l - loStart) * loInv;
        const n = upper ? hiN : loN;
        let b: number;
        if (x >= 0 && x <= n) {
          const k = x < n ? x | 0 : n - 1; // 0 <= x < 2^31: truncation is floor
          const s = x - k;
          const t = upper ? hiT : loT;
          const j = 2 * k;
          const v0 = t[j]!;
          const d0 = t[j + 1]!;
          const v1 = t[j + 2]!;
          const d1 = t[j + 3]!;
          b = v0 + s * (d0 + s * (3 * (v1 - v0) - 2 * d0 - d1 + s * (2 * (v0 - v1) + d0 + d1)));
        } else {
          b = exactB(l);
        }
        out[i] = halfC * q * q - b + d;
      }
    },
  };
}

interface FusedTable {
  /** First node, in the user's units. */
  start: number;
  /** 1 / (node spacing in the user's units). */
  invStep: number;
  n: number;
  /** B at node k and its slope times the spacing, interleaved: one cache line holds a cell. */
  interleaved: Float64Array;
}

/**
 * Table of B from K's (standardized units t): B = factor (t^2/2 - (K - K0)), dB/dt = factor (t - v_z^{-1}(t)),
 * placed on the user's axis l = mu + sigma t.
 */
function fuse(table: BranchTable, factor: number, K0: number, mu: number, sigma: number): FusedTable {
  const n = table.values.length - 1;
  const interleaved = new Float64Array(2 * (n + 1));
  for (let k = 0; k <= n; k++) {
    const t = k === n ? table.end : table.start + k * table.step;
    interleaved[2 * k] = factor * (0.5 * t * t - (table.values[k]! - K0));
    interleaved[2 * k + 1] = factor * (t - table.slopes[k]!) * table.step;
  }
  // A zero-width table never matches: invStep = Infinity gives x = NaN or +-Infinity.
  return { start: mu + sigma * table.start, invStep: 1 / (sigma * table.step), n, interleaved };
}

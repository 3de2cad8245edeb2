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
 * B is interpolated from Hermite tables of int v^{-1} fused with l^2/2 (one table lookup per fee);
 * beyond the tables (1e-13 tails of an unbounded law) it is computed exactly.
 */
export function prop3Fee(env: BasicEnvironment, vt: VirtualType): Prop3Fee {
  const { kappa, traders: N, muPi, dist } = env;
  const K = inverseVirtualTypeIntegral(vt); // int_m^l v^{-1}
  const scale = (N - 1) / (N * kappa);
  const offset = K.evaluate(dist.mean); // so that the integral starts at mu_e as printed
  const exactB = (l: number) => scale * (0.5 * l * l - (K.evaluate(l) - offset));
  const lo = fuse(K.lower, scale, offset);
  const hi = fuse(K.upper, scale, offset);
  const m = vt.meanVirtualType;
  const B = (l: number): number => {
    const t = l >= m ? hi : lo;
    const x = (l - t.start) * t.invStep;
    if (!(x >= 0 && x <= t.n)) return exactB(l);
    const k = x < t.n ? Math.floor(x) : t.n - 1;
    const s = x - k;
    const v0 = t.values[k]!;
    const v1 = t.values[k + 1]!;
    const d0 = t.scaledSlopes[k]!;
    const d1 = t.scaledSlopes[k + 1]!;
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
  start: number;
  invStep: number;
  n: number;
  values: Float64Array;
  /** Slopes times the step (the Hermite form on the unit interval). */
  scaledSlopes: Float64Array;
  /** values[k], scaledSlopes[k] interleaved: one cache line holds both ends of a cell. */
  interleaved: Float64Array;
}

/** Table of B = scale (l^2/2 - (K - offset)) from K's: B' = scale (l - v^{-1}(l)). */
function fuse(t: BranchTable, scale: number, offset: number): FusedTable {
  const n = t.values.length - 1;
  const values = new Float64Array(n + 1);
  const scaledSlopes = new Float64Array(n + 1);
  for (let k = 0; k <= n; k++) {
    const l = k === n ? t.end : t.start + k * t.step;
    values[k] = scale * (0.5 * l * l - (t.values[k]! - offset));
    scaledSlopes[k] = scale * (l - t.slopes[k]!) * t.step;
  }
  // A zero-width table never matches: invStep = Infinity gives x = NaN or +-Infinity.
  const interleaved = new Float64Array(2 * (n + 1));
  for (let k = 0; k <= n; k++) {
    interleaved[2 * k] = values[k]!;
    interleaved[2 * k + 1] = scaledSlopes[k]!;
  }
  return { start: t.start, invStep: 1 / t.step, n, values, scaledSlopes, interleaved };
}

import { findRootExpanding } from "./brent.ts";
import type { Distribution } from "./distribution.ts";
import { integrate } from "./quadrature.ts";
import { TheoryError } from "./theoryError.ts";
import { truncatedSupport } from "./tradeVolume.ts";

/**
 * Theorem 3 for any laws of endowments F and signals G (independent, rho = 0), by numerical
 * convolution (MODEL.md section 6, kappa kept). The effective type t = e/kappa - zeta has
 * density h(t) = int f(e) g(e/kappa - t) de, cdf H(t) = int f(e) (1 - G(e/kappa - t)) de, and
 * E[e | t] h(t) = int e f(e) g(e/kappa - t) de. Virtual type:
 *   v(t) = ehat(t) + alpha kappa H/h below tA, ehat(t) - alpha kappa (1-H)/h above tB, m between,
 * with m = E[v] (a one-dimensional root, as for Theorem 1). Per trader, with Xhat = -((N-1)/N)(v - m):
 *   holding = (E[e^2] + 2 E[ehat Xhat] + ((N-1)/N) Var v)/(2 kappa), C = E[(ehat/kappa - t)(v - m)],
 *   gain = E[G], G(t) = -int_{t*}^{t} Xhat, revenue = -E[t Xhat] + ((N-1)/N) C - E[X^2]/(2 kappa) - E[G].
 * The Gaussian case must reproduce optimalAdverseSelection (tested). Inner integrals use relative
 * tolerance 1e-10; the result is accurate to about 1e-8 relative. Throws TheoryError when the
 * branches are not monotone (the analogue of Condition 1, Condition 2 of the paper).
 */
export function effectiveTypeMechanism(p: { endowment: Distribution; signal: Distribution; kappa: number; traders: number; alpha: number }) {
  const { endowment: F, signal: G, kappa, traders: N, alpha } = p;
  if (!(alpha >= 0 && alpha <= 1)) throw new TheoryError(`alpha must be in [0, 1], got ${alpha}`);
  if (!(kappa > 0)) throw new TheoryError(`kappa must be > 0, got ${kappa}`);
  if (!(Number.isInteger(N) && N >= 2)) throw new TheoryError(`traders must be an integer >= 2, got ${N}`);
  const Qin = { absTol: 1e-16, relTol: 1e-10, maxSubdivisions: 2000 };
  const Qout = { absTol: 1e-14, relTol: 1e-9, maxSubdivisions: 2000 };
  const [eLo, eHi] = truncatedSupport(F);
  const [zLo, zHi] = truncatedSupport(G);
  // Integration range in e for a given t: where both f(e) and g(e/kappa - t) can be positive.
  const eRange = (t: number): [number, number] => [Math.max(eLo, kappa * (t + zLo)), Math.min(eHi, kappa * (t + zHi))];
  const conv = (t: number, weight: (e: number) => number) => {
    const [a, b] = eRange(t);
    return a < b ? integrate((e) => weight(e) * F.pdf(e) * G.pdf(e / kappa - t), a, b, Qin).value : 0;
  };
  const h = (t: number) => conv(t, () => 1);
  const eh = (t: number) => conv(t, (e) => e); // ehat(t) h(t)
  const H = (t: number) => integrate((e) => F.pdf(e) * G.survival(e / kappa - t), eLo, eHi, Qin).value;
  // 1 - H(t) = P(zeta < e/kappa - t), computed directly so it stays accurate in the upper tail.
  const tMin = eLo / kappa - zHi;
  const tMax = eHi / kappa - zLo;
  // Work where H is in [1e-15, 1 - 1e-15]: beyond, h underflows and ratios like E[e | t] are noise;
  // the mass left out moves the results by about 1e-15 of their scale.
  const tCentre = F.mean / kappa - G.mean;
  const tSpread = Math.sqrt(F.variance / (kappa * kappa) + G.variance);
  const survivalT = (t: number) => integrate((e) => F.pdf(e) * G.cdf(e / kappa - t), eLo, eHi, Qin).value;
  const tLo = H(tMin) >= 1e-15 ? tMin : findRootExpanding((t) => Math.log(Math.max(H(t), 1e-300)) - Math.log(1e-15), tCentre, tSpread, tMin, tCentre, { tolerance: 1e-6 * tSpread });
  const tHi = survivalT(tMax) >= 1e-15 ? tMax : findRootExpanding((t) => Math.log(1e-15) - Math.log(Math.max(survivalT(t), 1e-300)), tCentre, tSpread, tCentre, tMax, { tolerance: 1e-6 * tSpread });
  const lower = (t: number) => {
    const d = h(t);
    return (eh(t) + alpha * kappa * H(t)) / d;
  };
  const upper = (t: number) => {
    const d = h(t);
    return (eh(t) - alpha * kappa * (1 - H(t))) / d;
  };
  const meanE = F.mean;
  const tMean = tCentre;
  const scaleT = tSpread;
  const solveBranch = (branch: (t: number) => number, level: number) =>
    findRootExpanding((t) => branch(t) - level, tMean, scaleT, tLo, tHi, { tolerance: 1e-12 * scaleT });
  // E[v_m] - m, with lower(t) h(t) = ehat h + alpha kappa H and upper(t) h(t) = ehat h - alpha kappa (1 - H).
  const excess = (m: number) => {
    const tA = solveBranch(lower, m);
    const tB = solveBranch(upper, m);
    const below = integrate((t) => eh(t) + alpha * kappa * H(t), tLo, tA, Qout).value;
    const above = integrate((t) => eh(t) - alpha * kappa * (1 - H(t)), tB, tHi, Qout).value;
    return below + above - m * (H(tA) + 1 - H(tB));
  };
  const m = alpha === 0 ? meanE : findRootExpanding(excess, meanE, Math.sqrt(F.variance), -Infinity, Infinity, { tolerance: 1e-11 * Math.sqrt(F.variance) });
  const tA = alpha === 0 ? tMean : solveBranch(lower, m);
  const tB = alpha === 0 ? tMean : solveBranch(upper, m);
  const v = (t: number) => (alpha === 0 ? eh(t) / h(t) : t < tA ? lower(t) : t > tB ? upper(t) : m);
  // (v - m) h without dividing by h (it underflows far in the tails).
  const vmh = (t: number) => {
    if (alpha === 0) return eh(t) - m * h(t);
    if (t < tA) return eh(t) + alpha * kappa * H(t) - m * h(t);
    if (t > tB) return eh(t) - alpha * kappa * (1 - H(t)) - m * h(t);
    return 0;
  };
  const safe = (g: (t: number) => number) => (t: number) => {
    const value = g(t);
    return Number.isFinite(value) ? value : 0; // 0/0 only where the weight h has underflowed
  };
  // Expectations over t (v - m vanishes on [tA, tB] when alpha > 0).
  const over = (g: (t: number) => number) => {
    const pieces: [number, number][] = alpha === 0 ? [[tLo, tHi]] : [[tLo, tA], [tB, tHi]];
    return pieces.reduce((s, [a, b]) => s + (b > a ? integrate(safe(g), a, b, Qout).value : 0), 0);
  };
  const EtV = over((t) => (t - tMean) * vmh(t));
  const EehV = over((t) => (eh(t) / h(t) - meanE) * vmh(t));
  const EvV = over((t) => vmh(t) ** 2 / h(t));
  const EG = over((t) => (t >= tB ? ((vmh(t) / h(t)) * (1 - H(t))) : (-(vmh(t) / h(t)) * H(t))));
  const share = (N - 1) / N;
  const eTX = -share * EtV; // E[t Xhat] (E[Xhat] = 0)
  const eEX = -share * EehV; // E[ehat Xhat]
  const C = EehV / kappa - EtV; // E[(ehat/kappa - t)(v - m)]
  const secondX = share * EvV;
  const gain = share * EG;
  const revenue = -eTX + share * C - secondX / (2 * kappa) - gain;
  const holding = (F.variance + meanE * meanE + 2 * eEX + secondX) / (2 * kappa);
  return { tA, tB, meanVirtualType: m, v, revenuePerTrader: revenue, holdingCostPerTrader: holding, utilityGainPerTrader: gain };
}

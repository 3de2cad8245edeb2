import { findRoot, integrate } from "@optex/numerics";
import { Matrix, solve } from "ml-matrix";
import type { Distribution } from "../laws/distribution.ts";
import { exactInverseIntegral } from "../basic/inverseVirtualTypeIntegral.ts";
import { integrateOverUnitLaw } from "../basic/lawQuadrature.ts";
import { standardizedLaw } from "../laws/standardizedLaw.ts";
import { TheoryError } from "../theoryError.ts";
import { branchesOf, checkLawAndAlpha, inUserUnits, standardAtLevel, type VirtualType } from "../basic/virtualType.ts";

/** One trader of Section 7: its law of endowments and holding capacity. */
export interface HeterogeneousTraderSpec {
  readonly dist: Distribution;
  readonly kappa: number;
}

/** Theorem 5's optimal mechanism: each trader's virtual type, with its own flat level. */
export interface HeterogeneousMechanism {
  readonly alpha: number;
  readonly kappas: readonly number[];
  /** K = sum of the kappas. */
  readonly totalKappa: number;
  /** v_i, with eA, eB, flatLevel L_i and meanVirtualType E[v_i]. */
  readonly traders: readonly VirtualType[];
  /** Newton iterations of the fixed point in (E[v_1], ..., E[v_N]). */
  readonly iterations: number;
}

/**
 * Theorem 5: X_i = -v_i(e_i) + (kappa_i / K) sum_j v_j(e_j), where v_i is flat at
 * L_i = kappa_i sum_{j != i} E[v_j] / sum_{j != i} kappa_j on [e_ia, e_ib] (docs/environments/heterogeneous.md; the
 * printed statement has index typos). The 3N unknowns reduce to the N means m: for levels L,
 * g_i(L_i) = E[v_{i, L_i}] is known by quadrature with g_i' = F_i(e_ib) - F_i(e_ia) in [0, 1), so
 * m = g(W m), W_ij = kappa_i / (K - kappa_i) (j != i), is solved by Newton's method with the
 * Jacobian I - diag(g') W (ml-matrix), to 1e-13 of the endowments' scale.
 * Throws TheoryError for bad input, when Condition 4 fails (Condition 1 for a trader's law), or
 * when some trader has no type that trades zero (Theorem 5 needs full support).
 */
export function solveHeterogeneous(specs: readonly HeterogeneousTraderSpec[], alpha: number): HeterogeneousMechanism {
  const N = specs.length;
  if (N < 2) throw new TheoryError(`heterogeneous model needs at least 2 traders, got ${N}`);
  specs.forEach((s, i) => {
    if (!(Number.isFinite(s.kappa) && s.kappa > 0))
      throw new TheoryError(`trader ${i + 1}: kappa must be a finite number > 0, got ${s.kappa}`);
    checkLawAndAlpha(s.dist, alpha);
  });
  const kappas = specs.map((s) => s.kappa);
  const K = kappas.reduce((a, b) => a + b, 0);
  const laws = specs.map((s) => standardizedLaw(s.dist));
  const branches = laws.map((z) => branchesOf(z, alpha));
  const mu = specs.map((s) => s.dist.mean);
  const sigma = specs.map((s) => Math.sqrt(s.dist.variance));
  const scale = Math.max(...sigma);
  const levelsOf = (m: readonly number[]) => {
    const total = m.reduce((a, b) => a + b, 0);
    return m.map((_, i) => (kappas[i]! * (total - m[i]!)) / (K - kappas[i]!));
  };
  // g_i(L) = E[v_{i,L}] and its derivative, the flat mass, in the user's units.
  const meanAt = (i: number, level: number) => {
    if (alpha === 0) return { mean: mu[i]!, slope: 0 };
    const t = (level - mu[i]!) / sigma[i]!;
    const b = branches[i]!;
    const z = laws[i]!;
    return { mean: level + sigma[i]! * b.excessMean(t), slope: z.cdf(b.eBOf(t)) - z.cdf(b.eAOf(t)) };
  };
  let m = [...mu];
  let iterations = 0;
  for (; iterations < 100; iterations++) {
    const levels = levelsOf(m);
    const at = levels.map((level, i) => meanAt(i, level));
    const residual = m.map((mi, i) => mi - at[i]!.mean);
    // Each residual to 1e-13 of the scale, or of its own mean and level where they are larger (their ulps bound it).
    if (residual.every((r, i) => Math.abs(r) <= 1e-13 * N * (scale + Math.abs(m[i]!) + Math.abs(levels[i]!)))) break;
    const J = Matrix.eye(N, N);
    for (let i = 0; i < N; i++) {
      for (let j = 0; j < N; j++) if (j !== i) J.set(i, j, -at[i]!.slope * (kappas[i]! / (K - kappas[i]!)));
    }
    const step = solve(J, Matrix.columnVector(residual)).to1DArray();
    m = m.map((mi, i) => mi - step[i]!);
    if (iterations === 99) throw new TheoryError("Theorem 5: Newton's method did not converge in 100 iterations");
  }
  const levels = levelsOf(m);
  const traders = specs.map((s, i) => {
    const z = laws[i]!;
    const t = (levels[i]! - mu[i]!) / sigma[i]!;
    const vz = standardAtLevel(z, alpha, t, branches[i]!);
    const vt = inUserUnits(s.dist, alpha, vz);
    // Full support (Condition 4): some type of each trader must trade zero, i.e. the level lies in the range of v_i.
    const below = Number.isFinite(z.lower) && t < branches[i]!.lower(z.lower);
    const above = Number.isFinite(z.upper) && t > branches[i]!.upper(z.upper);
    if (below || above) {
      throw new TheoryError(
        `trader ${i + 1}: no type trades zero (flat level ${levels[i]!.toPrecision(6)} outside the range of v_${i + 1}); Theorem 5 needs full support (Condition 4)`,
      );
    }
    return vt;
  });
  return { alpha, kappas, totalKappa: K, traders, iterations };
}

/**
 * Per-trader expectations and interim rules under Theorem 5's mechanism. Per trader,
 * revenue + (holding - autarky) + gain = mu_pi E[X_i] (not 0: expected trades differ when traders
 * do); summed over traders it is 0.
 */
export interface HeterogeneousTraderOutcome {
  readonly kappa: number;
  readonly eA: number;
  readonly eB: number;
  readonly flatLevel: number;
  readonly meanVirtualType: number;
  /** E[T_i] (trader i's expected payment, this trader's share of revenue). */
  readonly revenue: number;
  /** E[(e_i + X_i)^2] / (2 kappa_i). */
  readonly holdingCost: number;
  readonly autarkyHoldingCost: number;
  /** E[U_i - U_i(autarky)]. */
  readonly utilityGain: number;
  /** E[X_i] (nonzero when traders differ). */
  readonly expectedTrade: number;
  /** Proposition 10 fee's quadratic coefficient c_i = -1 / sum_{j != i} kappa_j and participation constant d_i. */
  readonly fee: { readonly c: number; readonly d: number };
  interimAllocation(e: number): number;
  interimTransfer(e: number): number;
  interimUtilityGain(e: number): number;
}

const QUAD = { absTol: 1e-15, relTol: 1e-11, maxSubdivisions: 4000 };

/**
 * Interim and ex-ante quantities of each trader (docs/quantities.md and docs/environments/heterogeneous.md):
 * Xhat_i(e) = -((K - kappa_i)/K)(v_i(e) - L_i), Var(X_i | e_i) = (kappa_i/K)^2 sum_{j != i} Var v_j,
 * G_i(e) = -(1/kappa_i) int_{e*}^{e} Xhat_i with e* in [e_ia, e_ib], and eq. (4) with kappa_i:
 * That_i(e) = mu_pi Xhat_i - (e/kappa_i) Xhat_i - E[X_i^2 | e]/(2 kappa_i) - G_i(e).
 * Fee constants of Proposition 10 (derived in the closing note of issue 3's work):
 * d_i = kappa_i V_{-i} / (2 K (K - kappa_i)) + B_i(L_i), with B_i centred on mu_i as in Proposition 3;
 * for symmetric traders they reduce to Proposition 3's c and d.
 */
export function heterogeneousOutcome(mech: HeterogeneousMechanism, muPi: number): HeterogeneousTraderOutcome[] {
  const K = mech.totalKappa;
  const variances = mech.traders.map((vt) => vt.varianceVirtualType);
  const totalVariance = variances.reduce((a, b) => a + b, 0);
  return mech.traders.map((vt, i) => {
    const kappa = mech.kappas[i]!;
    const share = (K - kappa) / K;
    const L = vt.flatLevel;
    const z = vt.standardized;
    const s = vt.scale;
    const mu = vt.location;
    const { lower: zLo, upper: zHi, pdf } = z.dist;
    const zL = z.flatLevel;
    const zA = z.eA;
    const zB = z.eB;
    const othersVariance = totalVariance - variances[i]!;
    const conditionalVariance = (kappa / K) ** 2 * othersVariance;
    const interimAllocation = (e: number) => -share * (vt.v(e) - L);
    const interimUtilityGain = (e: number) => {
      const t = (e - mu) / s;
      if (t > zB) return ((share * s * s) / kappa) * integrate((x) => z.v(x) - zL, zB, t, QUAD).value;
      if (t < zA) return ((share * s * s) / kappa) * integrate((x) => zL - z.v(x), t, zA, QUAD).value;
      return 0;
    };
    const interimTransfer = (e: number) => {
      const x = interimAllocation(e);
      return muPi * x - (e / kappa) * x - (x * x + conditionalVariance) / (2 * kappa) - interimUtilityGain(e);
    };
    // Moments about means, never about the level: L_i may lie many sds from trader i's law, and
    // second moments about it cancel to nothing. In sd units, w = v_z - zL (0 on [zA, zB]) and
    // d = v_z - E[v_z]; Xhat_i = -share s w, so Cov(e, Xhat_i) = -share s^2 E[t d] and
    // Var(e + Xhat_i) = s^2 E[(t - share d)^2].
    const cV = z.meanVirtualType;
    const whole = (g: (t: number, d: number) => number) =>
      (zA > zLo ? integrateOverUnitLaw((t) => g(t, z.v(t) - cV) * pdf(t), zLo, zA, QUAD) : 0) +
      (zB > zA ? integrateOverUnitLaw((t) => g(t, zL - cV) * pdf(t), zA, zB, QUAD) : 0) +
      (zB < zHi ? integrateOverUnitLaw((t) => g(t, z.v(t) - cV) * pdf(t), zB, zHi, QUAD) : 0);
    const expectedTrade = -share * (vt.meanVirtualType - L);
    const covTV = whole((t, d) => t * d); // Cov(t, v_z)
    const varV = s * s * z.varianceVirtualType; // Var(v_i)
    const varHeld = s * s * whole((t, d) => (t - share * d) ** 2); // Var(e_i + Xhat_i)
    const meanHeld = mu + expectedTrade;
    // E[e Xhat] = mu E[Xhat] + Cov(e, Xhat); E[X^2] = E[X]^2 + share^2 Var(v_i) + conditional variance.
    const eXhat = mu * expectedTrade - share * s * s * covTV;
    const secondMomentX = expectedTrade * expectedTrade + share * share * varV + conditionalVariance;
    const utilityGain =
      ((share * s * s) / kappa) *
      ((zB < zHi ? integrateOverUnitLaw((t) => (z.v(t) - zL) * z.dist.survival(t), zB, zHi, QUAD) : 0) +
        (zA > zLo ? integrateOverUnitLaw((t) => (zL - z.v(t)) * z.dist.cdf(t), zLo, zA, QUAD) : 0));
    const secondMomentE = vt.dist.variance + mu * mu;
    const revenue = muPi * expectedTrade - eXhat / kappa - secondMomentX / (2 * kappa) - utilityGain;
    // Each term >= 0, so the holding cost is.
    const holdingCost = (varHeld + meanHeld * meanHeld + conditionalVariance) / (2 * kappa);
    // B_i(L_i) centred on mu_i: ((K - kappa)/(K kappa)) sigma^2 [zL^2/2 - int_0^{zL} v_z^{-1}],
    // and int_0^{zL} v_z^{-1} = -K_z(0) with K_z integrating from the flat level.
    const B = (share / kappa) * s * s * (0.5 * zL * zL + exactInverseIntegral(z, 0));
    const fee = { c: -1 / (K - kappa), d: (kappa * othersVariance) / (2 * K * (K - kappa)) + B };
    return {
      kappa,
      eA: vt.eA,
      eB: vt.eB,
      flatLevel: L,
      meanVirtualType: vt.meanVirtualType,
      revenue,
      holdingCost,
      autarkyHoldingCost: secondMomentE / (2 * kappa),
      utilityGain,
      expectedTrade,
      fee,
      interimAllocation,
      interimTransfer,
      interimUtilityGain,
    };
  });
}

/** The plain double auction's linear equilibrium with heterogeneous traders, and its outcome. */
export interface HeterogeneousDoubleAuction {
  /** False when no linear equilibrium exists (two traders). */
  readonly exists: boolean;
  readonly reason?: string;
  /** Trader i bids q_i(p) = c_i mu_pi - a_i e_i - c_i p, a_i = c_i / kappa_i. */
  readonly traders: readonly {
    readonly kappa: number;
    readonly a: number;
    readonly c: number;
    /** 1 / sum_{j != i} c_j: the slope of trader i's residual supply. */
    readonly priceImpact: number;
    readonly expectedTrade: number;
    /** E[T_i] = E[p X_i] (the auction's revenue sum_i E[T_i] is 0). */
    readonly revenue: number;
    readonly holdingCost: number;
    readonly autarkyHoldingCost: number;
    readonly utilityGain: number;
  }[];
}

/**
 * The plain double auction with traders of different laws and capacities (Section 7's environment,
 * no fee): each trader's best response to linear schedules with residual-supply slope
 * Lambda_i = 1/sum_{j != i} c_j is q_i = (mu_pi - p - e_i/kappa_i)/(Lambda_i + 1/kappa_i), so a linear
 * equilibrium solves c_i = 1/(Lambda_i + 1/kappa_i), a_i = c_i/kappa_i (identical traders:
 * c = kappa (N-2)/(N-1), the SLE of Section 4); one exists for every N >= 3 and none for N = 2,
 * and it is found by Brent's method on the total sum_j c_j. Then, with A = sum_j a_j e_j and
 * C = sum_j c_j, p = mu_pi - A/C and X_i = -a_i e_i + c_i A/C: every expectation is a quadratic form
 * in the independent endowments. Throws TheoryError for fewer than two traders or a bad capacity.
 */
export function heterogeneousDoubleAuction(specs: readonly HeterogeneousTraderSpec[], muPi: number): HeterogeneousDoubleAuction {
  const N = specs.length;
  if (N < 2) throw new TheoryError(`the double auction needs at least 2 traders, got ${N}`);
  specs.forEach((s, i) => {
    if (!(s.kappa > 0 && Number.isFinite(s.kappa))) throw new TheoryError(`kappa ${i + 1} must be a finite number > 0, got ${s.kappa}`);
  });
  // Two traders: the fixed-point equations force c_1 = c_2 and c_1 c_2 = 0, so no linear equilibrium.
  if (N === 2) return { exists: false, reason: "the plain double auction has no linear equilibrium with 2 traders", traders: [] };
  const kappas = specs.map((s) => s.kappa);
  // Given the total C = sum_j c_j, c_i solves c^2 - c (2 kappa_i + C) + kappa_i C = 0 (smaller root,
  // written without cancellation); the equilibrium's C solves sum_i c_i(C) = C. Near C = 0 the sum is
  // about N C / 2 > C (N >= 3) and at C = sum kappa it is below C, so a root exists; Brent finds it.
  const share = (kappa: number, C: number) => (2 * kappa * C) / (2 * kappa + C + Math.hypot(2 * kappa, C));
  const excess = (C: number) => kappas.reduce((t, kappa) => t + share(kappa, C), 0) - C;
  const top = kappas.reduce((x, y) => x + y, 0);
  let bottom = top;
  while (!(excess(bottom) > 0) && bottom > top * 1e-300) bottom /= 16;
  if (!(excess(bottom) > 0))
    return { exists: false, reason: "no linear equilibrium found (capacities beyond double precision)", traders: [] };
  // The step before `bottom` had no excess, so the root lies in [bottom, 16 bottom]: tolerance relative to it.
  const total = findRoot(excess, bottom, Math.min(top, 16 * bottom), { absoluteTolerance: 1e-15 * bottom });
  const c = kappas.map((kappa) => share(kappa, total));
  const a = c.map((ci, i) => ci / kappas[i]!);
  const C = c.reduce((x, y) => x + y, 0);
  const means = specs.map((s) => s.dist.mean);
  const variances = specs.map((s) => s.dist.variance);
  // E[(sum_j u_j e_j)(sum_j w_j e_j)] for independent e_j.
  const cross = (u: readonly number[], w: readonly number[]) => {
    let mu = 0;
    let mw = 0;
    let cov = 0;
    for (let j = 0; j < N; j++) {
      mu += u[j]! * means[j]!;
      mw += w[j]! * means[j]!;
      cov += u[j]! * w[j]! * variances[j]!;
    }
    return mu * mw + cov;
  };
  const traders = specs.map((s, i) => {
    const x = a.map((aj, j) => (c[i]! * aj) / C - (i === j ? a[i]! : 0)); // X_i = sum_j x_j e_j
    const held = x.map((xj, j) => xj + (i === j ? 1 : 0)); // e_i + X_i
    const expectedTrade = x.reduce((t, xj, j) => t + xj * means[j]!, 0);
    const revenue = muPi * expectedTrade - cross(a, x) / C;
    const holdingCost = cross(held, held) / (2 * s.kappa);
    const autarkyHoldingCost = (means[i]! ** 2 + variances[i]!) / (2 * s.kappa);
    return {
      kappa: s.kappa,
      a: a[i]!,
      c: c[i]!,
      priceImpact: 1 / (C - c[i]!),
      expectedTrade,
      revenue,
      holdingCost,
      autarkyHoldingCost,
      utilityGain: muPi * expectedTrade - revenue - (holdingCost - autarkyHoldingCost),
    };
  });
  return { exists: true, traders };
}

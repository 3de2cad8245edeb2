import { Matrix, solve } from "ml-matrix";
import { TheoryError } from "../theoryError.ts";

/**
 * Section 8, Proposition 12 in discrete time: N traders with flow utility -(1/(2 kappa)) h^2 - transfer,
 * discount rate delta, endowments e_it = e_i0 + sigma_Z W_it (independent Brownian motions,
 * e_i0 iid N(mu_e, sigma_0^2)), and a double auction every dt (times 0, dt, 2 dt, ...).
 */
export interface DynamicEnvironment {
  readonly traders: number;
  readonly kappa: number;
  /** Discount rate delta > 0. */
  readonly delta: number;
  /** Time between auctions, > 0. */
  readonly dt: number;
  /** Mean of the initial endowments e_i0. */
  readonly muE: number;
  /** sd of the initial endowments e_i0. */
  readonly sigma0: number;
  /** Volatility of the endowment shocks (sigma_Z = 0 is the single-shock case of Proposition 11). */
  readonly sigmaZ: number;
}

/** NPVs at t = 0 of the efficient double auction with fee (expectations over all types and shocks). */
export interface DynamicBudget {
  /** NPV of the fee subsidies (c < 0) paid to traders. */
  readonly npvSubsidies: number;
  /** Largest lump-sum charge at t = 0 that every type accepts: min over e of G(e) = G(mu_e). */
  readonly participationCharge: number;
  /** NPV of the fall in holding costs relative to autarky (the gains from trade). */
  readonly npvGainsFromTrade: number;
}

export interface DynamicDoubleAuction {
  readonly env: DynamicEnvironment;
  /** D = exp(-delta dt): discount factor between auctions. */
  readonly discountPerAuction: number;
  /**
   * A = (1 - D)/(kappa delta): holding h after an auction costs (A/2) h^2 in expected discounted
   * terms until the next auction, plus a term free of h (the shocks' own variance).
   */
  readonly periodHoldingCost: number;
  /** kappa delta: the truthful schedule is q_i(p) = -y_i - kappa delta p (y_i = entering holding). */
  readonly scheduleSlope: number;
  /** -1/(kappa delta): the price is p_k = -ybar_k/(kappa delta), ybar_k the average holding. */
  readonly pricePerHolding: number;
  /** Lambda = 1/((N-1) kappa delta): slope of a trader's residual supply. */
  readonly priceImpact: number;
  /** c = -Lambda: the per-auction fee is (c/2) q^2 (a subsidy). */
  readonly feeC: number;
  /** A N/(N-1): minus the second derivative of a one-auction deviation's payoff in the held quantity. */
  readonly deviationCurvature: number;
  /** R = dt D/(1 - D) = dt/(e^{delta dt} - 1): NPV weight of the later auctions' trade variance (1/delta as dt -> 0). */
  readonly shockWeight: number;
  /** G(e) = participationCharge + gainCurvature (e - mu_e)^2: interim gain over autarky before any charge. */
  readonly gainCurvature: number;
  readonly perTrader: DynamicBudget & {
    /** Ex-ante gain E[G] - charge left to a trader: the information rent on e_i0. */
    readonly netGain: number;
    /** E[integral e^{-delta t} e_it^2 dt]/(2 kappa): the autarky holding cost. */
    readonly autarkyHoldingCost: number;
  };
  readonly total: DynamicBudget & {
    /** N x participation charge. */
    readonly chargeRevenue: number;
    /** chargeRevenue - npvSubsidies: positive exactly when sigma_Z > 0. */
    readonly budgetSurplus: number;
  };
  /** The same totals for an auction run continuously (dt -> 0, R -> 1/delta). */
  readonly continuousLimit: DynamicBudget & { readonly budgetSurplus: number; readonly chargeRevenue: number };
}

/** Validates a Proposition 12 environment; throws TheoryError naming the field. */
export function checkDynamicEnvironment(env: DynamicEnvironment): void {
  if (!(Number.isInteger(env.traders) && env.traders >= 2)) throw new TheoryError(`traders must be an integer >= 2, got ${env.traders}`);
  if (!(env.kappa > 0 && Number.isFinite(env.kappa))) throw new TheoryError(`kappa must be a finite number > 0, got ${env.kappa}`);
  if (!(env.delta > 0 && Number.isFinite(env.delta))) throw new TheoryError(`delta must be a finite number > 0, got ${env.delta}`);
  if (!(env.dt > 0 && Number.isFinite(env.dt))) throw new TheoryError(`dt must be a finite number > 0, got ${env.dt}`);
  if (!Number.isFinite(env.muE)) throw new TheoryError(`mu-e must be a finite number, got ${env.muE}`);
  if (!(env.sigma0 >= 0 && Number.isFinite(env.sigma0))) throw new TheoryError(`sigma-0 must be a finite number >= 0, got ${env.sigma0}`);
  if (!(env.sigmaZ >= 0 && Number.isFinite(env.sigmaZ))) throw new TheoryError(`sigma-z must be a finite number >= 0, got ${env.sigmaZ}`);
}

/**
 * Proposition 12 for an auction every dt. Trading conserves the sum of holdings, so efficiency puts
 * everyone at the average ybar_k after each auction. The only linear schedules doing so are
 * q_i(p) = -y_i - s p, and a one-auction deviation to holding h has slope at h = ybar
 * ybar ((1 - D)/s - A) - q (1/((N-1) s) + c) (the deviation is undone at the next auction, at the
 * next price, and leaves later auctions unchanged), so truthful bidding is a best response for
 * every state exactly when s = kappa delta (the Euler price p = -ybar/(kappa delta)) and
 * c = -1/((N-1) kappa delta); the deviation payoff then has curvature -A N/(N-1) < 0.
 * With fee only, the interim gain over autarky is
 * G(e) = (1/(2 kappa delta)) [((N-1)/N) (e - mu_e)^2 + sigma_0^2/N + sigma_Z^2 R],
 * minimal at mu_e; the subsidies' NPV is (1/(2 kappa delta)) [sigma_0^2 + sigma_Z^2 R] in total, so
 * charging every trader G(mu_e) leaves the surplus (N-1) sigma_Z^2 R/(2 kappa delta), which tends to
 * (N-1) sigma_Z^2/(2 kappa delta^2) as dt -> 0 and is 0 with a single shock (Proposition 1).
 * All of this is checked by simulating the economy in dynamics.test.ts.
 * @example dynamicDoubleAuction({ traders: 3, kappa: 1, delta: 0.5, dt: 1, muE: 0, sigma0: 1, sigmaZ: 1 }).total.budgetSurplus // 3.083
 */
export function dynamicDoubleAuction(env: DynamicEnvironment): DynamicDoubleAuction {
  checkDynamicEnvironment(env);
  const { traders: N, kappa, delta, dt, muE, sigma0, sigmaZ } = env;
  const D = Math.exp(-delta * dt);
  const A = -Math.expm1(-delta * dt) / (kappa * delta);
  const R = dt / Math.expm1(delta * dt);
  const kd = kappa * delta;
  const lambda = 1 / ((N - 1) * kd);
  const s0 = sigma0 * sigma0;
  const sz = sigmaZ * sigmaZ;
  const budget = (r: number) => {
    const participationCharge = (s0 / N + sz * r) / (2 * kd);
    // Each auction moves a trader by q with E q^2 = ((N-1)/N) (sigma_0^2 at t = 0, sigma_Z^2 dt later).
    const npvSubsidies = (((N - 1) / N) * lambda * (s0 + sz * r)) / 2;
    const npvGainsFromTrade = ((N - 1) / N) * ((s0 + sz * r) / (2 * kd));
    return { participationCharge, npvSubsidies, npvGainsFromTrade };
  };
  const perTrader = budget(R);
  const limit = budget(1 / delta);
  const times = (b: DynamicBudget) => ({
    npvSubsidies: N * b.npvSubsidies,
    participationCharge: b.participationCharge,
    npvGainsFromTrade: N * b.npvGainsFromTrade,
    chargeRevenue: N * b.participationCharge,
  });
  const total = times(perTrader);
  const totalLimit = times(limit);
  return {
    env,
    discountPerAuction: D,
    periodHoldingCost: A,
    scheduleSlope: kd,
    pricePerHolding: -1 / kd,
    priceImpact: lambda,
    feeC: -lambda,
    deviationCurvature: (A * N) / (N - 1),
    shockWeight: R,
    gainCurvature: (N - 1) / (2 * N * kd),
    perTrader: {
      ...perTrader,
      netGain: ((N - 1) / N) * (s0 / (2 * kd)),
      autarkyHoldingCost: ((muE * muE + s0) / delta + sz / (delta * delta)) / (2 * kappa),
    },
    total: { ...total, budgetSurplus: ((N - 1) * sz * R) / (2 * kd) },
    continuousLimit: { ...totalLimit, budgetSurplus: ((N - 1) * sz) / (2 * kd * delta) },
  };
}

/** Proposition 12: interim gain over autarky at t = 0 of a trader with e_i0 = e, under the fee and before any charge. */
export function dynamicInterimGain(env: DynamicEnvironment, e: number): number {
  const d = dynamicDoubleAuction(env);
  return d.perTrader.participationCharge + d.gainCurvature * (e - env.muE) ** 2;
}

// ---------------------------------------------------------------------------------------------
// Proposition 11: the designer's problem (39), with commitment and one shock, discretised.

/**
 * A discretised version of (39) (alpha on revenue as in (2), docs/environments/dynamics.md): N = 2 traders with
 * types on a grid, periods t with weights w_t (e.g. dt e^{-delta t dt}), symmetric allocation paths
 * X_1(a, b, t) = -X_2(a, b, t), and transfers whose NPV is all that matters.
 */
export interface DiscreteDynamicDesignSpec {
  /** Type grid e_1 < ... < e_K. */
  readonly types: readonly number[];
  /** P(e = e_k), positive, summing to 1. */
  readonly probabilities: readonly number[];
  readonly kappa: number;
  readonly alpha: number;
  /** Period weights w_t > 0 (discount times period length). */
  readonly weights: readonly number[];
}

export interface DiscreteDynamicDesign {
  /** allocation[a][b][t]: trader 1's trade at period t when trader 1 has type a and trader 2 type b. */
  readonly allocation: readonly (readonly (readonly number[])[])[];
  /** NPV of each type's transfer. */
  readonly transfer: readonly number[];
  /** Interim utility gain over autarky of each type (information rent). */
  readonly utilityGain: readonly number[];
  /** Per trader: E[NPV of transfers]. */
  readonly revenue: number;
  /** Per trader: E[sum_t w_t (e + X_t)^2]/(2 kappa). */
  readonly holdingCost: number;
  /** alpha revenue - (1 - alpha) holding cost, per trader. */
  readonly objective: number;
}

/**
 * Solves the discretised designer's problem over ALL symmetric allocation paths (one free number per
 * pair of types and period) and transfers, subject to every IC (no local shortcut) and every IR
 * constraint. Writing ttilde_k = 2 kappa T_k + sum_t w_t E[X_t^2 | k] makes IC and IR linear, so the
 * problem is a convex QP, solved by a primal-dual interior-point method. Nothing here assumes paths
 * are constant: Proposition 11 is what the solution shows. Throws TheoryError for bad input.
 */
export function discreteDynamicDesign(spec: DiscreteDynamicDesignSpec): DiscreteDynamicDesign {
  const { types: e, probabilities: p, kappa, alpha, weights: w } = spec;
  const K = e.length;
  if (K < 2 || p.length !== K) throw new TheoryError(`types and probabilities must have the same length >= 2, got ${K} and ${p.length}`);
  if (!p.every((x) => x > 0) || Math.abs(p.reduce((s, x) => s + x, 0) - 1) > 1e-12)
    throw new TheoryError("probabilities must be positive and sum to 1");
  if (!(kappa > 0 && Number.isFinite(kappa))) throw new TheoryError(`kappa must be a finite number > 0, got ${kappa}`);
  if (!(alpha > 0 && alpha <= 1)) throw new TheoryError(`alpha must be in (0, 1] (at 0 transfers are not pinned down), got ${alpha}`);
  if (w.length < 1 || !w.every((x) => x > 0 && Number.isFinite(x))) throw new TheoryError("weights must be finite numbers > 0");
  const T = w.length;
  const pairs: [number, number][] = [];
  for (let a = 0; a < K; a++) for (let b = a + 1; b < K; b++) pairs.push([a, b]);
  const nx = pairs.length * T;
  const n = nx + K;
  const xIndex = (pair: number, t: number) => pair * T + t;
  // Minimise (1/2) z'Pz + q'z, z = (x, ttilde), i.e. minus the objective.
  const P = new Float64Array(n);
  const q = new Float64Array(n);
  pairs.forEach(([a, b], j) => {
    for (let t = 0; t < T; t++) {
      // E[sum_t w_t X_t^2] counts x_ab for (a, b) and (b, a); E[e X] gives (e_a - e_b) x_ab.
      P[xIndex(j, t)] = (2 * p[a]! * p[b]! * w[t]!) / kappa;
      q[xIndex(j, t)] = ((1 - alpha) * w[t]! * p[a]! * p[b]! * (e[a]! - e[b]!)) / kappa;
    }
  });
  for (let k = 0; k < K; k++) q[nx + k] = (-alpha * p[k]!) / (2 * kappa);
  // M(k) = sum_t w_t E[X_t | k] as a row over x.
  const mRow = (k: number) => {
    const row = new Float64Array(n);
    pairs.forEach(([a, b], j) => {
      for (let t = 0; t < T; t++) {
        if (a === k) row[xIndex(j, t)] = w[t]! * p[b]!;
        if (b === k) row[xIndex(j, t)] = -w[t]! * p[a]!;
      }
    });
    return row;
  };
  const M = Array.from({ length: K }, (_, k) => mRow(k));
  // 2 kappa (utility of type k reporting j) = -W e_k^2 - 2 e_k M(j) - ttilde_j.
  const G: Float64Array[] = [];
  for (let k = 0; k < K; k++) {
    for (let j = 0; j < K; j++) {
      // IC (j != k): 2 e_k (M(k) - M(j)) + ttilde_k - ttilde_j <= 0;  IR (j == k): 2 e_k M(k) + ttilde_k <= 0.
      const row = new Float64Array(n);
      for (let i = 0; i < n; i++) row[i] = 2 * e[k]! * (M[k]![i]! - (j === k ? 0 : M[j]![i]!));
      row[nx + k] += 1;
      if (j !== k) row[nx + j] -= 1;
      G.push(row);
    }
  }
  const z = convexQp(P, q, G, new Float64Array(G.length));
  const xOf = (a: number, b: number, t: number) =>
    a === b ? 0 : a < b ? z[xIndex(pairIndex(a, b, K), t)]! : -z[xIndex(pairIndex(b, a, K), t)]!;
  const allocation = e.map((_, a) => e.map((__, b) => w.map((___, t) => xOf(a, b, t))));
  const W = w.reduce((s, x) => s + x, 0);
  const dot = (row: Float64Array) => row.reduce((s, x, i) => s + x * z[i]!, 0);
  const H = e.map((_, k) => w.reduce((s, wt, t) => s + wt * e.reduce((s2, __, b) => s2 + p[b]! * xOf(k, b, t) ** 2, 0), 0));
  const Mk = M.map(dot);
  const transfer = e.map((_, k) => (z[nx + k]! - H[k]!) / (2 * kappa));
  const utilityGain = e.map((ek, k) => -(2 * ek * Mk[k]! + z[nx + k]!) / (2 * kappa));
  const expect = (f: (k: number) => number) => p.reduce((s, pk, k) => s + pk * f(k), 0);
  const revenue = expect((k) => transfer[k]!);
  const holdingCost = expect((k) => (W * e[k]! ** 2 + 2 * e[k]! * Mk[k]! + H[k]!) / (2 * kappa));
  return { allocation, transfer, utilityGain, revenue, holdingCost, objective: alpha * revenue - (1 - alpha) * holdingCost };
}

function pairIndex(a: number, b: number, K: number): number {
  // Pairs (a, b), a < b, in row-major order.
  return a * K - (a * (a + 1)) / 2 + (b - a - 1);
}

/**
 * min (1/2) z' diag(P) z + q'z subject to G z <= h, by a primal-dual path-following interior-point
 * method (slacks s, multipliers y; centring 0.1; fraction to the boundary 0.99). Stops when the
 * residuals and the duality gap are below 1e-12 relative; throws TheoryError if it does not.
 */
function convexQp(P: Float64Array, q: Float64Array, G: Float64Array[], h: Float64Array): Float64Array {
  const n = P.length;
  const m = G.length;
  const z = new Float64Array(n);
  const s = new Float64Array(m).fill(1);
  const y = new Float64Array(m).fill(1);
  const scale = 1 + Math.max(...q.map(Math.abs), ...P);
  for (let iter = 0; iter < 200; iter++) {
    const Gz = G.map((row) => row.reduce((acc, g, i) => acc + g * z[i]!, 0));
    const rp = Gz.map((v, i) => v + s[i]! - h[i]!);
    const rd = Float64Array.from(q, (qi, i) => P[i]! * z[i]! + qi);
    G.forEach((row, r) => row.forEach((g, i) => (rd[i] += g * y[r]!)));
    const mu = s.reduce((acc, si, i) => acc + si * y[i]!, 0) / m;
    const rNorm = Math.max(...rp.map(Math.abs), ...rd.map(Math.abs));
    if (rNorm < 1e-12 * scale && mu < 1e-13 * scale) return z;
    const sigmaMu = 0.1 * mu;
    // (P + G' diag(y/s) G) dz = -rd - G' [(y/s) rp - y + sigma mu / s].
    const K = Matrix.zeros(n, n);
    const rhs = Float64Array.from(rd, (v) => -v);
    for (let i = 0; i < n; i++) K.set(i, i, P[i]!);
    G.forEach((row, r) => {
      const d = y[r]! / s[r]!;
      const v = d * rp[r]! - y[r]! + sigmaMu / s[r]!;
      for (let i = 0; i < n; i++) {
        if (row[i] === 0) continue;
        rhs[i] -= row[i]! * v;
        for (let j = 0; j < n; j++) if (row[j] !== 0) K.set(i, j, K.get(i, j) + d * row[i]! * row[j]!);
      }
    });
    const dz = solve(K, Matrix.columnVector(Array.from(rhs))).to1DArray();
    const Gdz = G.map((row) => row.reduce((acc, g, i) => acc + g * dz[i]!, 0));
    const dy = Gdz.map((v, r) => (y[r]! / s[r]!) * (v + rp[r]!) - y[r]! + sigmaMu / s[r]!);
    const ds = dy.map((v, r) => -s[r]! + sigmaMu / y[r]! - (s[r]! / y[r]!) * v);
    let step = 1;
    for (let r = 0; r < m; r++) {
      if (ds[r]! < 0) step = Math.min(step, (-0.99 * s[r]!) / ds[r]!);
      if (dy[r]! < 0) step = Math.min(step, (-0.99 * y[r]!) / dy[r]!);
    }
    for (let i = 0; i < n; i++) z[i] += step * dz[i]!;
    for (let r = 0; r < m; r++) {
      s[r] += step * ds[r]!;
      y[r] += step * dy[r]!;
    }
  }
  throw new TheoryError("the discretised design problem did not converge in 200 interior-point iterations");
}

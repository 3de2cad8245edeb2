import type { AuctionDesign } from "./auctions.ts";

/**
 * What one trader faces in the k auctions when the others bid linear schedules: in auction a the
 * residual supply p_a(y_a) = p0[a] + L[a] y_a (the others absorb -y_a).
 */
export interface ResidualSupplies {
  readonly p0: Float64Array;
  readonly L: Float64Array;
}

/** Scratch space of jointRegret for k auctions (no allocation per trader). */
export interface JointRegretScratch {
  readonly x: Float64Array;
  readonly g: Float64Array;
  readonly h: Float64Array;
}

export function jointRegretScratch(k: number): JointRegretScratch {
  return { x: new Float64Array(k), g: new Float64Array(k), h: new Float64Array(k * k) };
}

/**
 * Regret of trader i's prescribed trades y (one per auction) against its best joint deviation
 * across the auctions: any point of the k residual supplies is reachable by some schedules, so the
 * trader maximises over the whole vector y at once. Its payoff (eq. (8), mu_pi = 0, asset trades
 * X = W y, endowment e of the original assets) is
 *   U(y) = -sum_a [p_a(y_a) y_a + fee_a(y_a, p_a(y_a))] - ((e + W y)' Sigma (e + W y) - e' Sigma e) / (2 kappa).
 * With a fee quadratic along the residual supply (the first-best fee: B is constant at alpha = 0;
 * no fee) U is quadratic, so its maximum is one Newton step from y and the regret is
 * (1/2) g' H^{-1} g with g = grad U(y) and H = -Hessian = diag(2 L_a + f''_a) + W' Sigma W / kappa.
 * The fee's slope and curvature along each residual supply come from central differences of the
 * registered fee (exact for a quadratic). Returns +Infinity when H is not positive definite (the
 * payoff is unbounded above along some joint deviation). With `stepOut`, also writes the Newton step
 * H^{-1} g there: y + step is the best joint deviation.
 */
export function jointRegret(
  design: AuctionDesign,
  trader: number,
  e: ArrayLike<number>,
  eOffset: number,
  y: ArrayLike<number>,
  yOffset: number,
  supply: ResidualSupplies,
  s: JointRegretScratch,
  stepOut?: Float64Array,
): number {
  if (!factorHessian(design, trader, y, yOffset, supply, s)) return Number.POSITIVE_INFINITY;
  gradientInto(design, trader, e, eOffset, y, yOffset, supply, s);
  return newtonGain(design.assets, s, stepOut);
}

/**
 * H = diag(2 L_a + f''_a) + W' Sigma W / kappa at trader i's trades y, Cholesky-factored into s.h
 * (lower triangle, H = R R'). False when H is not positive definite. H depends on the trader only
 * through its residual slopes L and the fee's curvature, so traders who face the same slopes under
 * a fee quadratic along the residual supply share it (the simulation factors it once per market).
 */
export function factorHessian(
  design: AuctionDesign,
  trader: number,
  y: ArrayLike<number>,
  yOffset: number,
  supply: ResidualSupplies,
  s: JointRegretScratch,
): boolean {
  const k = design.assets;
  const { securitiesCovariance: G, schedules } = design;
  const invKappa = 1 / design.kappa;
  const step = design.sigmaE;
  const h = s.h;
  for (let a = 0; a < k; a++) {
    const ya = y[yOffset + a]!;
    const p0 = supply.p0[a]!;
    const L = supply.L[a]!;
    const fee = schedules[a]!;
    const up = fee.fee(trader, ya + step, p0 + L * (ya + step));
    const mid = fee.fee(trader, ya, p0 + L * ya);
    const down = fee.fee(trader, ya - step, p0 + L * (ya - step));
    for (let b = 0; b < k; b++) h[a * k + b] = invKappa * G[a * k + b]!;
    h[a * k + a] += 2 * L + (up - 2 * mid + down) / (step * step);
  }
  for (let a = 0; a < k; a++) {
    for (let b = 0; b <= a; b++) {
      let sum = h[a * k + b]!;
      for (let c = 0; c < b; c++) sum -= h[a * k + c]! * h[b * k + c]!;
      if (a === b) {
        if (!(sum > 0)) return false;
        h[a * k + a] = Math.sqrt(sum);
      } else h[a * k + b] = sum / h[b * k + b]!;
    }
  }
  return true;
}

/** g = grad U(y) of trader i (endowment e) into s.g: price impact, the fee's slope along the residual supply, holding cost. */
export function gradientInto(
  design: AuctionDesign,
  trader: number,
  e: ArrayLike<number>,
  eOffset: number,
  y: ArrayLike<number>,
  yOffset: number,
  supply: ResidualSupplies,
  s: JointRegretScratch,
): void {
  const k = design.assets;
  const { weights: W, weightsTSigma: WtS, schedules } = design;
  const invKappa = 1 / design.kappa;
  const step = design.sigmaE;
  const { x, g } = s;
  // Asset holdings after the trades: x = e + W y.
  for (let a = 0; a < k; a++) {
    let sum = e[eOffset + a]!;
    for (let b = 0; b < k; b++) sum += W[a * k + b]! * y[yOffset + b]!;
    x[a] = sum;
  }
  for (let a = 0; a < k; a++) {
    const ya = y[yOffset + a]!;
    const p0 = supply.p0[a]!;
    const L = supply.L[a]!;
    const fee = schedules[a]!;
    const up = fee.fee(trader, ya + step, p0 + L * (ya + step));
    const down = fee.fee(trader, ya - step, p0 + L * (ya - step));
    let marginalCost = 0;
    for (let b = 0; b < k; b++) marginalCost += WtS[a * k + b]! * x[b]!;
    g[a] = -(p0 + 2 * L * ya) - (up - down) / (2 * step) - invKappa * marginalCost;
  }
}

/** (1/2) g' H^{-1} g from the factor in s.h and the gradient in s.g (overwritten); the step H^{-1} g into stepOut. */
export function newtonGain(k: number, s: JointRegretScratch, stepOut?: Float64Array): number {
  const { g, h } = s;
  let quad = 0;
  for (let a = 0; a < k; a++) {
    let sum = g[a]!;
    for (let c = 0; c < a; c++) sum -= h[a * k + c]! * g[c]!;
    const z = sum / h[a * k + a]!;
    g[a] = z;
    quad += z * z;
  }
  if (stepOut) {
    // Back substitution R' step = z.
    for (let a = k - 1; a >= 0; a--) {
      let sum = g[a]!;
      for (let c = a + 1; c < k; c++) sum -= h[c * k + a]! * stepOut[c]!;
      stepOut[a] = sum / h[a * k + a]!;
    }
  }
  return 0.5 * quad;
}

/**
 * The residual supplies of trader i in every auction from all traders' linear bids: in auction a
 * the others' intercepts sum to S_a - intercept_ia and their slopes to T_a - slope_ia, so
 * p0 = (S_a - intercept_ia) / (T_a - slope_ia) and L = 1 / (T_a - slope_ia).
 * intercepts[a][i], slopes[a][i]; interceptSums[a] = S_a, slopeSums[a] = T_a (plain sums in trader order).
 */
export function residualSuppliesInto(
  intercepts: readonly Float64Array[],
  slopes: readonly Float64Array[],
  interceptSums: Float64Array,
  slopeSums: Float64Array,
  trader: number,
  out: ResidualSupplies,
): void {
  for (let a = 0; a < intercepts.length; a++) {
    const othersSlope = slopeSums[a]! - slopes[a]![trader]!;
    out.p0[a] = (interceptSums[a]! - intercepts[a]![trader]!) / othersSlope;
    out.L[a] = 1 / othersSlope;
  }
}

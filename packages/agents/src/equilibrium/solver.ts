import type { FeeSchedule } from "@optex/engine";
import type { Distribution } from "@optex/theory";
import seedrandom from "seedrandom";
import { rowAt, rowInto, type ScheduleTable } from "./scheduleTable.ts";

// A symmetric Bayes-Nash equilibrium in demand schedules of the uniform-price double auction with
// any fee, by iterated best response against sampled residual supplies (docs/equilibrium.md).
//
// The best response is computed price by price. A trader of type e who bids D(p) buys where D
// meets the residual supply R(p) = -sum_{j != i} q_j(p; e_j); writing W(p, x) = Pr(R(p) <= x),
// her expected payoff is a constant plus the integral over p of
//   Phi(p, x) = int_0^x W_x(p, y) [U_q(y, p) S(p, y) + U_p(y, p)] dy - J(p, x) W_x(p, 0) S(p, 0),
// at x = D(p), where U(q, p) = mu_pi q - ((e + q)^2 - e^2)/(2 kappa) - p q - T(q, p) is her gain
// from buying q at p, S(p, x) = E[R'(p) | R(p) = x] is the expected slope of the residual supply
// where it passes through x, and J is the fee's jump at q = 0 (a fixed charge), paid when the
// price the others alone would set, whose density is W_x(p, 0) S(p, 0), falls where she trades.
// (The Euler-Lagrange equation of E[U(D(P), P)] reduces to U_q W_p = U_p W_x, with
// W_p = -S W_x.) So D(p) maximises Phi(p, .) at each p separately: the first-order condition
// U_q S + U_p = 0 is the ex post one with the residual supply's slope replaced by its
// conditional mean. W_x and S are kernel estimates over sampled opponents (common random numbers
// across iterations); when the others' slopes do not depend on their types (linear strategies),
// S is exact and so is the best response.

/** The basic environment the equilibrium is computed in. */
export interface EquilibriumEnvironment {
  readonly dist: Distribution;
  readonly kappa: number;
  readonly traders: number;
  readonly muPi: number;
}

/** Where the iteration starts. */
export type EquilibriumStart =
  /** Bid one's endowment as a price taker: q = -(e - mu_e) - kappa (p - p0)... (the competitive schedule). */
  | "price-taker"
  /** Random linear schedules per type (zero intelligence): slopes and intercepts drawn from the seed. */
  | "zero-intelligence"
  /** A given table (its type nodes and prices are used as the grid). */
  | ScheduleTable;

export interface EquilibriumOptions {
  /** Type nodes at the quantiles (k + 1/2)/K of the law (default 64). */
  readonly types?: number;
  /** Price nodes (default 64), evenly spaced over the centre price +- 5 sd of the mean endowment / kappa. */
  readonly prices?: number;
  /** Sampled opponent profiles per iteration (default 2000), drawn once (common random numbers). */
  readonly samples?: number;
  readonly seed?: string;
  readonly start?: EquilibriumStart;
  /** Stop when the largest change of the schedule table is below this, relative to sd(e) (default 1e-7). */
  readonly tolerance?: number;
  readonly maxIterations?: number;
  /**
   * Draw new opponent profiles in every iteration (agents learning from each round's new markets)
   * instead of replaying the same ones (default false: common random numbers, which converge).
   */
  readonly freshMarkets?: boolean;
  /** Also stop after three iterations whose in-sample epsilon is below this (default 1e-9). */
  readonly epsilonTolerance?: number;
  /** Called after every iteration with its step (the learning path). */
  readonly onIteration?: (step: IterationStep) => void;
}

/** One iteration of best-response dynamics. */
export interface IterationStep {
  readonly iteration: number;
  /** Largest change of the table in this step, relative to sd(e). */
  readonly change: number;
  /** In-sample gain of the best response over the current strategy, at worst over the type nodes, relative to the mean gain from trade. */
  readonly epsilon: number;
  /** Mean over type nodes and central prices of the schedules' price slope -dq/dp (a collapse to 0 means no equilibrium). */
  readonly meanSlope: number;
  /** Weight on the best response in the update (halved when a step overshoots). */
  readonly damping: number;
}

export interface EquilibriumSolution {
  /**
   * converged: the stopping rule held; stalled: the best response's gain stopped falling (a best
   * response that jumps, as under a fixed charge, can keep the iteration cycling); the table is
   * then the iterate with the smallest gain (an approximate equilibrium: see its certificate).
   */
  readonly status: "converged" | "stalled" | "no-equilibrium" | "max-iterations";
  /** Why the iteration stopped, in words. */
  readonly reason: string;
  readonly table: ScheduleTable;
  readonly iterations: number;
  readonly path: readonly IterationStep[];
  readonly elapsedSeconds: number;
}

/** Sampled opponents: the residual supply each profile gives at each table price, and its slope there. */
export interface ResidualSamples {
  readonly count: number;
  /** R[m * G + g]: what the N - 1 others sell at prices[g] in profile m. */
  readonly level: Float64Array;
  /** dR/dp at prices[g] (central differences of the piecewise-linear rows). */
  readonly slope: Float64Array;
}

/** N - 1 opponents' endowments for `samples` profiles, from the law's quantiles of a seeded stream. */
export function drawOpponents(env: EquilibriumEnvironment, samples: number, seed: string): Float64Array {
  const rng = seedrandom.alea(seed);
  const out = new Float64Array(samples * (env.traders - 1));
  env.dist.sampleInto(rng, out);
  return out;
}

/** The residual supplies that the opponents' profiles give against the table. */
export function residualSamples(table: ScheduleTable, opponents: Float64Array, others: number): ResidualSamples {
  const G = table.prices.length;
  const count = opponents.length / others;
  const level = new Float64Array(count * G);
  const row = new Float64Array(G);
  for (let m = 0; m < count; m++) {
    const base = m * G;
    for (let j = 0; j < others; j++) {
      rowInto(table, opponents[m * others + j]!, row);
      for (let g = 0; g < G; g++) level[base + g] = level[base + g]! - row[g]!;
    }
  }
  const slope = new Float64Array(count * G);
  const p = table.prices;
  // Least-squares slopes over 2 W + 1 neighbouring prices (W at each side, shifted inside at the
  // ends): exact for linear rows, and a wide stencil keeps the best response (which depends on the
  // others' slopes) from amplifying a ripple of the table from one iteration to the next.
  const W = Math.min(SLOPE_HALF_WINDOW, (G - 1) >> 1);
  for (let g = 0; g < G; g++) {
    const lo = Math.min(Math.max(0, g - W), G - 1 - 2 * W);
    const hi = lo + 2 * W;
    let mp = 0;
    for (let h = lo; h <= hi; h++) mp += p[h]!;
    mp /= hi - lo + 1;
    let spp = 0;
    for (let h = lo; h <= hi; h++) spp += (p[h]! - mp) ** 2;
    for (let m = 0; m < count; m++) {
      const b = m * G;
      let spr = 0;
      for (let h = lo; h <= hi; h++) spr += (p[h]! - mp) * level[b + h]!;
      slope[b + g] = spr / spp;
    }
  }
  return { count, level, slope };
}

/** Kernel estimates at one price: the density of R(p) and E[R'(p) | R(p) = x] on a grid of x. */
interface PriceSlice {
  readonly x: Float64Array;
  readonly density: Float64Array;
  readonly slope: Float64Array;
  /** Index of x = 0 in the grid (0 is always a grid point). */
  readonly zero: number;
}

const GRID = 81;
/** Iterations without a 10% smaller best-response gain before the iteration is declared stalled. */
const STALL_ITERATIONS = 30;
const SLOPE_HALF_WINDOW = 3;

function priceSlice(samples: ResidualSamples, G: number, g: number, scale: number): PriceSlice {
  const M = samples.count;
  const level = new Float64Array(M);
  const slope = new Float64Array(M);
  const order = new Array<number>(M);
  for (let m = 0; m < M; m++) {
    level[m] = samples.level[m * G + g]!;
    slope[m] = samples.slope[m * G + g]!;
    order[m] = m;
  }
  order.sort((a, b) => level[a]! - level[b]!);
  const sorted = Float64Array.from(order, (m) => level[m]!);
  const sortedSlope = Float64Array.from(order, (m) => slope[m]!);
  let mean = 0;
  for (let m = 0; m < M; m++) mean += sorted[m]!;
  mean /= M;
  let variance = 0;
  for (let m = 0; m < M; m++) variance += (sorted[m]! - mean) ** 2;
  const sd = Math.sqrt(variance / Math.max(1, M - 1));
  // Silverman's rule of thumb; a floor keeps a degenerate slice (all profiles alike) finite.
  const bandwidth = Math.max(1.06 * sd * M ** -0.2, 1e-6 * scale);
  const lo = Math.min(0, sorted[0]! - 6 * bandwidth);
  const hi = Math.max(0, sorted[M - 1]! + 6 * bandwidth);
  const raw = Array.from({ length: GRID }, (_, h) => lo + ((hi - lo) * h) / (GRID - 1));
  raw.push(0);
  raw.sort((a, b) => a - b);
  const x = Float64Array.from(new Set(raw));
  const density = new Float64Array(x.length);
  const cond = new Float64Array(x.length);
  let first = 0;
  for (let h = 0; h < x.length; h++) {
    const xh = x[h]!;
    while (first < M && sorted[first]! < xh - 6 * bandwidth) first++;
    let weight = 0;
    let weighted = 0;
    for (let m = first; m < M && sorted[m]! <= xh + 6 * bandwidth; m++) {
      const z = (xh - sorted[m]!) / bandwidth;
      const k = Math.exp(-0.5 * z * z);
      weight += k;
      weighted += k * sortedSlope[m]!;
    }
    density[h] = weight / (M * bandwidth * Math.sqrt(2 * Math.PI));
    // Beyond the data the slope of the nearest profile stands in (the Nadaraya-Watson limit).
    cond[h] = weight > 1e-12 ? weighted / weight : xh < sorted[0]! ? sortedSlope[0]! : sortedSlope[M - 1]!;
  }
  return { x, density, slope: cond, zero: x.indexOf(0) };
}

/** The fee's parts the best response needs: its derivatives away from q = 0 and its jumps at q = 0. */
function feeCalculus(fee: FeeSchedule, scale: number) {
  const h = 1e-6 * scale;
  const T = (q: number, p: number) => fee.fee(0, q, p);
  // Most chargeable fees do not depend on the price: then T_p = 0 without differencing.
  const probes = [-2, -0.5, 0.3, 1.7].flatMap((q) => [-3, 0.2, 2.5].map((p) => [q * scale, p * scale] as const));
  const priceFree = probes.every(([q, p]) => T(q, p) === T(q, p + 0.37 * scale));
  return {
    T,
    // One-sided near 0 so that a kink or a jump at 0 is not differenced across.
    dq(q: number, p: number, side: number): number {
      if (Math.abs(q) > 2 * h) return (T(q + h, p) - T(q - h, p)) / (2 * h);
      const s = q > 0 || (q === 0 && side > 0) ? 1 : -1;
      const a = q === 0 ? s * h : q;
      return (s * (T(a + s * h, p) - T(a, p))) / h;
    },
    dp(q: number, p: number): number {
      if (priceFree) return 0;
      const k = 1e-6 * (1 + Math.abs(p));
      return (T(q, p + k) - T(q, p - k)) / (2 * k);
    },
    /** T(0+, p) - T(0, p) and T(0-, p) - T(0, p), extrapolated linearly from one side. */
    jumps(p: number): [number, number] {
      const t0 = T(0, p);
      const up = 2 * T(h, p) - T(2 * h, p) - t0;
      const down = 2 * T(-h, p) - T(-2 * h, p) - t0;
      const tiny = 1e-12 * (1 + Math.abs(t0));
      return [Math.abs(up) > tiny ? up : 0, Math.abs(down) > tiny ? down : 0];
    },
  };
}

type FeeCalculus = ReturnType<typeof feeCalculus>;

/**
 * The quantity type e bids at price p against the slice's residual supplies: the maximiser of
 * Phi(p, .) over the slice's grid, refined by bisection of U_q S + U_p in the winning cell.
 */
function bestQuantity(
  env: EquilibriumEnvironment,
  e: number,
  p: number,
  slice: PriceSlice,
  fee: FeeCalculus,
  jumps: [number, number],
  cap: number,
): number {
  const { kappa, muPi } = env;
  const { x, density, slope } = slice;
  const H = x.length;
  const S = (y: number): number => {
    if (y <= x[0]!) return slope[0]!;
    if (y >= x[H - 1]!) return slope[H - 1]!;
    let lo = 0;
    let hi = H - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (x[mid]! <= y) lo = mid;
      else hi = mid;
    }
    const t = (y - x[lo]!) / (x[hi]! - x[lo]!);
    return slope[lo]! + t * (slope[hi]! - slope[lo]!);
  };
  const foc = (y: number, side: number): number => {
    const uq = muPi - (e + y) / kappa - p - fee.dq(y, p, side);
    const up = -y - fee.dp(y, p);
    return uq * S(y) + up;
  };
  // Phi on the grid, from 0 outwards, trapezoids of density * foc (a floor on the density keeps
  // the foc's sign meaningful where no profile passes: the choice there costs nothing).
  let floor = 0;
  for (let h = 0; h < H; h++) floor = Math.max(floor, density[h]!);
  floor *= 1e-6;
  const z = slice.zero;
  const phi = new Float64Array(H);
  const f0 = slice.density[z]! * slope[z]!;
  let best = z;
  let bestValue = 0;
  for (const dir of [1, -1]) {
    let acc = 0;
    let prev = (density[z]! + floor) * foc(0, dir);
    for (let h = z + dir; h >= 0 && h < H; h += dir) {
      const cur = (density[h]! + floor) * foc(x[h]!, dir);
      acc += 0.5 * (prev + cur) * (x[h]! - x[h - dir]!);
      prev = cur;
      phi[h] = acc - (dir > 0 ? jumps[0] : jumps[1]) * f0;
      if (phi[h]! > bestValue) {
        bestValue = phi[h]!;
        best = h;
      }
    }
  }
  // Past an end of the grid (no profile passes there) the foc alone decides: expand to its root.
  if (best === H - 1 && foc(x[H - 1]!, 1) > 0) {
    let a = x[H - 1]!;
    let width = x[H - 1]! - x[H - 2]!;
    let b = a + width;
    while (foc(b, 1) > 0) {
      if (b >= cap) return cap;
      a = b;
      width *= 2;
      b = Math.min(cap, b + width);
    }
    return bisect(foc, a, b, 1);
  }
  if (best === 0 && foc(x[0]!, -1) < 0) {
    let b = x[0]!;
    let width = x[1]! - x[0]!;
    let a = b - width;
    while (foc(a, -1) < 0) {
      if (a <= -cap) return -cap;
      b = a;
      width *= 2;
      a = Math.max(-cap, a - width);
    }
    return bisect(foc, a, b, -1);
  }
  if (best === z) {
    // The grid's best is no trade; a root between 0 and a neighbour may still beat it.
    let choice = 0;
    let value = 0;
    for (const dir of [1, -1]) {
      const next = z + dir;
      if (next < 0 || next >= H || !(dir * foc(0, dir) > 0 && dir * foc(x[next]!, dir) < 0)) continue;
      const r = dir > 0 ? bisect(foc, 0, x[next]!, 1) : bisect(foc, x[next]!, 0, -1);
      // Phi(r): trapezoids on [0, r] with the density interpolated, less the fixed charge.
      const dens = (y: number) => density[z]! + ((density[next]! - density[z]!) * y) / x[next]! + floor;
      let integral = 0;
      for (let i = 0; i < 16; i++) {
        const y0 = (r * i) / 16;
        const y1 = (r * (i + 1)) / 16;
        integral += 0.5 * (dens(y0) * foc(y0, dir) + dens(y1) * foc(y1, dir)) * (y1 - y0);
      }
      const v = integral - (dir > 0 ? jumps[0] : jumps[1]) * f0;
      if (v > value) {
        value = v;
        choice = r;
      }
    }
    return choice;
  }
  const side = x[best]! > 0 ? 1 : -1;
  // The root of the foc next to the best grid point.
  let a = best > 0 ? x[best - 1]! : x[0]!;
  let b = best < H - 1 ? x[best + 1]! : x[H - 1]!;
  if (side > 0) a = Math.max(a, 0);
  else b = Math.min(b, 0);
  if (!(foc(a, side) > 0 && foc(b, side) < 0)) return x[best]!;
  return bisect(foc, a, b, side);
}

/** Root of a falling foc in [a, b] (foc(a) > 0 > foc(b)) by bisection to 1e-13 relative. */
function bisect(foc: (y: number, side: number) => number, a: number, b: number, side: number): number {
  for (let it = 0; it < 200 && b - a > 1e-13 * (1 + Math.abs(a)); it++) {
    const mid = 0.5 * (a + b);
    if (foc(mid, side) > 0) a = mid;
    else b = mid;
  }
  return 0.5 * (a + b);
}
/** The largest trade a schedule may bid: 20 sd(e) plus |mu_e| (endowments beyond 10 sd are not drawn). */
export function quantityCap(env: EquilibriumEnvironment): number {
  return 20 * Math.sqrt(env.dist.variance) + Math.abs(env.dist.mean);
}

/** Pools adjacent violators so that the row does not rise with the price (least squares). */
function makeNonIncreasing(row: Float64Array): void {
  const n = row.length;
  const value = new Float64Array(n);
  const weight = new Float64Array(n);
  const end = new Int32Array(n);
  let top = -1;
  for (let i = 0; i < n; i++) {
    top++;
    value[top] = row[i]!;
    weight[top] = 1;
    end[top] = i;
    while (top > 0 && value[top - 1]! < value[top]!) {
      const w = weight[top - 1]! + weight[top]!;
      value[top - 1] = (value[top - 1]! * weight[top - 1]! + value[top]! * weight[top]!) / w;
      weight[top - 1] = w;
      end[top - 1] = end[top]!;
      top--;
    }
  }
  let start = 0;
  for (let b = 0; b <= top; b++) {
    for (let i = start; i <= end[b]!; i++) row[i] = value[b]!;
    start = end[b]! + 1;
  }
}

/**
 * The best response of every type node of `table` (or of `types`) to the others playing `table`,
 * against the sampled residual supplies: a table on the same prices.
 */
export function bestResponseTable(
  env: EquilibriumEnvironment,
  fee: FeeSchedule,
  table: ScheduleTable,
  samples: ResidualSamples,
  types: Float64Array = table.typeNodes,
): ScheduleTable {
  const G = table.prices.length;
  const scale = Math.sqrt(env.dist.variance);
  const calculus = feeCalculus(fee, scale);
  // Trades are bounded: against flat schedules some fees (a subsidy of large trades, as Proposition
  // 3's quadratic part) make the payoff convex, and the unbounded best response would be infinite.
  const cap = quantityCap(env);
  const q = new Float64Array(types.length * G);
  for (let g = 0; g < G; g++) {
    const slice = priceSlice(samples, G, g, scale);
    const p = table.prices[g]!;
    const jumps = calculus.jumps(p);
    for (let k = 0; k < types.length; k++) q[k * G + g] = bestQuantity(env, types[k]!, p, slice, calculus, jumps, cap);
  }
  const row = new Float64Array(G);
  for (let k = 0; k < types.length; k++) {
    row.set(q.subarray(k * G, (k + 1) * G));
    makeNonIncreasing(row);
    q.set(row, k * G);
  }
  return { typeNodes: types, prices: table.prices, q };
}

/**
 * The average over sampled profiles of type e's gain from bidding `row` (quantities at `prices`)
 * against residual supplies on the same prices: both are piecewise linear between the prices, so
 * the crossing is exact. Profiles with no unique crossing count as no trade, no transfer.
 */
export function sampledPayoff(
  env: EquilibriumEnvironment,
  fee: FeeSchedule,
  prices: Float64Array,
  row: Float64Array,
  e: number,
  samples: ResidualSamples,
): number {
  const G = prices.length;
  let total = 0;
  for (let m = 0; m < samples.count; m++) {
    const cross = crossing(prices, row, samples.level, m * G);
    if (cross === null) continue;
    const { price, quantity } = cross;
    total += env.muPi * quantity - (quantity * (2 * e + quantity)) / (2 * env.kappa) - price * quantity - fee.fee(0, quantity, price);
  }
  return total / samples.count;
}

/** Where a demand row meets the residual supply level[base .. base + G) (linear pieces, continued beyond the ends). */
export function crossing(
  prices: Float64Array,
  row: Float64Array,
  level: Float64Array,
  base: number,
): { price: number; quantity: number } | null {
  const G = prices.length;
  const gap = (g: number) => row[g]! - level[base + g]!;
  // gap falls with the price; find the piece where it changes sign.
  let lo = 0;
  let hi = G - 1;
  const gLo = gap(0);
  const gHi = gap(G - 1);
  let a: number;
  let b: number;
  if (gLo >= 0 && gHi <= 0) {
    if (gLo === 0 && gHi === 0) return null;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (gap(mid) > 0) lo = mid;
      else hi = mid;
    }
    a = lo;
    b = hi;
  } else if (gHi > 0) {
    a = G - 2;
    b = G - 1;
  } else {
    a = 0;
    b = 1;
  }
  const ga = gap(a);
  const gb = gap(b);
  if (ga === gb) return null;
  const t = ga / (ga - gb);
  const price = prices[a]! + t * (prices[b]! - prices[a]!);
  // Beyond the ends the rows' tails never rise: evaluate the demand as the engine would.
  const quantity = price < prices[0]! || price > prices[G - 1]! ? rowAt(prices, row, price) : row[a]! + t * (row[b]! - row[a]!);
  return { price, quantity };
}

/** The price grid: the no-fee centre mu_pi - mu_e / kappa +- 5 sd of the mean endowment / kappa. */
export function priceGrid(env: EquilibriumEnvironment, count: number): Float64Array {
  const centre = env.muPi - env.dist.mean / env.kappa;
  const half = (5 * Math.sqrt(env.dist.variance / env.traders)) / env.kappa;
  return Float64Array.from({ length: count }, (_, g) => centre - half + (2 * half * g) / (count - 1));
}

/** Type nodes at the quantiles (k + 1/2)/K of the law. */
export function typeGrid(dist: Distribution, count: number): Float64Array {
  return Float64Array.from({ length: count }, (_, k) => dist.quantile((k + 0.5) / count));
}

/** The starting table. */
export function startTable(
  env: EquilibriumEnvironment,
  start: EquilibriumStart,
  types: number,
  prices: number,
  seed: string,
): ScheduleTable {
  if (typeof start === "object") return start;
  const typeNodes = typeGrid(env.dist, types);
  const p = priceGrid(env, prices);
  const q = new Float64Array(types * prices);
  const centre = env.muPi - env.dist.mean / env.kappa;
  const rng = seedrandom.alea(`${seed}/start`);
  for (let k = 0; k < types; k++) {
    // Price taker: -(e - mu_e) - kappa (p - centre); zero intelligence: random slope in
    // [0.2, 2] kappa and a random multiple in [0, 2] of the type's offset, plus noise.
    const [slope, offset, noise] =
      start === "price-taker"
        ? [env.kappa, 1, 0]
        : [env.kappa * (0.2 + 1.8 * rng()), 2 * rng(), (rng() - 0.5) * Math.sqrt(env.dist.variance)];
    for (let g = 0; g < prices; g++) q[k * prices + g] = -offset * (typeNodes[k]! - env.dist.mean) + noise - slope * (p[g]! - centre);
  }
  return { typeNodes, prices: p, q };
}

/** Mean of -dq/dp over type nodes and the central half of the prices. */
function meanSlope(table: ScheduleTable): number {
  const G = table.prices.length;
  const K = table.typeNodes.length;
  const g0 = Math.floor(G / 4);
  const g1 = Math.min(G - 1, Math.max(g0 + 1, Math.ceil((3 * G) / 4)));
  let total = 0;
  for (let k = 0; k < K; k++) total += -(table.q[k * G + g1]! - table.q[k * G + g0]!) / (table.prices[g1]! - table.prices[g0]!);
  return total / K;
}

/**
 * Iterated best response (with damping halved when a step overshoots) from `start` until the
 * table changes by less than `tolerance` sd(e) in one step. If the schedules' slopes collapse (the
 * best response to any schedule being flatter than it, as in the plain auction with two traders),
 * the status is "no-equilibrium". Throws RangeError for fewer than 2 traders or bad options.
 */
export function solveEquilibrium(env: EquilibriumEnvironment, fee: FeeSchedule, options: EquilibriumOptions = {}): EquilibriumSolution {
  const started = performance.now();
  const types = options.types ?? 64;
  const prices = options.prices ?? 64;
  const count = options.samples ?? 2000;
  const seed = options.seed ?? "equilibrium";
  const tolerance = options.tolerance ?? 1e-7;
  const maxIterations = options.maxIterations ?? 200;
  const epsilonTolerance = options.epsilonTolerance ?? 1e-9;
  if (!(Number.isInteger(env.traders) && env.traders >= 2)) throw new RangeError(`traders must be an integer >= 2, got ${env.traders}`);
  if (!(Number.isInteger(types) && types >= 2)) throw new RangeError(`types must be an integer >= 2, got ${types}`);
  if (!(Number.isInteger(prices) && prices >= 3)) throw new RangeError(`prices must be an integer >= 3, got ${prices}`);
  if (!(Number.isInteger(count) && count >= 50)) throw new RangeError(`samples must be an integer >= 50, got ${count}`);
  const scale = Math.sqrt(env.dist.variance);
  let table = startTable(env, options.start ?? "price-taker", types, prices, seed);
  // A given table sets the grid: its own nodes and prices.
  const K = table.typeNodes.length;
  // Relative epsilons are taken against the mean gain from trade, floored at 1e-9 of the gain at
  // stake (sd(e)^2 / kappa): a strategy that gains nothing (no trade) gets a finite, large epsilon.
  const gainFloor = (1e-9 * env.dist.variance) / env.kappa;
  const opponents = drawOpponents(env, count, `${seed}/opponents`);
  const path: IterationStep[] = [];
  const slope0 = meanSlope(table);
  let damping = 1;
  let previousChange = Infinity;
  let falling = 0;
  let nextScan = 0;
  let shrinking = 0;
  let quiet = 0;
  let bestEpsilon = Number.POSITIVE_INFINITY;
  let bestIteration = 0;
  let bestTable = table;
  const G = table.prices.length;
  const row = new Float64Array(G);
  for (let iteration = 1; iteration <= maxIterations; iteration++) {
    // Learning from new markets each round draws new opponents (the iteration's noise then stays).
    const round = options.freshMarkets ? drawOpponents(env, count, `${seed}/round-${iteration}`) : opponents;
    const samples = residualSamples(table, round, env.traders - 1);
    const response = bestResponseTable(env, fee, table, samples);
    // The learning path's epsilon: in-sample gain of the best response, at worst over the nodes.
    let worst = 0;
    let meanGain = 0;
    for (let k = 0; k < K; k++) {
      const e = table.typeNodes[k]!;
      row.set(table.q.subarray(k * G, (k + 1) * G));
      const current = sampledPayoff(env, fee, table.prices, row, e, samples);
      row.set(response.q.subarray(k * G, (k + 1) * G));
      const better = sampledPayoff(env, fee, table.prices, row, e, samples);
      worst = Math.max(worst, better - current);
      meanGain += current / K;
    }
    let change = 0;
    for (let i = 0; i < table.q.length; i++) change = Math.max(change, Math.abs(response.q[i]! - table.q[i]!));
    change /= scale;
    // Overshooting halves the step; three shrinking steps in a row let it grow back.
    if (change > previousChange && damping > 1 / 64) {
      damping /= 2;
      shrinking = 0;
    } else if (++shrinking >= 3 && damping < 1) {
      damping = Math.min(1, 2 * damping);
      shrinking = 0;
    }
    previousChange = change;
    const q = new Float64Array(table.q.length);
    for (let i = 0; i < q.length; i++) q[i] = table.q[i]! + damping * (response.q[i]! - table.q[i]!);
    const previous = table;
    table = { typeNodes: table.typeNodes, prices: table.prices, q };
    const slope = meanSlope(table);
    const step: IterationStep = {
      iteration,
      change,
      epsilon: worst / Math.max(meanGain, gainFloor),
      meanSlope: slope,
      damping,
    };
    path.push(step);
    options.onIteration?.(step);
    // The iterate whose best response gains least (the best response is to `previous`, the table before this step).
    if (step.epsilon < bestEpsilon * 0.9) {
      bestEpsilon = step.epsilon;
      bestIteration = iteration;
      bestTable = previous;
    }
    if (iteration - bestIteration >= STALL_ITERATIONS && step.epsilon > epsilonTolerance) {
      table = bestTable;
      return done(
        "stalled",
        `the best response's gain stopped falling: at best ${bestEpsilon.toExponential(2)} of the mean gain from trade (iteration ${bestIteration}), not 10% less in the ${STALL_ITERATIONS} iterations since; the table of that iteration is kept (an approximate equilibrium: see its certificate)`,
      );
    }
    if (change < tolerance)
      return done("converged", `the table changed by ${change.toExponential(2)} sd(e) < ${tolerance} in iteration ${iteration}`);
    // Cells far from any clearing price can keep moving without changing anyone's payoff: three
    // iterations in a row whose best responses gain nothing measurable, with the table moving by
    // less than sqrt(tolerance), also end the iteration.
    quiet = step.epsilon < epsilonTolerance && change < Math.sqrt(tolerance) ? quiet + 1 : 0;
    if (quiet >= 3)
      return done(
        "converged",
        `the best responses gained less than ${epsilonTolerance} of the mean gain from trade in ${quiet} iterations in a row (iteration ${iteration}; last change ${change.toExponential(2)} sd(e))`,
      );
    // A collapse towards no trade: slopes falling step after step. Checked by a scan: when the
    // best response to this profile with its slopes scaled by any factor in 1e-4 .. 1e2 is
    // flatter than the profile it answers, no slope is a fixed point (the plain auction with two
    // traders: the best response to slope c has slope kappa c / (c + kappa) < c).
    falling = slope < (path.at(-2)?.meanSlope ?? Number.POSITIVE_INFINITY) * (1 - 1e-9) ? falling + 1 : 0;
    if (falling >= 12 && iteration >= nextScan) {
      const scan = slopeScan(env, fee, table, opponents);
      if (scan.every((r) => r.ratio < 1))
        return done(
          "no-equilibrium",
          `the schedules flatten towards no trade: the best response to the profile with its slopes scaled by ${scan[0]!.factor} to ${scan.at(-1)!.factor} is always flatter (slope ratios ${scan.map((r) => fmt(r.ratio)).join(", ")}); mean slope ${fmt(slope0)} -> ${fmt(slope)} in ${iteration} iterations`,
        );
      nextScan = iteration + 25;
    }
  }
  return done(
    "max-iterations",
    `no convergence in ${maxIterations} iterations (last change ${path.at(-1)?.change.toExponential(2)} sd(e))`,
  );

  function done(status: EquilibriumSolution["status"], reason: string): EquilibriumSolution {
    return { status, reason, table, iterations: path.length, path, elapsedSeconds: (performance.now() - started) / 1000 };
  }
}

/** Mean slope of the best response to the table with its price slopes scaled (about the centre price), over the profile's. */
function slopeScan(env: EquilibriumEnvironment, fee: FeeSchedule, table: ScheduleTable, opponents: Float64Array) {
  const G = table.prices.length;
  const c = G >> 1;
  return [1e-4, 1e-3, 1e-2, 1e-1, 1, 10, 100].map((factor) => {
    const q = new Float64Array(table.q.length);
    for (let k = 0; k < table.typeNodes.length; k++)
      for (let g = 0; g < G; g++) q[k * G + g] = table.q[k * G + c]! + factor * (table.q[k * G + g]! - table.q[k * G + c]!);
    const scaled = { typeNodes: table.typeNodes, prices: table.prices, q };
    const response = bestResponseTable(env, fee, scaled, residualSamples(scaled, opponents, env.traders - 1));
    return { factor, ratio: meanSlope(response) / meanSlope(scaled) };
  });
}

function fmt(x: number): string {
  return Number(x.toPrecision(4)).toString();
}

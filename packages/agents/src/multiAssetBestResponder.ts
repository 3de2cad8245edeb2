import { clear, type CrossExchangeFee, type DemandSchedule } from "@optex/engine";
import { bestFirst, nelderMead } from "@optex/numerics";
import { residualPrice } from "./bestResponder.ts";

/** What one trader faces in k separate double auctions joined by a cross-exchange fee. */
export interface MultiAssetBestResponseProblem {
  /** Endowment vector e (length k). */
  readonly endowment: readonly number[];
  readonly kappa: number;
  /** Payoff standard deviation under Condition 3 (covariance sigma_pi^2 I); default 1. Give this or `covariance`. */
  readonly sigmaPi?: number;
  /** Payoff covariance Sigma (k x k, symmetric), for correlated assets (eq. (8)). */
  readonly covariance?: readonly (readonly number[])[];
  /** Mean payoffs mu_pi (default 0). */
  readonly muPi?: readonly number[];
  /** others[a]: the other traders' schedules in asset a's auction (each asset clears on its own). */
  readonly others: readonly (readonly DemandSchedule[])[];
  readonly fee: CrossExchangeFee;
}

/**
 * Eq. (8) in expectation over pi, as a gain over autarky: buying q for total transfer T gives
 *   mu_pi . q - T - ((e + q)^T Sigma (e + q) - e^T Sigma e) / (2 kappa)
 * (the one-asset utilityGain with Sigma = 1). `sigma` is the covariance matrix.
 */
export function multiAssetUtilityGain(
  endowment: readonly number[],
  trade: readonly number[],
  transfer: number,
  kappa: number,
  sigma: readonly (readonly number[])[],
  muPi: readonly number[],
): number {
  let gain = -transfer;
  let quad = 0;
  for (let a = 0; a < trade.length; a++) {
    gain += muPi[a]! * trade[a]!;
    let row = 0;
    for (let b = 0; b < trade.length; b++) row += sigma[a]![b]! * (2 * endowment[b]! + trade[b]!);
    quad += trade[a]! * row;
  }
  return gain - quad / (2 * kappa);
}

/** Problem data checked and put in the form the evaluator needs. */
interface Prepared {
  readonly k: number;
  readonly e: readonly number[];
  readonly sigma: readonly (readonly number[])[];
  readonly muPi: readonly number[];
  /** Residual prices of a trade vector (null: some auction has no unique price). */
  prices(q: readonly number[]): number[] | null;
}

function prepare(problem: MultiAssetBestResponseProblem): Prepared {
  const e = problem.endowment;
  const k = e.length;
  if (k < 1 || e.some((x) => !Number.isFinite(x))) throw new RangeError("endowment must be a non-empty vector of finite numbers");
  if (!(problem.kappa > 0 && Number.isFinite(problem.kappa)))
    throw new RangeError(`kappa must be a finite number > 0, got ${problem.kappa}`);
  if (problem.others.length !== k) throw new RangeError(`others must list one book per asset (${k}), got ${problem.others.length}`);
  const muPi = problem.muPi ?? new Array<number>(k).fill(0);
  if (muPi.length !== k) throw new RangeError(`muPi must have length ${k}, got ${muPi.length}`);
  if (problem.covariance && problem.sigmaPi !== undefined) throw new RangeError("give sigmaPi or covariance, not both");
  let sigma: readonly (readonly number[])[];
  if (problem.covariance) {
    sigma = problem.covariance;
    if (sigma.length !== k || sigma.some((row) => row.length !== k || row.some((x) => !Number.isFinite(x))))
      throw new RangeError(`covariance must be a ${k} x ${k} matrix of finite numbers`);
  } else {
    const s = problem.sigmaPi ?? 1;
    if (!(s > 0 && Number.isFinite(s))) throw new RangeError(`sigmaPi must be a finite number > 0, got ${s}`);
    sigma = Array.from({ length: k }, (_, a) => Array.from({ length: k }, (_, b) => (a === b ? s * s : 0)));
  }
  // Linear books (the usual case) have a closed-form residual price: aggregate them once.
  const linear = problem.others.map((book) => {
    let intercept = 0;
    let slope = 0;
    for (const s of book) {
      if (s.kind !== "linear") return null;
      intercept += s.intercept;
      slope += s.slope;
    }
    return { intercept, slope };
  });
  const prices = (q: readonly number[]): number[] | null => {
    const p = new Array<number>(k);
    for (let a = 0; a < k; a++) {
      const lin = linear[a];
      const pa = lin ? (lin.slope > 0 ? (lin.intercept + q[a]!) / lin.slope : null) : residualPrice(problem.others[a]!, q[a]!);
      if (pa === null) return null;
      p[a] = pa;
    }
    return p;
  };
  return { k, e, sigma, muPi, prices };
}

function payoffWith(
  prep: Prepared,
  fee: CrossExchangeFee,
  kappa: number,
  q: readonly number[],
): { payoff: number; prices: number[] | null } {
  const prices = prep.prices(q);
  // Definition 6.1: without a unique price in every auction nobody trades or pays.
  if (prices === null) return { payoff: 0, prices: null };
  let transfer = fee.feeOf(q, prices);
  for (let a = 0; a < prep.k; a++) transfer += prices[a]! * q[a]!;
  return { payoff: multiAssetUtilityGain(prep.e, q, transfer, kappa, prep.sigma, prep.muPi), prices };
}

/**
 * The prices at which the others sell the vector q to the trader, asset by asset
 * (sum_j q_ja(p_a) = -q_a); null when some auction has no unique price.
 */
export function multiAssetResidualPrices(others: readonly (readonly DemandSchedule[])[], q: readonly number[]): number[] | null {
  const prices: number[] = [];
  for (let a = 0; a < others.length; a++) {
    const p = residualPrice(others[a]!, q[a]!);
    if (p === null) return null;
    prices.push(p);
  }
  return prices;
}

/** The trader's payoff (utility gain over autarky) if it ends up buying the vector q along the residual supplies. Throws RangeError for bad problem data. */
export function multiAssetPayoffOfQuantities(
  problem: MultiAssetBestResponseProblem,
  q: readonly number[],
): { payoff: number; prices: number[] | null } {
  const prep = prepare(problem);
  if (q.length !== prep.k) throw new RangeError(`q must have length ${prep.k}, got ${q.length}`);
  return payoffWith(prep, problem.fee, problem.kappa, q);
}

/**
 * The trader's payoff from submitting one schedule per asset: each auction is cleared by the engine
 * with the trader's schedule appended to the others'; if some auction has no unique price, no trade
 * and payoff 0 (Definition 6.1). Throws RangeError for bad problem data.
 */
export function multiAssetPayoffOfSchedules(
  problem: MultiAssetBestResponseProblem,
  schedules: readonly DemandSchedule[],
): { payoff: number; quantities: number[]; prices: number[] | null } {
  const prep = prepare(problem);
  if (schedules.length !== prep.k) throw new RangeError(`schedules must have length ${prep.k}, got ${schedules.length}`);
  const quantities: number[] = [];
  const prices: number[] = [];
  for (let a = 0; a < prep.k; a++) {
    const book = [...problem.others[a]!, schedules[a]!];
    const result = clear(book);
    if (result.status !== "cleared") return { payoff: 0, quantities: new Array<number>(prep.k).fill(0), prices: null };
    quantities.push(result.quantities[book.length - 1]!);
    prices.push(result.price);
  }
  let transfer = problem.fee.feeOf(quantities, prices);
  for (let a = 0; a < prep.k; a++) transfer += prices[a]! * quantities[a]!;
  return { payoff: multiAssetUtilityGain(prep.e, quantities, transfer, problem.kappa, prep.sigma, prep.muPi), quantities, prices };
}

export interface MultiAssetBestResponseOptions {
  /** Centre of the search (default 0). */
  center?: readonly number[];
  /** Half-width of the box of quasi-random starts (default 4 (1 + |center| + |endowment|), Euclidean norms). */
  radius?: number;
  /** Quasi-random (Halton) starts in the box, besides the centre, 0 and -endowment (default 4k). */
  starts?: number;
  /** Stop a Nelder-Mead run when the simplex is this small relative to the radius (default 1e-12). */
  relativeTolerance?: number;
}

export interface MultiAssetBestResponse {
  /** The best trade vector found along the residual supplies. */
  readonly quantities: number[];
  readonly prices: number[] | null;
  readonly payoff: number;
  /** Payoff evaluations used. */
  readonly evaluations: number;
}

/**
 * Numerical best response to the others' schedules under a cross-exchange fee. Any point
 * (p(q), q) of the k residual supplies is reachable by some schedules (the constant ones), so the
 * best response maximises the payoff over the whole vector q at once: joint deviations in all
 * assets are covered. The payoff can have kinks (the Proposition 8 fee's cone at the ball), so the
 * search is derivative-free: Nelder-Mead from the centre, 0, -endowment (unwinding) and Halton
 * points of the box, each run restarted at its optimum until it stops improving (restarts undo a
 * collapsed simplex). A better basin narrower than the spacing of the starts can be missed.
 * Throws RangeError for bad problem data.
 */
export function multiAssetBestResponse(
  problem: MultiAssetBestResponseProblem,
  options: MultiAssetBestResponseOptions = {},
): MultiAssetBestResponse {
  const prep = prepare(problem);
  const k = prep.k;
  const center = options.center ?? new Array<number>(k).fill(0);
  if (center.length !== k) throw new RangeError(`center must have length ${k}, got ${center.length}`);
  const radius = options.radius ?? 4 * (1 + Math.hypot(...center) + Math.hypot(...prep.e));
  if (!(radius > 0 && Number.isFinite(radius))) throw new RangeError(`radius must be a finite number > 0, got ${radius}`);
  const startCount = options.starts ?? 4 * k;
  const xTol = (options.relativeTolerance ?? 1e-12) * radius;
  let evaluations = 0;
  const f = (q: readonly number[]) => {
    evaluations++;
    return payoffWith(prep, problem.fee, problem.kappa, q).payoff;
  };
  const starts: number[][] = [[...center], new Array<number>(k).fill(0), prep.e.map((x) => -x)];
  for (let n = 1; n <= startCount; n++) starts.push(halton(n, k).map((u, a) => center[a]! + radius * (2 * u - 1)));
  const runs = starts.map((start) => nelderMead(f, start, radius / 4, xTol));
  runs.sort(bestFirst);
  let best = { x: [...center], value: f(center) };
  // Polish the two best runs: restart where each stopped until the payoff stops improving.
  for (let run of runs.slice(0, 2)) {
    for (let again = 0; again < 6; again++) {
      const next = nelderMead(f, run.x, Math.max(radius / 64, 1e3 * xTol) / 4 ** again, xTol);
      const improved = next.value - run.value > 1e-15 * (1 + Math.abs(run.value));
      if (next.value > run.value) run = next;
      if (!improved) break;
    }
    if (run.value > best.value) best = run;
  }
  const { payoff, prices } = payoffWith(prep, problem.fee, problem.kappa, best.x);
  return { quantities: best.x, prices, payoff, evaluations };
}

export interface MultiAssetRegret {
  /** Best-response payoff minus the prescribed schedules' payoff (>= 0). */
  readonly regret: number;
  readonly prescribedPayoff: number;
  readonly prescribedQuantities: number[];
  readonly best: MultiAssetBestResponse;
}

/**
 * Regret of submitting `prescribed` (one schedule per asset) against the others' schedules: the
 * numerical best response (searched around the prescribed trades) minus what the prescribed
 * schedules earn when the engine clears each auction. Throws RangeError for bad problem data.
 */
export function multiAssetRegretOf(
  problem: MultiAssetBestResponseProblem,
  prescribed: readonly DemandSchedule[],
  options: MultiAssetBestResponseOptions = {},
): MultiAssetRegret {
  const own = multiAssetPayoffOfSchedules(problem, prescribed);
  const found = multiAssetBestResponse(problem, { center: own.quantities, ...options });
  const best =
    found.payoff >= own.payoff
      ? found
      : { quantities: own.quantities, prices: own.prices, payoff: own.payoff, evaluations: found.evaluations };
  return { regret: best.payoff - own.payoff, prescribedPayoff: own.payoff, prescribedQuantities: own.quantities, best };
}

/** Point n >= 1 of the Halton sequence in [0, 1)^k (bases: the first k primes). */
function halton(n: number, k: number): number[] {
  const out: number[] = [];
  for (let p = 2; out.length < k; p++) {
    let prime = true;
    for (let d = 2; d * d <= p; d++) if (p % d === 0) prime = false;
    if (!prime) continue;
    let x = 0;
    let scale = 1 / p;
    for (let m = n; m > 0; m = Math.floor(m / p), scale /= p) x += (m % p) * scale;
    out.push(x);
  }
  return out;
}

import {
  type Certificate,
  certify,
  type EquilibriumEnvironment,
  type EquilibriumOutcomes,
  type EquilibriumSolution,
  type EquilibriumStart,
  type IterationStep,
  rowInto,
  type ScheduleTable,
  solveEquilibrium,
  tableDistance,
  simulateOutcomes,
} from "@optex/agents";
import type { FeeSchedule } from "@optex/engine";
import { feeFromSpec } from "@optex/fees";
import { solveVirtualType } from "@optex/theory";
import { InputError } from "../inputError.ts";
import { fmt, table } from "../output/format.ts";

/** What `optex equilibrium` is asked. */
export interface EquilibriumRequest {
  readonly env: EquilibriumEnvironment;
  readonly distSpec: string;
  readonly feeSpec: string;
  readonly types: number;
  readonly prices: number;
  readonly samples: number;
  readonly seed: string;
  readonly start: "price-taker" | "zero-intelligence";
  readonly maxIterations: number;
  /** Markets simulated for the outcomes (0: none). */
  readonly markets: number;
  readonly checkTypes: number;
  /** Also solve from the other start and report the distance between the two equilibria. */
  readonly uniqueness: boolean;
  /** New sampled markets in every iteration (a learning dynamic) instead of the same ones. */
  readonly freshMarkets?: boolean;
}

export interface EquilibriumReport {
  readonly command: "equilibrium";
  readonly dist: string;
  readonly kappa: number;
  readonly traders: number;
  readonly muPi: number;
  readonly fee: string;
  readonly grid: { readonly types: number; readonly prices: number; readonly samples: number };
  readonly seed: string;
  readonly start: string;
  readonly freshMarkets: boolean;
  readonly status: EquilibriumSolution["status"];
  readonly reason: string;
  readonly iterations: number;
  readonly elapsedSeconds: number;
  /** The equilibrium schedule: quantities[k][g] is what type types[k] bids at price prices[g]. */
  readonly schedule: { readonly types: number[]; readonly prices: number[]; readonly quantities: number[][] };
  /** The learning path: one entry per iteration of best-response dynamics. */
  readonly path: readonly IterationStep[];
  readonly epsilonFound: number | null;
  readonly epsilonBound: number | null;
  readonly certificate: ReturnType<typeof certificateJson> | null;
  readonly outcomes: EquilibriumOutcomes | null;
  /** Distance from the closed form where one is known (none, quadratic, prop3), relative to sd(e). */
  readonly closedForm: { readonly name: string; readonly maxDistance: number } | null;
  readonly uniqueness: {
    readonly start: string;
    readonly status: EquilibriumSolution["status"];
    readonly iterations: number;
    /** Largest difference of the two tables where markets clear (central prices), relative to sd(e). */
    readonly maxDistance: number;
    readonly same: boolean;
  } | null;
}

/** Distance at which two solutions count as the same equilibrium (relative to sd(e)). */
export const SAME_EQUILIBRIUM = 1e-3;

function certificateJson(c: Certificate) {
  return {
    samples: c.samples,
    belowStrategy: c.belowStrategy,
    meanGain: c.meanGain,
    epsilonFound: c.epsilonFound,
    epsilonBound: c.epsilonBound,
    perType: c.perType.map((t) => ({
      type: t.type,
      quantile: t.quantile,
      gain: t.gain.mean,
      epsilonFound: t.found.mean,
      epsilonFoundCi99: t.found.ci99,
      epsilonBound: t.bound.mean,
      epsilonBoundUpper99: t.bound.ci99[1],
    })),
  };
}

/** The closed-form equilibrium a fee spec has, as q(e, p), or null. */
export function closedFormEquilibrium(
  env: EquilibriumEnvironment,
  feeSpec: string,
): { name: string; q: (e: number, p: number) => number } | null {
  const { kappa, traders: N, muPi, dist } = env;
  const [name, arg] = feeSpec.split(":");
  const linear = (c: number, label: string) =>
    // q = -(c / kappa) (e - mu_e) - c (p - p0), p0 = mu_pi - mu_e / kappa: the market clears at p0 + (mu_e - ebar)/kappa.
    N > 2 ? { name: label, q: (e: number, p: number) => -(c / kappa) * (e - dist.mean) - c * (p - (muPi - dist.mean / kappa)) } : null;
  if (name === "none") return linear((kappa * (N - 2)) / (N - 1), "symmetric linear equilibrium (Section 4.3)");
  if (name === "quadratic") {
    const C = Number(arg);
    // Against others of slope c each, the best response has slope kappa / (1 + kappa C + kappa / ((N-1) c));
    // its fixed point is c = kappa (N-2) / ((N-1)(1 + kappa C)) (docs/equilibrium.md).
    if (!(1 + kappa * C > 0)) return null;
    return linear((kappa * (N - 2)) / ((N - 1) * (1 + kappa * C)), "linear equilibrium of the quadratic fee (closed form)");
  }
  if (name === "prop3") {
    const vt = solveVirtualType(dist, Number(arg));
    return { name: "truthful virtual-type bids (Proposition 3)", q: (e, p) => -vt.v(e) - kappa * (p - muPi) };
  }
  return null;
}

function tableFunction(t: ScheduleTable): (e: number, p: number) => number {
  const row = new Float64Array(t.prices.length);
  return (e, p) => {
    rowInto(t, e, row);
    const g = t.prices.indexOf(p);
    return row[g]!;
  };
}

/** Solves, certifies and simulates one equilibrium (the `optex equilibrium` command). */
export function runEquilibrium(request: EquilibriumRequest, fee?: FeeSchedule): EquilibriumReport {
  const { env } = request;
  let schedule: FeeSchedule;
  try {
    schedule = fee ?? feeFromSpec(request.feeSpec, env);
  } catch (error) {
    throw new InputError(`--fee: ${(error as Error).message}`);
  }
  const solve = (start: EquilibriumStart) =>
    solveEquilibrium(env, schedule, {
      types: request.types,
      prices: request.prices,
      samples: request.samples,
      seed: request.seed,
      start,
      maxIterations: request.maxIterations,
      freshMarkets: request.freshMarkets === true,
    });
  const solution = solve(request.start);
  const exists = solution.status !== "no-equilibrium";
  const certificate = exists
    ? certify(env, schedule, solution.table, { seed: request.seed, checkTypes: request.checkTypes, samples: request.samples })
    : null;
  const outcomes = exists && request.markets > 0 ? simulateOutcomes(env, schedule, solution.table, request.markets, request.seed) : null;
  const known = closedFormEquilibrium(env, request.feeSpec);
  let uniqueness: EquilibriumReport["uniqueness"] = null;
  if (request.uniqueness && exists) {
    const otherStart = request.start === "price-taker" ? "zero-intelligence" : "price-taker";
    const other = solve(otherStart);
    const d = tableDistance(env, solution.table, tableFunction(other.table));
    uniqueness = { start: otherStart, status: other.status, iterations: other.iterations, maxDistance: d, same: d < SAME_EQUILIBRIUM };
  }
  const G = solution.table.prices.length;
  return {
    command: "equilibrium",
    dist: request.distSpec,
    kappa: env.kappa,
    traders: env.traders,
    muPi: env.muPi,
    fee: request.feeSpec,
    grid: { types: request.types, prices: request.prices, samples: request.samples },
    seed: request.seed,
    start: request.start,
    freshMarkets: request.freshMarkets === true,
    status: solution.status,
    reason: solution.reason,
    iterations: solution.iterations,
    elapsedSeconds: solution.elapsedSeconds,
    schedule: {
      types: Array.from(solution.table.typeNodes),
      prices: Array.from(solution.table.prices),
      quantities: Array.from(solution.table.typeNodes, (_, k) => Array.from(solution.table.q.subarray(k * G, (k + 1) * G))),
    },
    path: solution.path,
    epsilonFound: certificate?.epsilonFound ?? null,
    epsilonBound: certificate?.epsilonBound ?? null,
    certificate: certificate ? certificateJson(certificate) : null,
    outcomes,
    closedForm: known && exists ? { name: known.name, maxDistance: tableDistance(env, solution.table, known.q) } : null,
    uniqueness,
  };
}

/** The report in words and tables. */
export function equilibriumText(r: EquilibriumReport): string {
  const lines = [
    `Equilibrium of the double auction with fee ${r.fee}: ${r.dist}, N = ${r.traders}, kappa = ${r.kappa}, mu_pi = ${r.muPi}`,
    `${r.status}: ${r.reason}`,
    `${r.iterations} iterations in ${r.elapsedSeconds.toFixed(2)} s (${r.grid.types} types x ${r.grid.prices} prices, ${r.grid.samples} sampled opponent profiles, start ${r.start})`,
  ];
  if (r.epsilonFound !== null)
    lines.push(
      `epsilonFound = ${fmt(r.epsilonFound)} (best deviation found, worst type), epsilonBound = ${fmt(r.epsilonBound)} (no schedule gains more, 99% upper bound, worst type); relative to the mean gain from trade ${fmt(r.certificate!.meanGain)} per trader`,
    );
  if (r.closedForm) lines.push(`distance from the ${r.closedForm.name}: ${fmt(r.closedForm.maxDistance)} sd(e)`);
  if (r.uniqueness)
    lines.push(
      `from the ${r.uniqueness.start} start: ${r.uniqueness.status} in ${r.uniqueness.iterations} iterations, at ${fmt(r.uniqueness.maxDistance)} sd(e) from this one (${r.uniqueness.same ? "the same equilibrium" : "a different point: the equilibrium may not be unique"})`,
    );
  if (r.outcomes) {
    const o = r.outcomes;
    const row = (name: string, e: { mean: number; ci99: readonly [number, number] }) => [
      name,
      fmt(e.mean),
      `[${fmt(e.ci99[0])}, ${fmt(e.ci99[1])}]`,
    ];
    lines.push(
      "",
      `outcomes over ${o.markets} simulated markets (per trader):`,
      table(
        ["quantity", "mean", "99% interval"],
        [
          row("revenue per trader", o.revenuePerTrader),
          row("holding cost per trader", o.holdingCostPerTrader),
          row("utility gain per trader", o.utilityGainPerTrader),
          row("trade volume per trader", o.tradeVolumePerTrader),
          row("no-trade frequency", o.noTradeFrequency),
        ],
      ),
    );
  }
  return lines.join("\n");
}

/** Checks of the request that the option parsers cannot make. */
export function checkRequest(r: EquilibriumRequest): void {
  if (r.types < 2 || r.types > 1024) throw new InputError(`--types must be an integer in [2, 1024], got ${r.types}`);
  if (r.prices < 8 || r.prices > 1024) throw new InputError(`--prices must be an integer in [8, 1024], got ${r.prices}`);
}

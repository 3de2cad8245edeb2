import {
  basicEnvironment,
  type BasicDesignSolution,
  type DesignFormulation,
  type Distribution,
  optimalMechanismOutcome,
  type RadialDesignSolution,
  solveBasicDesign,
  solveRadialDesign,
  solveVirtualType,
} from "@optex/theory";
import { InputError } from "../inputError.ts";
import { fmt, table } from "../output/format.ts";

/** What `optex design` is asked. */
export interface DesignRequest {
  readonly dist: Distribution;
  readonly distSpec: string;
  readonly alpha: number;
  readonly traders: number;
  readonly kappa: number;
  readonly assets: 1 | 2;
  /** One asset: about this many cells. Two assets: rings (sectors are given separately). */
  readonly grid: number;
  readonly sectors: number;
  readonly sigmaPi: number;
  readonly formulation: DesignFormulation;
}

/** A solver objective above the theory's by more than this plus the solution's largest constraint violation (both in units of sd(e)^2 / kappa, times sigma_pi^2 with two assets) refutes the theory's optimality. */
export const OPTIMALITY_TOLERANCE = 1e-8;

export interface DesignReport {
  readonly command: "design";
  readonly dist: string;
  readonly alpha: number;
  readonly traders: number;
  readonly kappa: number;
  readonly assets: 1 | 2;
  readonly formulation: DesignFormulation;
  readonly grid: { readonly requested: number; readonly cells: number; readonly rings?: number; readonly sectors?: number };
  /** proven: HiGHS proved its solution optimal (false: the best of its failed attempts; the comparison is then weak). */
  readonly solver: { readonly name: string; readonly status: string; readonly proven: boolean; readonly rounds: number };
  readonly constraints: { readonly given: number; readonly checked: number; readonly maxViolation: number };
  /** alpha revenue - (1 - alpha) holding cost per trader: the solver's (a feasible mechanism's, exactly) and the theory's. */
  readonly objective: { readonly solver: number; readonly theory: number; readonly gap: number; readonly relativeGap: number };
  readonly perTrader?: {
    readonly revenue: { readonly solver: number; readonly theory: number };
    readonly holdingCost: { readonly solver: number; readonly theory: number };
    readonly utilityGain: { readonly solver: number; readonly theory: number };
  };
  /** Interval ends; null for an infinite end (a pooled run reaching the support's end). */
  readonly bindingRegion?: { readonly solver: Interval | null; readonly theory: Interval };
  readonly pooled?: { readonly solver: Interval[]; readonly theory: Interval[] };
  /** Interim allocation: solver's cells against the theory's Xhat at the cells' means, mass-weighted RMS and largest (cells of mass >= 1e-6), in sd(e). */
  readonly allocation?: { readonly rmsError: number; readonly maxError: number };
  readonly exPost?: { readonly additivityGap: number; readonly symmetryGap: number };
  readonly radial?: { readonly tangentialShare: number; readonly angularSpread: number; readonly distanceFromProposition7: number };
  /** theoryOptimal: false when the solver beats the theory, true when HiGHS proved a solution that does not, null when it proved nothing (inconclusive). */
  readonly verdict: { readonly theoryOptimal: boolean | null; readonly reason: string };
}

type Interval = [number | null, number | null];
const interval = (from: number, to: number): Interval => [Number.isFinite(from) ? from : null, Number.isFinite(to) ? to : null];

export function checkDesignRequest(r: DesignRequest): void {
  if (r.assets === 2) {
    if (!/^normal:/.test(r.distSpec))
      throw new InputError(`--dist: two assets need normal endowments N(MU, SIGMA^2 I) (Condition 3), got "${r.distSpec}"`);
    // HiGHS's active-set method took over 5 minutes at 24 x 48 (1,700 cells); 16 x 32 takes seconds.
    if (!(Number.isInteger(r.grid) && r.grid >= 2 && r.grid <= 24))
      throw new InputError(`--grid: with two assets it counts rings, an integer in [2, 24], got ${r.grid}`);
    if (!(Number.isInteger(r.sectors) && r.sectors >= 4 && r.sectors <= 64))
      throw new InputError(`--sectors must be an integer in [4, 64], got ${r.sectors}`);
    if (r.formulation !== "interim") throw new InputError("--formulation: two assets use the interim formulation");
  } else if (r.formulation === "ex-post") {
    if (r.traders !== 2) throw new InputError(`--formulation ex-post needs --traders 2, got ${r.traders}`);
    if (!(r.grid >= 8 && r.grid <= 64))
      throw new InputError(`--grid: the ex-post formulation takes a grid in [8, 64] (m^2 variables), got ${r.grid}`);
  } else if (!(Number.isInteger(r.grid) && r.grid >= 8 && r.grid <= 1000)) {
    throw new InputError(`--grid must be an integer in [8, 1000], got ${r.grid}`);
  }
}

export async function runDesign(r: DesignRequest): Promise<{ report: DesignReport; seconds: number }> {
  checkDesignRequest(r);
  const started = performance.now();
  const report = r.assets === 2 ? await twoAssets(r) : await oneAsset(r);
  return { report, seconds: (performance.now() - started) / 1000 };
}

async function oneAsset(r: DesignRequest): Promise<DesignReport> {
  const solution = await solveBasicDesign({
    dist: r.dist,
    alpha: r.alpha,
    traders: r.traders,
    kappa: r.kappa,
    cells: r.grid,
    formulation: r.formulation,
  });
  const vt = solveVirtualType(r.dist, r.alpha);
  const outcome = optimalMechanismOutcome(basicEnvironment({ dist: r.dist, kappa: r.kappa, traders: r.traders }), vt);
  const theory = r.alpha * outcome.revenuePerTrader - (1 - r.alpha) * outcome.holdingCostPerTrader;
  // The gap is taken between the standardized problems (kappa = 1), where neither objective carries
  // the (1 - alpha) mu^2 / (2 kappa) every mechanism pays: with |mu| >> sd the difference of the
  // user-unit objectives would be rounding (both problems are equivariant; docs/design.md).
  const z = vt.standardized;
  const zOutcome = optimalMechanismOutcome(basicEnvironment({ dist: z.dist, kappa: 1, traders: r.traders }), z);
  const relativeGap = r.alpha * zOutcome.revenuePerTrader - (1 - r.alpha) * zOutcome.holdingCostPerTrader - solution.standardizedObjective;
  const sd = Math.sqrt(r.dist.variance);
  const scale = r.dist.variance / r.kappa;
  let squares = 0;
  let weight = 0;
  let maxError = 0;
  for (const cell of solution.cells) {
    if (cell.mass < 1e-6) continue;
    const error = (cell.allocation - outcome.interimAllocation(cell.mean)) / sd;
    squares += cell.mass * error * error;
    weight += cell.mass;
    maxError = Math.max(maxError, Math.abs(error));
  }
  return {
    ...common(r, solution, theory, relativeGap, scale),
    grid: { requested: r.grid, cells: solution.cells.length },
    perTrader: {
      revenue: { solver: solution.revenuePerTrader, theory: outcome.revenuePerTrader },
      holdingCost: { solver: solution.holdingCostPerTrader, theory: outcome.holdingCostPerTrader },
      utilityGain: { solver: solution.utilityGainPerTrader, theory: outcome.utilityGainPerTrader },
    },
    bindingRegion: {
      solver: solution.bindingRegion && interval(solution.bindingRegion.from, solution.bindingRegion.to),
      theory: interval(vt.eA, vt.eB),
    },
    pooled: {
      solver: solution.pooled.map((p) => interval(p.from, p.to)),
      theory: (vt.pooled ?? []).map((p) => interval(p.from, p.to)),
    },
    allocation: { rmsError: Math.sqrt(squares / weight), maxError },
    ...(solution.additivityGap !== undefined && solution.symmetryGap !== undefined
      ? { exPost: { additivityGap: solution.additivityGap, symmetryGap: solution.symmetryGap } }
      : {}),
  };
}

async function twoAssets(r: DesignRequest): Promise<DesignReport> {
  const sigmaE = Math.sqrt(r.dist.variance);
  const solution = await solveRadialDesign({
    alpha: r.alpha,
    traders: r.traders,
    kappa: r.kappa,
    sigmaE,
    sigmaPi: r.sigmaPi,
    rings: r.grid,
    sectors: r.sectors,
  });
  const scale = (r.dist.variance * r.sigmaPi * r.sigmaPi) / r.kappa;
  return {
    ...common(r, solution, solution.theoryObjective, solution.relativeGap, scale),
    grid: { requested: r.grid, cells: solution.cells, rings: solution.rings, sectors: solution.sectors },
    radial: {
      tangentialShare: solution.tangentialShare,
      angularSpread: solution.angularSpread,
      distanceFromProposition7: solution.distanceFromProposition7,
    },
  };
}

function common(r: DesignRequest, s: BasicDesignSolution | RadialDesignSolution, theory: number, relativeGap: number, scale: number) {
  // Units of scale (sd^2/kappa; times sigma_pi^2 with two assets) throughout, maxViolation included.
  const refuted = relativeGap < -(OPTIMALITY_TOLERANCE + s.maxViolation);
  const theoryOptimal = refuted ? false : s.solver.proven ? true : null;
  const name = r.assets === 2 ? "Proposition 7's radial mechanism" : "Theorem 1's mechanism";
  const units = r.assets === 2 ? "sd^2 sigma_pi^2/kappa" : "sd^2/kappa";
  return {
    command: "design" as const,
    dist: r.distSpec,
    alpha: r.alpha,
    traders: r.traders,
    kappa: r.kappa,
    assets: r.assets,
    formulation: r.formulation,
    solver: { name: s.solver.name, status: s.solver.status, proven: s.solver.proven, rounds: s.rounds },
    constraints: { given: s.constraintsGiven, checked: s.constraintsChecked, maxViolation: s.maxViolation },
    objective: { solver: s.objective, theory, gap: relativeGap * scale, relativeGap },
    verdict: {
      theoryOptimal,
      reason:
        theoryOptimal === false
          ? `the solver found a feasible mechanism ${fmt(-relativeGap)} ${units} above ${name}: it is not optimal`
          : theoryOptimal
            ? `no feasible mechanism on this grid beats ${name} (the solver's optimum is ${fmt(relativeGap)} ${units} below it)`
            : `the solver's best mechanism is ${fmt(relativeGap)} ${units} below ${name}, but HiGHS did not prove it optimal on this grid (${s.solver.status}): inconclusive, try another --grid`,
    },
  };
}

export function designText(r: DesignReport, seconds: number): string {
  const head =
    r.assets === 2
      ? `The designer's problem with two assets (${r.dist} each, Condition 3), alpha = ${r.alpha}, N = ${r.traders}, kappa = ${r.kappa}: ${r.grid.rings} rings x ${r.grid.sectors} sectors = ${r.grid.cells} cells`
      : `The designer's problem discretised (${r.formulation} formulation): ${r.dist}, alpha = ${r.alpha}, N = ${r.traders}, kappa = ${r.kappa}, ${r.grid.cells} cells`;
  const rows: string[][] = [["objective (alpha revenue - (1 - alpha) holding cost)", fmt(r.objective.solver), fmt(r.objective.theory)]];
  if (r.perTrader) {
    rows.push(["revenue per trader", fmt(r.perTrader.revenue.solver), fmt(r.perTrader.revenue.theory)]);
    rows.push(["holding cost per trader", fmt(r.perTrader.holdingCost.solver), fmt(r.perTrader.holdingCost.theory)]);
    rows.push(["utility gain per trader", fmt(r.perTrader.utilityGain.solver), fmt(r.perTrader.utilityGain.theory)]);
  }
  const end = (x: number | null, side: string) => (x === null ? side : fmt(x));
  const shown = (x: Interval | null) => (x ? `[${end(x[0], "-inf")}, ${end(x[1], "inf")}]` : "none");
  if (r.bindingRegion) rows.push(["binding region", shown(r.bindingRegion.solver), shown(r.bindingRegion.theory)]);
  if (r.pooled)
    rows.push(["pooled by ironing", r.pooled.solver.map(shown).join(" ") || "none", r.pooled.theory.map(shown).join(" ") || "none"]);
  const lines = [head, table(["", "solver", "theory"], rows)];
  lines.push(`gap theory - solver: ${fmt(r.objective.gap)}; ${r.verdict.reason}`);
  if (r.allocation)
    lines.push(`interim allocation against the theory's: RMS ${fmt(r.allocation.rmsError)} sd, largest ${fmt(r.allocation.maxError)} sd`);
  if (r.exPost)
    lines.push(
      `ex post trades: distance from additive X_kl = h_k - h_l ${fmt(r.exPost.additivityGap)} sd; traders' interim allocations differ by ${fmt(r.exPost.symmetryGap)} sd`,
    );
  if (r.radial)
    lines.push(
      `shape: tangential share ${fmt(r.radial.tangentialShare)}, spread over sectors ${fmt(r.radial.angularSpread)}, distance from Proposition 7's allocation ${fmt(r.radial.distanceFromProposition7)} (relative to the RMS allocation)`,
    );
  lines.push(
    `${r.solver.name}: ${r.solver.status}; ${r.constraints.given} constraints given in ${r.solver.rounds} round(s), ${r.constraints.checked} checked, largest violation ${fmt(r.constraints.maxViolation)}; ${seconds.toFixed(2)} s`,
  );
  return lines.join("\n");
}

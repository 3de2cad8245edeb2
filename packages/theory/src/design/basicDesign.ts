import type { Distribution } from "../laws/distribution.ts";
import { standardizedLaw } from "../laws/standardizedLaw.ts";
import { TheoryError } from "../theoryError.ts";
import { type DesignCells, designCells } from "./designCells.ts";
import { QuadraticProgram, solveQuadraticProgram } from "./qp.ts";

// The designer's problem of Section 3, discretised and handed to a QP solver, as a check of Theorem 1
// that does not use its derivation (docs/design.md).
//
// Types are split into cells and the mechanism is constant on each cell. With payoff mean mu_pi, a
// trader of type e who reports a type of cell l gains U(e, l) = -e h_l / kappa - s_l over autarky,
// where h_l is the interim allocation and s_l = E[T | l] + E[X^2 | l] / (2 kappa) - mu_pi h_l collects
// the rest (the E[X^2] term is the same whatever the true type). U is linear in e, so a constraint
// holds for every type of a cell as soon as it holds at the cell's two ends: incentive compatibility
// and participation for the continuum of types are finitely many linear constraints, and every
// solution is a feasible mechanism of the continuous problem. Its objective, computed exactly under
// the continuous law, is therefore a lower bound on the optimum, and tends to it as cells shrink.
//
// The objective, alpha E[T] - (1 - alpha) E[(e + X)^2] / (2 kappa) per trader, is
//   alpha E[s] - (1 - alpha) E[e h] / kappa - E[X^2] / (2 kappa) - (1 - alpha) E[e^2] / (2 kappa).
// Two formulations:
// - "ex-post" (two traders): the trade X_kl of trader 1 when the types are in cells k and l, trader 2
//   getting -X_kl; nothing symmetric or additive is assumed.
// - "interim" (any N): for a given interim allocation h (E[h] = 0), the ex post allocation with the
//   least E[X_i^2] subject to sum_i X_i = 0 is X_i = lambda(e_i) - (1/N) sum_j lambda(e_j) with
//   lambda = (N/(N-1)) h (its first-order conditions), so E[X_i^2] = (N/(N-1)) E[h^2]. The ex post
//   formulation checks this reduction at N = 2.
//
// Everything is solved for the standardized law z = (e - mu)/sigma with kappa = 1; the problem is
// equivariant (h = sigma h_z, s = -mu h / kappa + (sigma^2/kappa) s_z), so results are mapped back.

export type DesignFormulation = "interim" | "ex-post";

export interface BasicDesignOptions {
  readonly dist: Distribution;
  readonly alpha: number;
  readonly traders: number;
  readonly kappa?: number;
  /** About this many cells (see designCells). */
  readonly cells?: number;
  readonly formulation?: DesignFormulation;
}

export interface DesignCell {
  readonly from: number;
  readonly to: number;
  readonly mass: number;
  /** E[e | cell]. */
  readonly mean: number;
  /** Interim allocation E[X_i | e in cell] (trader 1's in the ex post formulation). */
  readonly allocation: number;
  /** Interim utility gain at the cell's ends (linear in between). */
  readonly gainFrom: number;
  readonly gainTo: number;
}

export interface BasicDesignSolution {
  readonly formulation: DesignFormulation;
  readonly traders: number;
  readonly alpha: number;
  readonly kappa: number;
  readonly cells: readonly DesignCell[];
  /** alpha revenue - (1 - alpha) holding cost per trader, of the solver's mechanism, exactly under the continuous law. */
  readonly objective: number;
  /** The objective for the standardized law (e - mu)/sigma with kappa = 1 (the problem is equivariant). */
  readonly standardizedObjective: number;
  readonly revenuePerTrader: number;
  readonly holdingCostPerTrader: number;
  readonly utilityGainPerTrader: number;
  /** Largest violation of any incentive or participation constraint, in units of sd(e)^2 / kappa (interim: 0 to rounding after the repair). */
  readonly maxViolation: number;
  /** Constraints checked on the solution (every pair of cells at every cell end, and participation). */
  readonly constraintsChecked: number;
  /** Rows handed to the solver in its last round, and the number of rounds. */
  readonly constraintsGiven: number;
  readonly rounds: number;
  /** Where participation binds (gain <= 1e-6 sd^2/kappa at both ends of the cells, above the solver's tolerance of 1e-7): the outermost ends of the longest run. */
  readonly bindingRegion: { readonly from: number; readonly to: number } | null;
  /** Runs of at least three cells (mass >= 1e-3) outside the binding region over which the allocation moves by less than 1e-3 of the types' spread (plus 1e-6 sd: the solver's tolerance is 1e-7): pooled types. */
  readonly pooled: readonly { readonly from: number; readonly to: number; readonly allocation: number }[];
  /** Ex post formulation: how far the solution is from additive and symmetric (X_kl = h_k - h_l), mass-weighted RMS in sd. */
  readonly additivityGap?: number;
  readonly symmetryGap?: number;
  readonly solver: {
    readonly name: string;
    readonly status: string;
    readonly proven: boolean;
    readonly regularization: number;
    readonly seconds: number;
  };
}

const VIOLATION_TOLERANCE = 1e-8;
const BINDING_TOLERANCE = 1e-6;
const POOLING_TOLERANCE = 1e-6;
const POOLING_SLOPE = 1e-3;
/** Far in a tail, cells of small total mass weigh too little in the objective for the solver to separate their allocations: not reported as pooled. */
const MIN_POOLED_MASS = 1e-3;

/** Solves the discretised designer's problem of the basic model (see the file's comment). */
export async function solveBasicDesign(options: BasicDesignOptions): Promise<BasicDesignSolution> {
  const { dist, alpha, traders: N } = options;
  const kappa = options.kappa ?? 1;
  const formulation = options.formulation ?? "interim";
  const n = options.cells ?? 200;
  if (!(alpha >= 0 && alpha <= 1)) throw new TheoryError(`alpha must be in [0, 1], got ${alpha}`);
  if (!(Number.isInteger(N) && N >= 2)) throw new TheoryError(`traders must be an integer >= 2, got ${N}`);
  if (!(kappa > 0 && Number.isFinite(kappa))) throw new TheoryError(`kappa must be a finite number > 0, got ${kappa}`);
  // Beyond about 1,000 cells HiGHS's active-set method has failed (grid 1600 of a bimodal law).
  if (!(Number.isInteger(n) && n >= 8 && n <= 1000)) throw new TheoryError(`grid must be an integer in [8, 1000], got ${n}`);
  if (formulation === "ex-post" && N !== 2) throw new TheoryError(`the ex-post formulation needs traders = 2, got ${N}`);
  if (formulation === "ex-post" && n > 400)
    throw new TheoryError(`grid must be at most 400 in the ex-post formulation (m^2 variables), got ${n}`);
  const law = standardizedLaw(dist);
  const cells = designCells(law, n);
  const problem = formulation === "interim" ? interimProblem(cells, alpha, N) : exPostProblem(cells, alpha);
  let given = 0;
  let rounds = 0;
  // The solver gets the local constraints (continuity of U at each boundary, monotone h, participation
  // at every end), which imply the rest. (HiGHS cycles when given all 2 m^2 homogeneous incentive rows
  // at once: every one is active at 0, where it starts.) Every constraint is then checked on the
  // repaired solution, and any violated one would be added and the problem solved again.
  for (const player of problem.players) given += addLocalConstraints(problem.qp, cells, player);
  let solution: Awaited<ReturnType<typeof solveQuadraticProgram>>;
  let check: ConstraintCheck;
  for (;;) {
    rounds++;
    solution = await solveQuadraticProgram(problem.qp);
    if (formulation === "interim") {
      centre(solution.x, cells.mass);
      ironToMonotone(solution.x, cells.mass);
    }
    for (const player of problem.players) bestTransfers(cells, player, solution.x);
    check = checkConstraints(cells, problem.players, solution.x);
    if (check.violated.length === 0 || rounds >= 50) break;
    for (const row of check.violated) problem.qp.addRow(row.indices, row.values, 0, Number.POSITIVE_INFINITY);
    given += check.violated.length;
  }
  const x = solution.x;
  const sigma = Math.sqrt(dist.variance);
  const mu = dist.mean;
  const scale = (sigma * sigma) / kappa;
  // Per-trader expectations in z units (kappa = 1), averaged over the players.
  let Es = 0;
  let Ezh = 0;
  for (const player of problem.players) {
    for (let k = 0; k < cells.mass.length; k++) {
      const h = evaluate(player.h[k]!, x);
      Es += (cells.mass[k]! * x[player.s[k]!]!) / problem.players.length;
      Ezh += (cells.mass[k]! * cells.mean[k]! * h) / problem.players.length;
    }
  }
  const EX2 = problem.meanSquareTrade(x);
  const revenuePerTrader = scale * (Es - EX2 / 2);
  const holdingCostPerTrader = (mu * mu + sigma * sigma * (1 + 2 * Ezh + EX2)) / (2 * kappa);
  const utilityGainPerTrader = -scale * (Es + Ezh);
  const objective = alpha * revenuePerTrader - (1 - alpha) * holdingCostPerTrader;
  // The same for the standardized law with kappa = 1, free of the (1 - alpha) mu^2 / (2 kappa) that
  // every mechanism pays: comparisons with the theory subtract these, not numbers of size mu^2.
  const standardizedObjective = alpha * Es - (1 - alpha) * Ezh - EX2 / 2 - (1 - alpha) / 2;
  const player = problem.players[0]!;
  const user = (z: number) => mu + sigma * z;
  const designCellsOut: DesignCell[] = [];
  for (let k = 0; k < cells.mass.length; k++) {
    const h = evaluate(player.h[k]!, x);
    const s = x[player.s[k]!]!;
    const gainAt = (c: number) => (Number.isFinite(c) ? scale * (-c * h - s) : h === 0 ? scale * -s : Number.POSITIVE_INFINITY);
    designCellsOut.push({
      from: user(cells.bounds[k]!),
      to: user(cells.bounds[k + 1]!),
      mass: cells.mass[k]!,
      mean: user(cells.mean[k]!),
      allocation: sigma * h,
      gainFrom: gainAt(cells.bounds[k]!),
      gainTo: gainAt(cells.bounds[k + 1]!),
    });
  }
  const extras = problem.diagnostics?.(x);
  return {
    formulation,
    traders: N,
    alpha,
    kappa,
    cells: designCellsOut,
    objective,
    standardizedObjective,
    revenuePerTrader,
    holdingCostPerTrader,
    utilityGainPerTrader,
    maxViolation: check.maxViolation,
    constraintsChecked: check.checked,
    constraintsGiven: given,
    rounds,
    bindingRegion: bindingRegionOf(designCellsOut, BINDING_TOLERANCE * scale),
    pooled: pooledRuns(designCellsOut, POOLING_TOLERANCE * sigma, BINDING_TOLERANCE * scale),
    ...(extras ?? {}),
    solver: {
      name: "HiGHS (active-set QP)",
      status: solution.status,
      proven: solution.proven,
      regularization: solution.regularization,
      seconds: solution.seconds,
    },
  };
}

/** Feasibility, E[h] = 0, holds to the solver's tolerance: subtract the mass-weighted mean (h stays monotone). */
function centre(x: Float64Array, mass: Float64Array): void {
  let mean = 0;
  for (let k = 0; k < mass.length; k++) mean += mass[k]! * x[k]!;
  for (let k = 0; k < mass.length; k++) x[k] = x[k]! - mean;
}

/**
 * The solver's allocation satisfies monotonicity to its tolerance (1e-7); pool adjacent violators
 * (mass-weighted, so E[h] = 0 is kept) make it exactly nonincreasing.
 */
function ironToMonotone(x: Float64Array, mass: Float64Array): void {
  const m = mass.length;
  const level: number[] = [];
  const weight: number[] = [];
  const count: number[] = [];
  for (let k = 0; k < m; k++) {
    level.push(x[k]!);
    weight.push(mass[k]!);
    count.push(1);
    while (level.length > 1 && level[level.length - 2]! < level[level.length - 1]!) {
      const w = weight.pop()! + weight[weight.length - 1]!;
      const v = (level.pop()! * (w - weight[weight.length - 1]!) + level[level.length - 1]! * weight[weight.length - 1]!) / w;
      const c = count.pop()! + count[count.length - 1]!;
      level[level.length - 1] = v;
      weight[weight.length - 1] = w;
      count[count.length - 1] = c;
    }
  }
  let k = 0;
  for (let b = 0; b < level.length; b++) for (let j = 0; j < count[b]!; j++) x[k++] = level[b]!;
}

/**
 * Replaces the solver's transfers (right to its tolerance) by the largest ones the allocation allows,
 * exactly: the gain is continuous across cell boundaries with slope -h_k in cell k, shifted so that
 * its minimum over the cells' ends is 0. For a nonincreasing h this satisfies every constraint, and
 * it can only raise the objective (transfers enter it with weight alpha >= 0).
 */
function bestTransfers(cells: DesignCells, player: Player, x: Float64Array): void {
  const m = cells.mass.length;
  const h = player.h.map((e) => evaluate(e, x));
  const gain = new Float64Array(m + 1);
  // gain at finite boundaries; the infinite ends carry no constraint beyond h's sign.
  const first = Number.isFinite(cells.bounds[0]!) ? 0 : 1;
  const last = Number.isFinite(cells.bounds[m]!) ? m : m - 1;
  for (let b = first + 1; b <= last; b++) gain[b] = gain[b - 1]! - (cells.bounds[b]! - cells.bounds[b - 1]!) * h[b - 1]!;
  let lowest = Number.POSITIVE_INFINITY;
  for (let b = first; b <= last; b++) lowest = Math.min(lowest, gain[b]!);
  for (let k = 0; k < m; k++) {
    const b = k + 1 <= last ? k + 1 : k;
    x[player.s[k]!] = -cells.bounds[b]! * h[k]! - (gain[b]! - lowest);
  }
}

/** A linear expression sum_k values[k] x[indices[k]]. */
interface Linear {
  readonly indices: readonly number[];
  readonly values: readonly number[];
}

/** One trader's side of the problem: interim allocation per cell (a linear expression) and the transfer column. */
interface Player {
  readonly h: readonly Linear[];
  readonly s: readonly number[];
}

interface Problem {
  readonly qp: QuadraticProgram;
  readonly players: readonly Player[];
  /** E[X_i^2] per trader (z units). */
  meanSquareTrade(x: Float64Array): number;
  diagnostics?(x: Float64Array): { additivityGap: number; symmetryGap: number };
}

function evaluate(expr: Linear, x: Float64Array): number {
  let total = 0;
  for (let k = 0; k < expr.indices.length; k++) total += expr.values[k]! * x[expr.indices[k]!]!;
  return total;
}

/**
 * Interim formulation: columns h_0..h_{m-1}, s_0..s_{m-1}. The QP minimises minus the objective
 * times m (weights m P_k of order 1), constant terms dropped.
 */
function interimProblem(cells: DesignCells, alpha: number, N: number): Problem {
  const m = cells.mass.length;
  const qp = new QuadraticProgram(2 * m);
  const quadratic = N / (N - 1);
  for (let k = 0; k < m; k++) {
    const w = m * cells.mass[k]!;
    qp.cost[k] = (1 - alpha) * w * cells.mean[k]!;
    qp.cost[m + k] = -alpha * w;
    qp.hessianDiagonal[k] = quadratic * w;
  }
  // Feasibility for a symmetric mechanism: E[h] = 0.
  qp.addRow(
    Array.from({ length: m }, (_, k) => k),
    Array.from(cells.mass, (p) => m * p),
    0,
    0,
  );
  const player: Player = {
    h: Array.from({ length: m }, (_, k) => ({ indices: [k], values: [1] })),
    s: Array.from({ length: m }, (_, k) => m + k),
  };
  return {
    qp,
    players: [player],
    meanSquareTrade: (x) => {
      let total = 0;
      for (let k = 0; k < m; k++) total += cells.mass[k]! * x[k]! * x[k]!;
      return quadratic * total;
    },
  };
}

/**
 * Ex post formulation for two traders: columns X_kl (m^2, trader 1's trade when trader 1's type is in
 * cell k and trader 2's in cell l), then s1 (m) and s2 (m). Trader 1's interim allocation is
 * sum_l P_l X_kl, trader 2's is -sum_k P_k X_kl.
 */
function exPostProblem(cells: DesignCells, alpha: number): Problem {
  const m = cells.mass.length;
  const P = cells.mass;
  const qp = new QuadraticProgram(m * m + 2 * m);
  // Objective per trader = half the sum over the two traders; times m^2 so that weights m^2 P_k P_l are of order 1.
  const w = m * m;
  for (let k = 0; k < m; k++) {
    for (let l = 0; l < m; l++) {
      const j = k * m + l;
      qp.cost[j] = ((1 - alpha) / 2) * w * P[k]! * P[l]! * (cells.mean[k]! - cells.mean[l]!);
      qp.hessianDiagonal[j] = w * P[k]! * P[l]!;
    }
    qp.cost[m * m + k] = (-alpha / 2) * w * P[k]!;
    qp.cost[m * m + m + k] = (-alpha / 2) * w * P[k]!;
  }
  const column = (k: number) => Array.from({ length: m }, (_, l) => k * m + l);
  const row = (l: number) => Array.from({ length: m }, (_, k) => k * m + l);
  const trader1: Player = {
    h: Array.from({ length: m }, (_, k) => ({ indices: column(k), values: Array.from(P) })),
    s: Array.from({ length: m }, (_, k) => m * m + k),
  };
  const trader2: Player = {
    h: Array.from({ length: m }, (_, l) => ({ indices: row(l), values: Array.from(P, (p) => -p) })),
    s: Array.from({ length: m }, (_, k) => m * m + m + k),
  };
  return {
    qp,
    players: [trader1, trader2],
    meanSquareTrade: (x) => {
      let total = 0;
      for (let k = 0; k < m; k++) for (let l = 0; l < m; l++) total += P[k]! * P[l]! * x[k * m + l]! ** 2;
      return total;
    },
    diagnostics: (x) => {
      const h1 = trader1.h.map((e) => evaluate(e, x));
      const h2 = trader2.h.map((e) => evaluate(e, x));
      let additive = 0;
      let symmetric = 0;
      for (let k = 0; k < m; k++) {
        symmetric += P[k]! * (h1[k]! - h2[k]!) ** 2;
        for (let l = 0; l < m; l++) additive += P[k]! * P[l]! * (x[k * m + l]! - (h1[k]! - h1[l]!)) ** 2;
      }
      return { additivityGap: Math.sqrt(additive), symmetryGap: Math.sqrt(symmetric) };
    },
  };
}

/** Adds a.x + b.x... as one row, merging repeated columns. */
function addCombination(qp: QuadraticProgram, terms: readonly [Linear, number][], lower: number, upper: number): void {
  const merged = combine(terms);
  qp.addRow(merged.indices, merged.values, lower, upper);
}

function combine(terms: readonly [Linear, number][]): Linear {
  const byColumn = new Map<number, number>();
  for (const [expr, factor] of terms) {
    for (let k = 0; k < expr.indices.length; k++) {
      const j = expr.indices[k]!;
      byColumn.set(j, (byColumn.get(j) ?? 0) + factor * expr.values[k]!);
    }
  }
  return { indices: [...byColumn.keys()], values: [...byColumn.values()] };
}

const column = (j: number): Linear => ({ indices: [j], values: [1] });

/** U(c, l) - U(c, k) as a linear expression: (-c h_l - s_l) - (-c h_k - s_k). */
function gainDifference(player: Player, c: number, l: number, k: number): [Linear, number][] {
  return [
    [player.h[l]!, -c],
    [column(player.s[l]!), -1],
    [player.h[k]!, c],
    [column(player.s[k]!), 1],
  ];
}

/**
 * The local constraints: at each boundary c between cells k and k+1 the two gains are equal
 * (the boundary type belongs to both closures), h_k >= h_{k+1}, participation at every finite end,
 * and at an infinite end the sign the allocation needs (h >= 0 towards -infinity, <= 0 towards +infinity).
 */
function addLocalConstraints(qp: QuadraticProgram, cells: DesignCells, player: Player): number {
  const m = cells.mass.length;
  const before = qp.rows;
  for (let k = 0; k + 1 < m; k++) {
    const c = cells.bounds[k + 1]!;
    addCombination(qp, gainDifference(player, c, k, k + 1), 0, 0);
    addCombination(
      qp,
      [
        [player.h[k]!, 1],
        [player.h[k + 1]!, -1],
      ],
      0,
      Number.POSITIVE_INFINITY,
    );
  }
  for (let k = 0; k < m; k++) {
    for (const c of [cells.bounds[k]!, cells.bounds[k + 1]!]) addParticipation(qp, player, k, c);
  }
  return qp.rows - before;
}

function addParticipation(qp: QuadraticProgram, player: Player, k: number, c: number): void {
  if (c === Number.NEGATIVE_INFINITY) addCombination(qp, [[player.h[k]!, 1]], 0, Number.POSITIVE_INFINITY);
  else if (c === Number.POSITIVE_INFINITY) addCombination(qp, [[player.h[k]!, -1]], 0, Number.POSITIVE_INFINITY);
  else
    addCombination(
      qp,
      [
        [player.h[k]!, -c],
        [column(player.s[k]!), -1],
      ],
      0,
      Number.POSITIVE_INFINITY,
    );
}

/** U(c, k) - U(c, l) >= 0; at an infinite end, its limit's sign: h_k - h_l >= 0 towards -infinity, <= 0 towards +infinity. */
function incentiveRow(player: Player, c: number, k: number, l: number): [Linear, number][] {
  if (c === Number.NEGATIVE_INFINITY)
    return [
      [player.h[k]!, 1],
      [player.h[l]!, -1],
    ];
  if (c === Number.POSITIVE_INFINITY)
    return [
      [player.h[k]!, -1],
      [player.h[l]!, 1],
    ];
  return gainDifference(player, c, k, l);
}

interface ConstraintCheck {
  readonly maxViolation: number;
  readonly checked: number;
  readonly violated: Linear[];
}

/** Checks every incentive and participation constraint on a solution (z units, kappa = 1). */
function checkConstraints(cells: DesignCells, players: readonly Player[], x: Float64Array): ConstraintCheck {
  const m = cells.mass.length;
  let maxViolation = 0;
  let checked = 0;
  const violated: Linear[] = [];
  for (const player of players) {
    const h = player.h.map((e) => evaluate(e, x));
    const s = player.s.map((j) => x[j]!);
    const note = (value: number, terms: () => [Linear, number][]) => {
      checked++;
      if (-value > maxViolation) maxViolation = -value;
      if (-value > VIOLATION_TOLERANCE) violated.push(combine(terms()));
    };
    for (let k = 0; k < m; k++) {
      for (const c of [cells.bounds[k]!, cells.bounds[k + 1]!]) {
        const finite = Number.isFinite(c);
        const own = finite ? -c * h[k]! - s[k]! : 0;
        note(finite ? own : c < 0 ? h[k]! : -h[k]!, () =>
          finite
            ? [
                [player.h[k]!, -c],
                [column(player.s[k]!), -1],
              ]
            : [[player.h[k]!, c < 0 ? 1 : -1]],
        );
        for (let l = 0; l < m; l++) {
          if (l === k) continue;
          const value = finite ? own - (-c * h[l]! - s[l]!) : c < 0 ? h[k]! - h[l]! : h[l]! - h[k]!;
          note(value, () => incentiveRow(player, c, k, l));
        }
      }
    }
  }
  return { maxViolation, checked, violated };
}

function bindingRegionOf(cells: readonly DesignCell[], tolerance: number): { from: number; to: number } | null {
  let best: { from: number; to: number; length: number } | null = null;
  let start = -1;
  for (let k = 0; k <= cells.length; k++) {
    const binds = k < cells.length && Math.abs(cells[k]!.gainFrom) <= tolerance && Math.abs(cells[k]!.gainTo) <= tolerance;
    if (binds && start < 0) start = k;
    if (!binds && start >= 0) {
      if (!best || k - start > best.length) best = { from: cells[start]!.from, to: cells[k - 1]!.to, length: k - start };
      start = -1;
    }
  }
  return best && { from: best.from, to: best.to };
}

function pooledRuns(cells: readonly DesignCell[], tolerance: number, bindingTolerance: number) {
  const runs: { from: number; to: number; allocation: number }[] = [];
  let start = 0;
  for (let k = 1; k <= cells.length; k++) {
    const same =
      k < cells.length &&
      Math.abs(cells[k]!.allocation - cells[k - 1]!.allocation) <= POOLING_SLOPE * (cells[k]!.mean - cells[k - 1]!.mean) + tolerance;
    if (same) continue;
    const run = cells.slice(start, k);
    const binding = run.every((c) => Math.abs(c.gainFrom) <= bindingTolerance && Math.abs(c.gainTo) <= bindingTolerance);
    const mass = run.reduce((total, c) => total + c.mass, 0);
    if (run.length >= 3 && !binding && mass >= MIN_POOLED_MASS) {
      runs.push({ from: run[0]!.from, to: run[run.length - 1]!.to, allocation: run.reduce((t, c) => t + c.mass * c.allocation, 0) / mass });
    }
    start = k;
  }
  return runs;
}

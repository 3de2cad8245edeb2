import { TheoryError } from "../theoryError.ts";

/**
 * A convex quadratic program, minimise c'x + (1/2) sum_j d_j x_j^2 subject to lower <= A x <= upper,
 * x free, with a diagonal Hessian d >= 0 (the designer's problems only need a diagonal one). Rows are
 * added one at a time (sparse); the matrix is handed to HiGHS in compressed rows.
 */
export class QuadraticProgram {
  readonly cost: Float64Array;
  readonly hessianDiagonal: Float64Array;
  private readonly starts: number[] = [0];
  private readonly indices: number[] = [];
  private readonly values: number[] = [];
  private readonly lower: number[] = [];
  private readonly upper: number[] = [];

  constructor(readonly columns: number) {
    this.cost = new Float64Array(columns);
    this.hessianDiagonal = new Float64Array(columns);
  }

  get rows(): number {
    return this.lower.length;
  }

  /** Adds lower <= sum_k values[k] x[indices[k]] <= upper (an index may not repeat within a row). */
  addRow(indices: readonly number[], values: readonly number[], lower: number, upper: number): void {
    for (let k = 0; k < indices.length; k++) {
      this.indices.push(indices[k]!);
      this.values.push(values[k]!);
    }
    this.starts.push(this.indices.length);
    this.lower.push(lower);
    this.upper.push(upper);
  }

  /** c'x + (1/2) sum_j d_j x_j^2. */
  objective(x: Float64Array): number {
    let total = 0;
    for (let j = 0; j < this.columns; j++) total += this.cost[j]! * x[j]! + 0.5 * this.hessianDiagonal[j]! * x[j]! * x[j]!;
    return total;
  }

  /** The largest amount by which x misses a row's bounds. */
  maxRowViolation(x: Float64Array): number {
    let worst = 0;
    for (let r = 0; r < this.rows; r++) {
      let activity = 0;
      for (let k = this.starts[r]!; k < this.starts[r + 1]!; k++) activity += this.values[k]! * x[this.indices[k]!]!;
      worst = Math.max(worst, this.lower[r]! - activity, activity - this.upper[r]!);
    }
    return worst;
  }

  /**
   * Column scales: x_j = scale_j y_j with the Hessian of y the identity where d_j > 0. HiGHS's
   * active-set solver declared ill-scaled problems (curvatures from 1e-5 to 10, cells of very
   * different mass) "non-convex".
   */
  columnScales(): Float64Array {
    return Float64Array.from(this.hessianDiagonal, (d) => (d > 0 ? 1 / Math.sqrt(d) : 1));
  }

  /** The rows as HiGHS model data in the scaled columns y (infinite bounds mapped to HiGHS's infinity). */
  modelData(highs: Highs, regularization: number, boxed: boolean) {
    const inf = highs.infinity;
    const bound = (b: number) => (b === Number.POSITIVE_INFINITY ? inf : b === Number.NEGATIVE_INFINITY ? -inf : b);
    const n = this.columns;
    const scales = this.columnScales();
    const hessianStarts = new Int32Array(n + 1);
    const hessianIndices = new Int32Array(n);
    const hessianValues = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      hessianStarts[j + 1] = j + 1;
      hessianIndices[j] = j;
      hessianValues[j] = this.hessianDiagonal[j]! * scales[j]! ** 2 + regularization;
    }
    return {
      numCols: n,
      numRows: this.rows,
      colCost: this.cost.map((c, j) => c * scales[j]!),
      colLower: Float64Array.from(this.hessianDiagonal, (d) => (d > 0 || !boxed ? -inf : -COLUMN_BOUND)),
      colUpper: Float64Array.from(this.hessianDiagonal, (d) => (d > 0 || !boxed ? inf : COLUMN_BOUND)),
      rowLower: Float64Array.from(this.lower, bound),
      rowUpper: Float64Array.from(this.upper, bound),
      matrix: {
        format: "csr" as const,
        numRows: this.rows,
        numCols: n,
        starts: Int32Array.from(this.starts),
        indices: Int32Array.from(this.indices),
        values: Float64Array.from(this.values, (a, k) => a * scales[this.indices[k]!]!),
      },
      hessian: { format: "triangular" as const, dimension: n, starts: hessianStarts, indices: hessianIndices, values: hessianValues },
    };
  }
}

/**
 * Columns of zero curvature (transfers) are boxed in [-1e3, 1e3] (unit-scale problems; far beyond
 * any solution). Free, such a column sits in the active-set solver's first null space and makes its
 * reduced Hessian singular ("non-convex" at iteration 0); a box gives it a bound to start on.
 * Solutions are checked not to touch the box.
 */
const COLUMN_BOUND = 1e3;
const ACCEPTED_RESIDUAL = 1e-5;

type Highs = import("highs").Highs;
type HighsLoader = () => Promise<Highs>;
let highsInstance: Promise<Highs> | undefined;

/**
 * HiGHS (WebAssembly), loaded once on first use: a simulation that never designs never pays for it.
 * Node loads the package's ES module, whose default export is the loader; the package's one type
 * file is read as CommonJS under `module: nodenext` (the build), where that default is the module
 * object with the loader as its own `default`: both shapes are accepted.
 */
function loadHighs(): Promise<Highs> {
  highsInstance ??= import("highs").then((module) => {
    const exported = module.default as unknown as HighsLoader | { default: HighsLoader };
    return (typeof exported === "function" ? exported : exported.default)();
  });
  return highsInstance;
}

export interface QpSolution {
  readonly x: Float64Array;
  /** HiGHS's model status text ("Optimal"), or why the solution is not proven optimal. */
  readonly status: string;
  /** Whether HiGHS proved the solution optimal (false: the best of its failed attempts, feasible after repair). */
  readonly proven: boolean;
  /** Diagonal regularisation added to the Hessian (0 unless the first attempt failed). */
  readonly regularization: number;
  readonly seconds: number;
}

/**
 * Solves the program with HiGHS's active-set QP solver (its default tolerances, 1e-7 on primal and
 * dual feasibility; set OPTEX_HIGHS_LOG=1 to see its log). Transfers enter the designer's objective
 * linearly, so the Hessian is singular; should HiGHS stop on that ("non-convex") or cycle (an
 * iteration limit of 50 per column), the solve is repeated with free transfers and a small diagonal
 * regularisation of every column (1e-8, then 1e-6, in the scaled columns whose curvature is 1).
 * Callers re-evaluate what is returned exactly, so a regularisation only costs optimality, which
 * shows in the distance to the theory's value.
 */
export async function solveQuadraticProgram(qp: QuadraticProgram): Promise<QpSolution> {
  const highs = await loadHighs();
  // First the exact problem with transfers boxed; if that fails or stalls, transfers free and a small
  // curvature on every column (the reduced Hessian is then never singular).
  const attempts = [
    { regularization: 0, boxed: true },
    { regularization: 1e-8, boxed: false },
    { regularization: 1e-6, boxed: false },
  ];
  let lastStatus = "not solved";
  let best: { x: Float64Array; value: number; miss: number; regularization: number; seconds: number } | undefined;
  for (const { regularization, boxed } of attempts) {
    const start = performance.now();
    try {
      const result = highs.withModel(qp.modelData(highs, regularization, boxed), (model) => {
        model.options.set({
          output_flag: Boolean(process.env.OPTEX_HIGHS_LOG),
          // The ex post formulation's free trades make a null space of up to m^2 dimensions.
          qp_nullspace_limit: Math.max(4000, qp.columns),
          // A degenerate vertex can make the active-set method cycle: give up and try the next form.
          qp_iteration_limit: 50 * qp.columns + 20_000,
        });
        try {
          model.run(
            process.env.OPTEX_HIGHS_LOG
              ? {
                  [highs.constants.callbackType.logging]: (ev: { message: string }) => {
                    process.stderr.write(ev.message);
                  },
                }
              : undefined,
          );
        } catch {
          // An error status (-1) throws; the model status and solution are read below all the same.
        }
        const status = model.getModelStatus();
        const scales = qp.columnScales();
        return { status, x: Float64Array.from(model.getSolution().colValue, (y, j) => y * scales[j]!) };
      });
      lastStatus = statusText(highs, result.status);
      const seconds = (performance.now() - start) / 1000;
      // A boxed solution on the box is the box's optimum, not the problem's: try the free forms.
      if (lastStatus === "Optimal" && boxed && result.x.some((v, j) => qp.hessianDiagonal[j] === 0 && Math.abs(v) >= 0.999 * COLUMN_BOUND))
        lastStatus = "a transfer reached the box";
      // A regularised problem is another problem: its optimum is feasible (callers repair and check
      // it) but not proven optimal for the designer's.
      else if (lastStatus === "Optimal")
        return {
          x: result.x,
          status: regularization === 0 ? lastStatus : `Optimal for the problem regularised by ${regularization}`,
          proven: regularization === 0,
          regularization,
          seconds,
        };
      // HiGHS's final check rejects an optimum whose rows miss by more than its tolerance (1e-7)
      // after unscaling, and then also returns whatever point it stopped at (once, the all-zero
      // start). Such a point is kept as a candidate when no row misses by more than 1e-5 (callers
      // make it exactly feasible), the next form is tried, and the best candidate (least QP
      // objective) is returned if none is proven optimal.
      if (lastStatus === "solveError") {
        const miss = qp.maxRowViolation(result.x);
        const value = qp.objective(result.x);
        if (miss <= ACCEPTED_RESIDUAL && (best === undefined || value < best.value)) {
          best = { x: result.x, value, miss, regularization, seconds };
        }
      }
    } catch (error) {
      lastStatus = error instanceof Error ? error.message : String(error);
    }
  }
  if (best) {
    return {
      x: best.x,
      status: `not proven optimal: HiGHS's final check failed (rows missed by ${best.miss.toExponential(1)} before repair)`,
      proven: false,
      regularization: best.regularization,
      seconds: best.seconds,
    };
  }
  throw new TheoryError(`the QP solver (HiGHS) did not reach an optimum: ${lastStatus}`);
}

function statusText(highs: Highs, status: number): string {
  const names = highs.constants.modelStatus as Record<string, number>;
  for (const [name, code] of Object.entries(names)) if (code === status) return name === "optimal" ? "Optimal" : name;
  return `status ${status}`;
}

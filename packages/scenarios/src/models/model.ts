import type { IcEnvironment } from "../ic/laws.ts";
import { InputError } from "../inputError.ts";
import type { MarketSimulation } from "../montecarlo/marketSimulation.ts";
import type { ModelParameter, ParameterPoint, ParameterValue } from "./parameters.ts";
import type { TopLevelSpec } from "vega-lite";
import type { TaskResult } from "../sweeps/runTask.ts";
import type { Scenario } from "../sweeps/scenarioSchema.ts";

/** What `optex theory --model <id>` prints: one JSON object, or a readable text. */
export interface TheoryOutput {
  readonly json: unknown;
  readonly text: string;
}

/** Interim rules of one mechanism on a grid of a type variable. */
export interface InterimCurve {
  readonly series: string;
  /** The type variable, in words ("endowment e", "effective type t"). */
  readonly variable: string;
  readonly x: number[];
  readonly allocation: number[];
  readonly transfer: number[];
}

/** A point's named theory results (null where the theory says none exists) and interim curves. */
export interface TaskValues {
  readonly values: Readonly<Record<string, number | null>>;
  readonly interimCurves?: readonly InterimCurve[];
  /** Named point lists a model's own plots draw (e.g. a learning path, a frontier), as [x, y] pairs. */
  readonly curves?: Readonly<Record<string, readonly (readonly [number, number])[]>>;
}

/** One SVG figure of a scenario run. */
export interface ModelPlot {
  readonly file: string;
  readonly title: string;
  readonly svg: string;
}

/**
 * One environment of the paper, declared in one place (OpenSpiel's game registry is the anchor):
 * its parameters (which give the CLI flags, the scenario-file schema and the range checks), its
 * theory report, its simulations as markets and its incentive-compatibility environment. The CLI,
 * the scenario runner and the reports ask the registry, never branch on a model's id.
 */
export interface ModelDefinition {
  readonly id: string;
  /** Words for headers, e.g. "Adverse selection (Section 5)". */
  readonly title: string;
  readonly parameters: readonly ModelParameter[];
  /** Checks that involve several parameters (e.g. one capacity per law). Throws InputError (one line). */
  check?(p: ParameterPoint): void;
  /** Whether --frontier (a grid of alpha) applies to its theory report. */
  readonly frontier: boolean;
  theory(p: ParameterPoint, frontier?: readonly number[]): TheoryOutput;
  /** Mechanism ids its simulations run, in the order they are reported (negative controls included). */
  readonly mechanisms: readonly string[];
  /** Those run when none is named (default: all); negative controls run only when asked for. */
  readonly defaultMechanisms?: readonly string[];
  /** The mechanisms as markets (all of them when `mechanisms` is omitted). Throws InputError for one that does not exist here. */
  simulations?(p: ParameterPoint, mechanisms?: readonly string[]): MarketSimulation[];
  /**
   * Named theory results of a parameter point that scenario reports tabulate and plot (e.g. the
   * plain auction's coefficients, the binding region), and interim curves on `interimPoints` types;
   * run as the point's "theory" task. Absent: the model's theory is per mechanism only.
   */
  taskValues?(p: ParameterPoint, interimPoints: number): TaskValues;
  /** Interim allocation and transfer of one mechanism on `points` types (Figure 1). */
  interim?(p: ParameterPoint, mechanism: string, points: number): InterimCurve | undefined;
  /**
   * Figures of its own beside the generic ones (drawn from the tasks' values and curves), rendered
   * by `render` (a vega-lite spec to SVG; passed in so that models never load the plotting stack).
   */
  plots?(s: Scenario, results: readonly TaskResult[], render: (spec: TopLevelSpec) => Promise<string>): Promise<ModelPlot[]>;
  /** A section of report.md of its own (markdown), after the results table. */
  reportSection?(s: Scenario, results: readonly TaskResult[]): string;
  /** The IC oracle's environment for a registered fee of this model (optex ic). */
  readonly ic?: {
    readonly defaultFee: string;
    /** Traders whose regret is checked in each market: the two ends of the type order, or all (each has its own fee). */
    readonly tradersChecked?: "all" | "ends";
    environment(p: ParameterPoint, fee: string): IcEnvironment<unknown>;
  };
}

/**
 * A model's parameter point from what a user gave (CLI or scenario file): every given key must be
 * one of the model's parameters (one-line InputError naming `where` and the model's parameters);
 * missing ones take the model's default; a required one without value is an error.
 */
export function resolveParameters(
  model: ModelDefinition,
  given: Readonly<Record<string, ParameterValue | undefined>>,
  where: (key: string) => string,
): ParameterPoint {
  const keys = new Set(model.parameters.map((p) => p.spec.key));
  for (const key of Object.keys(given)) {
    if (given[key] !== undefined && !keys.has(key)) {
      throw new InputError(
        `${where(key)} does not apply to model ${model.id} (its parameters: ${model.parameters.map((p) => where(p.spec.key)).join(", ")})`,
      );
    }
  }
  const missing = model.parameters.filter((p) => p.required && given[p.spec.key] === undefined).map((p) => where(p.spec.key));
  if (missing.length > 0) throw new InputError(`model ${model.id} needs ${missing.join(" and ")}`);
  const point: Record<string, ParameterValue> = {};
  for (const p of model.parameters) {
    const value = given[p.spec.key] ?? p.default;
    if (value !== undefined) point[p.spec.key] = value;
  }
  model.check?.(point);
  return point;
}

/** Typed reads of a parameter point (the model declared the key, so a wrong type is a bug). */
export const num = (p: ParameterPoint, key: string): number => p[key] as number;
export const str = (p: ParameterPoint, key: string): string => p[key] as string;
export const optionalStr = (p: ParameterPoint, key: string): string | undefined => p[key] as string | undefined;
export const list = <T>(p: ParameterPoint, key: string): readonly T[] | undefined => p[key] as readonly T[] | undefined;

/** The mechanisms asked for, checked against the model's list (InputError naming the allowed ids). */
export function selectMechanisms(
  model: { readonly id: string; readonly mechanisms: readonly string[] },
  asked: readonly string[] | undefined,
): readonly string[] {
  if (!asked) return model.mechanisms;
  for (const m of asked)
    if (!model.mechanisms.includes(m))
      throw new InputError(`--mechanism "${m}" is not one of model ${model.id}'s: ${model.mechanisms.join(", ")}`);
  return asked;
}

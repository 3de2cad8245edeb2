import { InputError } from "../inputError.ts";
import type { CheckStatistics } from "../montecarlo/estimate.ts";
import {
  type MarketSimulation,
  mergeSimulationMoments,
  type SimulationMoments,
  simulationChunkCount,
  simulationChunkMoments,
  simulationResult,
} from "../montecarlo/marketSimulation.ts";
import type { InterimCurve } from "../models/model.ts";
import { modelById } from "../models/registry.ts";
import type { ScenarioTask } from "./scenarioTasks.ts";

/** A finished task: deterministic given the task (no timings), so result files are byte-identical across runs. */
export interface TaskResult {
  readonly index: number;
  readonly params: ScenarioTask["params"];
  readonly mechanism: string;
  readonly status: "ok" | "unavailable";
  readonly reason?: string;
  /** Mechanism tasks: the theory of each simulated quantity, and each quantity's words and unit. */
  readonly theory?: Readonly<Record<string, number>>;
  readonly labels?: Readonly<Record<string, string>>;
  readonly simulated?: Readonly<Record<string, { mean: number; ci99: [number, number] | null }>> | null;
  /** Theory inside the simulated 99% interval, per quantity (null: no theory or no interval). */
  readonly agreement?: Readonly<Record<string, boolean | null>> | null;
  /** Quantities whose agreement used the stated floating-point allowance, with the allowance. */
  readonly withinRounding?: Readonly<Record<string, number>>;
  /** Per checked quantity: z-score and two-sided p-value of the theory against the simulation. */
  readonly statistics?: Readonly<Record<string, CheckStatistics>>;
  /** Markets simulated, those without a unique clearing price (no trade, no transfer), the largest |sum_i X_i| / (1 + sum_i |X_i|). */
  readonly monteCarlo?: { readonly markets: number; readonly noTradeMarkets: number; readonly worstExchangeImbalance: number };
  /** The Monte Carlo's merged moments, from which `simulated` and `agreement` are computed (kept in tasks.jsonl, not in results.json). */
  readonly moments?: SimulationMoments;
  /** Theory tasks: the model's named results (null where the theory says none exists). */
  readonly values?: Readonly<Record<string, number | null>>;
  /** Interim rules on a grid of the type variable (Figures 1 and 4). */
  readonly interimCurves?: readonly InterimCurve[];
  /** Theory tasks: the model's named point lists for its own plots (learning paths, frontiers). */
  readonly curves?: Readonly<Record<string, readonly (readonly [number, number])[]>>;
}

/** The task's theory and, when markets > 0, its Monte Carlo (seeded by the task). */
export function runTask(task: ScenarioTask): TaskResult {
  const head = taskHead(task);
  if (!isSplittable(task) || head.status !== "ok") return head;
  return finishTask(task, head, runTaskChunks(task, 0, simulationChunkCount(task.markets)));
}

/** Whether the task's Monte Carlo can run in pieces (chunk ranges, on any workers). */
export function isSplittable(task: ScenarioTask): boolean {
  return task.mechanism !== "theory" && task.markets > 0;
}

const firstLine = (error: unknown) => ((error as Error).message ?? String(error)).split("\n")[0]!;

/**
 * A task without its Monte Carlo: the model's named theory results ("theory" tasks), or a
 * mechanism's theory and interim curves, or why the mechanism is unavailable here. Complete
 * (simulated: null) when the task has no markets.
 */
export function taskHead(task: ScenarioTask): TaskResult {
  const { index, params, mechanism } = task;
  const model = modelById(task.model);
  const base = { index, params, mechanism } as const;
  if (mechanism === "theory") {
    try {
      const t = model.taskValues!(params, task.interimPoints);
      return {
        ...base,
        status: "ok",
        values: t.values,
        ...(t.interimCurves ? { interimCurves: t.interimCurves } : {}),
        ...(t.curves ? { curves: t.curves } : {}),
      };
    } catch (error) {
      return { ...base, status: "unavailable", reason: firstLine(error) };
    }
  }
  let sim: MarketSimulation;
  try {
    sim = cachedSimulation(task);
  } catch (error) {
    if (error instanceof InputError || (error as Error).name === "TheoryError" || (error as Error).name === "NumericsError")
      return { ...base, status: "unavailable", reason: firstLine(error) };
    throw error;
  }
  const labels = Object.fromEntries(sim.quantities.map((q) => [q.key, q.label]));
  const curve = task.interimPoints > 0 ? model.interim?.(params, mechanism, task.interimPoints) : undefined;
  const head = { ...base, status: "ok" as const, theory: { ...sim.theory }, labels, ...(curve ? { interimCurves: [curve] } : {}) };
  return task.markets === 0 ? { ...head, simulated: null, agreement: null } : head;
}

/** Chunks first..end-1 of a splittable task's Monte Carlo, summarised (see simulationChunkMoments). */
export function runTaskChunks(task: ScenarioTask, first: number, end: number): SimulationMoments[] {
  return simulationChunkMoments(cachedSimulation(task), task.markets, task.seed, first, end);
}

/** The result of a splittable task from its head and all its chunks' moments in chunk order. */
export function finishTask(task: ScenarioTask, head: TaskResult, chunks: readonly SimulationMoments[]): TaskResult {
  if (head.status !== "ok") return head;
  const merged = mergeSimulationMoments(chunks);
  const markets = merged.moments[0]?.markets ?? 0;
  if (markets !== task.markets) throw new Error(`task ${task.index}: ${markets} of ${task.markets} markets summarised (chunks missing)`);
  const r = simulationResult(cachedSimulation(task), merged, task.seed, 0);
  const simulated = Object.fromEntries(Object.entries(r.simulated).map(([k, e]) => [k, { mean: e.mean, ci99: e.ci99 }]));
  const { interimCurves, ...rest } = head;
  const monteCarlo = { markets, noTradeMarkets: merged.noTradeMarkets, worstExchangeImbalance: merged.worstImbalance };
  return {
    ...rest,
    simulated,
    agreement: r.agreement,
    withinRounding: r.withinRounding,
    statistics: r.statistics,
    monteCarlo,
    ...(interimCurves ? { interimCurves } : {}),
    moments: merged,
  };
}

/**
 * The task's mechanism as markets, kept for the task's next chunks: a fee's tables take about 15 ms
 * to build and a worker runs a task's chunks in several pieces. A few entries suffice: tasks are fed in order.
 */
const simulations = new Map<string, MarketSimulation>();
function cachedSimulation(task: ScenarioTask): MarketSimulation {
  const key = JSON.stringify([task.model, task.mechanism, task.params]);
  const hit = simulations.get(key);
  if (hit) return hit;
  const model = modelById(task.model);
  if (!model.simulations) throw new InputError(`model ${model.id} is not simulated as markets`);
  const sim = model.simulations(task.params, [task.mechanism])[0]!;
  if (simulations.size >= 4) simulations.delete(simulations.keys().next().value!);
  simulations.set(key, sim);
  return sim;
}

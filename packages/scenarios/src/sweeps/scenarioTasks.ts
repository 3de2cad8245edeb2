import type { ParameterPoint } from "../models/parameters.ts";
import { modelById } from "../models/registry.ts";
import type { Scenario } from "./scenarioSchema.ts";

/** One unit of work: a parameter point and a mechanism of the model, or "theory" (the model's named theory results). */
export interface ScenarioTask {
  readonly index: number;
  readonly model: string;
  readonly params: ParameterPoint;
  /** A mechanism of the model (simulated when markets > 0), or "theory". */
  readonly mechanism: string;
  readonly markets: number;
  /** Interim curves on this many types (0: none). */
  readonly interimPoints: number;
  /** Derived from the scenario seed and the task index only, so results do not depend on scheduling. */
  readonly seed: string;
}

/**
 * The scenario's tasks in a fixed order: the Cartesian product of the sweep (keys in the model's
 * parameter order, values in file order); at each point the model's theory task (when it has named
 * theory results) and one task per mechanism (when there are markets to simulate, or the model
 * reports its mechanisms' theory per mechanism).
 */
export function scenarioTasks(s: Scenario): ScenarioTask[] {
  const model = modelById(s.model);
  const keys = model.parameters.map((p) => p.spec.key).filter((k) => s.sweep[k] !== undefined);
  let points: ParameterPoint[] = [{ ...s.environment }];
  for (const key of keys) points = points.flatMap((p) => s.sweep[key]!.map((value) => ({ ...p, [key]: value })));
  const simulated = model.simulations !== undefined && (s.markets > 0 || !model.taskValues);
  const perPoint = [...(model.taskValues ? ["theory"] : []), ...(simulated ? s.mechanisms : [])];
  const tasks: ScenarioTask[] = [];
  for (const params of points) {
    for (const mechanism of perPoint) {
      const index = tasks.length;
      tasks.push({
        index,
        model: s.model,
        params,
        mechanism,
        markets: mechanism === "theory" ? 0 : s.markets,
        interimPoints: s.interimPoints,
        seed: `${s.seed}/task-${index}`,
      });
    }
  }
  return tasks;
}

/** Parses "K/N" (1 <= K <= N): run every N-th task starting at the K-th. */
export function parseShard(spec: string): { k: number; n: number } {
  const m = /^(\d+)\/(\d+)$/.exec(spec.trim());
  const k = m ? Number(m[1]) : Number.NaN;
  const n = m ? Number(m[2]) : Number.NaN;
  if (!(Number.isInteger(k) && Number.isInteger(n) && n >= 1 && k >= 1 && k <= n))
    throw new Error(`shard must be K/N with 1 <= K <= N, got "${spec}"`);
  return { k, n };
}

/**
 * `--shard auto`: this process's shard from the batch scheduler's environment.
 * - Slurm array job: SLURM_ARRAY_TASK_ID among SLURM_ARRAY_TASK_MIN..SLURM_ARRAY_TASK_MAX (or
 *   SLURM_ARRAY_TASK_COUNT tasks numbered from SLURM_ARRAY_TASK_MIN, default 0): shard ID - MIN + 1 of COUNT.
 * - Kubernetes indexed Job: JOB_COMPLETION_INDEX (0-based) of `completions` (the Job's
 *   spec.completions, given with --shards because Kubernetes does not expose it to the pod).
 * Throws Error (one line) naming the variable that is missing or out of range.
 */
export function shardFromEnvironment(env: Readonly<Record<string, string | undefined>>, completions?: number): { k: number; n: number } {
  const int = (name: string) => {
    const raw = env[name];
    if (raw === undefined || !/^\d+$/.test(raw.trim())) return undefined;
    return Number(raw);
  };
  const id = int("SLURM_ARRAY_TASK_ID");
  if (id !== undefined) {
    const min = int("SLURM_ARRAY_TASK_MIN") ?? 0;
    const max = int("SLURM_ARRAY_TASK_MAX");
    const count = int("SLURM_ARRAY_TASK_COUNT") ?? (max !== undefined ? max - min + 1 : undefined);
    if (count === undefined)
      throw new Error("--shard auto: SLURM_ARRAY_TASK_ID is set but neither SLURM_ARRAY_TASK_COUNT nor SLURM_ARRAY_TASK_MAX is");
    const k = id - min + 1;
    if (!(k >= 1 && k <= count)) throw new Error(`--shard auto: SLURM_ARRAY_TASK_ID ${id} is outside the array ${min}..${min + count - 1}`);
    return { k, n: count };
  }
  const index = int("JOB_COMPLETION_INDEX");
  if (index !== undefined) {
    if (completions === undefined)
      throw new Error("--shard auto in a Kubernetes indexed Job needs --shards N (the Job's spec.completions)");
    if (!(index < completions)) throw new Error(`--shard auto: JOB_COMPLETION_INDEX ${index} is not below --shards ${completions}`);
    return { k: index + 1, n: completions };
  }
  throw new Error(
    "--shard auto: no array job found (set by Slurm: SLURM_ARRAY_TASK_ID; by a Kubernetes indexed Job: JOB_COMPLETION_INDEX)",
  );
}

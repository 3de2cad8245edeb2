import type { MechanismId } from "./basicMechanism.ts";
import type { Scenario } from "./scenarioSchema.ts";

/** One unit of work: a parameter point and a mechanism. */
export interface ScenarioTask {
  readonly index: number;
  readonly params: { readonly dist: string; readonly kappa: number; readonly traders: number; readonly alpha: number; readonly muPi: number };
  readonly mechanism: MechanismId;
  readonly markets: number;
  /** Derived from the scenario seed and the task index only, so results do not depend on scheduling. */
  readonly seed: string;
}

/**
 * The scenario's tasks in a fixed order: the Cartesian product of the sweep (keys in schema order,
 * values in file order) times the mechanisms.
 */
export function scenarioTasks(s: Scenario): ScenarioTask[] {
  const keys = (["dist", "kappa", "traders", "alpha", "muPi"] as const).filter((k) => s.sweep[k] !== undefined);
  let points: Record<string, string | number>[] = [{ ...s.environment }];
  for (const key of keys) points = points.flatMap((p) => s.sweep[key]!.map((value) => ({ ...p, [key]: value })));
  const tasks: ScenarioTask[] = [];
  for (const p of points) {
    for (const mechanism of s.mechanisms) {
      const index = tasks.length;
      tasks.push({
        index,
        params: { dist: String(p.dist), kappa: Number(p.kappa), traders: Number(p.traders), alpha: Number(p.alpha), muPi: Number(p.muPi) },
        mechanism,
        markets: s.markets,
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
  if (!(Number.isInteger(k) && Number.isInteger(n) && n >= 1 && k >= 1 && k <= n)) throw new Error(`shard must be K/N with 1 <= K <= N, got "${spec}"`);
  return { k, n };
}

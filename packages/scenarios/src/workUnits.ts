import type { ChunkMoments } from "./monteCarlo.ts";
import { chunkCount } from "./monteCarlo.ts";
import { finishTask, isSplittable, type TaskResult } from "./runTask.ts";
import type { ScenarioTask } from "./scenarioTasks.ts";

/**
 * What the pool runs: a whole task, a splittable task's head (theory), or a range of its Monte
 * Carlo chunks. Splitting tasks into chunk ranges keeps every worker busy to the end of a sweep
 * whatever the tasks' sizes (one task of 10^7 markets uses every core) at the price of each
 * worker building the bids and fee of each task it touches.
 */
export type WorkUnit =
  | { readonly kind: "task"; readonly task: ScenarioTask }
  | { readonly kind: "head"; readonly task: ScenarioTask }
  | { readonly kind: "chunks"; readonly task: ScenarioTask; readonly first: number; readonly end: number };

export type WorkUnitResult =
  | { readonly kind: "task" | "head"; readonly result: TaskResult }
  | { readonly kind: "chunks"; readonly first: number; readonly moments: ChunkMoments[] | null; readonly error?: string };

/** Chunks per unit: about 0.1-0.2 s of work at N = 10-20, so the last unit leaves little idle time. */
export const UNIT_CHUNKS = 2;

/** A task's units: the whole task, or its head and its chunk ranges in chunk order. */
export function taskUnits(task: ScenarioTask): WorkUnit[] {
  if (!isSplittable(task)) return [{ kind: "task", task }];
  const units: WorkUnit[] = [{ kind: "head", task }];
  const chunks = chunkCount(task.markets);
  for (let first = 0; first < chunks; first += UNIT_CHUNKS) units.push({ kind: "chunks", task, first, end: Math.min(chunks, first + UNIT_CHUNKS) });
  return units;
}

/** Collects a task's unit results (in any order) and gives the task's result once all are in. */
export class TaskAssembly {
  private head: TaskResult | undefined;
  private readonly pieces = new Map<number, ChunkMoments[]>();
  private failure: string | undefined;
  private remaining: number;

  constructor(
    private readonly task: ScenarioTask,
    units: number,
  ) {
    this.remaining = units;
  }

  /** Adds one unit's result; returns the task's result when it was the last. */
  add(r: WorkUnitResult): TaskResult | undefined {
    if (r.kind !== "chunks") this.head = r.result;
    else if (r.moments) this.pieces.set(r.first, r.moments);
    else this.failure ??= r.error ?? "unknown error";
    if (--this.remaining > 0) return undefined;
    const head = this.head!;
    if (r.kind === "task" || head.status !== "ok") return head;
    if (this.failure) throw new Error(`task ${this.task.index}: the Monte Carlo failed where the theory did not: ${this.failure}`);
    const ordered = [...this.pieces.entries()].sort((a, b) => a[0] - b[0]).flatMap(([, m]) => m);
    return finishTask(this.task, head, ordered);
  }
}

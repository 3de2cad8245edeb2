import { type SimulationMoments as ChunkMoments, simulationChunkCount as chunkCount } from "../montecarlo/marketSimulation.ts";
import { InputError } from "../inputError.ts";
import { tradersOf } from "../models/registry.ts";
import { finishTask, isSplittable, type TaskResult } from "./runTask.ts";
import type { ScenarioTask } from "./scenarioTasks.ts";

/**
 * What the pool runs: a whole task, or a range of a splittable task's Monte Carlo chunks (the
 * range starting at chunk 0 also computes the task's head: theory and interim curves).
 */
export type WorkUnit =
  | { readonly kind: "task"; readonly task: ScenarioTask }
  | { readonly kind: "chunks"; readonly task: ScenarioTask; readonly first: number; readonly end: number; readonly head: boolean };

/** What a unit computes. */
export type UnitOutcome =
  | { readonly kind: "task"; readonly result: TaskResult }
  /** A whole task that threw: its message and whether it was the user's error (exit 2), so the kind survives the thread. */
  | { readonly kind: "task-error"; readonly message: string; readonly userError: boolean; readonly stack?: string }
  | {
      readonly kind: "chunks";
      readonly first: number;
      readonly end: number;
      readonly head: TaskResult | null;
      /** Null when the mechanism is unavailable (the head says why) or the Monte Carlo failed (error). */
      readonly moments: ChunkMoments[] | null;
      readonly error?: { readonly message: string; readonly stack?: string };
    };

/** What a worker returns: the outcome and the time it spent on the unit (benchmarks; never written to results). */
export type WorkUnitResult = UnitOutcome & { readonly seconds: number };

/** A unit is at most the remaining work over this many times the workers (guided self-scheduling). */
const GUIDED_DIVISOR = 2;

interface Progress {
  readonly task: ScenarioTask;
  readonly chunks: number;
  next: number;
  received: number;
  head: TaskResult | undefined;
  readonly pieces: Map<number, ChunkMoments[]>;
  failure: { readonly message: string; readonly stack?: string } | undefined;
  /** The task's result has been returned (an unavailable mechanism settles at its head). */
  settled: boolean;
}

/**
 * Hands out the units of a sweep's tasks, in the given order, and assembles the tasks' results.
 * Units are guided: a task's chunks go out in ranges of about (remaining work) / (2 workers), so
 * early on a worker takes a whole task (building its bids and fee once) and near the end ranges
 * shrink to one chunk (about 0.05 s), so no worker waits long for the last. A task's chunks are
 * merged in chunk order whichever worker ran them: results do not depend on the schedule.
 * Units are identified by their slot: the task's position in the list given, not its index.
 */
export class SweepSchedule {
  private readonly progress: Progress[];
  private cursor = 0;
  private remainingCost: number;

  constructor(
    tasks: readonly ScenarioTask[],
    private readonly workers: number,
  ) {
    this.progress = tasks.map((task) => ({
      task,
      chunks: isSplittable(task) ? chunkCount(task.markets) : 0,
      next: 0,
      received: 0,
      head: undefined,
      pieces: new Map(),
      failure: undefined,
      settled: false,
    }));
    this.remainingCost = this.progress.reduce((a, p) => a + this.cost(p, p.chunks), 0);
  }

  /** The most units the sweep can have (one per chunk or whole task): no more threads are useful. */
  get maxUnits(): number {
    return this.progress.reduce((a, p) => a + Math.max(1, p.chunks), 0);
  }

  /** Markets x traders of `chunks` chunks of the task (a whole task when it does not split). */
  private cost(p: Progress, chunks: number): number {
    const traders = tradersOf(p.task.params);
    if (p.chunks === 0) return (p.task.markets + 1) * traders;
    return Math.min(p.task.markets, chunks * (p.task.markets / p.chunks)) * traders;
  }

  /** The next unit, or undefined when every unit has been handed out. */
  next(): { unit: WorkUnit; slot: number } | undefined {
    while (this.cursor < this.progress.length) {
      const slot = this.cursor;
      const p = this.progress[slot]!;
      if (p.chunks === 0) {
        this.cursor++;
        this.remainingCost -= this.cost(p, 0);
        return { unit: { kind: "task", task: p.task }, slot };
      }
      if (p.next >= p.chunks) {
        this.cursor++;
        continue;
      }
      const target = this.remainingCost / (GUIDED_DIVISOR * this.workers);
      const size = Math.max(1, Math.min(p.chunks - p.next, Math.floor(target / this.cost(p, 1))));
      const unit: WorkUnit = { kind: "chunks", task: p.task, first: p.next, end: p.next + size, head: p.next === 0 };
      p.next += size;
      this.remainingCost -= this.cost(p, size);
      return { unit, slot };
    }
    return undefined;
  }

  /** Adds the result of a unit handed out for `slot`; the task's result once all its units are in. */
  add(slot: number, r: WorkUnitResult): TaskResult | undefined {
    if (r.kind === "task") return r.result;
    if (r.kind === "task-error") {
      const error = r.userError ? new InputError(r.message) : new Error(r.message);
      if (r.stack && !r.userError) error.stack = `${error.stack}\nin the worker: ${r.stack}`;
      throw error;
    }
    const p = this.progress[slot]!;
    if (p.settled) return undefined;
    if (r.head) p.head = r.head;
    if (p.head && p.head.status !== "ok") {
      // Unavailable: its other ranges would only fail; those not yet handed out never will be.
      this.remainingCost -= this.cost(p, p.chunks - p.next);
      p.next = p.chunks;
      p.settled = true;
      return p.head;
    }
    if (r.moments) p.pieces.set(r.first, r.moments);
    else p.failure ??= r.error ?? { message: "no moments and no reason" };
    p.received += r.end - r.first;
    if (p.received < p.chunks || !p.head) return undefined;
    p.settled = true;
    if (p.failure !== undefined) {
      const error = new Error(`task ${p.task.index}: the Monte Carlo failed where the theory did not: ${p.failure.message}`);
      if (p.failure.stack) error.stack = `${error.stack}\nin the worker: ${p.failure.stack}`;
      throw error;
    }
    const ordered = [...p.pieces.entries()].sort((a, b) => a[0] - b[0]).flatMap(([, m]) => m);
    return finishTask(p.task, p.head, ordered);
  }
}

import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import type { QuantityMoments, SimulationMoments } from "../montecarlo/marketSimulation.ts";
import { finishTask, type TaskResult, taskHead } from "./runTask.ts";
import type { ScenarioTask } from "./scenarioTasks.ts";

/**
 * One line of a run's tasks.jsonl: what identifies a finished task (results format, the run's key:
 * a hash of the scenario definition, scenario id, seed, task index, markets) and what cannot be
 * recomputed without rerunning it (the Monte Carlo's merged moments), with a checksum over all of
 * it. Theory, estimates, intervals and verdicts are never stored: they are recomputed from the
 * task and its moments when the line is read back (resume, merge).
 */
export interface TaskRecord {
  readonly format: number;
  readonly run: string;
  readonly scenario: string;
  readonly seed: string;
  readonly task: number;
  readonly markets: number;
  /** Absent for a task that simulates nothing (no null is written to a file). */
  readonly moments?: SimulationMoments;
  readonly checksum: string;
}

/** What a run's records must carry: its format and key, scenario id and seed. */
export interface RunIdentity {
  readonly format: number;
  readonly run: string;
  readonly scenario: string;
  readonly seed: string;
}

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/** The run key: a hash of the results format and the whole scenario definition (environment, sweep, mechanisms, markets, seed). */
export function runKey(format: number, scenario: unknown): string {
  return sha256(JSON.stringify({ format, scenario })).slice(0, 32);
}

function checksumOf(r: Omit<TaskRecord, "checksum">): string {
  return sha256(JSON.stringify([r.format, r.run, r.scenario, r.seed, r.task, r.markets, r.moments ?? null])).slice(0, 32);
}

/** The line recording a finished task (with the merged moments its result was computed from). */
export function taskRecord(id: RunIdentity, task: ScenarioTask, result: TaskResult): string {
  const body = { ...id, task: task.index, markets: task.markets, ...(result.moments ? { moments: result.moments } : {}) };
  return `${JSON.stringify({ ...body, checksum: checksumOf(body) })}\n`;
}

const isNumber = (x: unknown): x is number => typeof x === "number" && Number.isFinite(x);

function isMoments(x: unknown): x is SimulationMoments {
  if (typeof x !== "object" || x === null) return false;
  const m = x as SimulationMoments;
  if (!Array.isArray(m.moments) || !isNumber(m.noTradeMarkets) || !isNumber(m.worstImbalance)) return false;
  return m.moments.every(
    (q: QuantityMoments) => typeof q === "object" && q !== null && isNumber(q.markets) && isNumber(q.mean) && isNumber(q.m2) && q.m2 >= 0,
  );
}

/**
 * Reads a tasks.jsonl and rebuilds each valid record's result from its task and stored moments.
 * A line is valid when it parses, has every field with the right type, belongs to this run (format,
 * run key, scenario, seed), names a task of `tasks` with its number of markets, carries moments
 * exactly when the task simulates markets (covering all of them), and its checksum matches. The
 * rebuilt result must also agree with what the record says (a simulated task must still simulate).
 * Invalid lines are returned with a one-line reason (file:line), never their content.
 */
export function readTaskRecords(
  path: string,
  id: RunIdentity,
  tasks: ReadonlyMap<number, ScenarioTask>,
): { results: Map<number, TaskResult>; invalid: string[] } {
  const results = new Map<number, TaskResult>();
  const invalid: string[] = [];
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return { results, invalid };
  }
  text.split("\n").forEach((line, k) => {
    if (line.trim() === "") return;
    const where = `${path}:${k + 1}`;
    const problem = recordProblem(line, id, tasks);
    if (typeof problem === "string") {
      invalid.push(`${where}: ${problem}`);
      return;
    }
    results.set(problem.index, problem);
  });
  return { results, invalid };
}

function recordProblem(line: string, id: RunIdentity, tasks: ReadonlyMap<number, ScenarioTask>): string | TaskResult {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return "not JSON (a line torn by a kill?)";
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return "not a task record";
  const r = value as TaskRecord;
  if (r.format !== id.format) return `results format ${JSON.stringify(r.format)}, not ${id.format}`;
  if (r.run !== id.run || r.scenario !== id.scenario || r.seed !== id.seed)
    return "a record of another run (scenario, seed or definition differ)";
  if (!Number.isInteger(r.task) || !tasks.has(r.task)) return `task ${JSON.stringify(r.task)} is not a task of this run`;
  const task = tasks.get(r.task)!;
  if (r.markets !== task.markets) return `task ${r.task}: ${JSON.stringify(r.markets)} markets recorded, the task has ${task.markets}`;
  if (r.moments !== undefined && !isMoments(r.moments)) return `task ${r.task}: malformed moments`;
  const moments = r.moments ?? null;
  if (
    typeof r.checksum !== "string" ||
    checksumOf({
      format: r.format,
      run: r.run,
      scenario: r.scenario,
      seed: r.seed,
      task: r.task,
      markets: r.markets,
      moments: r.moments,
    }) !== r.checksum
  ) {
    return `task ${r.task}: checksum mismatch (the record was changed after it was written)`;
  }
  const head = taskHead(task);
  const simulates = head.status === "ok" && task.mechanism !== "theory" && task.markets > 0;
  if (!simulates) return moments === null ? head : `task ${r.task}: moments recorded for a task that simulates nothing`;
  if (moments === null) return `task ${r.task}: no moments recorded for a task that simulates ${task.markets} markets`;
  if (moments.moments.length !== Object.keys(head.labels ?? {}).length)
    return `task ${r.task}: moments of ${moments.moments.length} quantities, the task reports ${Object.keys(head.labels ?? {}).length}`;
  if (moments.moments.some((q) => q.markets !== task.markets))
    return `task ${r.task}: moments of ${moments.moments[0]?.markets} markets, the task has ${task.markets}`;
  try {
    return finishTask(task, head, [moments]);
  } catch (error) {
    return `task ${r.task}: ${(error as Error).message.split("\n")[0]}`;
  }
}

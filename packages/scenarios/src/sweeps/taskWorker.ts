// Worker-thread entry for the scenario pool (piscina): one unit of work in, its result out.
import { InputError } from "../inputError.ts";
import { runTask, runTaskChunks, taskHead } from "./runTask.ts";
import type { UnitOutcome, WorkUnit, WorkUnitResult } from "./workUnits.ts";

export default function work(unit: WorkUnit): WorkUnitResult {
  const started = performance.now();
  return { ...run(unit), seconds: (performance.now() - started) / 1000 };
}

function run(unit: WorkUnit): UnitOutcome {
  if (unit.kind === "task") {
    try {
      return { kind: "task", result: runTask(unit.task) };
    } catch (error) {
      // Error classes do not cross threads: keep whether it was the user's error (exit 2) or a bug.
      const e = error as Error;
      const userError = e instanceof InputError || e.name === "TheoryError" || e.name === "NumericsError" || e.name === "ScheduleError";
      return { kind: "task-error", message: e.message ?? String(error), userError, ...(e.stack ? { stack: e.stack } : {}) };
    }
  }
  const { first, end } = unit;
  const head = unit.head ? taskHead(unit.task) : null;
  // The head says why a mechanism is unavailable; the other ranges fail fast building it (and are dropped).
  if (head && head.status !== "ok") return { kind: "chunks", first, end, head, moments: null };
  try {
    return { kind: "chunks", first, end, head, moments: runTaskChunks(unit.task, first, end) };
  } catch (error) {
    const e =
      error instanceof Error ? { message: error.message, ...(error.stack ? { stack: error.stack } : {}) } : { message: String(error) };
    return { kind: "chunks", first, end, head, moments: null, error: e };
  }
}

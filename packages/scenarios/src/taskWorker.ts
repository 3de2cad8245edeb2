// Worker-thread entry for the scenario pool (piscina): one unit of work in, its result out.
import { basicTaskHead, runTask, runTaskChunks } from "./runTask.ts";
import type { WorkUnit, WorkUnitResult } from "./workUnits.ts";

export default function work(unit: WorkUnit): WorkUnitResult {
  switch (unit.kind) {
    case "task":
      return { kind: "task", result: runTask(unit.task) };
    case "head":
      return { kind: "head", result: basicTaskHead(unit.task) };
    case "chunks":
      try {
        return { kind: "chunks", first: unit.first, moments: runTaskChunks(unit.task, unit.first, unit.end) };
      } catch (error) {
        // The head unit reports why the mechanism is unavailable; a failure here with a good head is a bug, raised there.
        return { kind: "chunks", first: unit.first, moments: null, error: (error as Error).message.split("\n")[0]! };
      }
  }
}

// Worker-thread entry for the scenario pool (piscina): one task in, one result out.
import { runTask } from "./runTask.ts";
import type { ScenarioTask } from "./scenarioTasks.ts";

export default function work(task: ScenarioTask) {
  return runTask(task);
}

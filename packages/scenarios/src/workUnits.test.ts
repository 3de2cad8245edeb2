import { describe, expect, test } from "vitest";
import { CHUNK_MARKETS } from "./monteCarlo.ts";
import { runTask } from "./runTask.ts";
import { parseScenario } from "./scenarioSchema.ts";
import { scenarioTasks } from "./scenarioTasks.ts";
import work from "./taskWorker.ts";
import { SweepSchedule, type WorkUnit } from "./workUnits.ts";

describe("guided units of a sweep", () => {
  // 6 splittable tasks of 5.5 chunks (N = 2 has no plain double auction) and a theory-only one.
  const tasks = scenarioTasks(
    parseScenario({ id: "units", sweep: { traders: [2, 5] }, mechanisms: ["optimal", "first-best", "double-auction"], markets: 5 * CHUNK_MARKETS + CHUNK_MARKETS / 2 }, "test"),
  );
  const theoryOnly = scenarioTasks(parseScenario({ id: "dyn", model: "dynamic" }, "test"))[0]!;
  const all = [...tasks, { ...theoryOnly, index: tasks.length }];

  test("whole tasks first, single chunks at the end; every chunk once; results as runTask's whatever the order", () => {
    const schedule = new SweepSchedule(all, 2);
    const handed: { unit: WorkUnit; index: number }[] = [];
    for (let n = schedule.next(); n; n = schedule.next()) handed.push(n);
    const ranges = handed.map((h) => (h.unit.kind === "chunks" ? h.unit.end - h.unit.first : 0));
    expect(ranges[0]).toBe(6); // the first task whole
    expect(ranges.filter((r) => r > 0).slice(-4)).toEqual([1, 1, 1, 1]); // the last ranges are single chunks
    expect(handed.at(-1)!.unit.kind).toBe("task"); // the theory-only task costs least
    for (const [i, t] of all.entries()) {
      const mine = handed.filter((h) => h.index === i).map((h) => h.unit);
      if (i === tasks.length) expect(mine).toEqual([{ kind: "task", task: t }]);
      else {
        // Contiguous ranges covering 0..6 once, the head with the range at chunk 0.
        const covered = mine.flatMap((u) => (u.kind === "chunks" ? Array.from({ length: u.end - u.first }, (_, k) => u.first + k) : []));
        expect(covered.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5]);
        expect(mine.filter((u) => u.kind === "chunks" && u.head).map((u) => (u as { first: number }).first)).toEqual([0]);
      }
    }
    // Results come back in reverse order (as from workers finishing out of order).
    const finished = new Map<number, unknown>();
    for (const h of [...handed].reverse()) {
      const r = schedule.add(h.index, work(h.unit));
      if (r) finished.set(r.index, r);
    }
    expect(finished.size).toBe(all.length);
    for (const t of all) expect(JSON.stringify(finished.get(t.index)), `task ${t.index}`).toBe(JSON.stringify(runTask(t)));
    expect([...finished.values()].filter((r) => (r as { status: string }).status === "unavailable")).toHaveLength(1);
  });
});

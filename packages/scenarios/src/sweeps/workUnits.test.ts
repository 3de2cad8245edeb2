import { describe, expect, test } from "vitest";
import { InputError } from "../inputError.ts";
import { SIMULATION_CHUNK_MARKETS as CHUNK_MARKETS } from "../montecarlo/marketSimulation.ts";
import { runTask } from "./runTask.ts";
import { parseScenario } from "./scenarioSchema.ts";
import { scenarioTasks } from "./scenarioTasks.ts";
import work from "./taskWorker.ts";
import { workerExecArgv } from "./runScenario.ts";
import { SweepSchedule, type WorkUnit } from "./workUnits.ts";

describe("guided units of a sweep", () => {
  // 6 splittable tasks of 5.5 chunks (N = 2 has no plain double auction) and a theory-only one.
  const tasks = scenarioTasks(
    parseScenario(
      {
        id: "units",
        sweep: { traders: [2, 5] },
        mechanisms: ["optimal", "first-best", "double-auction"],
        markets: 5 * CHUNK_MARKETS + CHUNK_MARKETS / 2,
      },
      "test",
    ),
  );
  const theoryOnly = scenarioTasks(parseScenario({ id: "dyn", model: "dynamic" }, "test"))[0]!;
  const all = [...tasks, { ...theoryOnly, index: tasks.length }];
  // Slots are positions in the list given, not task indices: hand the tasks over in another order.
  const given = [...all.slice(3, -1), ...all.slice(0, 3), all.at(-1)!];

  test("whole tasks first, single chunks at the end; every chunk once; results as runTask's whatever the order", () => {
    const schedule = new SweepSchedule(given, 2);
    const handed: { unit: WorkUnit; slot: number }[] = [];
    for (let n = schedule.next(); n; n = schedule.next()) handed.push(n);
    const ranges = handed.map((h) => (h.unit.kind === "chunks" ? h.unit.end - h.unit.first : 0));
    expect(ranges[0]).toBe(6); // the first task whole
    expect(ranges.filter((r) => r > 0).slice(-4)).toEqual([1, 1, 1, 1]); // the last ranges are single chunks
    expect(handed.at(-1)!.unit.kind).toBe("task"); // the theory-only task is given after the splittable ones
    for (const [slot, t] of given.entries()) {
      const mine = handed.filter((h) => h.slot === slot).map((h) => h.unit);
      for (const u of mine) expect(u.task).toBe(t);
      if (t.index === tasks.length) expect(mine).toEqual([{ kind: "task", task: t }]);
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
      const r = schedule.add(h.slot, work(h.unit));
      if (r) finished.set(r.index, r);
    }
    expect(finished.size).toBe(all.length);
    for (const t of all) expect(JSON.stringify(finished.get(t.index)), `task ${t.index}`).toBe(JSON.stringify(runTask(t)));
    expect([...finished.values()].filter((r) => (r as { status: string }).status === "unavailable")).toHaveLength(1);
  });

  test("an unavailable mechanism settles at its head: its other ranges are not handed out", () => {
    // One worker, each unit's result added before the next unit is asked for.
    const schedule = new SweepSchedule(given, 1);
    const units: { slot: number; kind: string }[] = [];
    const results: unknown[] = [];
    for (let n = schedule.next(); n; n = schedule.next()) {
      units.push({ slot: n.slot, kind: n.unit.kind });
      const r = schedule.add(n.slot, work(n.unit));
      if (r) results.push(r);
    }
    const unavailable = given.findIndex((t) => t.params.traders === 2 && t.mechanism === "double-auction");
    expect(units.filter((u) => u.slot === unavailable)).toHaveLength(1);
    expect(results).toHaveLength(all.length);
    for (const r of results) expect(JSON.stringify(r)).toBe(JSON.stringify(runTask(all[(r as { index: number }).index]!)));
  });
});

describe("worker threads' Node options", () => {
  test("an allowlist: loaders, --eval, process-wide and inspector flags are dropped", () => {
    const tsx = "/repo/node_modules/.pnpm/tsx@4/node_modules/tsx/dist";
    expect(
      workerExecArgv([
        "--require",
        `${tsx}/preflight.cjs`,
        "--import",
        `file://${tsx}/loader.mjs`,
        "--import",
        "tsx",
        "--enable-source-maps",
        "--conditions=development",
        "-C",
        "custom",
        "--max-old-space-size=4096",
        "--inspect-brk",
        "--require",
        "/repo/setup.cjs",
        "--eval",
        "console.log(1)",
        "--no-warnings",
      ]),
    ).toEqual(["--enable-source-maps", "--conditions=development", "-C", "custom", "--no-warnings"]);
  });
});

describe("errors keep their kind across the worker thread", () => {
  test("a user's error in a whole task is an InputError on the main side (exit 2), a bug an Error", () => {
    const s = parseScenario({ id: "errors", markets: 0, mechanisms: ["optimal"] }, "test");
    const tasks = scenarioTasks(s);
    const schedule = new SweepSchedule(tasks, 2);
    const next = schedule.next()!;
    expect(next.unit.kind).toBe("task");
    expect(() => schedule.add(next.slot, { kind: "task-error", message: "bad law", userError: true, seconds: 0 })).toThrow(InputError);
    const again = new SweepSchedule(tasks, 2);
    const unit = again.next()!;
    const bug = () => again.add(unit.slot, { kind: "task-error", message: "a bug", userError: false, seconds: 0 });
    expect(bug).toThrow("a bug");
    expect(bug).not.toThrow(InputError);
  });
});

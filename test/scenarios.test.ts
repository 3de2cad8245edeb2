import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  SIMULATION_CHUNK_MARKETS as CHUNK_MARKETS,
  catalogue,
  loadScenario,
  paperScenarioIds,
  main,
  mergeRuns,
  runScenario,
  scenarioJsonSchema,
  scenarioTasks,
} from "@optex/scenarios";
import { describe, expect, test } from "vitest";
import { root } from "./run.ts";

const tmp = () => mkdtempSync(join(tmpdir(), "optex-"));
const files = [
  "results.json",
  "results.csv",
  "report.md",
  "revenuePerTrader.svg",
  "tradeVolumePerTrader.svg",
  "gap-holdingCostPerTrader.svg",
];
const same = (a: string, b: string) => {
  for (const f of files) expect(readFileSync(join(a, f), "utf8"), f).toBe(readFileSync(join(b, f), "utf8"));
};
// A small scenario: 2 x 2 points x 3 mechanisms = 12 tasks.
const small = { ...loadScenario("mechanisms-benchmark"), sweep: { traders: [3, 6], alpha: [0.3, 0.9] }, markets: 1500 };

describe("scenario files", () => {
  test("validation names the file and the field; unknown fields are errors", () => {
    const dir = tmp();
    const bad = join(dir, "bad.yaml");
    writeFileSync(bad, "id: my-run\nenvironment:\n  kappa: -1\n  traders: 1.5\nsweep:\n  colour: [1]\n");
    expect(() => loadScenario(bad)).toThrow(/bad\.yaml: environment\.kappa: .*bad\.yaml: environment\.traders/s);
    writeFileSync(bad, "id: my-run\nmodel: dynamic\nsweep:\n  delta: [0.1, -1]\n  traders: [3, 2.5]\n");
    expect(() => loadScenario(bad)).toThrow(
      /bad\.yaml: sweep\.delta\.1: delta must be a number in \[0\.000001, 1000\], got -1.*bad\.yaml: sweep\.traders\.1: /s,
    );
    writeFileSync(bad, "id: my-run\nmarkts: 10\n");
    expect(() => loadScenario(bad)).toThrow(/bad\.yaml: \(root\): Unrecognized key.*markts/);
    const good = join(dir, "good.json");
    writeFileSync(good, JSON.stringify({ id: "mine", sweep: { alpha: [0, 1] } }));
    expect(scenarioTasks(loadScenario(good))).toHaveLength(6);
    expect(() => loadScenario("no-such-scenario")).toThrow(/neither a built-in scenario/);
  });
  test("a JSON Schema is exported for editors", () => {
    const schema = scenarioJsonSchema() as { properties: Record<string, unknown> };
    for (const key of ["id", "environment", "mechanisms", "markets", "seed", "sweep"]) expect(schema.properties[key]).toBeDefined();
  });
});

describe("catalogue", () => {
  // The paper's scenarios run in "optex run paper" below; the others here.
  test.each(catalogue.filter((s) => !paperScenarioIds.includes(s.id)).map((s) => [s.id, s] as const))(
    "%s runs at a small size",
    async (_id, full) => {
      // Small: 300 markets and the first two values of each swept parameter (an equilibrium task takes seconds).
      const s = { ...full, markets: 300, sweep: Object.fromEntries(Object.entries(full.sweep).map(([k, v]) => [k, v.slice(0, 2)])) };
      const results = await runScenario(s, { outDir: tmp(), workers: 1, resume: false });
      expect(results).toHaveLength(scenarioTasks(s).length);
      for (const r of results) {
        expect(r.status, r.reason).toBe("ok");
        const numbers = Object.values(r.values ?? r.theory!);
        expect(numbers.length).toBeGreaterThan(0);
        for (const x of numbers) expect(x === null || Number.isFinite(x)).toBe(true);
      }
    },
  );
});

describe("running sweeps", () => {
  test("byte-identical results with 1 or 2 workers", async () => {
    const a = tmp();
    const b = tmp();
    await runScenario(small, { outDir: a, workers: 1, resume: false });
    await runScenario(small, { outDir: b, workers: 2, resume: false });
    // Mechanism benchmarks plot each mechanism's gap to the first best, and embed the plots in the report.
    expect(readFileSync(join(a, "gap-holdingCostPerTrader.svg"), "utf8")).toMatch(/holding cost per trader minus first best/);
    expect(readFileSync(join(a, "report.md"), "utf8")).toMatch(/\(gap-revenuePerTrader\.svg\)/);
    same(a, b);
  });

  test("tasks split into chunk ranges across 2 workers give the bytes of 1 worker", async () => {
    // 3.5 chunks per task: tasks are split into chunk ranges near the end of the sweep, on both workers; the
    // plain double auction at N = 2 does not exist (its head says why, its chunk ranges fail).
    const split = {
      ...loadScenario("mechanisms-benchmark"),
      sweep: { traders: [2, 4], alpha: [0.5] },
      markets: 3 * CHUNK_MARKETS + CHUNK_MARKETS / 2,
    };
    const a = tmp();
    const b = tmp();
    const one = await runScenario(split, { outDir: a, workers: 1, resume: false });
    await runScenario(split, { outDir: b, workers: 2, resume: false });
    expect(one.map((r) => r.status)).toEqual(["ok", "ok", "unavailable", "ok", "ok", "ok"]);
    expect(one[2]!.reason).toMatch(/no symmetric linear equilibrium with 2 traders/);
    // The exchange property and the no-trade count, summed over every chunk of every task.
    for (const r of one.filter((r) => r.status === "ok")) {
      expect(r.monteCarlo!.markets).toBe(split.markets);
      expect(r.monteCarlo!.worstExchangeImbalance).toBeLessThan(1e-13);
    }
    expect(readFileSync(join(a, "report.md"), "utf8")).toMatch(
      new RegExp(`Markets simulated: ${5 * split.markets}; without a unique clearing price \\(no trade, no transfer\\): 0;`),
    );
    for (const f of ["results.json", "results.csv", "report.md"])
      expect(readFileSync(join(b, f), "utf8"), f).toBe(readFileSync(join(a, f), "utf8"));
  });

  test("--resume and merge refuse another scenario, seed or results format", async () => {
    const dir = tmp();
    await runScenario(small, { outDir: dir, workers: 1, resume: false });
    await expect(runScenario({ ...small, seed: "other" }, { outDir: dir, workers: 1, resume: true })).rejects.toThrow(
      /--resume needs the run's own scenario, shard and optex results format \(scenario\.seed: "other" now, "1" in scenario\.json\)/,
    );
    const header = JSON.parse(readFileSync(join(dir, "scenario.json"), "utf8")) as { format?: number };
    expect(header.format).toBe(3);
    delete header.format; // as written before moments (format 1)
    writeFileSync(join(dir, "scenario.json"), JSON.stringify(header));
    await expect(mergeRuns([dir], tmp())).rejects.toThrow(/written in optex results format 1; this optex merges format 3/);
    await expect(runScenario(small, { outDir: dir, workers: 1, resume: true })).rejects.toThrow(
      /\(format: 3 now, absent in scenario\.json\)/,
    );
    writeFileSync(join(dir, "scenario.json"), '{"format": 2, "scen');
    await expect(mergeRuns([dir], tmp())).rejects.toThrow(/scenario\.json: not readable as JSON/);
  });

  test("shards merged give the files one machine would have written", async () => {
    const full = tmp();
    const s1 = tmp();
    const s2 = tmp();
    const merged = tmp();
    await runScenario(small, { outDir: full, workers: 1, resume: false });
    await runScenario(small, { outDir: s1, workers: 1, resume: false, shard: { k: 1, n: 2 } });
    await runScenario(small, { outDir: s2, workers: 1, resume: false, shard: { k: 2, n: 2 } });
    await expect(mergeRuns([s1], merged)).rejects.toThrow(/are in none of the directories/);
    await mergeRuns([s1, s2], merged);
    same(full, merged);
  });

  test("a run killed mid-way and resumed ends byte-identical to an uninterrupted run (real kill)", async () => {
    const scenarioFile = join(tmp(), "kill.json");
    writeFileSync(scenarioFile, JSON.stringify({ id: "kill-test", sweep: { traders: [3, 4, 5, 6, 7, 8] }, markets: 60_000 }));
    const reference = tmp();
    const killed = tmp();
    expect(await main(["run", scenarioFile, "--out", reference, "--workers", "1"], { out: () => {}, err: () => {} })).toBe(0);
    // Start the same run as a process, kill it (SIGKILL) once some but not all tasks are written.
    // Node itself with tsx's loader, so that the killed pid is the writer (killing the tsx wrapper
    // left its node child writing on: the run lock now refuses such a second writer).
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "packages/scenarios/src/cli/optex.ts", "run", scenarioFile, "--out", killed, "--workers", "1"],
      { cwd: root, stdio: "ignore" },
    );
    const tasksFile = join(killed, "tasks.jsonl");
    let killedIt = false;
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        const lines = existsSync(tasksFile) ? readFileSync(tasksFile, "utf8").split("\n").filter(Boolean).length : 0;
        if (lines >= 3 && !killedIt) {
          clearInterval(timer);
          killedIt = true;
          child.kill("SIGKILL");
        }
      }, 20);
      // Resumed only once the killed process is gone (a zombie still answers kill(pid, 0)).
      child.on("exit", () => {
        clearInterval(timer);
        if (killedIt) resolve();
        else reject(new Error("the run finished before it could be killed"));
      });
    });
    const before = readFileSync(tasksFile, "utf8").split("\n").filter(Boolean).length;
    expect(before).toBeLessThan(18);
    expect(existsSync(join(killed, "results.json"))).toBe(false);
    // Resume runs only the missing tasks (a torn last line, if any, is run again).
    let ran = 0;
    await runScenario(loadScenario(scenarioFile), { outDir: killed, workers: 1, resume: true, onProgress: () => ran++ });
    expect(ran).toBeGreaterThanOrEqual(18 - before);
    expect(ran).toBeLessThanOrEqual(18 - before + 1);
    same(reference, killed);
  }, 120_000);

  test("optex run paper runs the whole paper catalogue", async () => {
    let out = "";
    const dir = tmp();
    expect(
      await main(["run", "paper", "--out", dir, "--markets", "200", "--workers", "1"], { out: (t) => (out += t), err: () => {} }),
    ).toBe(0);
    for (const id of ["paper-figure-1", "paper-proposition-6", "paper-proposition-12", "paper-figure-6"])
      expect(out).toMatch(new RegExp(`^${id}: \\d+ tasks`, "m"));
    expect(out).not.toMatch(/skipped/);
    // Figures 1 and 4: interim rules against the endowment, and against the effective type under adverse selection.
    expect(readFileSync(join(dir, "paper-figure-1", "interim-allocation.svg"), "utf8")).toMatch(/endowment e/);
    expect(readFileSync(join(dir, "paper-figure-4", "interim-transfer.svg"), "utf8")).toMatch(/effective type t/);
    // Every task of every paper scenario ran, and every reported number is finite (or null where the theory says none exists).
    for (const id of paperScenarioIds) {
      const results = JSON.parse(readFileSync(join(dir, id, "results.json"), "utf8")).tasks as {
        status: string;
        reason?: string;
        values?: Record<string, number | null>;
        theory?: Record<string, number>;
      }[];
      const scenario = catalogue.find((s) => s.id === id)!;
      expect(results, id).toHaveLength(scenarioTasks({ ...scenario, markets: scenario.markets > 0 ? 200 : 0 }).length);
      for (const r of results) {
        expect(r.status, `${id}: ${r.reason}`).toBe("ok");
        for (const x of Object.values(r.values ?? r.theory!)) expect(Number.isFinite(x), id).toBe(true);
      }
    }
    // No NaN, Infinity or null in any file of any scenario (what does not exist is left out).
    for (const id of paperScenarioIds) {
      for (const f of readdirSync(join(dir, id))) {
        const text = readFileSync(join(dir, id, f), "utf8");
        expect(/\bNaN\b|\bInfinity\b|\bnull\b/.exec(text)?.[0], `${id}/${f}`).toBeUndefined();
      }
    }
    expect(out).toMatch(/paper-figure-2: 15 tasks/);
    expect(existsSync(join(dir, "paper-figure-3", "report.md"))).toBe(true);
    const svg = readFileSync(join(dir, "paper-figure-3", "revenuePerTrader.svg"), "utf8");
    expect(svg.startsWith("<svg")).toBe(true);
    expect(readFileSync(join(dir, "paper-figure-3", "report.md"), "utf8")).toContain("![revenue per trader](revenuePerTrader.svg)");
    // The plain auction does not depend on alpha: its coefficients are drawn against sigma_zeta, not as flat lines against alpha.
    const impact = readFileSync(join(dir, "paper-figure-5", "doubleAuctionPriceImpact.svg"), "utf8");
    expect(impact).toContain("signal sd sigma_zeta");
    expect(impact).not.toContain("weight on revenue alpha");
  });
});

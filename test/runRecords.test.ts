import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadScenario, main, mergeRuns, runScenario } from "@optex/scenarios";
import { describe, expect, test } from "vitest";

/**
 * Results are never trusted because they parse: every line of tasks.jsonl is verified (run,
 * task, markets, checksum) and its result rebuilt from its moments on resume and merge; one run
 * writes an output directory at a time; a new run never leaves another run's summaries beside
 * its header.
 */

const tmp = () => mkdtempSync(join(tmpdir(), "optex-records-"));
// 2 points x 3 mechanisms = 6 tasks, a few thousand markets each.
const small = { ...loadScenario("mechanisms-benchmark"), sweep: { traders: [3, 6] }, markets: 3000 };
const summaries = ["results.json", "results.csv", "report.md"];
const read = (dir: string, f: string) => readFileSync(join(dir, f), "utf8");
const lines = (dir: string) => read(dir, "tasks.jsonl").split("\n").filter(Boolean);

async function reference(): Promise<string> {
  const dir = tmp();
  await runScenario(small, { outDir: dir, workers: 1, resume: false });
  return dir;
}

describe("resume verifies what it reads", () => {
  test("a changed digit in a stored moment, null, a partial record and a torn line are rerun, never written back; the files equal an uninterrupted run's", async () => {
    const ref = await reference();
    const dir = tmp();
    await runScenario(small, { outDir: dir, workers: 1, resume: false });
    const records = lines(dir);
    expect(records).toHaveLength(6);
    // Tamper: one digit of a mean, a null line, a record without fields, half a line.
    const tampered = records[1]!.replace(/"mean":(-?\d)\.(\d)/, (_m, a: string, b: string) => `"mean":${a}.${(Number(b) + 1) % 10}`);
    expect(tampered).not.toBe(records[1]);
    writeFileSync(
      join(dir, "tasks.jsonl"),
      `${[records[0], tampered, "null", '{"index":0}', records[3], records[4]!.slice(0, 40)].join("\n")}\n`,
    );
    const problems: string[] = [];
    let ran = 0;
    await runScenario(small, {
      outDir: dir,
      workers: 1,
      resume: true,
      onProgress: () => ran++,
      onInvalidRecord: (p) => problems.push(...p),
    });
    // Tasks 0 and 3 were kept; 1 (tampered), 2, 4 and 5 ran again.
    expect(ran).toBe(4);
    expect(problems.some((p) => /tasks\.jsonl:2: task 1: checksum mismatch/.test(p))).toBe(true);
    expect(problems.some((p) => /tasks\.jsonl:3: not a task record/.test(p))).toBe(true);
    expect(problems.some((p) => /tasks\.jsonl:4: results format undefined/.test(p))).toBe(true);
    expect(problems.some((p) => /tasks\.jsonl:6: not JSON/.test(p))).toBe(true);
    for (const f of summaries) expect(read(dir, f), f).toBe(read(ref, f));
    // Only verified records are in the file afterwards: one per task, in any order.
    expect(lines(dir).sort()).toEqual(lines(ref).sort());
  });

  test("a record of another seed's run is not taken (shard from another run)", async () => {
    const dir = tmp();
    await runScenario(small, { outDir: dir, workers: 1, resume: false });
    const other = tmp();
    await runScenario({ ...small, seed: "other" }, { outDir: other, workers: 1, resume: false });
    // Lines of the other run pasted into this run's file.
    writeFileSync(join(dir, "tasks.jsonl"), `${lines(other).join("\n")}\n`);
    const problems: string[] = [];
    await runScenario(small, { outDir: dir, workers: 1, resume: true, onInvalidRecord: (p) => problems.push(...p) });
    expect(problems).toHaveLength(6);
    expect(problems[0]).toMatch(/a record of another run/);
  });
});

describe("merge verifies what it reads", () => {
  test("a shard with a changed record or another run's line is refused with the file and line", async () => {
    const s1 = tmp();
    const s2 = tmp();
    await runScenario(small, { outDir: s1, workers: 1, resume: false, shard: { k: 1, n: 2 } });
    await runScenario(small, { outDir: s2, workers: 1, resume: false, shard: { k: 2, n: 2 } });
    const good = tmp();
    await mergeRuns([s1, s2], good);
    const ref = await reference();
    for (const f of summaries) expect(read(good, f), f).toBe(read(ref, f));
    const original = lines(s2);
    writeFileSync(
      join(s2, "tasks.jsonl"),
      `${[original[0], original[1]!.replace(/"m2":(\d)/, (_m, d: string) => `"m2":${(Number(d) + 1) % 10}`), original[2]].join("\n")}\n`,
    );
    await expect(mergeRuns([s1, s2], tmp())).rejects.toThrow(/tasks\.jsonl:2: task \d+: checksum mismatch.*rerun that shard/);
    const other = tmp();
    await runScenario({ ...small, seed: "other" }, { outDir: other, workers: 1, resume: false, shard: { k: 2, n: 2 } });
    writeFileSync(join(s2, "tasks.jsonl"), read(other, "tasks.jsonl"));
    await expect(mergeRuns([s1, s2], tmp())).rejects.toThrow(/tasks\.jsonl:1: a record of another run/);
  });
});

describe("one writer per output directory; no stale results", () => {
  test("a second run into a directory a live run holds is refused; a dead owner's lock is taken over", async () => {
    const dir = tmp();
    // A live process that is not this one holds the lock.
    const sleeper = spawn(process.execPath, ["-e", "setTimeout(() => {}, 20000)"], { stdio: "ignore" });
    try {
      writeFileSync(
        join(dir, ".optex-run.lock"),
        JSON.stringify({ pid: sleeper.pid, host: (await import("node:os")).hostname(), started: "now" }),
      );
      await expect(runScenario(small, { outDir: dir, workers: 1, resume: false })).rejects.toThrow(
        new RegExp(`another optex run \\(pid ${sleeper.pid}.*is writing there`),
      );
      let err = "";
      expect(await main(["run", "mechanisms-benchmark", "--out", dir, "--markets", "100"], { out: () => {}, err: (t) => (err += t) })).toBe(
        2,
      );
      expect(err.trim().split("\n")).toHaveLength(1);
    } finally {
      sleeper.kill();
    }
    await new Promise((r) => sleeper.on("exit", r));
    // The owner is dead now (a killed run): its lock does not block.
    await runScenario(small, { outDir: dir, workers: 1, resume: false });
    expect(existsSync(join(dir, ".optex-run.lock"))).toBe(false);
    expect(existsSync(join(dir, "results.json"))).toBe(true);
  });

  test("a different run in a directory with finished results is refused without --force, and with it leaves no old summary", async () => {
    const dir = tmp();
    await runScenario(small, { outDir: dir, workers: 1, resume: false });
    const other = { ...small, seed: "7" };
    await expect(runScenario(other, { outDir: dir, workers: 1, resume: false })).rejects.toThrow(
      /holds the results of another run \(scenario\.seed: "7" now, "1" in scenario\.json\); use another --out, or --force/,
    );
    // Refused before touching anything: the old run's files are intact.
    expect(JSON.parse(read(dir, "results.json")).scenario.seed).toBe("1");
    const started: boolean[] = [];
    await runScenario(other, {
      outDir: dir,
      workers: 1,
      resume: false,
      force: true,
      // While the new run works, none of the old summaries is there to look current.
      onProgress: () => void started.push(summaries.some((f) => existsSync(join(dir, f)))),
    });
    expect(started.every((x) => !x)).toBe(true);
    expect(JSON.parse(read(dir, "results.json")).scenario.seed).toBe("7");
  });
});

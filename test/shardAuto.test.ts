import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main, mergeRuns, shardFromEnvironment } from "@optex/scenarios";
import { describe, expect, test } from "vitest";

describe("--shard auto reads the batch scheduler's array index", () => {
  test("Slurm: task id within min..max, or with a count", () => {
    expect(shardFromEnvironment({ SLURM_ARRAY_TASK_ID: "0", SLURM_ARRAY_TASK_MIN: "0", SLURM_ARRAY_TASK_MAX: "3" })).toEqual({
      k: 1,
      n: 4,
    });
    expect(shardFromEnvironment({ SLURM_ARRAY_TASK_ID: "7", SLURM_ARRAY_TASK_MIN: "5", SLURM_ARRAY_TASK_COUNT: "3" })).toEqual({
      k: 3,
      n: 3,
    });
    expect(() => shardFromEnvironment({ SLURM_ARRAY_TASK_ID: "9", SLURM_ARRAY_TASK_MIN: "0", SLURM_ARRAY_TASK_MAX: "3" })).toThrow(
      /outside the array 0\.\.3/,
    );
    expect(() => shardFromEnvironment({ SLURM_ARRAY_TASK_ID: "1" })).toThrow(/neither SLURM_ARRAY_TASK_COUNT nor SLURM_ARRAY_TASK_MAX/);
  });
  test("Kubernetes indexed Job: completion index of --shards", () => {
    expect(shardFromEnvironment({ JOB_COMPLETION_INDEX: "2" }, 4)).toEqual({ k: 3, n: 4 });
    expect(() => shardFromEnvironment({ JOB_COMPLETION_INDEX: "2" })).toThrow(/needs --shards N/);
    expect(() => shardFromEnvironment({ JOB_COMPLETION_INDEX: "4" }, 4)).toThrow(/not below --shards 4/);
    expect(() => shardFromEnvironment({})).toThrow(/no array job found/);
  });

  test("an array of `optex run --shard auto` merges into one machine's files", async () => {
    const dirs = [0, 1, 2].map(() => mkdtempSync(join(tmpdir(), "optex-shard-")));
    const saved = { ...process.env };
    try {
      for (const [i, dir] of dirs.entries()) {
        process.env.SLURM_ARRAY_TASK_ID = String(i);
        process.env.SLURM_ARRAY_TASK_MIN = "0";
        process.env.SLURM_ARRAY_TASK_MAX = "2";
        const code = await main(["run", "paper-figure-2", "--markets", "300", "--workers", "1", "--shard", "auto", "--out", dir], {
          out: () => {},
          err: () => {},
        });
        expect(code).toBe(0);
        expect(JSON.parse(readFileSync(join(dir, "scenario.json"), "utf8")).shard).toEqual({ k: i + 1, n: 3 });
      }
    } finally {
      process.env = saved;
    }
    const merged = mkdtempSync(join(tmpdir(), "optex-merged-"));
    const whole = mkdtempSync(join(tmpdir(), "optex-whole-"));
    await mergeRuns(dirs, merged);
    expect(
      await main(["run", "paper-figure-2", "--markets", "300", "--workers", "1", "--out", whole], { out: () => {}, err: () => {} }),
    ).toBe(0);
    expect(readFileSync(join(merged, "results.json"), "utf8")).toBe(readFileSync(join(whole, "results.json"), "utf8"));
    let err = "";
    expect(await main(["run", "paper-figure-2", "--shard", "auto"], { out: () => {}, err: (t) => (err += t) })).toBe(2);
    expect(err).toMatch(/--shard auto: no array job found/);
  });
});

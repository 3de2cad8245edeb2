import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main, OPTEX_VERSION } from "@optex/scenarios";
import { expect, test } from "vitest";
import { root } from "./run.ts";

test("--version prints the packages' version", async () => {
  let out = "";
  expect(await main(["--version"], { out: (t) => (out += t), err: () => {} })).toBe(0);
  expect(out.trim()).toBe(OPTEX_VERSION);
  for (const pkg of ["scenarios", "engine", "theory", "fees", "agents", "numerics"]) {
    expect(JSON.parse(readFileSync(join(root, "packages", pkg, "package.json"), "utf8")).version, pkg).toBe(OPTEX_VERSION);
  }
});

test("`pnpm optex` from another directory reads paths and writes out/ there", () => {
  const dir = mkdtempSync(join(tmpdir(), "optex-user-"));
  writeFileSync(join(dir, "mine.yaml"), "id: mine\nseed: 7\nmarkets: 50\nsweep: { traders: [3] }\nmechanisms: [optimal]\n");
  const r = spawnSync("pnpm", ["--dir", root, "--silent", "optex", "run", "mine.yaml", "--workers", "1"], { cwd: dir, encoding: "utf8" });
  expect(r.status, r.stderr).toBe(0);
  expect(existsSync(join(dir, "out", "mine", "results.json"))).toBe(true);
  expect(existsSync(join(root, "out", "mine"))).toBe(false);
});

test("describe prints each parameter with its value or sweep and its meaning", async () => {
  let out = "";
  expect(await main(["describe", "paper-figure-5"], { out: (t) => (out += t), err: () => {} })).toBe(0);
  expect(out).toMatch(/alpha\s+swept: 0, 0\.25, 0\.5, 0\.75, 1\s+designer's weight on revenue/);
  expect(out).toMatch(/40 tasks \(5 x 4 points\)/);
});

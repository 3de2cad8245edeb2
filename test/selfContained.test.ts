import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "vitest";
import { root } from "./run.ts";

/** The repository stands on its own: no tracked file points at notes users do not have, and every docs/ page cited exists. */
const tracked = execFileSync("git", ["ls-files"], { cwd: root, encoding: "utf8" })
  .split("\n")
  .filter((f) => f !== "" && !f.startsWith(".ci/") && existsSync(join(root, f)) && !/\.(svg|png|lock|yaml)$/.test(f));

test("no tracked file refers to the private design notes (users do not have them)", () => {
  // Built from pieces so that this file does not name the notes itself.
  const notes = ["MODEL", "ARCHITECTURE", "STYLE"].map((n) => `\\b${n}\\.md`);
  const forbidden = new RegExp([`\\.\\./${"sha"}red`, `${"sha"}red/(design|paper)`, ...notes].join("|"));
  const offenders = tracked.filter((f) => forbidden.test(readFileSync(join(root, f), "utf8")));
  expect(offenders).toEqual([]);
});

test("every docs/ page a tracked file cites exists", () => {
  const missing: string[] = [];
  for (const f of tracked) {
    for (const m of readFileSync(join(root, f), "utf8").matchAll(/\bdocs\/[\w/.-]+\.md\b/g))
      if (!existsSync(join(root, m[0]))) missing.push(`${f}: ${m[0]}`);
  }
  expect(missing).toEqual([]);
});

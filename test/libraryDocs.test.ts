import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { root, runTs } from "./run.ts";

/** docs/library.md's snippets are run as a user would run them, so the guide cannot go stale. */
const guide = readFileSync(join(root, "docs", "library.md"), "utf8");
const snippets = [...guide.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
// Inside the repository (so @optex/* resolve as for a script there), in a directory git ignores.
const dir = join(root, ".snippets");

describe("docs/library.md", () => {
  test("has snippets", () => expect(snippets.length).toBeGreaterThanOrEqual(5));
  test.each(snippets.map((code, i) => [i + 1, code] as const))("snippet %i runs and prints", (i, code) => {
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `snippet-${i}.ts`);
    writeFileSync(file, code);
    const r = runTs(file);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).not.toBe("");
    expect(r.stdout).not.toMatch(/NaN|INCONSISTENT/);
  });
});

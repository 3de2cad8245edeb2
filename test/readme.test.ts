import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "@optex/scenarios";
import { describe, expect, test } from "vitest";
import { root } from "./run.ts";

/**
 * The README's shown outputs come from real runs: every ```text block that starts with
 * `$ pnpm [--silent] optex <args>` is run, and each line it shows must appear in the output in
 * order ("..." marks lines left out; timings and the run's out/ path are masked).
 */
const readme = readFileSync(join(root, "README.md"), "utf8");
const blocks = [...readme.matchAll(/```text\n\$ pnpm (?:--silent )?optex ([^\n]*)\n([\s\S]*?)```/g)].map((m) => ({
  args: m[1]!,
  shown: m[2]!,
}));

const mask = (line: string) =>
  line
    .replace(/\d+\.\d\d s\b/g, "<time> s")
    .replace(/-> \S+\//, "-> <dir>/")
    .replace("{results.json,results.csv,report.md}", "{...}")
    .trimEnd();

describe("README outputs", () => {
  test("there are shown outputs to check", () => {
    expect(blocks.length).toBeGreaterThanOrEqual(5);
  });

  test.each(blocks.map((b) => [b.args, b] as const))("optex %s", async (_args, { args, shown }) => {
    let out = "";
    const argv = args.split(" ").filter((a) => a !== "");
    // Scenario runs write where the README says (out/...): into a new temporary directory here (a
    // kept one would hold another run's results after the catalogue changes).
    if (argv[0] === "run") argv.push("--out", join(mkdtempSync(join(tmpdir(), "optex-readme-")), argv[1]!));
    await main(argv, { out: (t) => (out += t), err: (t) => (out += t) });
    const actual = out.split("\n").map(mask);
    let at = 0;
    for (const line of shown.split("\n").map(mask)) {
      if (line === "" || line === "...") continue;
      // A line ending in "..." shows the start of an output line.
      const prefix = line.endsWith("...") ? line.slice(0, -3) : null;
      const found = prefix === null ? actual.indexOf(line, at) : actual.findIndex((a, i) => i >= at && a.startsWith(prefix));
      expect(found, `README line not in the output (in order): ${line}`).toBeGreaterThanOrEqual(0);
      at = found + 1;
    }
  });
});

import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { catalogue, parseScenario, runScenario, scenarioJsonSchema } from "@optex/scenarios";
import { beforeAll, describe, expect, test } from "vitest";

/**
 * Every catalogue entry that reproduces a result of the paper says, in its own prose, how its run
 * compares with the paper's figure or result (`againstPaper`), and report.md prints it.
 */
const tmp = () => mkdtempSync(join(tmpdir(), "optex-against-"));
const paperEntries = catalogue.filter((s) => s.paper !== "");

describe("catalogue: a comparison with the paper for every paper entry", () => {
  test("the paper's entries are there", () => {
    expect(paperEntries.map((s) => s.id)).toEqual(
      expect.arrayContaining(["paper-figure-1", "paper-figure-2", "paper-figure-3", "paper-figure-4", "paper-figure-5", "paper-figure-6"]),
    );
  });

  test.each(paperEntries.map((s) => [s.id, s] as const))("%s has a comparison of a few sentences", (_id, s) => {
    const text = (s.againstPaper ?? "").trim();
    expect(text, s.id).not.toBe("");
    // Plain prose: what the paper shows and what optex shows, in 2 to 5 sentences.
    const sentences = text.split(/(?<=[a-z0-9)])\. (?=[A-Za-z])/).length;
    expect(sentences, s.id).toBeGreaterThanOrEqual(2);
    expect(sentences, s.id).toBeLessThanOrEqual(5);
    expect(text, s.id).toMatch(/paper|Proposition|Theorem|Example|Figure/);
    expect(text, s.id).toMatch(/optex/);
    expect(text, s.id).not.toMatch(/\n/);
  });

  test("entries without a paper reference need no comparison", () => {
    for (const s of catalogue.filter((s) => s.paper === "")) expect(s.againstPaper ?? "", s.id).toBe("");
  });
});

describe("scenario files: againstPaper is an optional field with a description", () => {
  test("accepted when given, absent when not (the scenario of an old file is unchanged)", () => {
    const given = parseScenario({ id: "mine", paper: "Figure 2", againstPaper: "The paper shows X. optex shows X." }, "mine.yaml");
    expect(given.againstPaper).toBe("The paper shows X. optex shows X.");
    const absent = parseScenario({ id: "mine" }, "mine.yaml");
    expect("againstPaper" in absent).toBe(false);
    expect(() => parseScenario({ id: "mine", againstPaper: 3 }, "mine.yaml")).toThrow(/mine\.yaml: againstPaper: /);
  });

  test("the JSON Schema describes it", () => {
    const schema = scenarioJsonSchema() as { properties: Record<string, { type?: string; description?: string }> };
    expect(schema.properties.againstPaper?.type).toBe("string");
    expect(schema.properties.againstPaper?.description).toMatch(/Against the paper/);
  });
});

describe("report.md prints the comparison near the top", () => {
  test("paper-figure-1 (theory only): under '## Against the paper', before the run's parameters and numbers", async () => {
    const s = catalogue.find((c) => c.id === "paper-figure-1")!;
    const dir = tmp();
    await runScenario(s, { outDir: dir, workers: 1, resume: false });
    const report = readFileSync(join(dir, "report.md"), "utf8");
    expect(report).toContain(`## Against the paper\n\n${s.againstPaper!.trim()}\n`);
    const at = report.indexOf("## Against the paper");
    expect(at).toBeGreaterThan(report.indexOf("Reproduces: Figure 1 of Optimal Exchange Design."));
    expect(at).toBeLessThan(report.indexOf("Model: Basic model"));
    expect(at).toBeLessThan(report.indexOf("```text"));
    // The scenario written beside the results keeps it too.
    expect(JSON.parse(readFileSync(join(dir, "results.json"), "utf8")).scenario.againstPaper).toBe(s.againstPaper);
  });

  test("a scenario without a comparison gets no such section", async () => {
    const dir = tmp();
    await runScenario(parseScenario({ id: "plain", markets: 0 }, "plain.yaml"), { outDir: dir, workers: 1, resume: false });
    const report = readFileSync(join(dir, "report.md"), "utf8");
    expect(report).not.toMatch(/## Against the paper|## This run/);
    expect(report).toMatch(/^# plain\n\nModel: Basic model/);
  });
});

describe("the plots a comparison names are the ones its run writes", () => {
  const dirs = new Map<string, string>();
  beforeAll(async () => {
    // The plots depend on which quantities are simulated, not on how many markets: a few suffice.
    for (const s of paperEntries) {
      const dir = tmp();
      await runScenario({ ...s, markets: Math.min(s.markets, 50) }, { outDir: dir, workers: 1, resume: false });
      dirs.set(s.id, dir);
    }
  }, 120_000);

  test.each(paperEntries.map((s) => [s.id, s] as const))("%s", (_id, s) => {
    const named = [...(s.againstPaper ?? "").matchAll(/[\w-]+\.svg/g)].map((m) => m[0]);
    expect(named.length, `${s.id} names no plot`).toBeGreaterThan(0);
    for (const file of named) expect(existsSync(join(dirs.get(s.id)!, file)), `${s.id}: ${file}`).toBe(true);
    expect(readFileSync(join(dirs.get(s.id)!, "report.md"), "utf8")).toContain(s.againstPaper!.trim());
  });
});

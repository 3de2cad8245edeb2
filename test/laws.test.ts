import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseDistribution } from "@optex/theory";
import { cli } from "./run.ts";
import { describe, expect, test } from "vitest";

const dir = mkdtempSync(join(tmpdir(), "optex-laws-cli-"));
const data = join(dir, "endowments.csv");
// Observations at the quantiles of N(1, 2^2), one a line: a smooth sample, whose kernel density
// satisfies Condition 1 (a raw sample's bumpy tails usually do not: they need ironing).
const gaussian = parseDistribution("normal:1,2");
writeFileSync(data, `${Array.from({ length: 200 }, (_, i) => gaussian.quantile((i + 0.5) / 200)).join("\n")}\n`);

describe("the new laws as markets: theory inside the simulated intervals (Holm's family verdict at 1%)", () => {
  test.each(["laplace:0,1", "student-t:5,0.5,1", "lognormal:0,0.5", `empirical:${data}`])(
    "basic model, %s",
    async (law) => {
      // A kernel density costs O(observations) per evaluation: fewer markets for it (the verdict's power is the interval's).
      const markets = law.startsWith("empirical") ? "20000" : "60000";
      const r = await cli("simulate", "--dist", law, "--traders", "5", "--markets", markets, "--seed", "laws", "--json");
      expect(r.status, r.stderr).toBe(0);
      const j = JSON.parse(r.stdout);
      expect(j.verdict.consistent, JSON.stringify(j.verdict)).toBe(true);
    },
    180_000,
  );

  test("heterogeneous traders with a Laplace, a Student t and a lognormal law", async () => {
    const r = await cli(
      "simulate",
      "--model",
      "heterogeneous",
      "--dists",
      "laplace:0,1;student-t:5,0,1;lognormal:0,0.5",
      "--kappas",
      "1,2,1",
      "--markets",
      "40000",
      "--seed",
      "laws",
      "--json",
    );
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).verdict.consistent).toBe(true);
  });

  test("adverse selection with Laplace endowments as markets: simulate agrees with Theorem 3, ic passes, prop5-no-psi fails", async () => {
    const laws = ["--model", "adverse-selection", "--endowment-dist", "laplace:0,1", "--signal-dist", "normal:0.1,0.4"];
    const sim = await cli("simulate", ...laws, "--markets", "60000", "--seed", "laws", "--json");
    expect(sim.status, sim.stderr).toBe(0);
    const j = JSON.parse(sim.stdout);
    expect(j.verdict.consistent, JSON.stringify(j.verdict)).toBe(true);
    const ic = await cli("ic", ...laws, "--cases", "20", "--json");
    expect(ic.status, ic.stderr).toBe(0);
    expect(JSON.parse(ic.stdout)).toMatchObject({ fee: "prop5", pass: true });
    // The laws reach the oracle: its parameters name them (not the Gaussian defaults).
    expect(ic.stdout).toContain("laplace:0,1");
    const control = await cli("ic", ...laws, "--fee", "prop5-no-psi", "--cases", "20", "--json");
    expect(control.status).toBe(1);
    expect(JSON.parse(control.stdout).pass).toBe(false);
    // Signals with heavier tails than the endowments: Proposition 5's fee is refused in one line.
    const heavy = await cli(
      "simulate",
      "--model",
      "adverse-selection",
      "--endowment-dist",
      "mixture:0.7*normal:0,0.6+0.3*normal:1.5,0.4",
      "--signal-dist",
      "laplace:0.1,0.4",
      "--markets",
      "1000",
    );
    expect(heavy.status).toBe(2);
    expect(heavy.stderr.trim().split("\n")).toHaveLength(1);
    expect(heavy.stderr).toMatch(/not available for these laws/);
  }, 120_000);

  test("a law from a file with a bad line: one line naming the file and the line, exit 2", async () => {
    const bad = join(dir, "bad.txt");
    writeFileSync(bad, "0.1\n0.2\nn/a\n");
    const r = await cli("theory", "--dist", `empirical:${bad}`);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/bad\.txt: line 3 is not a finite number: "n\/a"/);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
  });
});

describe("a scenario whose law reads a file", () => {
  test("editing the file makes --resume rerun the old records instead of mixing them (the run key covers the data)", async () => {
    const file = join(dir, "resume.csv");
    const write = (shift: number) =>
      writeFileSync(file, `${Array.from({ length: 100 }, (_, i) => gaussian.quantile((i + 0.5) / 100) + shift).join("\n")}\n`);
    write(0);
    const scenario = join(dir, "resume.yaml");
    writeFileSync(
      scenario,
      `id: resume\nenvironment: { dist: "empirical:${file}", traders: 4 }\nmechanisms: ["first-best"]\nmarkets: 2000\n`,
    );
    const out = join(dir, "resume-out");
    expect((await cli("run", scenario, "--out", out, "--workers", "1")).status).toBe(0);
    const same = await cli("run", scenario, "--out", out, "--workers", "1", "--resume");
    expect(same.stderr).toBe("");
    write(0.5);
    const r = await cli("run", scenario, "--out", out, "--workers", "1", "--resume");
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/failed verification; their tasks run again .*a record of another run/);
  }, 120_000);
});

import { describe, expect, test } from "vitest";
import { cli } from "./run.ts";

// `optex design`: the discretised designer's problem beside the theory (docs/design.md).

describe("optex design", () => {
  test("a law that needs ironing: solver and theory side by side, pooled and binding regions, verdict", async () => {
    const args = [
      "design",
      "--dist",
      "mixture:0.9*normal:0,0.5+0.1*normal:3,0.3",
      "--alpha",
      "0.25",
      "--traders",
      "5",
      "--grid",
      "400",
      "--json",
    ];
    const r = await cli(...args);
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.command).toBe("design");
    expect(report.verdict.theoryOptimal).toBe(true);
    expect(report.objective.gap).toBeGreaterThan(0);
    expect(report.objective.relativeGap).toBeLessThan(3e-5);
    expect(report.pooled.theory).toHaveLength(1);
    expect(report.pooled.solver).toHaveLength(1);
    expect(Math.abs(report.pooled.solver[0][0] - report.pooled.theory[0][0])).toBeLessThan(0.02);
    expect(Math.abs(report.bindingRegion.solver[1] - report.bindingRegion.theory[1])).toBeLessThan(0.02);
    expect(report.constraints.maxViolation).toBeLessThan(1e-12);
    // Same input, same bytes.
    const again = await cli(...args);
    expect(again.stdout).toBe(r.stdout);
  });

  test("ex post trades for two traders, and two assets against Proposition 7", async () => {
    const exPost = JSON.parse((await cli("design", "--traders", "2", "--formulation", "ex-post", "--grid", "12", "--json")).stdout);
    expect(exPost.exPost.additivityGap).toBeLessThan(1e-5);
    expect(exPost.verdict.theoryOptimal).toBe(true);
    const two = await cli("design", "--dist", "normal:0,2", "--assets", "2", "--grid", "6", "--sectors", "12", "--json");
    expect(two.status).toBe(0);
    const report = JSON.parse(two.stdout);
    expect(report.grid.sectors).toBe(12);
    expect(report.radial.tangentialShare).toBeLessThan(1e-6);
    expect(report.verdict.theoryOptimal).toBe(true);
    const text = await cli("design", "--dist", "normal:0,2", "--assets", "2", "--grid", "4", "--sectors", "8");
    expect(text.stdout).toMatch(/Proposition 7's radial mechanism/);
  });

  test("units: a law shifted far from 0 or shrunk gives the same relative gap (no cancellation of mu^2 terms); a heavy tail solves", async () => {
    const gapOf = async (...args: string[]) =>
      JSON.parse((await cli("design", "--grid", "100", "--json", ...args)).stdout).objective.relativeGap;
    const base = await gapOf("--dist", "normal:0,1");
    expect(base).toBeGreaterThan(0);
    expect(Math.abs((await gapOf("--dist", "normal:1e7,1")) - base)).toBeLessThan(1e-9);
    expect(Math.abs((await gapOf("--dist", "normal:0,1e-4", "--kappa", "3")) - base)).toBeLessThan(1e-9);
    const heavy = await cli("design", "--dist", "lognormal:0,1.5", "--grid", "100", "--json");
    expect(heavy.status).toBe(0);
    expect(JSON.parse(heavy.stdout).objective.relativeGap).toBeGreaterThan(0);
  });

  test.each([
    [["--formulation", "ex-post", "--traders", "3"], /--formulation ex-post needs --traders 2/],
    [["--assets", "2"], /two assets need normal endowments/],
    [["--grid", "5000"], /grid must be an integer in \[2, 1000\]/],
    [["--alpha", "2"], /alpha must be in \[0, 1\]/],
    [["--dist", "normal:0,-1"], /--dist/],
  ])("bad input %j: one line, exit 2", async (args, message) => {
    const r = await cli("design", ...args);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
  });
});

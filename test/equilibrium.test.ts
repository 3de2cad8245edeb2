import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cli } from "./run.ts";
import { describe, expect, test } from "vitest";

// Small grids: the linear equilibria are exact on any grid (docs/equilibrium.md).
const SMALL = ["--types", "12", "--prices", "20", "--samples", "400", "--markets", "600", "--check-types", "4"];

describe("optex equilibrium", () => {
  test("--fee none, N = 5: the linear equilibrium, its certificate, outcomes and the same point from zero intelligence", async () => {
    const r = await cli("equilibrium", "--traders", "5", "--dist", "normal:0.5,2", "--kappa", "2", ...SMALL, "--json");
    expect(r.status, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.status).toBe("converged");
    expect(j.closedForm.name).toMatch(/symmetric linear equilibrium/);
    expect(j.closedForm.maxDistance).toBeLessThan(1e-3);
    expect(j.epsilonFound).toBeLessThan(1e-9);
    expect(j.epsilonBound).toBeLessThan(1e-9);
    expect(j.uniqueness).toMatchObject({ start: "zero-intelligence", same: true });
    expect(j.schedule.quantities).toHaveLength(12);
    expect(j.schedule.quantities[0]).toHaveLength(20);
    expect(j.path.length).toBe(j.iterations);
    expect(j.path[0]).toEqual(expect.objectContaining({ iteration: 1, change: expect.any(Number), epsilon: expect.any(Number) }));
    // The plain auction earns nothing; every market clears.
    expect(Math.abs(j.outcomes.revenuePerTrader.mean)).toBeLessThan(1e-12);
    expect(j.outcomes.noTradeFrequency.mean).toBe(0);
    for (const q of ["holdingCostPerTrader", "utilityGainPerTrader", "tradeVolumePerTrader"])
      expect(j.outcomes[q].ci99[0]).toBeLessThanOrEqual(j.outcomes[q].ci99[1]);
  });

  test("--fresh-markets: learning from new markets each round reaches the same linear equilibrium", async () => {
    const j = JSON.parse((await cli("equilibrium", "--traders", "6", "--fresh-markets", ...SMALL, "--no-uniqueness", "--json")).stdout);
    expect(j.freshMarkets).toBe(true);
    expect(j.status).toBe("converged");
    expect(j.closedForm.maxDistance).toBeLessThan(1e-3);
  });

  test("a fee that stops all trade (a fixed charge above the gains): finite epsilons, valid JSON", async () => {
    const r = await cli("equilibrium", "--traders", "5", "--fee", "two-part:0.3,0", ...SMALL, "--no-uniqueness", "--json");
    expect(r.status, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    for (const step of j.path) expect(Number.isFinite(step.epsilon)).toBe(true);
    expect(Number.isFinite(j.epsilonFound)).toBe(true);
    expect(Number.isFinite(j.epsilonBound)).toBe(true);
    expect(j.certificate.belowStrategy).toBe(0);
  });

  test("N = 2 with no fee: no equilibrium, said in words", async () => {
    const r = await cli("equilibrium", "--traders", "2", ...SMALL);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/no-equilibrium: the schedules flatten towards no trade/);
  });

  test("--fee prop3:0.5: truthful virtual-type bids", async () => {
    const j = JSON.parse((await cli("equilibrium", "--traders", "4", "--fee", "prop3:0.5", ...SMALL, "--no-uniqueness", "--json")).stdout);
    expect(j.closedForm.name).toMatch(/Proposition 3/);
    expect(j.closedForm.maxDistance).toBeLessThan(1e-3);
    expect(j.uniqueness).toBeNull();
  });

  test("buy and sell fees act as their mean per-unit fee (the price moves by half their difference)", async () => {
    const run = async (fee: string) =>
      JSON.parse((await cli("equilibrium", "--traders", "6", "--fee", fee, ...SMALL, "--no-uniqueness", "--json")).stdout);
    const buySell = await run("buy-sell:0.07,0.01");
    const perUnit = await run("per-unit:0.04");
    expect(buySell.outcomes.revenuePerTrader.mean).toBeCloseTo(perUnit.outcomes.revenuePerTrader.mean, 4);
    expect(buySell.outcomes.holdingCostPerTrader.mean).toBeCloseTo(perUnit.outcomes.holdingCostPerTrader.mean, 4);
  });

  test.each([
    [["--fee", "per-unit:-1"], /--fee: per-unit: TAU must be a finite number >= 0, got -1/],
    [["--fee", "flat"], /--fee: fee "flat": unknown; expected one of none, prop3:ALPHA/],
    [["--types", "1"], /types must be an integer in \[2, 1024\], got 1/],
    [["--dist", "normal:0,-1"], /normal: need a finite SIGMA > 0/],
  ])("%j: one line, exit 2", async (args, message) => {
    const r = await cli("equilibrium", ...args);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
  });
});

describe("the fee-equilibrium model in a scenario", () => {
  test("a sweep over fees: each family's distance to the frontier in the report, the figures drawn", async () => {
    const dir = mkdtempSync(join(tmpdir(), "optex-fee-equilibrium-"));
    const file = join(dir, "fees.yaml");
    writeFileSync(
      file,
      [
        "id: fees",
        "model: fee-equilibrium",
        "environment: { traders: 5 }",
        'sweep: { chargedFee: ["none", "per-unit:0.05", "quadratic:1"] }',
        "",
      ].join("\n"),
    );
    const r = await cli("run", file, "--out", join(dir, "out"), "--workers", "1");
    expect(r.status, r.stderr).toBe(0);
    const report = readFileSync(join(dir, "out", "report.md"), "utf8");
    expect(report).toMatch(/## Each fee family against the frontier/);
    expect(report).toMatch(/per-unit\s+per-unit:0\.05/);
    expect(readdirSync(join(dir, "out"))).toEqual(expect.arrayContaining(["fees-vs-frontier.svg", "learning-path.svg"]));
    const results = JSON.parse(readFileSync(join(dir, "out", "results.json"), "utf8"));
    for (const t of results.tasks) {
      // Every equilibrium lies on or inside the frontier (no fee beats the optimal mechanism).
      expect(t.values.frontierGap).toBeGreaterThan(-1e-3);
      expect(t.curves.learningPath.length).toBe(t.values.iterations);
    }
  }, 120_000);
});

import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { root, runTs } from "./run.ts";

// Every script in examples/ is run as a user would run it (Mesa's rule: examples are tested).
const examples = readdirSync(join(root, "examples")).filter((f) => f.endsWith(".ts"));

describe("examples", () => {
  test("there are examples", () => expect(examples.length).toBeGreaterThanOrEqual(3));
  test.each(examples)("%s runs and prints results", (file) => {
    const r = runTs(join("examples", file));
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout.trim().split("\n").length).toBeGreaterThan(1);
    expect(r.stdout).not.toMatch(/NaN/);
  });
  test("the fee-augmented auction example reproduces theory", () => {
    const out = runTs("examples/feeAugmentedAuction.ts").stdout;
    const m = /revenue per trader: simulated ([-\d.]+) \+- ([\d.]+) \(99%\), theory ([-\d.]+)/.exec(out);
    expect(m).not.toBeNull();
    const [, sim, half, theory] = m!.map(Number);
    expect(Math.abs(sim! - theory!)).toBeLessThanOrEqual(half! + 1e-5);
  });
});

import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { root, cli } from "./run.ts";

const tmp = () => mkdtempSync(join(tmpdir(), "optex-errors-"));

describe("file-system mistakes", () => {
  const dir = tmp();
  const file = join(dir, "a-file");
  writeFileSync(file, "x");
  mkdirSync(join(dir, "a-dir"));
  test.each([
    [["run", join(dir, "a-dir")], /a-dir: is a directory, not a scenario file/],
    [
      ["run", "mechanisms-benchmark", "--markets", "10", "--out", join(file, "out")],
      /a-file\/out: a part of the path is a file, not a directory \(ENOTDIR\)/,
    ],
    [["run", "mechanisms-benchmark", "--markets", "10", "--out", file], /a-file: .*(not a directory|already exists)/],
    [["run", "mechanisms-benchmark", "--markets", "10", "--out", "/dev/full"], /\/dev\/full: .*(not a directory|already exists)/],
  ])("%j: exit 2, one line", async (args, pattern) => {
    const r = await cli(...args);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(pattern);
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
  });

  test("a YAML file with a custom tag (!!js/function) gets one line", async () => {
    const yaml = join(dir, "tagged.yaml");
    writeFileSync(yaml, 'id: x\nmarkets: !!js/function "function () {}"\n');
    const r = await cli("describe", yaml);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/tagged\.yaml: not valid YAML: unsupported tag !!js\/function at line 2/);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
  });
});

describe("scenario files get the CLI's checks, before any worker runs", () => {
  test.each([1, 2])("a bad law in a sweep exits 2 with %i worker(s), naming the field", async (workers) => {
    const file = join(tmp(), "bad-law.yaml");
    writeFileSync(file, 'id: bad-law\nsweep: { dist: ["normal:0,1", "normal:0,-1"] }\nmarkets: 100\n');
    const r = await cli("run", file, "--workers", String(workers), "--out", tmp());
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/bad-law\.yaml: sweep\.dist\.1: normal: need a finite SIGMA > 0, got -1/);
  });
  test.each([
    ['environment: { dist: "uniform:-1e300,1e300" }', /environment\.dist: .*sd .*need sd in \[1e-9, 1e9\]/],
    ['environment: { dist: "normal:1e15,1" }', /environment\.dist: .*mean .*\|mean\| <= min\(1e9, 1e9 sd\)/],
    ["environment: { sigmaZeta: 0.5 }", /environment\.sigmaZeta: not a parameter of model basic/],
    ["seed: 7\nmarkets: 10", null],
    [
      `sweep: { traders: [${Array.from({ length: 300 }, (_, i) => i + 3).join(", ")}], alpha: [${Array.from({ length: 200 }, (_, i) => i / 200).join(", ")}] }`,
      /sweep: 300 x 200 points x 3 tasks per point = 180,000 tasks; at most 100,000/,
    ],
  ])("%s", async (line, pattern) => {
    const file = join(tmp(), "s.yaml");
    writeFileSync(file, `id: s\n${line}\n`);
    const r = await cli("describe", file);
    if (pattern === null) expect(r.status).toBe(0);
    else {
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(pattern);
    }
  });
});

describe("library internals do not reach the user", () => {
  test("a solver that gives up is reported as inputs beyond its reach, in words, with exit 2", async () => {
    const r = await cli("theory", "--model", "heterogeneous", "--dists", "exponential:1;exponential:1e-6", "--kappas", "1e9,1e-9");
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^optex: error: these inputs are beyond the numerical reach of the theory's solvers \(/);
    expect(r.stderr).not.toMatch(/findRoot|integrate|brent|internal error/);
  });
});

describe("bounded work", () => {
  test("optex ic refuses more traders than its oracle checks, up front, with the range", async () => {
    const r = await cli("ic", "--traders", "150000", "--cases", "1");
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/optex ic: traders must be an integer in \[2, 20000\], got 150000/);
  });
});

describe("precision: where double precision ends, the range ends", () => {
  test("a simulation whose rounding would exceed 1e-6 of its quantities' scale is refused (it printed revenue outside its own interval as a pass)", async () => {
    const r = await cli("simulate", "--dist", "exponential:1", "--kappa", "1e9", "--mu-pi", "1e6", "--markets", "1000");
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(
      /beyond double precision: .* round the simulated quantities to .* of their scale sd\^2 \/ kappa \(at most 0\.000001\)/,
    );
    // Inside the range the allowance is far below the interval it widens.
    const ok = JSON.parse(
      (await cli("simulate", "--dist", "normal:1000,1", "--mechanism", "optimal", "--markets", "20000", "--json")).stdout,
    );
    for (const [q, est] of Object.entries(ok.simulated as Record<string, { ci99: [number, number] }>)) {
      const width = est.ci99[1] - est.ci99[0];
      expect(ok.withinRounding[q] ?? 0, q).toBeLessThan(1e-3 * width);
    }
  });
});

describe("pipes", () => {
  test("`optex ... | head` ends quietly (EPIPE): no stack trace, no error", () => {
    // A long output cut after one line by the reader.
    const r = spawnSync(
      "sh",
      ["-c", `"${process.execPath}" --import tsx packages/scenarios/src/cli/optex.ts theory --frontier 0:1:0.0005 | head -n 1`],
      { cwd: root, encoding: "utf8" },
    );
    expect(r.stdout.split("\n")[0]).toMatch(/^Basic model/);
    expect(r.stderr).toBe("");
  });
});

// The packages as a user gets them: built (scripts/build.mjs), packed (pnpm pack), installed with
// npm into a new project outside the repository, then used there with no compiler at run time: a
// TypeScript script typechecked against the shipped .d.ts and run as JavaScript, and the `optex`
// binary through npx. A package that exports source, misses a file or a dependency, or whose bin
// needs tsx fails here.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, test } from "vitest";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const PACKAGES = ["numerics", "engine", "theory", "fees", "agents", "scenarios"];

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(command, args, { cwd, encoding: "utf8", env: { ...process.env, ...env }, timeout: 300_000 });
  if (r.error) throw r.error;
  return r;
}

function ok(r: ReturnType<typeof run>, what: string) {
  if (r.status !== 0) throw new Error(`${what} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

// A user's script: theory, one fee-augmented auction per market through the engine, the best
// responder's negative control, and a Monte Carlo task with its verdict, from the public API only.
const CONSUMER = `
import { regretOf, truthfulBidder } from "@optex/agents";
import { noFee, runMarket } from "@optex/engine";
import { buildFee } from "@optex/fees";
import { basicEnvironment, optimalMechanismOutcome, solveVirtualType, uniform } from "@optex/theory";
import { parseScenario, runTask, scenarioTasks } from "@optex/scenarios";

const env = basicEnvironment({ dist: uniform(-1, 1), kappa: 1, traders: 5, muPi: 0 });
const vt = solveVirtualType(env.dist, 0.5);
const fee = buildFee("prop3", { model: "basic", env, alpha: 0.5, vt });
const bidder = truthfulBidder(vt, env.kappa, env.muPi);
let state = 12345;
const next = (): number => ((state = (1103515245 * state + 12345) % 2147483648) / 2147483648);
let revenue = 0;
const markets = 4000;
for (let m = 0; m < markets; m++) {
  const endowments = Array.from({ length: env.traders }, () => env.dist.quantile(next()));
  const market = runMarket(endowments, bidder, fee.fee);
  if (market.status !== "cleared") throw new Error(market.reason ?? "no trade");
  revenue += market.revenue / env.traders;
}
const endowments = [-0.9, -0.2, 0.1, 0.5, 0.8];
const schedules = endowments.map((e) => bidder.bid(e)[0]!);
const regret = (schedule: typeof noFee) =>
  regretOf({ endowment: -0.9, kappa: 1, muPi: 0, others: schedules.slice(1), fee: schedule, trader: 0 }, schedules[0]!).regret;
const [task] = scenarioTasks(parseScenario({ id: "consumer", mechanisms: ["optimal"], markets: 2000, environment: { traders: 5 } }, "consumer"));
const result = runTask(task!);
console.log(JSON.stringify({
  theory: optimalMechanismOutcome(env, vt).revenuePerTrader,
  simulated: revenue / markets,
  regretWithFee: regret(fee.schedule!),
  regretWithout: regret(noFee),
  taskStatus: result.status,
  taskAgreement: result.agreement,
}));
`;

interface Manifest {
  exports: Record<string, unknown>;
  engines: { node: string };
  license: string;
  repository: { directory: string };
  dependencies?: Record<string, string>;
}

describe.sequential("packed packages installed in a new project", () => {
  let work: string;
  let project: string;
  beforeAll(() => {
    ok(run(process.execPath, [join(root, "scripts", "build.mjs")], root), "build");
    work = mkdtempSync(join(tmpdir(), "optex-pack-"));
    const tarballs = join(work, "tarballs");
    for (const name of PACKAGES)
      ok(run("pnpm", ["pack", "--pack-destination", tarballs], join(root, "packages", name)), `pnpm pack ${name}`);
    project = join(work, "project");
    mkdirSync(project);
    writeFileSync(join(project, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
    const files = readdirSync(tarballs).map((f) => join(tarballs, f));
    expect(files).toHaveLength(PACKAGES.length);
    ok(run("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", ...files], project), "npm install");
  }, 600_000);
  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test("each manifest exports built JavaScript with types, files, engines, license and repository", () => {
    for (const name of PACKAGES) {
      const manifest = JSON.parse(readFileSync(join(project, "node_modules", "@optex", name, "package.json"), "utf8")) as Manifest;
      expect(manifest.exports["."], name).toEqual({ types: "./dist/index.d.ts", default: "./dist/index.js" });
      expect(manifest.engines.node, name).toMatch(/^>=20/);
      expect(manifest.license, name).toBe("MIT");
      expect(manifest.repository.directory, name).toBe(`packages/${name}`);
      for (const [dep, version] of Object.entries(manifest.dependencies ?? {}))
        expect(version, `${name} -> ${dep}`).not.toMatch(/workspace|catalog/);
      expect(Object.keys(manifest.dependencies ?? {}), name).not.toContain("tsx");
    }
  });

  test("a TypeScript script typechecks against the shipped types and runs as JavaScript", () => {
    writeFileSync(join(project, "consumer.ts"), CONSUMER);
    writeFileSync(
      join(project, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: { target: "es2022", module: "nodenext", moduleResolution: "nodenext", strict: true, outDir: "built", types: [] },
        files: ["consumer.ts"],
      }),
    );
    const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
    ok(run(process.execPath, [tsc, "-p", "tsconfig.json"], project), "tsc in the consumer project");
    // Plots and the worker pool are not needed to simulate: the script runs with them removed.
    for (const heavy of ["vega", "vega-lite", "piscina"]) renameSync(join(project, "node_modules", heavy), join(project, `${heavy}.away`));
    try {
      const out = JSON.parse(ok(run(process.execPath, ["built/consumer.js"], project), "consumer script"));
      expect(Math.abs(out.simulated - out.theory)).toBeLessThan(0.01);
      expect(out.regretWithFee).toBeLessThan(1e-9);
      expect(out.regretWithout).toBeGreaterThan(1e-4);
      expect(out.taskStatus).toBe("ok");
      expect(Object.values(out.taskAgreement).length).toBeGreaterThan(0);
    } finally {
      for (const heavy of ["vega", "vega-lite", "piscina"])
        renameSync(join(project, `${heavy}.away`), join(project, "node_modules", heavy));
    }
  });

  test("npx optex: --version, theory --json, design (HiGHS) and a run with the worker pool and plots", () => {
    expect(ok(run("npx", ["--no", "optex", "--version"], project), "optex --version").trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const theory = JSON.parse(ok(run("npx", ["--no", "optex", "theory", "--traders", "5", "--json"], project), "optex theory"));
    expect(theory.eA).toBeCloseTo(-1 / 3, 12);
    // HiGHS's WebAssembly is found next to its loader in the installed dependency (not bundled).
    const design = JSON.parse(ok(run("npx", ["--no", "optex", "design", "--grid", "20", "--json"], project), "optex design"));
    expect(design.verdict.theoryOptimal).toBe(true);
    const r = ok(
      run("npx", ["--no", "optex", "run", "paper-figure-3", "--markets", "1000", "--workers", "2", "--out", "fig3"], project),
      "optex run",
    );
    expect(r).toMatch(/consistent with the theory/);
    expect(readdirSync(join(project, "fig3"))).toEqual(expect.arrayContaining(["frontier.svg", "report.md", "results.json"]));
    const bad = run("npx", ["--no", "optex", "theory", "--traders", "1"], project);
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim().split("\n")).toHaveLength(1);
  });
});

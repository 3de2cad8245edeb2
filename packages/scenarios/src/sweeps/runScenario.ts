import { appendFileSync, existsSync, linkSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createHash, randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { join } from "node:path";
import { fmt, fmtAt, table, zText } from "../output/format.ts";
import { scenarioPlots } from "../output/plots.ts";
import { type FamilyVerdict, familyVerdict } from "../montecarlo/estimate.ts";
import { InputError } from "../inputError.ts";
import type { ParameterValue } from "../models/parameters.ts";
import { modelById, tradersOf } from "../models/registry.ts";
import { runTask, type TaskResult } from "./runTask.ts";
import { readTaskRecords, type RunIdentity, runKey, taskRecord } from "./taskRecords.ts";
import { workerBundle } from "./workerBundle.ts";
import { SweepSchedule, type WorkUnit, type WorkUnitResult } from "./workUnits.ts";
import type { Scenario } from "./scenarioSchema.ts";
import { type ScenarioTask, scenarioTasks } from "./scenarioTasks.ts";

export interface RunOptions {
  readonly outDir: string;
  /** Worker threads (1 runs in this thread). Results do not depend on it. */
  readonly workers: number;
  /** Run even a single worker in the pool's thread (benchmarks compare 1 and 2 pool workers like for like). */
  readonly pool?: boolean;
  /** Skip tasks already in outDir/tasks.jsonl (a previous, possibly killed, run). */
  readonly resume: boolean;
  /** Run every n-th task starting at the k-th (array jobs on a batch scheduler). */
  readonly shard?: { k: number; n: number };
  readonly onProgress?: (done: number, total: number) => void;
  /** Pool runs: called with the seconds a worker spent on each unit (benchmarks of utilisation). */
  readonly onUnit?: (seconds: number) => void;
  /** Replace the results of another run in outDir (otherwise refused). */
  readonly force?: boolean;
  /** Resume: the records of tasks.jsonl that failed verification (file:line and why); their tasks rerun. */
  readonly onInvalidRecord?: (problems: readonly string[]) => void;
}

const TASKS_FILE = "tasks.jsonl";
const SCENARIO_FILE = "scenario.json";
/**
 * Version of what a task's result holds and how it is computed, written to scenario.json: results
 * of different formats never mix in one run (--resume) or merge. 2: Monte Carlo summarised by
 * chunk moments (the last digits differ from format 1's estimates from all samples), with its
 * no-trade count and largest exchange imbalance. 3: the model registry's tasks (params are the
 * model's parameter point; every model's mechanisms simulated with labelled quantities; theory
 * tasks carry the named results).
 */
const RESULTS_FORMAT = 3;

function runHeader(s: Scenario, shard: { k: number; n: number } | null): string {
  return `${JSON.stringify({ format: RESULTS_FORMAT, scenario: s, ...(shard ? { shard } : {}) }, null, 2)}\n`;
}

interface RunHeader {
  readonly format?: number;
  readonly scenario: Scenario;
  readonly shard?: { k: number; n: number };
}

/** What every record of this scenario's run carries. */
function runIdentity(s: Scenario): RunIdentity {
  return { format: RESULTS_FORMAT, run: runKey(RESULTS_FORMAT, { scenario: s, data: dataFileHashes(s) }), scenario: s.id, seed: s.seed };
}

/**
 * A hash of each data file the scenario's laws read (empirical:PATH, also inside mixtures): a run
 * key that covers the data, so that editing the file makes --resume and merge refuse the old records
 * instead of mixing them with new ones.
 */
function dataFileHashes(s: Scenario): Record<string, string> {
  const specs = JSON.stringify([s.environment, s.sweep]).match(/empirical:[^"*+;]+/g) ?? [];
  const out: Record<string, string> = {};
  for (const spec of specs) {
    const path = spec.slice("empirical:".length).trim();
    try {
      out[path] = createHash("sha256").update(readFileSync(path)).digest("hex").slice(0, 32);
    } catch {
      out[path] = "unreadable";
    }
  }
  return out;
}

/** Files a run writes at its end (summaries and plots): removed when a run starts. */
function clearOutputs(outDir: string): void {
  for (const name of readdirSync(outDir)) {
    if (name === "results.json" || name === "results.csv" || name === "report.md" || name.endsWith(".svg"))
      rmSync(join(outDir, name), { force: true });
  }
}

const LOCK_FILE = ".optex-run.lock";

/**
 * One writer per output directory: a lock file holding the owner's pid and host, created
 * exclusively. A lock whose owner on this host is no longer alive (a killed run) is taken over.
 * Throws InputError naming the directory and the owner when another live run holds it.
 */
function acquireLock(outDir: string): () => void {
  const path = join(outDir, LOCK_FILE);
  const me = JSON.stringify({ pid: process.pid, host: hostname(), started: new Date().toISOString(), id: randomUUID() });
  // This process's start: a lock with our pid written before it is a previous incarnation's (a
  // restarted container gets the same pid), not ours.
  const processStarted = Date.now() - process.uptime() * 1000;
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      // Created atomically: the complete lock appears at once (a reader never sees a torn one).
      const partial = `${path}.${randomUUID()}.tmp`;
      writeFileSync(partial, me);
      try {
        linkSync(partial, path);
      } finally {
        rmSync(partial, { force: true });
      }
      // Released only while it is still ours.
      return () => {
        try {
          if (readFileSync(path, "utf8") === me) rmSync(path, { force: true });
        } catch {
          // Already gone.
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    let text = "";
    let owner: { pid?: unknown; host?: unknown; started?: unknown } = {};
    try {
      text = readFileSync(path, "utf8");
      owner = JSON.parse(text);
    } catch {
      // Unreadable (removed meanwhile, or written by an older optex): try again or treat as stale.
    }
    const started = typeof owner.started === "string" ? Date.parse(owner.started) : Number.NaN;
    const previousIncarnation = owner.pid === process.pid && started < processStarted;
    if (typeof owner.pid === "number" && owner.host === hostname() && processAlive(owner.pid) && !previousIncarnation) {
      throw new InputError(
        `${outDir}: another optex run (pid ${owner.pid}, started ${String(owner.started)}) is writing there; wait for it or use another --out`,
      );
    }
    if (typeof owner.pid === "number" && owner.host !== hostname()) {
      throw new InputError(
        `${outDir}: locked by an optex run on host ${String(owner.host)} (pid ${owner.pid}); if it is dead, remove ${path}`,
      );
    }
    // A dead owner's lock: moved aside atomically (only one taker succeeds) and checked to be the one
    // inspected; a live lock moved by mistake (created meanwhile) is put back.
    const aside = `${path}.${randomUUID()}.stale`;
    try {
      renameSync(path, aside);
    } catch {
      continue;
    }
    const moved = readFileSync(aside, "utf8");
    if (moved !== text) {
      try {
        linkSync(aside, path);
      } catch {
        // Someone holds the path again: the loop reads it.
      }
    }
    rmSync(aside, { force: true });
  }
  throw new InputError(`${outDir}: could not take the run lock ${path}`);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** A run directory's scenario.json, or an InputError naming the file. */
function readRunHeader(path: string): RunHeader {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new InputError(
      `${path}: not readable as JSON (${(error as Error).message.split("\n")[0]}); not an optex run directory, or a torn file`,
    );
  }
  if (
    typeof value !== "object" ||
    value === null ||
    typeof (value as RunHeader).scenario !== "object" ||
    (value as RunHeader).scenario === null
  ) {
    throw new InputError(`${path}: no scenario object; not an optex run directory`);
  }
  return value as RunHeader;
}

/** The first path where two JSON values differ, e.g. "scenario.seed: \"a\" was \"b\"". */
function firstDifference(was: unknown, now: unknown, path = ""): string {
  if (typeof was === "object" && was !== null && typeof now === "object" && now !== null) {
    for (const key of new Set([...Object.keys(was), ...Object.keys(now)])) {
      const a = (was as Record<string, unknown>)[key];
      const b = (now as Record<string, unknown>)[key];
      if (JSON.stringify(a) !== JSON.stringify(b)) return firstDifference(a, b, path ? `${path}.${key}` : key);
    }
  }
  const show = (x: unknown) => (x === undefined ? "absent" : JSON.stringify(x));
  return `${path || "(root)"}: ${show(now)} now, ${show(was)} in ${SCENARIO_FILE}`;
}

/**
 * Runs a scenario's tasks (theory and Monte Carlo per parameter point and mechanism), appending each
 * finished task as one line of outDir/tasks.jsonl, then writes results.json, results.csv,
 * report.md and SVG plots (sweeps) from the tasks sorted by index. Each task's seed depends only on the scenario seed and
 * its index, and no timing enters these files, so they are byte-identical whatever the number of
 * workers, and after a killed run is resumed.
 */
export async function runScenario(s: Scenario, opts: RunOptions): Promise<TaskResult[]> {
  mkdirSync(opts.outDir, { recursive: true });
  const release = acquireLock(opts.outDir);
  try {
    return await runLocked(s, opts);
  } finally {
    release();
  }
}

async function runLocked(s: Scenario, opts: RunOptions): Promise<TaskResult[]> {
  const all = scenarioTasks(s);
  const selected = opts.shard ? all.filter((t) => t.index % opts.shard!.n === opts.shard!.k - 1) : all;
  const tasksPath = join(opts.outDir, TASKS_FILE);
  const scenarioPath = join(opts.outDir, SCENARIO_FILE);
  const header = runHeader(s, opts.shard ?? null);
  const id = runIdentity(s);
  const previous = existsSync(scenarioPath) ? readFileSync(scenarioPath, "utf8") : null;
  if (opts.resume && existsSync(tasksPath)) {
    // Tasks of another scenario, seed, size, shard or results format must not mix with these.
    if (previous !== header) {
      const difference = previous === null ? `no ${SCENARIO_FILE}` : firstDifference(readRunHeader(scenarioPath), JSON.parse(header));
      throw new InputError(
        `${opts.outDir}: --resume needs the run's own scenario, shard and optex results format (${difference}); rerun without --resume or use another --out`,
      );
    }
  } else if (previous !== null && previous !== header && !opts.force) {
    // Another run's finished results must not stay beside a new header, nor be overwritten unasked.
    throw new InputError(
      `${opts.outDir}: holds the results of another run (${firstDifference(readRunHeader(scenarioPath), JSON.parse(header))}); use another --out, or --force to replace them`,
    );
  }
  // The old summaries go first: until this run writes its own, none look current.
  clearOutputs(opts.outDir);
  const done = new Map<number, TaskResult>();
  const selectedByIndex = new Map(selected.map((t) => [t.index, t]));
  if (opts.resume && existsSync(tasksPath)) {
    // Every line is verified and its result rebuilt from the task and its moments; the rest rerun.
    const { results, invalid } = readTaskRecords(tasksPath, id, selectedByIndex);
    for (const [index, r] of results) done.set(index, r);
    opts.onInvalidRecord?.(invalid);
    // Rewritten with the valid records only, so that appends start on a fresh line.
    // Rewritten atomically: a kill during the rewrite leaves the old file, never a truncated one.
    const rewritten = `${tasksPath}.${randomUUID()}.tmp`;
    writeFileSync(rewritten, [...done.values()].map((r) => taskRecord(id, selectedByIndex.get(r.index)!, r)).join(""));
    renameSync(rewritten, tasksPath);
  } else {
    writeFileSync(tasksPath, "");
  }
  writeFileSync(scenarioPath, header);
  const pending = selected.filter((t) => !done.has(t.index));
  let finished = done.size;
  const record = (r: TaskResult) => {
    appendFileSync(tasksPath, taskRecord(id, selectedByIndex.get(r.index)!, r));
    done.set(r.index, r);
    opts.onProgress?.(++finished, selected.length);
  };
  if (opts.workers <= 1 && !opts.pool) {
    for (const t of pending) record(runTask(t));
  } else {
    // Longest tasks first (markets x traders estimates the Monte Carlo's cost), in guided units
    // (see SweepSchedule) fed one per free worker: piscina does not keep submission order before
    // its workers are up. Files do not depend on the order: results are written sorted by task index.
    const cost = (t: ScenarioTask) => (t.markets + 1) * tradersOf(t.params);
    const schedule = new SweepSchedule(
      [...pending].sort((a, b) => cost(b) - cost(a) || a.index - b.index),
      opts.workers,
    );
    // The worker pool is loaded only when a run uses it.
    const { Piscina } = await import("piscina");
    const pool = new Piscina<WorkUnit, WorkUnitResult>({
      filename: workerBundle(),
      maxThreads: opts.workers,
      minThreads: Math.min(opts.workers, schedule.maxUnits),
      execArgv: workerExecArgv(),
    });
    const feed = async (): Promise<void> => {
      for (let next = schedule.next(); next; next = schedule.next()) {
        const outcome = await pool.run(next.unit);
        opts.onUnit?.(outcome.seconds);
        const result = schedule.add(next.slot, outcome);
        if (result) record(result);
      }
    };
    try {
      await Promise.all(Array.from({ length: opts.workers }, feed));
    } finally {
      await pool.destroy();
    }
  }
  const missing = selected.filter((t) => !done.has(t.index)).map((t) => t.index);
  if (missing.length > 0) throw new Error(`tasks ${missing.slice(0, 10).join(", ")} never finished (a bug in the scheduler)`);
  const results = selected.map((t) => done.get(t.index)!);
  await writeOutputs(opts.outDir, s, results);
  return results;
}

/** Parent flags that workers accept and that change what a run prints or resolves; the rest are dropped. */
const WORKER_FLAGS = new Set([
  "--enable-source-maps",
  "--no-warnings",
  "--trace-warnings",
  "--no-deprecation",
  "--trace-deprecation",
  "--throw-deprecation",
  "--pending-deprecation",
  "--trace-uncaught",
]);
const WORKER_FLAGS_WITH_VALUE = new Set(["--conditions", "-C", "--unhandled-rejections"]);

/**
 * The parent's Node options for the workers: an allowlist. The worker bundle is plain CommonJS, so
 * TypeScript loaders (tsx's --require/--import: about 0.15 s per worker per run) are not needed,
 * and Node refuses process-wide flags in workers (--max-old-space-size, --stack-size, ...) while
 * --inspect-brk would stop every worker.
 */
export function workerExecArgv(argv: readonly string[] = process.execArgv): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const eq = a.startsWith("--") ? a.indexOf("=") : -1;
    const flag = eq > 0 ? a.slice(0, eq) : a;
    if (WORKER_FLAGS.has(flag) && eq < 0) out.push(a);
    else if (WORKER_FLAGS_WITH_VALUE.has(flag)) {
      if (eq > 0) out.push(a);
      else if (i + 1 < argv.length) out.push(a, argv[++i]!);
    }
  }
  return out;
}

/** Combines the tasks of shard directories into the files one machine would have written. */
export async function mergeRuns(dirs: readonly string[], outDir: string): Promise<TaskResult[]> {
  if (dirs.length === 0) throw new InputError("merge needs at least one directory");
  const scenarios = dirs.map((d) => {
    const path = join(d, SCENARIO_FILE);
    if (!existsSync(path)) throw new InputError(`${d}: no ${SCENARIO_FILE}; not an optex run directory`);
    const run = readRunHeader(path);
    const format = run.format ?? 1;
    if (format !== RESULTS_FORMAT) {
      const fix = format < RESULTS_FORMAT ? "rerun that shard with this optex" : "merge with the newer optex that wrote it";
      throw new InputError(`${d}: written in optex results format ${format}; this optex merges format ${RESULTS_FORMAT} (${fix})`);
    }
    return run.scenario;
  });
  const s = scenarios[0]!;
  for (const [i, other] of scenarios.entries()) {
    if (JSON.stringify(other) !== JSON.stringify(s))
      throw new InputError(`${dirs[i]}: a different scenario (or seed, or size) than ${dirs[0]}`);
  }
  const all = scenarioTasks(s);
  const tasks = new Map(all.map((t) => [t.index, t]));
  const id = runIdentity(s);
  const byIndex = new Map<number, TaskResult>();
  for (const d of dirs) {
    const { results, invalid } = readTaskRecords(join(d, TASKS_FILE), id, tasks);
    // A shard's record that does not verify is refused, not rerun: merge runs no task.
    if (invalid.length > 0)
      throw new InputError(`${invalid[0]}${invalid.length > 1 ? ` (and ${invalid.length - 1} more)` : ""}; rerun that shard`);
    for (const [index, r] of results) byIndex.set(index, r);
  }
  const missing = all.filter((t) => !byIndex.has(t.index)).map((t) => t.index);
  if (missing.length > 0)
    throw new InputError(
      `merge: tasks ${missing.slice(0, 10).join(", ")}${missing.length > 10 ? ", ..." : ""} are in none of the directories`,
    );
  mkdirSync(outDir, { recursive: true });
  const release = acquireLock(outDir);
  try {
    clearOutputs(outDir);
    const results = all.map((t) => byIndex.get(t.index)!);
    writeFileSync(join(outDir, TASKS_FILE), results.map((r) => taskRecord(id, tasks.get(r.index)!, r)).join(""));
    writeFileSync(join(outDir, SCENARIO_FILE), runHeader(s, null));
    await writeOutputs(outDir, s, results);
    return results;
  } finally {
    release();
  }
}

async function writeOutputs(outDir: string, s: Scenario, results: readonly TaskResult[]): Promise<void> {
  const plots = await scenarioPlots(s, results);
  for (const p of plots) writeFileSync(join(outDir, p.file), p.svg);
  // The moments stay in tasks.jsonl: results.json holds what they give.
  const tasks = results.map(({ moments: _moments, ...rest }) => rest);
  // No null in an output file: what does not exist (no theory, no interval, no verdict) is left out.
  const verdict = scenarioVerdict(results);
  writeFileSync(
    join(outDir, "results.json"),
    `${JSON.stringify({ scenario: s, ...(verdict ? { verdict } : {}), tasks }, withoutNulls, 2)}\n`,
  );
  writeFileSync(join(outDir, "results.csv"), resultsCsv(results, s.model));
  const figures = plots.map((p) => `![${p.title}](${p.file})`).join("\n\n");
  writeFileSync(join(outDir, "report.md"), reportMarkdown(s, results) + (figures ? `\n${figures}\n` : ""));
}

/**
 * The family verdict of a run: every check (theory against a simulated mean) of every task, judged
 * together by Holm's step-down at 1% (valid whatever the dependence between checks), with the count
 * outside the 99% intervals. Null when nothing is checked (theory only).
 */
export function scenarioVerdict(results: readonly TaskResult[]): FamilyVerdict | null {
  const pValues: number[] = [];
  let outside = 0;
  for (const r of results) {
    for (const [q, stats] of Object.entries(r.statistics ?? {})) {
      pValues.push(stats.pValue);
      if (r.agreement?.[q] === false) outside++;
    }
  }
  return pValues.length === 0 ? null : familyVerdict(pValues, outside);
}

/** A parameter's value in one CSV cell or label: lists joined by ";" (rows of a matrix by "|"). */
function valueText(v: ParameterValue | undefined): string {
  if (v === undefined) return "";
  if (Array.isArray(v)) return v.map((x) => (Array.isArray(x) ? x.join(" ") : String(x))).join(";");
  return String(v);
}

const csvCell = (x: number | string | boolean | null | undefined) => {
  if (x === null || x === undefined) return "";
  const text = String(x);
  return /[",;\n]/.test(text) || typeof x === "string" ? `"${text.replace(/"/g, '""')}"` : text;
};

/** Tidy CSV: one row per parameter point, mechanism and quantity; the columns are the model's parameters. */
export function resultsCsv(results: readonly TaskResult[], model: string): string {
  const keys = modelById(model).parameters.map((p) => p.spec.key);
  const header = ["task", ...keys, "mechanism", "quantity", "theory", "simulated", "ci99Low", "ci99High", "theoryInCi99", "status"];
  const rows = [header.join(",")];
  for (const r of results) {
    const base = [
      r.index,
      ...keys.map((k) => (typeof r.params[k] === "number" ? (r.params[k] as number) : valueText(r.params[k]))),
      r.mechanism,
    ];
    const row = (...cells: (number | string | boolean | null | undefined)[]) => rows.push([...base, ...cells].map(csvCell).join(","));
    if (r.status !== "ok") {
      row("", "", "", "", "", "", r.status);
      continue;
    }
    for (const [name, value] of Object.entries(r.values ?? {})) row(name, value, "", "", "", "", r.status);
    for (const q of Object.keys(r.labels ?? {})) {
      const sim = r.simulated?.[q];
      row(q, r.theory?.[q], sim?.mean, sim?.ci99?.[0], sim?.ci99?.[1], r.agreement?.[q], r.status);
    }
  }
  return `${rows.join("\n")}\n`;
}

function reportMarkdown(s: Scenario, results: readonly TaskResult[]): string {
  const model = modelById(s.model);
  const environment = Object.entries(s.environment)
    .filter(([k]) => s.sweep[k] === undefined)
    .map(([k, v]) => `${k} = ${valueText(v)}`)
    .join(", ");
  const sweep = Object.entries(s.sweep)
    .map(([k, vs]) => `${k} in {${vs.map(valueText).join(", ")}}`)
    .join("; ");
  const simulated = results.some((r) => r.monteCarlo);
  const lines = [
    `# ${s.id}${s.title ? `: ${s.title}` : ""}`,
    "",
    s.paper ? `Reproduces: ${s.paper} of Optimal Exchange Design.` : "",
    s.description,
    "",
    // The comparison with the paper's figure or result, when the scenario has one, before the numbers.
    ...(s.againstPaper?.trim() ? ["## Against the paper", "", s.againstPaper.trim(), "", "## This run", ""] : []),
    `Model: ${model.title}. Parameters: ${environment || "(all swept)"}${sweep ? `; swept: ${sweep}` : ""}. Mechanisms: ${s.mechanisms.join(", ")}.`,
    simulated
      ? `Monte Carlo: ${s.markets} markets per task, seed "${s.seed}" (task i uses "${s.seed}/task-i"); optex 0.1.0.`
      : "Theory only (optex 0.1.0).",
    "",
  ];
  const rows: string[][] = [];
  let checks = 0;
  let failures = 0;
  for (const r of results) {
    const p = paramsLabel(r, s);
    if (r.status !== "ok") {
      rows.push([String(r.index), p, r.mechanism, "-", "-", "-", "-", r.reason ?? r.status]);
      continue;
    }
    // Rounding noise of an exact 0 prints as 0, judged against the task's other numbers.
    const valueScale = Math.max(0, ...Object.values(r.values ?? {}).map((x) => Math.abs(x ?? 0)));
    const theoryScale = Math.max(0, ...Object.values(r.theory ?? {}).map((x) => Math.abs(x)));
    for (const [name, value] of Object.entries(r.values ?? {}))
      rows.push([String(r.index), p, r.mechanism, name, fmtAt(value, valueScale), "-", "-", "-"]);
    for (const q of Object.keys(r.labels ?? {})) {
      const sim = r.simulated?.[q];
      const ok = r.agreement?.[q];
      if (ok !== null && ok !== undefined) {
        checks++;
        if (!ok) failures++;
      }
      const rounding = r.withinRounding?.[q];
      const verdict =
        ok === null || ok === undefined ? "-" : !ok ? "FAIL" : rounding !== undefined ? `pass (rounding ${fmt(rounding)})` : "pass";
      const theory = r.theory?.[q];
      const stats = r.statistics?.[q];
      rows.push([
        String(r.index),
        p,
        r.mechanism,
        r.labels![q]!,
        theory === undefined ? "-" : fmtAt(theory, theoryScale),
        sim ? fmt(sim.mean) : "-",
        sim?.ci99 ? `[${fmt(sim.ci99[0])}, ${fmt(sim.ci99[1])}]` : "-",
        verdict,
        stats ? zText(stats.z) : "-",
        stats ? pText(stats.pValue) : "-",
      ]);
    }
  }
  const header = ["task", "parameters", "mechanism", "quantity", "theory", "simulated", "99% interval", "theory in 99% CI", "z", "p"];
  // A theory-only run prints no empty simulation columns.
  const width = simulated ? header.length : 5;
  const padded = rows.map((row) => [...row, ...Array<string>(Math.max(0, header.length - row.length)).fill("-")]);
  lines.push(
    "```text",
    table(
      header.slice(0, width),
      padded.map((row) => (simulated || row[7] === "-" ? row.slice(0, width) : [...row.slice(0, 4), row[7]!])),
    ),
    "```",
    "",
  );
  const own = model.reportSection?.(s, results);
  if (own) lines.push(own, "");
  const ranking = rankingTable(results, s);
  if (ranking)
    lines.push(
      "Ranking of the mechanisms at each parameter point (theory; revenue and gain: higher is better; holding cost: lower is better):",
      "",
      "```text",
      ranking,
      "```",
      "",
    );
  const family = scenarioVerdict(results);
  if (family) {
    lines.push(
      `${checks - failures} of ${checks} checks have the theory inside the simulated 99% interval; about ${(0.01 * checks).toFixed(1)} outside are expected by chance (probability of ${family.outside} or more, were the checks independent: ${pText(family.binomialPValue)}).`,
      `Verdict for the family: ${family.consistent ? "consistent with the theory" : "INCONSISTENT with the theory"} (Holm's step-down at 1% over the ${family.checks} p-values; family-wise p = ${pText(family.familyWisePValue)}). A wrong formula is rejected on every seed; a correct one is rejected in at most 1% of seeds.`,
      "",
    );
  }
  if (results.some((r) => Object.keys(r.withinRounding ?? {}).length > 0)) {
    lines.push(
      "pass (rounding x): the theory lies outside the 99% interval by less than x, the floating-point resolution of that quantity.",
      "",
    );
  }
  const simulatedMarkets = results.flatMap((r) => (r.monteCarlo ? [r.monteCarlo] : []));
  if (simulatedMarkets.length > 0) {
    const total = simulatedMarkets.reduce((a, m) => a + m.markets, 0);
    const noTrade = simulatedMarkets.reduce((a, m) => a + m.noTradeMarkets, 0);
    const imbalance = Math.max(...simulatedMarkets.map((m) => m.worstExchangeImbalance));
    lines.push(
      `Markets simulated: ${total}; without a unique clearing price (no trade, no transfer): ${noTrade}; largest exchange imbalance |sum X_i| / (1 + sum |X_i|): ${fmt(imbalance)}.`,
      "",
    );
  }
  return lines.filter((l, i, a) => !(l === "" && a[i - 1] === "")).join("\n");
}

/** A p-value at a readable precision. */
function pText(p: number): string {
  return p >= 0.001 ? p.toFixed(3) : p.toExponential(1);
}

/** For scenarios comparing several mechanisms: who wins on revenue, efficiency and traders' gain (per trader, where reported). */
function rankingTable(results: readonly TaskResult[], s: Scenario): string | null {
  const groups = new Map<string, TaskResult[]>();
  for (const r of results) {
    if (r.status !== "ok" || !r.theory) continue;
    const key = paramsLabel(r, s);
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const rows: string[][] = [];
  for (const [key, group] of groups) {
    const order = (q: string, higher: boolean) => {
      const members = group.filter((r) => r.theory![q] !== undefined);
      if (members.length < 2) return null;
      const sorted = [...members].sort(
        (a, b) => (higher ? b.theory![q]! - a.theory![q]! : a.theory![q]! - b.theory![q]!) || a.index - b.index,
      );
      const scale = Math.max(...members.map((r) => Math.abs(r.theory![q]!)));
      // Values equal up to rounding (e.g. the first best's and the plain auction's zero revenue) tie.
      return sorted
        .map((r, i) => (i === 0 ? "" : Math.abs(r.theory![q]! - sorted[i - 1]!.theory![q]!) <= 1e-9 * scale ? " = " : " > ") + r.mechanism)
        .join("");
    };
    const cells = [order("revenuePerTrader", true), order("holdingCostPerTrader", false), order("utilityGainPerTrader", true)];
    if (cells.every((c) => c === null)) continue;
    rows.push([key, ...cells.map((c) => c ?? "-")]);
  }
  return rows.length > 0 ? table(["parameters", "revenue", "efficiency (holding cost)", "traders' gain"], rows) : null;
}

/** The swept parameters of a task, for the report's tables ("environment" when nothing is swept). */
function paramsLabel(r: TaskResult, s: Scenario): string {
  const swept = Object.keys(s.sweep);
  return swept.map((k) => `${k}=${valueText(r.params[k])}`).join(" ") || "environment";
}

/** JSON.stringify replacer: object properties whose value is null are left out (array entries stay). */
function withoutNulls(this: unknown, key: string, value: unknown): unknown {
  return value === null && key !== "" && !Array.isArray(this) ? undefined : value;
}

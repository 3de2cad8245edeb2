import { createHash, randomUUID } from "node:crypto";
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

let cached: string | undefined;

/** Bundles older than this are deleted after a build (another checkout's or an old source's). */
const STALE_MS = 24 * 3600 * 1000;

/**
 * The task worker bundled into one CommonJS file with esbuild, so worker threads start in tens of
 * milliseconds instead of loading a TypeScript loader and the module graph in each thread. Workers
 * run only this bundle, so it is keyed by everything it is built from: the packages' sources (not
 * tests), their package.json files, the tsconfig files, the lockfile and esbuild's version.
 * Building takes about 0.4 s; the bundle is kept in node_modules/.cache/optex (or a private
 * temporary directory) and memoised in the process.
 */
export function workerBundle(): string {
  if (cached && existsSync(cached)) return cached;
  // The installed package (built JavaScript): workers run its compiled dist/sweeps/taskWorker.js,
  // found from dist/sweeps/ (the compiled modules) or dist/bin/ (the bundled optex command).
  const here = fileURLToPath(import.meta.url);
  if (!process.env.OPTEX_SOURCE_ROOT && here.endsWith(".js")) {
    for (const built of [join(dirname(here), "taskWorker.js"), join(dirname(here), "..", "sweeps", "taskWorker.js")])
      if (existsSync(built)) return (cached = built);
  }
  // From the sources: esbuild is a development dependency, loaded only here.
  const { buildSync, version: esbuildVersion } = createRequire(import.meta.url)("esbuild") as typeof import("esbuild");
  // The CLI may run bundled from a cache directory: its launcher says where the sources are.
  const entry = process.env.OPTEX_SOURCE_ROOT
    ? join(process.env.OPTEX_SOURCE_ROOT, "packages", "scenarios", "src", "sweeps", "taskWorker.ts")
    : fileURLToPath(new URL("./taskWorker.ts", import.meta.url));
  const packages = dirname(dirname(dirname(dirname(entry))));
  const root = dirname(packages);
  const key = createHash("sha256").update(`esbuild ${esbuildVersion};`);
  for (const file of ["pnpm-lock.yaml", "tsconfig.json", "tsconfig.base.json"]) hashFile(join(root, file), file, key);
  for (const pkg of readdirSync(packages).sort()) {
    hashFile(join(packages, pkg, "package.json"), `${pkg}/package.json`, key);
    hashSources(join(packages, pkg, "src"), `${pkg}/src/`, key);
  }
  const name = `task-worker-${key.digest("hex").slice(0, 24)}.cjs`;
  const projectCache = join(root, "node_modules", ".cache", "optex");
  // An existing bundle is used wherever it is, even from a read-only install.
  for (const dir of [projectCache, privateTemporaryDirectory(false)]) {
    if (dir && existsSync(join(dir, name))) return (cached = join(dir, name));
  }
  const dir = writableDirectory(projectCache) ?? privateTemporaryDirectory(true)!;
  const path = join(dir, name);
  const out = buildSync({
    entryPoints: [entry],
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    write: false,
    logLevel: "silent",
  });
  // Write under a unique name, then rename: concurrent runs (other processes, other hosts sharing
  // the checkout) never see half a file.
  const partial = `${path}.${randomUUID()}.tmp`;
  writeFileSync(partial, out.outputFiles[0]!.contents);
  renameSync(partial, path);
  removeStale(dir, name);
  return (cached = path);
}

function hashFile(path: string, label: string, key: ReturnType<typeof createHash>): void {
  if (existsSync(path)) key.update(`${label}\0`).update(readFileSync(path)).update("\0");
}

/** Source files under dir (recursively, sorted): .ts and .json, not tests, not dotfiles, no symlinks. */
function hashSources(dir: string, prefix: string, key: ReturnType<typeof createHash>): void {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (entry.name.startsWith(".")) continue;
    if (entry.isDirectory()) hashSources(join(dir, entry.name), `${prefix}${entry.name}/`, key);
    else if (entry.isFile() && /\.(ts|json)$/.test(entry.name) && !/\.test\.ts$/.test(entry.name))
      hashFile(join(dir, entry.name), `${prefix}${entry.name}`, key);
  }
}

/** dir, created if need be, when this process can write in it; else undefined. */
function writableDirectory(dir: string): string | undefined {
  if (!existsSync(dirname(dirname(dir)))) return undefined; // no node_modules
  try {
    mkdirSync(dir, { recursive: true });
    const probe = join(dir, `.probe-${randomUUID()}`);
    writeFileSync(probe, "");
    rmSync(probe);
    return dir;
  } catch {
    return undefined; // a read-only install
  }
}

/**
 * A directory of this user's in the temporary directory that no one else can write (a bundle
 * there is code the workers run): created when `create`, else undefined if absent. Throws if it
 * exists but is a symlink, another user's, or writable by others.
 */
function privateTemporaryDirectory(create: boolean): string | undefined {
  const uid = process.getuid?.();
  const dir = join(tmpdir(), `optex-${uid ?? "user"}`);
  if (!existsSync(dir)) {
    if (!create) return undefined;
    mkdirSync(dir, { mode: 0o700 });
  }
  const stat = lstatSync(dir);
  // Ownership and modes are POSIX notions: on Windows the temporary directory is per user already.
  const unsafe = !stat.isDirectory() || (uid !== undefined && (stat.uid !== uid || (stat.mode & 0o022) !== 0));
  if (unsafe)
    throw new Error(
      `${dir} is not a private directory of this user (owner ${stat.uid}, mode ${(stat.mode & 0o777).toString(8)}); remove it`,
    );
  return dir;
}

/** Deletes bundles (and torn partial files) other than `keep` older than a day: caches do not grow without end. */
function removeStale(dir: string, keep: string): void {
  const now = Date.now();
  for (const name of readdirSync(dir)) {
    if (name === keep || !name.startsWith("task-worker-")) continue;
    try {
      if (now - statSync(join(dir, name)).mtimeMs > STALE_MS) rmSync(join(dir, name), { force: true });
    } catch {
      // Removed by another process meanwhile.
    }
  }
}

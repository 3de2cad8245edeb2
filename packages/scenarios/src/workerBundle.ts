import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildSync, version as esbuildVersion } from "esbuild";

let cached: string | undefined;

/**
 * The task worker bundled into one CommonJS file with esbuild, so worker threads start in tens of
 * milliseconds instead of loading a TypeScript loader and the module graph in each thread. Workers
 * run only this bundle, so it is keyed by everything it is built from: the contents of every
 * source file, the lockfile (dependencies) and esbuild's version. Building takes about 0.4 s; the
 * bundle is kept in node_modules/.cache/optex (or a private temporary directory) and memoised.
 */
export function workerBundle(): string {
  if (cached && existsSync(cached)) return cached;
  const entry = fileURLToPath(new URL("./taskWorker.ts", import.meta.url));
  const packages = dirname(dirname(dirname(entry)));
  const root = dirname(packages);
  const key = createHash("sha256").update(`esbuild ${esbuildVersion};`);
  const lockfile = join(root, "pnpm-lock.yaml");
  if (existsSync(lockfile)) key.update(readFileSync(lockfile));
  for (const pkg of readdirSync(packages).sort()) hashTree(join(packages, pkg, "src"), `${pkg}/`, key);
  const dir = cacheDirectory(root);
  const path = join(dir, `task-worker-${key.digest("hex").slice(0, 24)}.cjs`);
  if (!existsSync(path)) {
    const out = buildSync({ entryPoints: [entry], bundle: true, platform: "node", format: "cjs", target: "node20", write: false, logLevel: "silent" });
    // Write under a unique name, then rename: concurrent runs never see half a file.
    const partial = `${path}.${process.pid}.tmp`;
    writeFileSync(partial, out.outputFiles[0]!.contents);
    renameSync(partial, path);
  }
  cached = path;
  return path;
}

/** Every file under dir (recursively, in sorted order): its relative path and its contents. */
function hashTree(dir: string, prefix: string, key: ReturnType<typeof createHash>): void {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) hashTree(path, `${prefix}${name}/`, key);
    else key.update(`${prefix}${name}\0`).update(readFileSync(path)).update("\0");
  }
}

/**
 * The project's node_modules/.cache/optex when it can be written, else a directory of this user's
 * in the temporary directory that no one else can write (checked: a bundle there is code workers run).
 */
function cacheDirectory(root: string): string {
  const modules = join(root, "node_modules");
  if (existsSync(modules)) {
    const dir = join(modules, ".cache", "optex");
    try {
      mkdirSync(dir, { recursive: true });
      const probe = join(dir, `.probe-${process.pid}`);
      writeFileSync(probe, "");
      renameSync(probe, join(dir, ".writable"));
      return dir;
    } catch {
      // Read-only install: fall through.
    }
  }
  const uid = process.getuid?.() ?? 0;
  const dir = join(tmpdir(), `optex-${uid}`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const stat = statSync(dir);
  if (stat.uid !== uid || (stat.mode & 0o022) !== 0) throw new Error(`${dir} is not private to this user (owner ${stat.uid}, mode ${(stat.mode & 0o777).toString(8)}); remove it`);
  return dir;
}

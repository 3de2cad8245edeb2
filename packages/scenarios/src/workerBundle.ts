import { createHash } from "node:crypto";
import { existsSync, readdirSync, renameSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildSync } from "esbuild";

let cached: string | undefined;

/**
 * The task worker bundled into one CommonJS file with esbuild, so worker threads start in tens of
 * milliseconds instead of loading a TypeScript loader and the module graph in each thread. The
 * bundle is kept in the temporary directory under a key made of the sources' paths, sizes and
 * modification times (building takes about 0.4 s), and memoised in the process.
 */
export function workerBundle(): string {
  if (cached && existsSync(cached)) return cached;
  const entry = fileURLToPath(new URL("./taskWorker.ts", import.meta.url));
  const packages = dirname(dirname(dirname(entry)));
  const key = createHash("sha256");
  for (const pkg of readdirSync(packages).sort()) {
    const src = join(packages, pkg, "src");
    if (!existsSync(src)) continue;
    for (const file of readdirSync(src).sort()) {
      const stat = statSync(join(src, file));
      key.update(`${pkg}/${file}:${stat.size}:${stat.mtimeMs};`);
    }
  }
  const path = join(tmpdir(), `optex-task-worker-${key.digest("hex").slice(0, 16)}.cjs`);
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

#!/usr/bin/env node
// The optex command. It runs the CLI bundled into one JavaScript file (esbuild), so a command starts
// without compiling TypeScript: the bundle is rebuilt when anything it is built from changes (keyed
// by a hash of the sources, package files, tsconfig files, lockfile and this launcher) and kept in
// packages/scenarios/node_modules/.cache/optex-cli, where the dependencies left out of it (loaded
// only when used: plots, the worker pool) resolve.
import { createHash, randomUUID } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const scenarios = dirname(dirname(fileURLToPath(import.meta.url)));
const packages = dirname(scenarios);
const root = dirname(packages);

const key = createHash("sha256");
const add = (path, label) => {
  if (existsSync(path)) key.update(`${label}\0`).update(readFileSync(path)).update("\0");
};
const addSources = (dir, prefix) => {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (entry.name.startsWith(".")) continue;
    if (entry.isDirectory()) addSources(join(dir, entry.name), `${prefix}${entry.name}/`);
    else if (entry.isFile() && /\.(ts|json)$/.test(entry.name) && !/\.test\.ts$/.test(entry.name))
      add(join(dir, entry.name), `${prefix}${entry.name}`);
  }
};
add(fileURLToPath(import.meta.url), "launcher");
for (const file of ["pnpm-lock.yaml", "tsconfig.json", "tsconfig.base.json"]) add(join(root, file), file);
for (const pkg of readdirSync(packages).sort()) {
  add(join(packages, pkg, "package.json"), `${pkg}/package.json`);
  addSources(join(packages, pkg, "src"), `${pkg}/src/`);
}
const dir = join(scenarios, "node_modules", ".cache", "optex-cli");
const bundle = join(dir, `optex-${key.digest("hex").slice(0, 24)}.mjs`);

if (!existsSync(bundle)) {
  const { buildSync } = await import("esbuild");
  const out = buildSync({
    entryPoints: [join(scenarios, "src", "cli", "optex.ts")],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    write: false,
    logLevel: "silent",
    // Loaded on demand from packages/scenarios/node_modules (or native: esbuild; or threads: pino).
    external: ["vega", "vega-lite", "piscina", "esbuild", "pino"],
    banner: { js: 'import { createRequire as __optexRequire } from "node:module"; const require = __optexRequire(import.meta.url);' },
  });
  mkdirSync(dir, { recursive: true });
  // Written under a unique name and renamed: a concurrent start never reads half a file.
  const partial = `${bundle}.${randomUUID()}.tmp`;
  writeFileSync(partial, out.outputFiles[0].contents);
  renameSync(partial, bundle);
  for (const name of readdirSync(dir)) if (join(dir, name) !== bundle) rmSync(join(dir, name), { force: true });
}

// The bundle runs from the cache: where the sources are (the worker pool bundles its own entry).
process.env.OPTEX_SOURCE_ROOT = root;
await import(pathToFileURL(bundle).href);

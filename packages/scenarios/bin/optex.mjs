#!/usr/bin/env node
// The optex command. It runs the CLI bundled into one JavaScript file (esbuild), so a command starts
// without compiling TypeScript: the bundle is rebuilt when anything it is built from changes (keyed
// by a hash of the sources, package files, tsconfig files, lockfile and this launcher) and kept in
// packages/scenarios/node_modules/.cache/optex-cli, where the dependencies left out of it (loaded
// only when used: plots, the worker pool) resolve.
import { createHash, randomUUID } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { cliBundleOptions } from "./cliBundle.mjs";

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
add(join(scenarios, "bin", "cliBundle.mjs"), "bundle options");
for (const file of ["pnpm-lock.yaml", "tsconfig.json", "tsconfig.base.json"]) add(join(root, file), file);
for (const pkg of readdirSync(packages).sort()) {
  add(join(packages, pkg, "package.json"), `${pkg}/package.json`);
  addSources(join(packages, pkg, "src"), `${pkg}/src/`);
}
const dir = join(scenarios, "node_modules", ".cache", "optex-cli");
const bundle = join(dir, `optex-${key.digest("hex").slice(0, 24)}.mjs`);

if (!existsSync(bundle)) {
  const { buildSync } = await import("esbuild");
  const out = buildSync({ ...cliBundleOptions(scenarios), write: false });
  // Written under a unique name and renamed: a concurrent start never reads half a file.
  const partial = `${bundle}.${randomUUID()}.tmp`;
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(partial, out.outputFiles[0].contents);
    renameSync(partial, bundle);
  } catch (error) {
    rmSync(partial, { force: true });
    // Another start may have renamed the same bundle first; anything else is a checkout we cannot write.
    if (!existsSync(bundle)) {
      console.error(
        `optex: cannot write the command's bundle in ${dir} (${error.code ?? error.message}); run \`pnpm build\` and use packages/scenarios/dist/bin/optex.js`,
      );
      process.exit(1);
    }
  }
  // Old bundles (other sources) and torn partial files go; recent ones may be another process's, just written.
  const old = Date.now() - 3600 * 1000;
  for (const name of readdirSync(dir)) {
    if (join(dir, name) === bundle || !/^optex-[0-9a-f]{24}\.mjs(\..*\.tmp)?$/.test(name)) continue;
    try {
      if (statSync(join(dir, name)).mtimeMs < old) rmSync(join(dir, name), { force: true });
    } catch {
      // Removed by another process meanwhile.
    }
  }
}

// The bundle runs from the cache: where the sources are (the worker pool bundles its own entry).
process.env.OPTEX_SOURCE_ROOT = root;
await import(pathToFileURL(bundle).href);

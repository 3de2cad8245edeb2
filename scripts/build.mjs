#!/usr/bin/env node
// Builds every @optex package's dist/ (ESM JavaScript, .d.ts types, maps) with tsc, in dependency
// order: a package's build reads the built types of the packages it imports (tsconfig.build.json).
// Usage: node scripts/build.mjs (from anywhere); `pnpm build` runs it.
import { spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const BUILD_ORDER = ["numerics", "engine", "theory", "fees", "agents", "scenarios"];

const root = dirname(dirname(fileURLToPath(import.meta.url)));
// The compiler from the root devDependencies (its package exports no bin path, so found by its manifest).
const tsc = join(dirname(createRequire(join(root, "package.json")).resolve("typescript/package.json")), "bin", "tsc");

for (const name of BUILD_ORDER) {
  const dir = join(root, "packages", name);
  rmSync(join(dir, "dist"), { recursive: true, force: true });
  copyFileSync(join(root, "LICENSE"), join(dir, "LICENSE"));
  const r = spawnSync(process.execPath, [tsc, "-p", join(dir, "tsconfig.build.json")], { stdio: "inherit" });
  if (r.status !== 0) {
    console.error(`build: @optex/${name} failed (tsc exit ${r.status ?? r.signal})`);
    process.exit(1);
  }
}
// The package's bin: the CLI bundled into one file (starts in a quarter of the time of the
// compiled modules it is made of). Its worker pool runs the compiled dist/sweeps/taskWorker.js.
const scenarios = join(root, "packages", "scenarios");
const { buildSync } = createRequire(join(scenarios, "package.json"))("esbuild");
const { cliBundleOptions } = await import(pathToFileURL(join(scenarios, "bin", "cliBundle.mjs")).href);
const bin = join(scenarios, "dist", "bin", "optex.js");
buildSync({ ...cliBundleOptions(scenarios), outfile: bin });
chmodSync(bin, 0o755);

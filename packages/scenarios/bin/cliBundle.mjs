// How the optex CLI is bundled into one JavaScript file with esbuild, shared by the development
// launcher (bin/optex.mjs, bundling into a cache on first start) and the package build
// (scripts/build.mjs, bundling into dist/bin/optex.js): a command starts without loading some
// hundreds of modules. Left out, and loaded from the package's dependencies only when used: plots
// (vega, vega-lite), the worker pool (piscina), pino (its transports run in threads) and esbuild
// (native; the worker bundle of a development checkout) and HiGHS (WebAssembly, found next to its
// loader: optex design).
import { join } from "node:path";

/** esbuild options that bundle src/cli/optex.ts of the scenarios package at `scenariosDir`. */
export function cliBundleOptions(scenariosDir) {
  return {
    entryPoints: [join(scenariosDir, "src", "cli", "optex.ts")],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    logLevel: "silent",
    external: ["vega", "vega-lite", "piscina", "esbuild", "pino", "highs"],
    // CommonJS dependencies bundled into an ES module call require().
    banner: { js: 'import { createRequire as __optexRequire } from "node:module"; const require = __optexRequire(import.meta.url);' },
  };
}

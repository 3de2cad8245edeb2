#!/usr/bin/env node
// Entry point of `pnpm optex`.
import { main } from "./cli.ts";

// `optex ... | head` closes the pipe early: end quietly, as other command-line tools do.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw error;
  });
}

// `pnpm optex ...` runs this script from the repository's root: paths on the command line and the
// default out/ are the user's, so work where pnpm was invoked.
if (process.env.npm_lifecycle_event === "optex" && process.env.INIT_CWD) process.chdir(process.env.INIT_CWD);

process.exitCode = await main(process.argv.slice(2));

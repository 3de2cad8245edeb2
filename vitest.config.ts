import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["packages/*/src/**/*.test.ts", "test/**/*.test.ts"],
    // Monte Carlo tests are CPU bound; two cores on the reference machine. Vitest's default in a
    // run is one worker fewer than the cores (one worker here): the main process is idle while
    // tests run, so every core gets a worker.
    pool: "forks",
    maxWorkers: Math.max(1, availableParallelism()),
    testTimeout: 60_000,
    // Monte Carlo fixtures built in beforeAll take seconds on a loaded 2-core machine.
    hookTimeout: 60_000,
  },
});

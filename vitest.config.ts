import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["packages/*/src/**/*.test.ts", "test/**/*.test.ts"],
    // Monte Carlo tests are CPU bound; two cores on the reference machine.
    pool: "forks",
    testTimeout: 60_000,
  },
});

import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "hub-app/test/**/*.test.ts"],
    // Pulumi keeps its mock runtime in process globals: one process per test file keeps files apart.
    pool: "forks",
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});

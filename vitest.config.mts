import { defineConfig } from "vitest/config";

/** Tests that meet a real peer; they share what a global setup starts (docs/testing.md). */
const REAL_KUBERNETES = [
  "test/kubernetes/real/**/*.test.ts",
  "hub-app/test/kubernetes/real/**/*.test.ts",
  "test/study/real/**/*.test.ts",
];

export default defineConfig({
  test: {
    // Pulumi keeps its mock runtime in process globals: one process per test file keeps files apart.
    pool: "forks",
    testTimeout: 60_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["test/**/*.test.ts", "hub-app/test/**/*.test.ts", "policy/test/**/*.test.ts"],
          exclude: ["**/node_modules/**", ...REAL_KUBERNETES],
        },
      },
      {
        extends: true,
        test: {
          name: "real-kubernetes",
          include: REAL_KUBERNETES,
          // One cluster per run, started only when a file of this project runs; first use builds it from Go.
          globalSetup: ["test/kubernetes/real/global-setup.ts"],
        },
      },
    ],
  },
});

import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // The JSON report feeds the plain "N passed, N failed" line that .ci/run prints.
    reporters: ["default", ["json", { outputFile: ".tmp/vitest-report.json" }]],
    testTimeout: 30_000,
    // Two test files at a time (vitest's default on two cores is one). The real-Odoo files spend
    // most of their time waiting on Odoo's HTTP tests and PostgreSQL, so a second file fills the
    // idle core (CI has two cores and 90 minutes). Within a file, tests run as the file says.
    maxWorkers: 2,
    hookTimeout: 60_000,
  },
});

// Prints the plain closing line CI reads: "N passed, N failed, N skipped", after the run's
// wall time and its slowest test files (what to look at when CI nears its time limit).
import { readFileSync } from "node:fs";

const file = process.argv[2] ?? ".tmp/vitest-report.json";
let report;
try {
  report = JSON.parse(readFileSync(file, "utf8"));
} catch {
  console.log("0 passed, 1 failed");
  console.error(`summarize-tests: no test report at ${file} (did the test run crash?)`);
  process.exit(0);
}
// A test file that fails before any of its tests runs (an import error) counts as one failure.
const brokenFiles = report.testResults.filter((file) => file.status === "failed" && file.assertionResults.length === 0);
const failed = report.numFailedTests + brokenFiles.length;
const skipped = report.numPendingTests + report.numTodoTests;
const seconds = (ms) => Math.round(ms / 1000);
const files = report.testResults
  .map((file) => ({ name: file.name.replace(/^.*?\/test\//, "test/"), ms: file.endTime - file.startTime }))
  .sort((a, b) => b.ms - a.ms);
const ends = report.testResults.map((file) => file.endTime).filter(Number.isFinite);
if (ends.length > 0) console.log(`tests took ${seconds(Math.max(...ends) - report.startTime)} s; slowest files:`);
for (const file of files.slice(0, 10)) console.log(`  ${String(seconds(file.ms)).padStart(5)} s  ${file.name}`);
console.log(`${report.numPassedTests} passed, ${failed} failed, ${skipped} skipped`);

// `npm run bench` (builds first): runs the benchmarks of issue 8 and writes bench/RESULTS.md.
// Benchmark 1 (generation) is measured here; 2 (per-request cost) and 3 (verify) are not yet.
//   BENCH_RUNS=N   runs per command after the warm-up round (default 15)
//   BENCH_OUT=F    where to write the results (default bench/RESULTS.md)
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { REPO_ROOT } from "../test/support/examples.js";
import { benchGenerate, RUNS, type Timing } from "./generate.js";

/** Issue 8, benchmark 1: all four series of one policy in under 0.25 s, at most 4.5× `node -e 0`. */
const TARGET_SECONDS = 0.25;
const TARGET_RATIO = 4.5;
/** `node -e 0` on the quiet machine of issue 8, to put a ratio measured under load into perspective. */
const QUIET_FLOOR_SECONDS = 0.056;

function cpuModel(): string {
  try {
    const line = readFileSync("/proc/cpuinfo", "utf8")
      .split("\n")
      .find((l) => l.startsWith("model name"));
    if (line) return line.slice(line.indexOf(":") + 1).trim();
  } catch {
    // not Linux
  }
  return os.cpus()[0]?.model ?? "unknown";
}

function nproc(): string {
  try {
    return execFileSync("nproc", { encoding: "utf8" }).trim();
  } catch {
    return String(os.availableParallelism());
  }
}

function gitRevision(): string {
  try {
    const rev = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: REPO_ROOT, encoding: "utf8" }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--", "src", "templates", "scripts", "bench"], { cwd: REPO_ROOT, encoding: "utf8" }).trim();
    return dirty ? `${rev} (with uncommitted changes)` : rev;
  } catch {
    return "unknown";
  }
}

const load = () => os.loadavg().map((n) => n.toFixed(2)).join(", ");
const ms = (seconds: number) => `${Math.round(seconds * 1000)} ms`;

function generationTable(timings: Timing[]): { table: string; verdict: string[] } {
  const floor = timings.find((t) => t.floor)!;
  const rows = timings.map((t) => {
    const ratio = t.medianSeconds / floor.medianSeconds;
    let target = "";
    if (t.example) {
      const fast = t.medianSeconds < TARGET_SECONDS;
      const near = ratio <= TARGET_RATIO;
      target = `${fast ? "✔" : "✘"} < 0.25 s, ${near ? "✔" : "✘"} ≤ 4.5×`;
    }
    return `| ${t.what} | ${ms(t.medianSeconds)} | ${ms(t.minSeconds)} | ${ms(t.maxSeconds)} | ${ratio.toFixed(2)}× | ${target} |`;
  });
  const verdict = timings
    .filter((t) => t.example)
    .map((t) => {
      const ratio = t.medianSeconds / floor.medianSeconds;
      const quiet = Math.round(ratio * QUIET_FLOOR_SECONDS * 1000);
      return `${t.example}: ${ms(t.medianSeconds)} (${ratio.toFixed(2)}× node -e 0): ${t.medianSeconds < TARGET_SECONDS ? "under" : "OVER"} 0.25 s, ${ratio <= TARGET_RATIO ? "within" : "OVER"} 4.5× (at the issue's quiet-machine floor of 56 ms this ratio would be ≈ ${quiet} ms, an estimate, not a measurement)`;
    });
  return {
    table: [
      "| Command | Median | Min | Max | Median ÷ `node -e 0` | Target |",
      "|---|---:|---:|---:|---:|---|",
      ...rows,
    ].join("\n"),
    verdict,
  };
}

/** When `node -e 0` alone is slow here, the two targets cannot both hold: say so. */
function floorNote(timings: Timing[]): string {
  const floor = timings.find((t) => t.floor)!.medianSeconds;
  if (floor * TARGET_RATIO <= TARGET_SECONDS) return "";
  return `\n\`node -e 0\` takes ${ms(floor)} here (the issue measured 56 ms): at this floor even a tool within 4.5× needs up to ${ms(floor * TARGET_RATIO)}, so the 0.25 s target can only be checked on a faster (or quieter) machine; the ratio is the figure that carries over.\n`;
}

const started = new Date();
const loadStart = load();
console.error(`benchmark 1: ${RUNS} runs per command after a warm-up round (load average ${loadStart}) …`);
const timings = benchGenerate();
const loadEnd = load();
const { table, verdict } = generationTable(timings);
const busy = Math.max(...os.loadavg().slice(0, 1), Number(loadStart.split(",")[0])) > Number(nproc()) * 0.5;

const results = `# Benchmarks (issue 8)

Written by \`npm run bench\` (bench/run.ts); rerun it to refresh this file. Timings are wall-clock
times of whole fresh processes, as a user runs them.

## Machine

| | |
|---|---|
| Date | ${started.toISOString().replace(/\.\d+Z$/, "Z")} |
| CPUs (\`nproc\`) | ${nproc()} |
| CPU model (/proc/cpuinfo) | ${cpuModel()} |
| Node | ${process.version} |
| OS | ${os.type()} ${os.release()} |
| Load average (1, 5, 15 min) at start | ${loadStart} |
| Load average (1, 5, 15 min) at end | ${loadEnd} |
| Revision | ${gitRevision()} |
${busy ? "\n**The machine was busy** (load average above half the CPUs): absolute times are inflated; the\nratios to `node -e 0`, measured in the same rounds, are the comparable figures. Rerun when `uptime`\nshows a low load to check the 0.25 s target.\n" : ""}
## 1. Generation: \`odoo-2fa generate EXAMPLE --odoo all\`

All four series (16.0–19.0) of one example policy into a fresh output folder, from the built CLI
(\`npm run build\`: esbuild bundle, templates precompiled). ${timings[0]!.runs} runs of each command after one
warm-up round; the commands take turns, so load changes hit them alike.
Target (issue 8): under 0.25 s and at most 4.5× \`node -e 0\`.

${table}

${verdict.map((v) => `- ${v}`).join("\n")}
${floorNote(timings)}

Commands (run from the repository root; \`<tmp>\` is a scratch folder, \`N\` the run number):

\`\`\`sh
npm run bench                     # build, then all of the below; BENCH_RUNS=30 for more runs
# BENCH_BASELINE_CLI=<other checkout>/dist/cli/main.js BENCH_BASELINE_LABEL=before npm run bench
#   adds that build's generate rows, measured in the same rounds (before/after)
${timings.map((t) => t.command).join("\n")}
\`\`\`
${timings.some((t) => t.reference) ? "" : "\n`odoo-bin scaffold` was not measured: no Odoo 17.0 tree in ~/.cache/odoo-2fa/sources/17.0 (scripts/setup-local-odoo.sh downloads it; ODOO_2FA_SOURCES points elsewhere).\n"}
What the generation used to cost and what was removed (CPU profile of \`generate
examples/warehouse-scanners.yaml --odoo all\`, before): compiling every Handlebars template at run
time (~0.5 s under load), loading ~200 small ES modules (yargs, zod and its ~40 locales, yaml,
Handlebars' compiler), the garbage collection all that caused, and string-width's Unicode tables
(yargs lays out its help text on every command). Now the build precompiles the templates
(dist/templates.precompiled.js, run by \`handlebars/runtime\`), bundles the CLI into a few files with
one lazily loaded chunk per command, keeps only zod's English locale, and answers string-width for
ASCII text without loading its tables (scripts/build-cli.ts).

## 2. Per-request cost of the generated addon

**Not measured yet.** Planned: with a local Odoo, an enrolled user's authenticated JSON request
(\`/web/dataset/call_kw\` reading one partner) driven by \`wrk\` or \`autocannon\` at fixed concurrency,
with and without the addon installed, in one run, with \`--workers 0\` and \`--workers 2\`: requests/s,
p50, p99 and the SQL queries per request from Odoo's request log line. Targets: zero extra SQL
queries per request for enrolled users, at most 3 % p50 overhead.

## 3. Verification

**Not measured yet.** Planned: first and warm \`odoo-2fa verify\` per series, and \`--odoo all --jobs 2\`
for the full matrix. Target: the full four-series verify of one addon under 3 minutes.
`;

const out = process.env.BENCH_OUT ? path.resolve(process.env.BENCH_OUT) : path.join(REPO_ROOT, "bench", "RESULTS.md");
writeFileSync(out, results);
console.log(table);
console.log(verdict.join("\n"));
console.error(`load average at end ${loadEnd}; wrote ${path.relative(process.cwd(), out)}`);

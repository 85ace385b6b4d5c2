// `npm run bench` (builds first): runs the benchmarks of issue 8 and writes bench/RESULTS.md.
// Benchmark 1 (generation) is measured here; 2 (per-request cost, bench/request.ts) and 3
// (verify, bench/verify.ts) need a local Odoo and run on their own: their sections of the
// results file are kept as they are when this one rewrites it.
//   BENCH_RUNS=N   runs per command after the warm-up round (default 15)
//   BENCH_OUT=F    where to write the results (default bench/RESULTS.md)
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { benchGenerate, RUNS, type Timing } from "./generate.js";
import { cpuModel, gitRevision, load, nproc, readSection, resultsFile } from "./machine.js";

/** Issue 8, benchmark 1: all four series of one policy in under 0.25 s, at most 4.5× `node -e 0`. */
const TARGET_SECONDS = 0.25;
const TARGET_RATIO = 4.5;
/** `node -e 0` on the quiet machine of issue 8, to put a ratio measured under load into perspective. */
const QUIET_FLOOR_SECONDS = 0.056;

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

// Sections 2 and 3 come from bench/request.ts and bench/verify.ts: keep what they last wrote.
const out = resultsFile();
const previous = existsSync(out) ? readFileSync(out, "utf8") : "";
const kept = [2, 3]
  .map(
    (n) =>
      readSection(previous, n) ??
      (n === 2
        ? "## 2. Per-request cost of the generated addon\n\n**Not measured yet.** Run `npm run bench:request` (bench/request.ts)."
        : "## 3. Verification\n\n**Not measured yet.** Run `npm run bench:verify` (bench/verify.ts)."),
  )
  .join("\n\n");

const results = `# Benchmarks (issue 8)

Section 1 is written by \`npm run bench\` (bench/run.ts), section 2 by \`npm run bench:request\`
(bench/request.ts), section 3 by \`npm run bench:verify\` (bench/verify.ts); each rewrites only its own
section. Timings are wall-clock times of whole fresh processes, as a user runs them, except in
section 2 (latencies of single HTTP requests).

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

${kept}
`;

writeFileSync(out, results);
console.log(table);
console.log(verdict.join("\n"));
console.error(`load average at end ${loadEnd}; wrote ${path.relative(process.cwd(), out)}`);

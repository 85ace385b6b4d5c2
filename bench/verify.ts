// Benchmark 3 (issue 8): how long `odoo-2fa verify` takes, from the built CLI (`npm run build`).
//
// `npx tsx bench/verify.ts` (or `npm run bench:verify`, which builds first). Needs the local
// verify backend (Odoo source trees, /usr/bin/python3 with Odoo's dependencies, PostgreSQL).
//
// 1. Generates the warehouse-scanners example for all four series (DIR/<series>/<addon>).
// 2. Warm: `verify DIR/<series>/<addon> --odoo <series>` for each series in turn, with the
//    template cache as it is on this machine (the report says whether the template was reused).
// 3. The full matrix, two series at a time: `verify DIR --odoo all --jobs 2`. When the CLI does
//    not take that layout (it asks for the addon folder itself), the same thing done the way the
//    CLI's own pool does it: two lanes, each running `verify DIR/<series>/<addon> --odoo <series>`
//    for the next series; the wall time from the first start to the last end.
// 4. Cold, for one series only (BENCH_VERIFY_COLD, default 17.0; `none` to skip): the same
//    verify with ODOO_2FA_CACHE pointing at an empty folder, so the template database is built.
//    The shared cache (~/.cache/odoo-2fa/pg) is never touched.
//
// Then it replaces section "## 3." of bench/RESULTS.md.
//   BENCH_VERIFY_SERIES=16.0,17.0,18.0,19.0  BENCH_VERIFY_COLD=17.0|none  BENCH_OUT=<file>
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { REPO_ROOT } from "../test/support/examples.js";
import { isoNow, load, machineLine, writeSection } from "./machine.js";

const CLI = path.join(REPO_ROOT, "dist", "cli", "main.js");
const EXAMPLE = "warehouse-scanners";
const SERIES = (process.env.BENCH_VERIFY_SERIES ?? "16.0,17.0,18.0,19.0").split(",").map((s) => s.trim());
const COLD = process.env.BENCH_VERIFY_COLD ?? "17.0";
const JOBS = 2;
/** Issue 8: the full four-series verify of one addon in under 3 minutes. */
const TARGET_SECONDS = 180;

const say = (text: string) => process.stderr.write(`${text}\n`);

interface StepTiming {
  step: string;
  ms: number;
  state: string;
}
interface Report {
  series: string;
  ok: boolean;
  problems: string[];
  template: { reused: boolean; ms: number };
  tests: { total: number; passed: number; failed: number; errors: number; skipped: number };
  steps: StepTiming[];
  durationMs: number;
}
interface CliRun {
  argv: string[];
  seconds: number;
  exitCode: number | null;
  reports: Report[];
  error?: string;
  stderr: string;
}

const children = new Set<import("node:child_process").ChildProcess>();
const scratch = mkdtempSync(path.join(os.tmpdir(), "odoo-2fa-bench-verify-"));
let cleaned = false;
function cleanup(): void {
  if (cleaned) return;
  cleaned = true;
  // verify stops its clusters and removes its folders on SIGTERM/SIGINT (src/verify/cleanup.ts).
  for (const child of children) child.kill("SIGTERM");
  rmSync(scratch, { recursive: true, force: true });
}
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    say(`\n${signal}: stopping …`);
    for (const child of children) child.kill(signal);
    setTimeout(() => (cleanup(), process.exit(130)), 5_000);
  });
}

/** The built CLI as a fresh process; `--json` output parsed. */
function cli(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<CliRun> {
  return new Promise((resolve) => {
    const argv = [CLI, ...args];
    const start = process.hrtime.bigint();
    const child = spawn(process.execPath, argv, { cwd: REPO_ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    children.add(child);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.once("close", (code) => {
      children.delete(child);
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      let reports: Report[] = [];
      let error: string | undefined;
      try {
        const json = JSON.parse(stdout) as { runs?: { report?: Report; error?: { message: string } }[]; error?: { message: string } };
        reports = (json.runs ?? []).flatMap((r) => (r.report ? [r.report] : []));
        error = json.error?.message ?? json.runs?.find((r) => r.error)?.error?.message;
      } catch {
        if (args.includes("--json")) error = `no JSON on stdout: ${stdout.slice(0, 300)}`;
      }
      resolve({ argv: args, seconds, exitCode: code, reports, error, stderr });
    });
  });
}

const addonDir = (series: string) => path.join(scratch, "addons", series, "acme_2fa_policy");
const shown = (p: string) => p.replace(scratch, "<tmp>");
const s = (seconds: number) => `${seconds.toFixed(1)} s`;
const stepMs = (report: Report | undefined, step: string) => {
  const ms = report?.steps.filter((t) => t.step === step).reduce((sum, t) => sum + t.ms, 0);
  return ms === undefined ? "–" : `${(ms / 1000).toFixed(1)}`;
};
const STEPS = ["postgres", "dependencies", "database", "addon", "tests", "cleanup"];

function result(run: CliRun, report?: Report): string {
  if (!report) return `✘ exit ${run.exitCode}: ${run.error ?? run.stderr.trim().split("\n").slice(-1)[0] ?? ""}`;
  const tests = `${report.tests.passed}/${report.tests.total} tests passed`;
  return report.ok ? `✔ ok, ${tests}` : `✘ ${report.problems.join("; ")} (${tests})`;
}

function row(label: string, series: string, cache: string, run: CliRun, report: Report | undefined): string {
  return `| ${label} | ${series} | ${cache} | ${s(run.seconds)} | ${STEPS.map((step) => stepMs(report, step)).join(" / ")} | ${result(run, report)} |`;
}

async function main(): Promise<void> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm run bench:verify does).`);
  const started = isoNow();
  const loadStart = load();
  say(`benchmark 3: verify of ${EXAMPLE} on ${SERIES.join(", ")} (load ${loadStart})`);
  const generate = await cli(["generate", path.join("examples", `${EXAMPLE}.yaml`), "--odoo", "all", "--out", path.join(scratch, "addons")]);
  if (generate.exitCode !== 0) throw new Error(`generate failed: ${generate.stderr}`);

  // 1. Warm, one series at a time.
  const warm: { series: string; run: CliRun; report?: Report }[] = [];
  for (const series of SERIES) {
    const run = await cli(["verify", addonDir(series), "--odoo", series, "--json"]);
    const report = run.reports[0];
    warm.push({ series, run, report });
    say(`  warm ${series}: ${s(run.seconds)} (template ${report ? (report.template.reused ? "cached" : "BUILT") : "?"}) ${result(run, report)} (load ${load()})`);
  }

  // 2. The matrix, two at a time.
  const literalArgs = ["verify", path.join(scratch, "addons"), "--odoo", "all", "--jobs", String(JOBS), "--json"];
  const literal = await cli(literalArgs);
  let matrixSeconds: number;
  let matrixRuns: { series: string; run: CliRun; report?: Report }[];
  let matrixHow: string;
  const layoutRefused = literal.exitCode === 2 && literal.reports.length === 0 && /not an Odoo addon/.test(literal.error ?? literal.stderr);
  if (!layoutRefused) {
    matrixSeconds = literal.seconds;
    matrixRuns = SERIES.map((series) => ({ series, run: literal, report: literal.reports.find((r) => r.series === series) }));
    matrixHow = `\`odoo-2fa verify ${shown(path.join(scratch, "addons"))} --odoo all --jobs ${JOBS}\`, one process.`;
  } else {
    say(`  \`verify DIR --odoo all\` refuses DIR/<series>/<addon> (${literal.error ?? "exit 2"}): two lanes of per-series verifies instead`);
    const queue = [...SERIES];
    matrixRuns = [];
    const poolStart = process.hrtime.bigint();
    await Promise.all(
      Array.from({ length: JOBS }, async () => {
        for (let series = queue.shift(); series !== undefined; series = queue.shift()) {
          const run = await cli(["verify", addonDir(series), "--odoo", series, "--json"]);
          matrixRuns.push({ series, run, report: run.reports[0] });
          say(`  matrix ${series}: ${s(run.seconds)} ${result(run, run.reports[0])}`);
        }
      }),
    );
    matrixSeconds = Number(process.hrtime.bigint() - poolStart) / 1e9;
    matrixRuns.sort((a, b) => SERIES.indexOf(a.series) - SERIES.indexOf(b.series));
    matrixHow =
      `\`odoo-2fa verify DIR --odoo all --jobs ${JOBS}\` does not take the generated layout (DIR/<series>/<addon>): it exits 2 with ` +
      `"${shown((literal.error ?? "").split(". ")[0] ?? "")}" (the README shows \`verify addons --odoo all --jobs 2\` for that layout), and given one ` +
      `addon folder it installs that same folder on every series, while the generated addons differ per series. So the matrix ran as ` +
      `the CLI's pool runs it, ${JOBS} lanes, each lane starting \`odoo-2fa verify DIR/<series>/<addon> --odoo <series>\` for the next ` +
      `series (${SERIES.join(", ")} in that order); time from the first start to the last end.`;
  }
  say(`  matrix: ${s(matrixSeconds)} (load ${load()})`);

  // 3. Cold, one series, with a cache of its own.
  let cold: { series: string; run: CliRun; report?: Report } | undefined;
  if (COLD !== "none" && SERIES.includes(COLD)) {
    const cache = path.join(scratch, "cold-cache");
    const run = await cli(["verify", addonDir(COLD), "--odoo", COLD, "--json"], { ...process.env, ODOO_2FA_CACHE: cache });
    cold = { series: COLD, run, report: run.reports[0] };
    say(`  cold ${COLD}: ${s(run.seconds)} (template ${run.reports[0]?.template.reused ? "cached?!" : "built"}) ${result(run, run.reports[0])} (load ${load()})`);
  }
  const loadEnd = load();

  const rows = [
    ...warm.map((w) => row("warm", w.series, w.report ? (w.report.template.reused ? "existed, reused" : "missing, built") : "?", w.run, w.report)),
    ...(cold ? [row("first (cold)", cold.series, cold.report ? (cold.report.template.reused ? "existed?!" : "empty cache: built") : "?", cold.run, cold.report)] : []),
    ...(layoutRefused
      ? matrixRuns.map((m) => row(`matrix lane (--jobs ${JOBS})`, m.series, m.report ? (m.report.template.reused ? "existed, reused" : "missing, built") : "?", m.run, m.report))
      : []),
  ];
  const allOk = matrixRuns.every((m) => m.report?.ok);
  const met = matrixSeconds < TARGET_SECONDS;
  const warmTotal = warm.reduce((sum, w) => sum + w.run.seconds, 0);
  const verdicts = [
    `Full four-series verify, two at a time: ${s(matrixSeconds)}: ${met ? "MET" : "NOT MET"} (target under ${TARGET_SECONDS} s)${allOk ? ", every series passed" : `, NOT every series passed (${matrixRuns.filter((m) => !m.report?.ok).map((m) => m.series).join(", ")})`}. ` +
      `The same four warm verifies one after the other: ${s(warmTotal)}.`,
    cold
      ? `First verify of ${cold.series} with an empty cache (template built): ${s(cold.run.seconds)}, of which building the template database ${stepMs(cold.report, "dependencies")} s; ` +
        `the other series were not measured cold, to save time (the template step is the difference, and is paid once per series and Odoo tree).`
      : "Cold (first) verifies were not measured (BENCH_VERIFY_COLD=none).",
  ];
  const text = `## 3. Verification

${machineLine(started, loadStart, loadEnd)}

What: the ${EXAMPLE} example generated for ${SERIES.join(", ")} by the built CLI
(\`node dist/cli/main.js generate examples/${EXAMPLE}.yaml --odoo all --out <tmp>/addons\`), then verified
with the local backend (Odoo source trees in ~/.cache/odoo-2fa/sources, \`/usr/bin/python3\`, a
throwaway PostgreSQL cluster per run), each run a fresh \`node dist/cli/main.js verify … --json\` process.
"Warm": the series' template database was in the cache (~/.cache/odoo-2fa/pg) before the run, as
it is after any first verify on a machine. "First (cold)": the same run with \`ODOO_2FA_CACHE\`
pointing at an empty folder, so verify first installs base, web, auth_totp, portal and
auth_totp_portal into a template database and caches it; only ${cold ? cold.series : "no series"} was measured cold.
Steps are verify's own timings from its JSON report.

| Run | Series | Template cache | Wall time | Steps, s: postgres / dependencies / database / addon / tests / cleanup | Result |
|---|---|---|---:|---|---|
${rows.join("\n")}
| **matrix, --jobs ${JOBS}** | ${SERIES.join(", ")} | existed | **${s(matrixSeconds)}** | | ${met ? "✔" : "✘"} < ${TARGET_SECONDS} s |

Matrix: ${matrixHow}

${verdicts.map((v) => `- ${v}`).join("\n")}

Rerun (needs the local verify backend: \`npm run setup:local-odoo\`):

\`\`\`sh
npm run build && npx tsx bench/verify.ts     # or: npm run bench:verify
# BENCH_VERIFY_COLD=none skips the cold run; BENCH_VERIFY_SERIES=17.0,18.0 fewer series
node dist/cli/main.js generate examples/${EXAMPLE}.yaml --odoo all --out <tmp>/addons
node dist/cli/main.js verify <tmp>/addons/<series>/acme_2fa_policy --odoo <series> --json                     # warm, per series
ODOO_2FA_CACHE=<empty folder> node dist/cli/main.js verify <tmp>/addons/17.0/acme_2fa_policy --odoo 17.0 --json  # first (cold)
${layoutRefused ? `# matrix: two of the per-series commands at a time (verify <tmp>/addons --odoo all --jobs ${JOBS} refuses the layout)` : `node dist/cli/main.js verify <tmp>/addons --odoo all --jobs ${JOBS} --json`}
\`\`\``;
  const file = writeSection(3, text);
  console.log(verdicts.join("\n"));
  say(`load average at end ${loadEnd}; wrote section 3 of ${path.relative(process.cwd(), file)}`);
}

try {
  await main();
} catch (error) {
  process.exitCode = 1;
  say(`bench/verify.ts: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
} finally {
  cleanup();
}

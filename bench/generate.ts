// Benchmark 1 (issue 8): whole-process time of `odoo-2fa generate EXAMPLE --odoo all`, side by
// side with `node -e 0` (the floor) and, where an Odoo 17.0 tree is present, `odoo-bin scaffold`
// of one bare module (what integrators use today).
//
// Every command is a fresh process. The commands take turns (one round = each command once), so
// a change in the machine's load hits all of them alike and the ratios stay comparable; the first
// round is a warm-up (file cache, Python bytecode) and is not counted. Run: npm run bench
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { examplePolicies, REPO_ROOT } from "../test/support/examples.js";

export const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const CLI = path.join(REPO_ROOT, "dist", "cli", "main.js");

export interface Timing {
  what: string;
  /** The command as a user would type it (with the placeholder `<tmp>` for the scratch folder). */
  command: string;
  medianSeconds: number;
  minSeconds: number;
  maxSeconds: number;
  runs: number;
  /** Set for `odoo-2fa generate` rows: the example's file stem. */
  example?: string;
  /** A row of the comparison build (BENCH_BASELINE_CLI), not the one under test. */
  baseline?: boolean;
  floor?: boolean;
  reference?: boolean;
}

interface Bench {
  what: string;
  command: string;
  /** Program and arguments of run number `i` (0 = warm-up). */
  argv: (i: number) => [string, string[]];
  env?: NodeJS.ProcessEnv;
  example?: string;
  baseline?: boolean;
  floor?: boolean;
  reference?: boolean;
}

function median(sorted: number[]): number {
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function runOnce(bench: Bench, i: number): number {
  const [program, args] = bench.argv(i);
  const start = process.hrtime.bigint();
  const result = spawnSync(program, args, { stdio: ["ignore", "ignore", "pipe"], env: bench.env ?? process.env, cwd: REPO_ROOT });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (result.status !== 0)
    throw new Error(`${bench.what} exited ${result.status ?? result.signal}: ${result.stderr?.toString().trim().slice(0, 500)}`);
  return seconds;
}

/** The 17.0 Odoo tree the verify tooling downloads (scripts/setup-local-odoo.sh), if present. */
export function odooTree(): string | undefined {
  const tree = path.join(process.env.ODOO_2FA_SOURCES ?? path.join(os.homedir(), ".cache/odoo-2fa/sources"), "17.0");
  return existsSync(path.join(tree, "odoo-bin")) && existsSync(path.join(tree, "odoo", "release.py")) ? tree : undefined;
}

export function benchGenerate(runs = RUNS): Timing[] {
  if (!existsSync(CLI)) throw new Error("dist/cli/main.js is missing: run npm run build first");
  const scratch = mkdtempSync(path.join(os.tmpdir(), "odoo-2fa-bench-"));
  const relCli = path.relative(REPO_ROOT, CLI);
  const benches: Bench[] = [
    { what: "node -e 0 (floor)", command: "node -e 0", argv: () => [process.execPath, ["-e", "0"]], floor: true },
  ];
  for (const { stem, file } of examplePolicies()) {
    const relFile = path.relative(REPO_ROOT, file);
    benches.push({
      what: `odoo-2fa generate ${stem} --odoo all`,
      // A fresh output folder per run: the whole generation, writes included.
      command: `node ${relCli} generate ${relFile} --odoo all --out <tmp>/${stem}-N`,
      argv: (i) => [process.execPath, [CLI, "generate", file, "--odoo", "all", "--out", path.join(scratch, `${stem}-${i}`)]],
      example: stem,
    });
  }
  // BENCH_BASELINE_CLI=/path/to/other/dist/cli/main.js: the same generations from another build
  // (e.g. the previous commit's), in the same rounds, for a before/after under the same load.
  // BENCH_BASELINE_LABEL names those rows (default "baseline").
  const baselineCli = process.env.BENCH_BASELINE_CLI ? path.resolve(process.env.BENCH_BASELINE_CLI) : undefined;
  const baselineLabel = process.env.BENCH_BASELINE_LABEL ?? "baseline";
  if (baselineCli) {
    for (const { stem, file } of examplePolicies()) {
      benches.push({
        what: `${baselineLabel}: odoo-2fa generate ${stem} --odoo all`,
        command: `node ${baselineCli} generate ${path.relative(REPO_ROOT, file)} --odoo all --out <tmp>/base-${stem}-N`,
        argv: (i) => [process.execPath, [baselineCli, "generate", file, "--odoo", "all", "--out", path.join(scratch, `base-${stem}-${i}`)]],
        baseline: true,
      });
    }
  }
  const tree = odooTree();
  const python = process.env.ODOO_2FA_PYTHON ?? "/usr/bin/python3";
  if (tree && existsSync(python)) {
    benches.push({
      what: "odoo-bin scaffold (17.0, one bare module)",
      command: `${python} ${path.join(tree, "odoo-bin")} scaffold bench_module_N <tmp>/scaffold`,
      // scaffold refuses an existing module folder: a new name per run.
      argv: (i) => [python, [path.join(tree, "odoo-bin"), "scaffold", `bench_module_${i}`, path.join(scratch, "scaffold")]],
      reference: true,
    });
  }
  const samples = benches.map(() => [] as number[]);
  try {
    for (let i = 0; i <= runs; i++) {
      for (const [b, bench] of benches.entries()) {
        const seconds = runOnce(bench, i);
        if (i > 0) samples[b]!.push(seconds);
      }
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return benches.map((bench, b) => {
    const sorted = samples[b]!.sort((x, y) => x - y);
    return {
      what: bench.what,
      command: bench.command,
      medianSeconds: median(sorted),
      minSeconds: sorted[0]!,
      maxSeconds: sorted[sorted.length - 1]!,
      runs: sorted.length,
      example: bench.example,
      baseline: bench.baseline,
      floor: bench.floor,
      reference: bench.reference,
    };
  });
}

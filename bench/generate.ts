// Benchmark 1 (issue 8): whole-process time of `odoo-2fa generate EXAMPLE --odoo all`, side by
// side with `node -e 0` (the floor) and, where an Odoo tree is present, `odoo-bin scaffold`.
// Median of RUNS runs after one warm-up, each a fresh process. Run: npm run bench
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { examplePolicies, REPO_ROOT } from "../test/support/examples.js";

const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const CLI = path.join(REPO_ROOT, "dist", "cli", "main.js");

export interface Timing {
  what: string;
  medianSeconds: number;
  minSeconds: number;
  runs: number;
}

function timeCommand(what: string, command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Timing {
  const samples: number[] = [];
  for (let i = 0; i <= RUNS; i++) {
    const start = process.hrtime.bigint();
    const result = spawnSync(command, args, { stdio: "ignore", env });
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (result.status !== 0) throw new Error(`${what} exited ${result.status}`);
    if (i > 0) samples.push(seconds); // the first run warms the file cache
  }
  samples.sort((a, b) => a - b);
  return { what, medianSeconds: samples[Math.floor(samples.length / 2)]!, minSeconds: samples[0]!, runs: samples.length };
}

export function benchGenerate(): Timing[] {
  if (!existsSync(CLI)) throw new Error("dist/cli/main.js is missing: run npm run build first");
  const timings = [timeCommand("node -e 0 (floor)", process.execPath, ["-e", "0"])];
  const out = mkdtempSync(path.join(os.tmpdir(), "odoo-2fa-bench-"));
  try {
    for (const { stem, file } of examplePolicies()) {
      const dir = path.join(out, stem);
      timings.push(
        timeCommand(`generate ${stem} --odoo all`, process.execPath, [CLI, "generate", file, "--odoo", "all", "--out", dir, "--on-conflict", "overwrite"]),
      );
    }
    const tree = path.join(process.env.ODOO_2FA_SOURCES ?? path.join(os.homedir(), ".cache/odoo-2fa/sources"), "17.0");
    if (existsSync(path.join(tree, "odoo", "release.py"))) {
      let n = 0;
      const scaffoldOut = path.join(out, "scaffold");
      timings.push(
        timeCommand("odoo-bin scaffold (17.0, one bare module)", "/usr/bin/python3", [
          "-c",
          "import odoo.cli,sys; sys.argv[0]='odoo'; odoo.cli.main()",
          "scaffold",
          `bench_module_${n++}`,
          scaffoldOut,
        ], { ...process.env, PYTHONPATH: tree }),
      );
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
  return timings;
}

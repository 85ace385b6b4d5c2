/**
 * The `.pot` a real Odoo exports for an addon: verify's local backend installs the addon (no
 * tests) into a throwaway database and keeps it; Odoo's own exporter then writes the template
 * (`--i18n-export` on 16.0–18.0, `odoo-bin i18n export` on 19.0, which dropped the option).
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { execa } from "execa";
import { formatReport, verifyAddon, type VerifyReport } from "../../src/verify/index.js";
import { ODOO_BOOT } from "../../src/verify/local.js";

/** The `--key=value` options of verify's kept `odooArgs`, and its database. */
function keptOptions(kept: NonNullable<VerifyReport["kept"]>): Record<string, string> {
  const options: Record<string, string> = {};
  for (const arg of kept.odooArgs.split(" ")) {
    const match = /^--([\w-]+)=(.*)$/.exec(arg);
    if (match) options[match[1]!.replace(/-/g, "_")] = match[2]!;
  }
  return options;
}

/** Odoo's export of `addon` (installed in the kept database), as the bytes it writes. */
async function runExport(report: VerifyReport, out: string): Promise<void> {
  const kept = report.kept!;
  const env = { ...process.env, PYTHONPATH: report.odoo.tree, PYTHONUNBUFFERED: "1", PYTHONDONTWRITEBYTECODE: "1" };
  let args: string[];
  if (Number.parseInt(report.series, 10) >= 19) {
    // `i18n export` reads the connection from a configuration file only.
    const conf = path.join(kept.dir, "odoo-export.conf");
    const options = keptOptions(kept);
    await writeFile(conf, `[options]\n${Object.entries(options).map(([key, value]) => `${key} = ${value}`).join("\n")}\n`);
    args = ["i18n", "export", "-c", conf, "-d", kept.database, "-o", out, report.addon];
  } else {
    args = [...kept.odooArgs.split(" "), `--i18n-export=${out}`, `--modules=${report.addon}`, "--no-http", "--workers=0", "--max-cron-threads=0"];
  }
  const run = await execa(report.odoo.python, ["-c", ODOO_BOOT, ...args], { env, cwd: kept.dir, reject: false, all: true, timeout: 600_000 });
  if (run.exitCode !== 0) throw new Error(`Odoo ${report.series}: exporting ${report.addon}'s template failed (exit ${run.exitCode}):\n${(run.all ?? "").slice(-3000)}`);
}

/**
 * Installs the addon at `addonDir` into a throwaway database of a real Odoo `series` and returns
 * the template Odoo exports for it. Throws when the install fails.
 */
export async function odooExport(addonDir: string, series: string): Promise<string> {
  const report = await verifyAddon({ addonDir, series, keepDb: true, runTests: false });
  const kept = report.kept;
  try {
    if (!report.install.ok || !kept) throw new Error(`Odoo ${series}: the addon did not install.\n${formatReport(report)}`);
    const started = await execa("sh", ["-c", kept.startPostgres], { reject: false, all: true, timeout: 120_000 });
    if (started.exitCode !== 0) throw new Error(`Odoo ${series}: restarting the kept PostgreSQL failed:\n${started.all}`);
    const runner = kept.startPostgres.slice(0, kept.startPostgres.indexOf("pg_ctl") + "pg_ctl".length);
    try {
      const dir = await mkdtemp(path.join(os.tmpdir(), "odoo-2fa-pot-"));
      try {
        const out = path.join(dir, `${report.addon}.pot`);
        await runExport(report, out);
        return await readFile(out, "utf8");
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    } finally {
      await execa("sh", ["-c", `${runner} -D ${path.join(kept.dir, "pg", "data")} -m immediate -w -t 30 stop`], { reject: false, timeout: 60_000 });
    }
  } finally {
    if (kept) await rm(kept.dir, { recursive: true, force: true });
  }
}

/**
 * An export as the addon ships it: without the two header lines where Odoo writes the time of the
 * export (so the file is the same on every run), and with the series as the version (a nightly
 * build writes e.g. `17.0-20240709`, the build, not the addon).
 */
export function normalizeExport(pot: string, series: string): string {
  return pot
    .replace(/^"(POT-Creation-Date|PO-Revision-Date): [^"\n]*\\n"\n/gm, "")
    .replace(/^"Project-Id-Version: Odoo Server [^"\n]*\\n"$/m, `"Project-Id-Version: Odoo Server ${series}\\n"`);
}

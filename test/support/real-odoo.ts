/**
 * What the tests that run a real Odoo share: whether a series' tree is present, and a database
 * kept by `verifyAddon({ keepDb: true })` brought back up to run Odoo against it.
 */
import path from "node:path";
import { execa } from "execa";
import { expect } from "vitest";
import { type Series, SERIES } from "../../src/profiles/series.js";
import { locateTree, VerifyError, type VerifyReport } from "../../src/verify/index.js";

export { ODOO_BOOT } from "../../src/verify/local.js";

/**
 * The series a real-Odoo tier file runs on, in SERIES' order: the list (comma-separated) in the
 * tier's own variable `own` when set, else in ODOO_2FA_TIER_SERIES (`npm run test:odoo -- --odoo`
 * sets it), else `fallback`: every series, or the one a tier whose cost is the same on each keeps
 * within CI's time.
 */
export function tierSeries(fallback: readonly Series[] = SERIES, own?: string): Series[] {
  const listed = (own && process.env[own]) || process.env.ODOO_2FA_TIER_SERIES;
  const wanted = listed ? listed.split(",").map((s) => s.trim()).filter(Boolean) : fallback;
  return SERIES.filter((series) => wanted.includes(series));
}

/** Why a series cannot run here (verify's one-line reason), or undefined when its tree is present. */
export function missingTree(series: string): string | undefined {
  try {
    locateTree(series);
    return undefined;
  } catch (error) {
    if (error instanceof VerifyError) return error.oneLine();
    throw error;
  }
}

/** Starts the kept cluster's PostgreSQL; returns what stops it ("immediate": a throwaway cluster). */
export async function startKeptPostgres(kept: NonNullable<VerifyReport["kept"]>): Promise<() => Promise<void>> {
  const started = await execa("sh", ["-c", kept.startPostgres], { reject: false, all: true, timeout: 120_000 });
  expect(started.exitCode, started.all).toBe(0);
  // The start command's runner and pg_ctl.
  const runner = kept.startPostgres.slice(0, kept.startPostgres.indexOf("pg_ctl") + "pg_ctl".length);
  const dataDir = path.join(kept.dir, "pg", "data");
  return async () => {
    await execa("sh", ["-c", `${runner} -D ${dataDir} -m immediate -w -t 30 stop`], { reject: false, timeout: 60_000 });
  };
}

/** The environment Odoo runs in from a source tree. */
export function odooEnv(report: VerifyReport): NodeJS.ProcessEnv {
  return { ...process.env, PYTHONPATH: report.odoo.tree, PYTHONUNBUFFERED: "1", PYTHONDONTWRITEBYTECODE: "1" };
}

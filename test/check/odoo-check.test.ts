/**
 * Acceptance of `odoo-2fa check --url` (issue 12, "Live drift"), against a REAL running Odoo:
 * the addon generated from examples/warehouse-scanners.yaml (settings.editable true) is installed
 * by verify's local backend (its own tests run too), Odoo serves it on loopback, and the built
 * CLI reads it with an administrator's API key:
 *
 * 1. untouched: exit 0;
 * 2. an administrator sets the grace days to 30 in Settings (res.config.settings over XML-RPC):
 *    exit 1, naming `grace_days: policy 7, database 30`;
 * 3. the addon regenerated in place from a policy saying 30, upgraded with `-u --stop-after-init`
 *    against the same database: that policy exits 0, the old one names the other policy version.
 *
 * Needs an Odoo source tree (the real-Odoo tier's, see README); skipped LOUDLY otherwise. One
 * series: ODOO_2FA_CHECK_SERIES (default 17.0).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { chmod, copyFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { execa } from "execa";
import { afterAll, describe, expect, it } from "vitest";
import { loadPolicy } from "../../src/generate/policy-file.js";
import type { Series } from "../../src/policy/model.js";
import { renderAddon } from "../../src/render/index.js";
import { loadTemplateSet } from "../../src/generate/templates.js";
import { openSession } from "../../src/report/session.js";
import { verifyAddon } from "../../src/verify/index.js";
import { writeTreesAtomically } from "../../src/write/atomic.js";
import { buildCli, removeCli, runCli, type Run } from "../cli/run-cli.js";
import { freePort } from "../proxy/servers.js";
import { EXAMPLES_DIR } from "../support/examples.js";
import { missingTree, ODOO_BOOT, odooEnv, startKeptPostgres } from "../support/real-odoo.js";

const series = (process.env.ODOO_2FA_CHECK_SERIES ?? "17.0") as Series;

const why = missingTree(series);
const skip = why ? `no Odoo ${series} source tree (${why}); or choose another series with ODOO_2FA_CHECK_SERIES` : undefined;
if (skip) process.stderr.write(`\n${"!".repeat(8)} odoo-2fa check --url against a real Odoo: SKIPPED (not run, not passed): ${skip}\n\n`);

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

async function connects(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    socket.setTimeout(1_000);
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
    socket.once("timeout", () => (socket.destroy(), resolve(false)));
  });
}

/** An administrator's API key, printed as one JSON line. */
const MAKE_KEY = `
import inspect, json
model = env["res.users.apikeys"].with_user(env.ref("base.user_admin")).sudo()
wants_expiration = "expiration_date" in inspect.signature(type(model)._generate).parameters
key = model._generate(*(("rpc", "odoo-2fa check test") + ((None,) if wants_expiration else ())))
env.cr.commit()
print("CHECK-KEY " + json.dumps(key))
`;

describe.skipIf(skip !== undefined)(`odoo-2fa check --url against a real Odoo ${series}`, () => {
  it("exits 0 on the deployed policy, 1 naming a Settings edit, 0 again once the edited policy is deployed", { timeout: 1_500_000 }, async () => {
    const scratch = await mkdtemp(path.join(os.tmpdir(), "odoo-2fa-check-e2e-"));
    cleanups.push(() => rm(scratch, { recursive: true, force: true }));
    // The example as is (grace_days 7, editable), and the same policy saying 30.
    const policyFile = path.join(scratch, "policy.yaml");
    await copyFile(path.join(EXAMPLES_DIR, "warehouse-scanners.yaml"), policyFile);
    const text = await readFile(policyFile, "utf8");
    expect(text).toMatch(/^ {2}grace_days: 7$/m);
    expect(text).toMatch(/^ {2}editable: true$/m);
    const policy30File = path.join(scratch, "policy-30.yaml");
    await writeFile(policy30File, text.replace(/^ {2}grace_days: 7$/m, "  grace_days: 30"));
    const load = async (file: string) => {
      const loaded = await loadPolicy(file, { series: [series] });
      if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues));
      return loaded.policy;
    };
    const [policy, policy30] = [await load(policyFile), await load(policy30File)];
    expect(policy30.enforce.graceDays).toBe(30);
    const templates = await loadTemplateSet();
    const addonDir = path.join(scratch, "addons", policy.addon.name);
    await writeTreesAtomically([{ dir: addonDir, tree: renderAddon(policy, series, templates) }]);

    // Install the addon (its own tests run too) with verify's local backend; keep the database.
    const report = await verifyAddon({ addonDir, series, keepDb: true });
    const kept = report.kept;
    if (kept) cleanups.push(() => rm(kept.dir, { recursive: true, force: true }));
    expect(report.install.ok, report.problems.join("\n")).toBe(true);
    expect(kept).toBeDefined();
    const odooArgs = kept!.odooArgs.split(" ");
    cleanups.push(await startKeptPostgres(kept!));
    const env = odooEnv(report);
    const odoo = (args: string[], input = "") =>
      execa(report.odoo.python, ["-c", ODOO_BOOT, ...args], { env, cwd: kept!.dir, input, reject: false, all: true, timeout: 600_000 });

    const made = await odoo(["shell", ...odooArgs, "--no-http"], MAKE_KEY);
    expect(made.exitCode, made.all?.slice(-3000)).toBe(0);
    const keyLine = made.stdout.split("\n").find((line) => line.startsWith("CHECK-KEY "));
    expect(keyLine, made.all?.slice(-3000)).toBeDefined();
    const apiKey = JSON.parse(keyLine!.slice("CHECK-KEY ".length)) as string;
    expect(apiKey).toMatch(/^[0-9a-f]{40}$/);
    const keyFile = path.join(scratch, "admin.key");
    await writeFile(keyFile, `${apiKey}\n`, { mode: 0o600 });
    await chmod(keyFile, 0o600);

    // Odoo on loopback, stopped and started again around the upgrade (it loads the addon's code once).
    const port = await freePort();
    let odooLog = "";
    let running: { process: ChildProcess; exited: Promise<void> } | undefined;
    const stopOdoo = async () => {
      if (!running) return;
      const { process: child, exited } = running;
      running = undefined;
      child.kill("SIGTERM");
      const stopped = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 15_000))]);
      if (!stopped) {
        child.kill("SIGKILL");
        await exited;
      }
    };
    const startOdoo = async () => {
      const child = spawn(
        report.odoo.python,
        ["-c", ODOO_BOOT, ...odooArgs, "--http-interface=127.0.0.1", `--http-port=${port}`, "--workers=0", "--max-cron-threads=0", `--db-filter=^${kept!.database}$`],
        { env, cwd: kept!.dir, stdio: ["ignore", "pipe", "pipe"] },
      );
      child.stdout?.on("data", (chunk: Buffer) => (odooLog += chunk.toString()));
      child.stderr?.on("data", (chunk: Buffer) => (odooLog += chunk.toString()));
      running = { process: child, exited: new Promise<void>((resolve) => child.once("exit", () => resolve())) };
      const deadline = Date.now() + 180_000;
      while (!(await connects(port))) {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`Odoo did not start:\n${odooLog.slice(-3000)}`);
        await new Promise((r) => setTimeout(r, 500));
      }
    };
    cleanups.push(stopOdoo);
    await startOdoo();

    const main = await buildCli();
    cleanups.push(() => removeCli(main));
    const url = `http://127.0.0.1:${port}`;
    const db = kept!.database;
    const check = (file: string, ...args: string[]): Promise<Run> =>
      runCli(main, scratch, ["check", file, "--url", url, "--db", db, "--api-key-file", keyFile, ...args]);
    const context = (run: Run) => `\n--- stdout ---\n${run.stdout}\n--- stderr ---\n${run.stderr}\n--- odoo log ---\n${odooLog.slice(-4000)}`;

    // 1. As installed: the database enforces the file.
    const clean = await check(policyFile);
    expect(clean.code, context(clean)).toBe(0);
    expect(clean.stdout).toMatch(new RegExp(`^database "${db}" at ${url} \\(Odoo ${series.replace(".", "\\.")}[^)]*\\): up to date: acme_2fa_policy ${series.replace(".", "\\.")}\\.1\\.0\\.0, policy [0-9a-f]{12} deployed `));
    const cleanJson = await check(policyFile, "--json");
    expect(cleanJson.code, context(cleanJson)).toBe(0);
    expect(JSON.parse(cleanJson.stdout)).toMatchObject({ ok: true, series, installed: true, findings: [], database: { editable: true, installedVersion: `${series}.1.0.0` } });
    // A policy for an addon this Odoo does not have.
    const otherFile = path.join(scratch, "other.yaml");
    await writeFile(otherFile, text.replace(/^ {2}name: acme_2fa_policy$/m, "  name: other_2fa_policy"));
    const other = await check(otherFile);
    expect(other.code, context(other)).toBe(1);
    expect(other.stdout).toContain(`the addon other_2fa_policy is not installed in database "${db}"`);

    // 2. An administrator changes the grace days in Settings.
    const session = await openSession({ url, db, login: "admin", apiKey });
    const settingsId = await session.executeKw("res.config.settings", "create", [{ totp_policy_grace_days: 30 }]);
    expect(typeof settingsId).toBe("number");
    await session.executeKw("res.config.settings", "execute", [[settingsId as number]]);
    const drift = await check(policyFile);
    expect(drift.code, context(drift)).toBe(1);
    expect(drift.stdout).toContain("  grace_days: policy 7, database 30\n");
    expect(drift.stdout).toContain("drift found; the database runs this policy, but Settings changed a value since its deployment");
    expect(drift.stdout).not.toContain("another policy version");
    const driftJson = JSON.parse((await check(policyFile, "--json")).stdout);
    expect(driftJson).toMatchObject({ ok: false, differences: [{ key: "grace_days", policy: 7, database: 30 }] });
    expect(driftJson.findings).toHaveLength(1);

    // 3. The policy file says 30: regenerate in place, upgrade the same database, check again.
    await stopOdoo();
    await writeTreesAtomically([{ dir: addonDir, tree: renderAddon(policy30, series, templates) }]);
    const upgraded = await odoo([...odooArgs, "-u", policy.addon.name, "--stop-after-init", "--no-http"]);
    expect(upgraded.exitCode, upgraded.all?.slice(-4000)).toBe(0);
    expect(upgraded.all ?? "", upgraded.all?.slice(-4000)).not.toMatch(/^\S+ \S+ \d+ (ERROR|CRITICAL) /m);
    await startOdoo();
    const deployed = await check(policy30File);
    expect(deployed.code, context(deployed)).toBe(0);
    expect(deployed.stdout).toContain(": up to date: acme_2fa_policy");
    // The old file now names the policy version the database runs instead.
    const stale = await check(policyFile);
    expect(stale.code, context(stale)).toBe(1);
    expect(stale.stdout).toContain("the database runs another policy version: regenerate and upgrade (-u acme_2fa_policy)");
    expect(stale.stdout).toContain("  grace_days: policy 7, database 30\n");
    for (const run of [clean, drift, deployed, stale]) expect(run.stdout + run.stderr).not.toContain(apiKey);
    // The result lines, for the tier's log.
    const shown = (label: string, run: Run) => `  ${label}: exit ${run.code}\n${run.stdout.replace(/^/gm, "    ").trimEnd()}`;
    process.stderr.write(
      `odoo-2fa check --url on Odoo ${series}:\n${[shown("as installed", clean), shown("after the Settings edit", drift), shown("policy-30.yaml after -u", deployed), shown("policy.yaml after -u", stale)].join("\n")}\n`,
    );
  });
});

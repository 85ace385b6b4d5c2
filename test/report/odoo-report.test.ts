/**
 * Acceptance of `odoo-2fa report` (issue 7): the CLI reads the compliance figures of a REAL
 * running Odoo over XML-RPC with an administrator's API key, and they are the figures the
 * database holds; a non-administrator's key is refused; a password is never taken.
 *
 * The addon is rendered from examples/customer-portal.yaml with `report: true` (plus one exempt
 * login), installed by verify's local backend (its own tests run too), then Odoo serves it on
 * loopback. Users in each state and API keys are made with `odoo shell`.
 *
 * Needs an Odoo source tree (the real-Odoo tier's, see README); skipped LOUDLY otherwise. One
 * series: ODOO_2FA_REPORT_SERIES (default 17.0).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { execa } from "execa";
import { afterAll, describe, expect, it } from "vitest";
import { loadPolicy } from "../../src/generate/policy-file.js";
import type { Policy, Series } from "../../src/policy/model.js";
import { renderAddon } from "../../src/render/index.js";
import { loadTemplateSet } from "../../src/generate/templates.js";
import type { ReportRow, ReportSummary } from "../../src/report/index.js";
import { verifyAddon } from "../../src/verify/index.js";
import { writeTreesAtomically } from "../../src/write/atomic.js";
import { buildCli, removeCli, runCli } from "../cli/run-cli.js";
import { freePort } from "../proxy/servers.js";
import { REPO_ROOT } from "../support/examples.js";
import { missingTree, ODOO_BOOT, odooEnv, startKeptPostgres } from "../support/real-odoo.js";

const series = (process.env.ODOO_2FA_REPORT_SERIES ?? "17.0") as Series;

const why = missingTree(series);
const skip = why ? `no Odoo ${series} source tree (${why}); or choose another series with ODOO_2FA_REPORT_SERIES` : undefined;
if (skip) process.stderr.write(`\n${"!".repeat(8)} odoo-2fa report against a real Odoo: SKIPPED (not run, not passed): ${skip}\n\n`);

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

/** Users in each state, and two API keys (admin's, and a plain internal user's). Prints one JSON line. */
const SETUP = `
import inspect, json
Users = env["res.users"].with_context(no_reset_password=True)
groups_field = "group_ids" if "group_ids" in Users._fields else "groups_id"
internal = env.ref("base.group_user")
portal = env.ref("base.group_portal")

def make(login, group):
    return Users.create({"name": login.replace("-", " ").title(), "login": login, "password": login + "-Pass-1", groups_field: [(6, 0, [group.id])]})

enrolled = make("rep-enrolled", internal)
grace = make("rep-grace", internal)
missing = make("rep-missing", internal)
clerk = make("rep-clerk", internal)
customer = make("rep-portal", portal)
scanner = make("rep-scanner", internal)
env.cr.execute("UPDATE res_users SET totp_secret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP' WHERE id = %s", [enrolled.id])
env.cr.execute("UPDATE res_users SET totp_policy_grace_start = (now() at time zone 'utc') - interval '60 days' WHERE id = %s", [missing.id])
env.invalidate_all() if hasattr(env, "invalidate_all") else env.cache.invalidate()

def key_for(user):
    model = env["res.users.apikeys"].with_user(user).sudo()
    wants_expiration = "expiration_date" in inspect.signature(type(model)._generate).parameters
    return model._generate(*(("rpc", "odoo-2fa report test") + ((None,) if wants_expiration else ())))

keys = {"admin": key_for(env.ref("base.user_admin")), "clerk": key_for(clerk)}
env.cr.commit()
print("REPORT-SETUP " + json.dumps({"keys": keys, "internal_group": internal.display_name}))
`;

/** What the database itself says: each concerned user's status, from the addon's own field. */
const COUNT = `
import json
statuses = {}
for user in env["res.users"].search([]):
    status = user.totp_policy_status
    if status and status != "not_required":
        statuses[user.login] = status
print("REPORT-DB " + json.dumps(statuses))
`;

describe.skipIf(skip !== undefined)(`odoo-2fa report against a real Odoo ${series}`, () => {
  it("reads the database's figures with an admin API key, refuses others and passwords", { timeout: 1_200_000 }, async () => {
    const loaded = await loadPolicy(path.join(REPO_ROOT, "examples", "customer-portal.yaml"));
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues));
    const policy: Policy = {
      ...loaded.policy,
      report: true,
      exemptions: [{ name: "scanner", logins: ["rep-scanner"], networks: ["127.0.0.0/8"], reason: "Shared scanner (report test)" }],
    };
    const scratch = await mkdtemp(path.join(os.tmpdir(), "odoo-2fa-report-e2e-"));
    cleanups.push(() => rm(scratch, { recursive: true, force: true }));
    const addonDir = path.join(scratch, "addons", policy.addon.name);
    await writeTreesAtomically([{ dir: addonDir, tree: renderAddon(policy, series, await loadTemplateSet()) }]);

    // Install the addon (its own tests run too) with verify's local backend; keep the database.
    const report = await verifyAddon({ addonDir, series, keepDb: true });
    const kept = report.kept;
    if (kept) cleanups.push(() => rm(kept.dir, { recursive: true, force: true }));
    expect(report.install.ok, report.problems.join("\n")).toBe(true);
    expect(kept).toBeDefined();
    const odooArgs = kept!.odooArgs.split(" ");
    cleanups.push(await startKeptPostgres(kept!));

    const env = odooEnv(report);
    const shell = async (script: string, marker: string): Promise<unknown> => {
      const run = await execa(report.odoo.python, ["-c", ODOO_BOOT, "shell", ...odooArgs, "--no-http"], {
        env,
        cwd: kept!.dir,
        input: script,
        reject: false,
        all: true,
        timeout: 300_000,
      });
      expect(run.exitCode, run.all?.slice(-3000)).toBe(0);
      const line = run.stdout.split("\n").find((text) => text.startsWith(`${marker} `));
      expect(line, run.all?.slice(-3000)).toBeDefined();
      return JSON.parse(line!.slice(marker.length + 1));
    };
    const setup = (await shell(SETUP, "REPORT-SETUP")) as { keys: { admin: string; clerk: string }; internal_group: string };
    expect(setup.keys.admin).toMatch(/^[0-9a-f]{40}$/);

    // Odoo on loopback.
    const port = await freePort();
    const odoo: ChildProcess = spawn(
      report.odoo.python,
      ["-c", ODOO_BOOT, ...odooArgs, "--http-interface=127.0.0.1", `--http-port=${port}`, "--workers=0", "--max-cron-threads=0", `--db-filter=^${kept!.database}$`],
      { env, cwd: kept!.dir, stdio: ["ignore", "pipe", "pipe"] },
    );
    let odooLog = "";
    odoo.stdout?.on("data", (chunk: Buffer) => (odooLog += chunk.toString()));
    odoo.stderr?.on("data", (chunk: Buffer) => (odooLog += chunk.toString()));
    const odooExit = new Promise<void>((resolve) => odoo.once("exit", () => resolve()));
    cleanups.push(async () => {
      odoo.kill("SIGTERM");
      const stopped = await Promise.race([odooExit.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 10_000))]);
      if (!stopped) odoo.kill("SIGKILL");
    });
    const deadline = Date.now() + 180_000;
    while (!(await connects(port))) {
      if (Date.now() > deadline || odoo.exitCode !== null) throw new Error(`Odoo did not start:\n${odooLog.slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 500));
    }

    // The CLI as users run it, with the keys in private files.
    const main = await buildCli();
    cleanups.push(() => removeCli(main));
    const adminKey = path.join(scratch, "admin.key");
    const clerkKey = path.join(scratch, "clerk.key");
    await writeFile(adminKey, `${setup.keys.admin}\n`, { mode: 0o600 });
    await writeFile(clerkKey, `${setup.keys.clerk}\n`, { mode: 0o600 });
    await chmod(adminKey, 0o600);
    await chmod(clerkKey, 0o600);
    const url = `http://127.0.0.1:${port}`;
    const db = kept!.database;
    const cli = (...args: string[]) => runCli(main, scratch, ["report", "--url", url, "--db", db, ...args]);
    const context = () => `\n--- odoo log ---\n${odooLog.slice(-4000)}`;

    const json = await cli("--api-key-file", adminKey, "--format", "json");
    expect(json.code, json.stderr + context()).toBe(0);
    expect(json.stderr).toBe("");
    const got = JSON.parse(json.stdout) as { rows: ReportRow[]; summary: ReportSummary };

    // The figures the database holds, counted there after the report ran.
    const inDb = (await shell(COUNT, "REPORT-DB")) as Record<string, string>;
    const reported = Object.fromEntries(got.rows.map((row) => [row.login, row.status]));
    expect(reported).toEqual(inDb);
    const count = (status: string) => Object.values(inDb).filter((s) => s === status).length;
    expect(got.summary.users).toEqual({
      enrolled: count("enrolled"),
      grace: count("grace"),
      missing: count("missing"),
      exempt: count("exempt"),
      total: Object.keys(inDb).length,
    });
    expect(got.summary.byGroup.reduce((sum, line) => sum + line.total, 0)).toBe(got.rows.length);
    // Each state is there, for the users made for it.
    expect(reported).toMatchObject({ "rep-enrolled": "enrolled", "rep-grace": "grace", "rep-missing": "missing", "rep-portal": "grace", "rep-scanner": "exempt", "rep-clerk": "grace" });
    expect(got.rows.find((row) => row.login === "rep-enrolled")?.group).toBe(setup.internal_group);
    expect(got.rows.find((row) => row.login === "rep-missing")?.deadline).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);

    // The same figures as a table and as CSV.
    const table = await cli("--api-key-file", adminKey);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(new RegExp(`^rep-missing\\s.*\\smissing\\s`, "m"));
    const csv = await cli("--api-key-file", adminKey, "--format", "csv");
    expect(csv.code, csv.stderr).toBe(0);
    expect(csv.stdout.trimEnd().split("\r\n")).toHaveLength(got.rows.length + 1);

    // A plain user's own valid key: authenticated, then refused as not an administrator.
    const clerk = await cli("--login", "rep-clerk", "--api-key-file", clerkKey, "--json");
    expect(clerk.code, clerk.stdout + context()).toBe(1);
    expect(JSON.parse(clerk.stdout)).toMatchObject({ ok: false, error: { kind: "not-admin" } });
    // A key that is not the login's: refused at authentication, with the --login hint.
    const mismatch = await cli("--api-key-file", clerkKey, "--json");
    expect(mismatch.code).toBe(1);
    expect(JSON.parse(mismatch.stdout)).toMatchObject({ ok: false, error: { kind: "auth-failed", hint: expect.stringContaining("--login") } });
    // An unknown database.
    const nodb = await runCli(main, scratch, ["report", "--url", url, "--db", `${db}_nope`, "--api-key-file", adminKey, "--json"]);
    expect(nodb.code, nodb.stdout).toBe(1);
    expect(JSON.parse(nodb.stdout)).toMatchObject({ ok: false, error: { kind: "db-not-found" } });
    // Never a password: neither on the command line nor in the key file.
    const password = await cli("--login", "rep-clerk", "--password", "rep-clerk-Pass-1");
    expect(password.code).toBe(2);
    expect(password.stderr).toContain("never takes a password");
    expect(password.stderr).not.toContain("rep-clerk-Pass-1");
    const passwordFile = path.join(scratch, "password.txt");
    await writeFile(passwordFile, "rep-clerk-Pass-1\n", { mode: 0o600 });
    await chmod(passwordFile, 0o600);
    const inFile = await cli("--login", "rep-clerk", "--api-key-file", passwordFile);
    expect(inFile.code).toBe(2);
    expect(inFile.stderr).toContain("does not hold an Odoo API key");
    expect(odooLog).not.toContain("rep-clerk-Pass-1");
  });
});

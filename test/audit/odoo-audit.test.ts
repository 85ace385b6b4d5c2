/**
 * Acceptance of `odoo-2fa audit` (issue 17) against a REAL running Odoo, with and without the
 * addon, in one cluster:
 *
 * - `bare`: a database from verify's template (base, web, auth_totp, portal, auth_totp_portal;
 *   no addon of ours) with internal and portal users, some with TOTP, API keys, a trusted device;
 * - `addon`: verify's kept database, where the addon generated from the same policy is installed
 *   (install only: its tests are verify's business), with the same users.
 *
 * 1. Every row and count of the bare database's audit matches what Odoo itself says (odoo shell);
 *    the audit changed nothing: every table's rows hash the same before and after, and every
 *    sequence is where it was, except res_users_log (Odoo's own login bookkeeping, which records
 *    the audit's authentication).
 * 2. With --policy, each user's status is the one the installed addon gives the same user
 *    (its grace and missing being "must enrol"), and its version and deployed digest are named.
 * 3. Exposure: a default Odoo (list_db on) has the database manager and listing open; Odoo with
 *    --no-database-list behind the nginx snippet `odoo-2fa proxy` writes has both closed.
 *    The same behind nginx terminating TLS (a throwaway certificate): HSTS, the cookie's Secure
 *    flag and plain http next to https are checked as served.
 * 4. A non-admin key, a wrong key, an unknown database, an unreachable URL: one line each, exit 1;
 *    a bad policy: exit 2 with nothing sent; the key never in any output.
 *
 * Runs on every series (about a minute each with verify's template cached); a series without an
 * Odoo source tree (the real-Odoo tier's, see README) is skipped LOUDLY. ODOO_2FA_TIER_SERIES (or
 * ODOO_2FA_AUDIT_SERIES) limits the series. ODOO_2FA_AUDIT_HTML=FILE keeps the HTML page.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { chmod, copyFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { execa } from "execa";
import { afterAll, describe, expect, it } from "vitest";
import type { AuditUser, ExposureFinding } from "../../src/audit/index.js";
import { policyStatusOfAddon } from "../../src/audit/judge.js";
import { checkExposure } from "../../src/audit/exposure.js";
import { loadPolicy } from "../../src/generate/policy-file.js";
import { SERIES } from "../../src/policy/model.js";
import { policySha256, renderProxySnippet } from "../../src/proxy/index.js";
import { deployedDigest } from "../../src/render/deployed.js";
import { renderAddon } from "../../src/render/index.js";
import { loadTemplateSet } from "../../src/generate/templates.js";
import { TOOL_VERSION } from "../../src/version.js";
import { verifyAddon } from "../../src/verify/index.js";
import { TEMPLATE_DB } from "../../src/verify/local.js";
import { writeTreesAtomically } from "../../src/write/atomic.js";
import { buildCli, removeCli, runCli } from "../cli/run-cli.js";
import { freePort, serverBinary, startServer, writeServerConfig } from "../proxy/servers.js";
import { EXAMPLES_DIR } from "../support/examples.js";
import { missingTree, ODOO_BOOT, odooEnv, startKeptPostgres, tierSeries } from "../support/real-odoo.js";

const seriesList = tierSeries(SERIES, "ODOO_2FA_AUDIT_SERIES");
const nginx = serverBinary("nginx");

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

/** What Odoo itself says about every active user (printed by the setup's shell, saving one Odoo start). */
const TRUTH = `
out = {}
for user in env["res.users"].search([]):
    out[user.login] = {
        "share": user.share,
        "totp": user.totp_enabled,
        "admin": user.has_group("base.group_system") or user.has_group("base.group_erp_manager"),
        "keys": env["res.users.apikeys"].sudo().search_count([("user_id", "=", user.id)]),
        "devices": env["auth_totp.device"].sudo().search_count([("user_id", "=", user.id)]),
        "last_login": str(user.login_date) if user.login_date else None,
        "company": user.company_id.name,
        "addon": user.totp_policy_status if "totp_policy_status" in user._fields else None,
    }
print("AUDIT-DB " + json.dumps(out))
`;

/** Users in each situation; `aud-settings` (a Settings administrator without 2FA) only where SETTINGS. Prints the keys. */
const setup = (settings: boolean) => `
import inspect, json
Users = env["res.users"].with_context(no_reset_password=True)
gf = "group_ids" if "group_ids" in Users._fields else "groups_id"
internal, portal, system = env.ref("base.group_user"), env.ref("base.group_portal"), env.ref("base.group_system")

def make(login, groups):
    return Users.create({"name": login.replace("-", " ").title(), "login": login, "password": login + "-Pass-1", gf: [(6, 0, [g.id for g in groups])]})

users = {login: make(login, [internal]) for login in ("aud-enrolled", "aud-missing", "aud-keyed", "aud-scanner")}
users.update({login: make(login, [portal]) for login in ("aud-portal", "aud-portal-totp")})
users["aud-public"] = make("aud-public", [env.ref("base.group_public")])
if ${settings ? "True" : "False"}:
    users["aud-settings"] = make("aud-settings", [internal, system])
make("aud-inactive", [internal]).active = False
admin = env.ref("base.user_admin")
for user in (users["aud-enrolled"], users["aud-portal-totp"], admin):
    env.cr.execute("UPDATE res_users SET totp_secret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP' WHERE id = %s", [user.id])
env.invalidate_all() if hasattr(env, "invalidate_all") else env.cache.invalidate()

def generate(model, user, scope, name):
    model = env[model].with_user(user).sudo()
    wants_expiration = "expiration_date" in inspect.signature(type(model)._generate).parameters
    return model._generate(*((scope, name) + ((None,) if wants_expiration else ())))

keys = {"admin": generate("res.users.apikeys", admin, "rpc", "odoo-2fa audit"), "clerk": generate("res.users.apikeys", users["aud-keyed"], "rpc", "integration")}
generate("auth_totp.device", users["aud-enrolled"], "browser", "Firefox on a laptop")
env.cr.commit()
print("AUDIT-SETUP " + json.dumps(keys))
${TRUTH}`;


/** Every table's row count and a hash of its rows, and every sequence's position. */
const SNAPSHOT = `
import json, sys, psycopg2
host, port, user, db = sys.argv[1:5]
cr = psycopg2.connect(host=host, port=port, user=user, dbname=db).cursor()
cr.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
out = {}
for (table,) in cr.fetchall():
    cr.execute('SELECT count(*), md5(coalesce(string_agg(md5(t::text), \\'\\' ORDER BY md5(t::text)), \\'\\')) FROM "%s" t' % table)
    out["table " + table] = list(cr.fetchone())
cr.execute("SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'")
for name, value in cr.fetchall():
    out["sequence " + name] = value
print(json.dumps(out))
`;

interface AuditJson {
  users: AuditUser[];
  summary: {
    users: number;
    enrolled: number;
    administratorsWithoutTotp: { login: string }[];
    policy?: { counts: Record<string, number>; passwordRpcCandidates: string[] };
    addon?: { module: string; installedVersion: string; deployedDigest: string; matchesPolicy?: boolean };
    severe: boolean;
  };
  exposure: ExposureFinding[];
  limits: string[];
}

const state = (findings: readonly ExposureFinding[], id: string) => findings.find((finding) => finding.id === id)?.state;

// The body below is one series' run (not indented under the loop: it holds Python in template strings).
for (const series of seriesList) {
const why = missingTree(series);
const skip = why ? `no Odoo ${series} source tree (${why}); or choose another series with ODOO_2FA_AUDIT_SERIES` : undefined;
if (skip) process.stderr.write(`\n${"!".repeat(8)} odoo-2fa audit against a real Odoo ${series}: SKIPPED (not run, not passed): ${skip}\n\n`);
describe.skipIf(skip !== undefined)(`odoo-2fa audit against a real Odoo ${series}`, () => {
  it("reports what the database holds, judges as the addon does, writes nothing, finds the open doors", { timeout: 1_500_000 }, async () => {
    const started = Date.now();
    const scratch = await mkdtemp(path.join(os.tmpdir(), "odoo-2fa-audit-e2e-"));
    cleanups.push(() => rm(scratch, { recursive: true, force: true }));
    // The customer-portal example, lean (no optional switches), with one exempt login.
    const policyFile = path.join(scratch, "policy.yaml");
    const example = await readFile(path.join(EXAMPLES_DIR, "customer-portal.yaml"), "utf8");
    await writeFile(
      policyFile,
      example
        .replace(/^exemptions: \[\]$/m, 'exemptions:\n  - name: scanner\n    logins: [aud-scanner]\n    networks: [127.0.0.0/8]\n    reason: "Shared scanner (audit test)"')
        .replace(/^recovery_codes:\n {2}enabled: true$/m, "recovery_codes:\n  enabled: false")
        .replace(/^ {2}announce: true$/m, "  announce: false")
        .replace(/^ {2}remind_days_before_deadline: \[7, 1\]$/m, "  remind_days_before_deadline: []")
        .replace(/^ {2}notify_admins_weekly: true$/m, "  notify_admins_weekly: false")
        .replace(/^report: true$/m, "report: false"),
    );
    const loaded = await loadPolicy(policyFile, { series: [series] });
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues));
    const policy = loaded.policy;
    expect(policy.exemptions).toHaveLength(1);
    expect(policy.recoveryCodes.enabled).toBe(false);
    const addonDir = path.join(scratch, "addons", policy.addon.name);
    await writeTreesAtomically([{ dir: addonDir, tree: renderAddon(policy, series, await loadTemplateSet()) }]);

    // The addon installed (no tests: verify's own business), the database kept.
    const report = await verifyAddon({ addonDir, series, keepDb: true, runTests: false });
    const kept = report.kept;
    if (kept) cleanups.push(() => rm(kept.dir, { recursive: true, force: true }));
    expect(report.install.ok, report.problems.join("\n")).toBe(true);
    expect(kept).toBeDefined();
    cleanups.push(await startKeptPostgres(kept!));
    const odooArgs = kept!.odooArgs.split(" ").filter((arg, index, all) => arg !== "-d" && all[index - 1] !== "-d");
    const arg = (name: string) => odooArgs.find((item) => item.startsWith(`--${name}=`))!.split("=")[1]!;
    const [socketDir, pgPort, pgUser] = [arg("db_host"), arg("db_port"), arg("db_user")];

    // The bare database: verify's template (no addon of ours), with its filestore.
    const bare = "audit_bare";
    const addonDb = kept!.database;
    const created = await execa(path.join(report.odoo.postgres, "createdb"), ["-h", socketDir, "-p", pgPort, "-U", pgUser, "-T", TEMPLATE_DB, bare], { reject: false, all: true });
    expect(created.exitCode, created.all).toBe(0);
    const templateFilestore = path.join(report.template.dir, "filestore");
    if (existsSync(templateFilestore)) await execa("cp", ["-a", templateFilestore, path.join(kept!.dir, "odoo-data", "filestore", bare)]);

    const env = odooEnv(report);
    type Truth = Record<string, { share: boolean; totp: boolean; admin: boolean; keys: number; devices: number; last_login: string | null; company: string; addon: string | null }>;
    const shell = async (db: string, script: string): Promise<{ keys: { admin: string; clerk: string }; truth: Truth }> => {
      const run = await execa(report.odoo.python, ["-c", ODOO_BOOT, "shell", ...odooArgs, "-d", db, "--no-http"], { env, cwd: kept!.dir, input: script, reject: false, all: true, timeout: 300_000 });
      expect(run.exitCode, run.all?.slice(-3000)).toBe(0);
      const printed = (marker: string) => {
        const line = run.stdout.split("\n").find((text) => text.startsWith(`${marker} `));
        expect(line, run.all?.slice(-3000)).toBeDefined();
        return JSON.parse(line!.slice(marker.length + 1)) as unknown;
      };
      return { keys: printed("AUDIT-SETUP") as { admin: string; clerk: string }, truth: printed("AUDIT-DB") as Truth };
    };
    const { keys: bareKeys, truth } = await shell(bare, setup(true));
    const { keys: addonKeys, truth: addonTruth } = await shell(addonDb, setup(false));
    const snapshot = async (db: string): Promise<Record<string, unknown>> => {
      const run = await execa("/usr/bin/python3", ["-c", SNAPSHOT, socketDir, pgPort, pgUser, db], { reject: false, all: true });
      expect(run.exitCode, run.all).toBe(0);
      return JSON.parse(run.stdout) as Record<string, unknown>;
    };

    // Odoo on loopback, serving both databases; restarted with other options for the exposure runs.
    let odooLog = "";
    let running: { child: ChildProcess; exited: Promise<void> } | undefined;
    const stopOdoo = async () => {
      if (!running) return;
      const { child, exited } = running;
      running = undefined;
      child.kill("SIGTERM");
      if (!(await Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 10_000))]))) child.kill("SIGKILL");
    };
    cleanups.push(stopOdoo);
    const startOdoo = async (port: number, extra: string[]) => {
      const child = spawn(report.odoo.python, ["-c", ODOO_BOOT, ...odooArgs, "--http-interface=127.0.0.1", `--http-port=${port}`, "--workers=0", "--max-cron-threads=0", ...extra], {
        env,
        cwd: kept!.dir,
        stdio: ["ignore", "pipe", "pipe"],
      });
      child.stdout?.on("data", (chunk: Buffer) => (odooLog += chunk.toString()));
      child.stderr?.on("data", (chunk: Buffer) => (odooLog += chunk.toString()));
      running = { child, exited: new Promise<void>((resolve) => child.once("exit", () => resolve())) };
      const deadline = Date.now() + 180_000;
      while (!(await connects(port))) {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`Odoo did not start:\n${odooLog.slice(-3000)}`);
        await new Promise((r) => setTimeout(r, 300));
      }
    };
    const port = await freePort();
    await startOdoo(port, []);
    const url = `http://127.0.0.1:${port}`;
    const context = () => `\n--- odoo log ---\n${odooLog.slice(-4000)}`;

    const main = await buildCli();
    cleanups.push(() => removeCli(main));
    const keyFile = async (name: string, key: string) => {
      const file = path.join(scratch, name);
      await writeFile(file, `${key}\n`, { mode: 0o600 });
      await chmod(file, 0o600);
      return file;
    };
    const files = {
      bareAdmin: await keyFile("bare-admin.key", bareKeys.admin),
      bareClerk: await keyFile("bare-clerk.key", bareKeys.clerk),
      addonAdmin: await keyFile("addon-admin.key", addonKeys.admin),
    };
    const audit = (db: string, key: string, ...args: string[]) => runCli(main, scratch, ["audit", "--url", url, "--db", db, "--api-key-file", key, ...args]);
    const secrets = [bareKeys.admin, bareKeys.clerk, addonKeys.admin, addonKeys.clerk];

    // 1. The bare database, every format, between two snapshots.
    const before = await snapshot(bare);
    const runs = [
      await audit(bare, files.bareAdmin, "--format", "json", "--policy", policyFile),
      await audit(bare, files.bareAdmin),
      await audit(bare, files.bareAdmin, "--format", "csv"),
      await audit(bare, files.bareAdmin, "--format", "html", "--out", path.join(scratch, "audit.html"), "--policy", policyFile),
    ];
    const after = await snapshot(bare);
    const changed = Object.keys({ ...before, ...after }).filter((key) => JSON.stringify(before[key]) !== JSON.stringify(after[key]));
    expect(changed, "the audit wrote to these").toEqual(["table res_users_log", "sequence res_users_log_id_seq"]);
    // Exactly one login recorded per run (Odoo's bookkeeping of each authenticate), nothing else.
    expect((after["table res_users_log"] as number[])[0]! - (before["table res_users_log"] as number[])[0]!).toBe(4);
    for (const run of runs) {
      // An administrator without 2FA (aud-settings), and the database manager open: exit 1.
      expect(run.code, run.stderr + context()).toBe(1);
      for (const secret of secrets) expect(run.stdout + run.stderr).not.toContain(secret);
    }
    const got = JSON.parse(runs[0]!.stdout) as AuditJson;
    const byLogin = new Map(got.users.map((user) => [user.login, user]));
    expect([...byLogin.keys()].sort()).toEqual(Object.keys(truth).sort());
    for (const [login, fact] of Object.entries(truth)) {
      const user = byLogin.get(login)!;
      expect({ login, type: user.type === "internal" ? "internal" : "share", totp: user.totp, admin: user.administrator, keys: user.apiKeys.length, devices: user.trustedDevices, company: user.company }).toEqual({
        login,
        type: fact.share ? "share" : "internal",
        totp: fact.totp,
        admin: fact.admin,
        keys: fact.keys,
        devices: fact.devices,
        company: fact.company,
      });
      // The shell read last logins before the audit logged in: only the audit's own login moved.
      if (login !== "admin") expect(user.lastLogin, login).toBe(fact.last_login);
    }
    expect(byLogin.get("aud-keyed")!.apiKeys).toEqual([expect.objectContaining({ name: "integration", scope: "rpc" })]);
    expect(byLogin.get("aud-enrolled")!.trustedDevices).toBe(1);
    expect(byLogin.get("aud-portal")!.type).toBe("portal");
    expect(byLogin.has("aud-inactive")).toBe(false);
    expect(got.summary.users).toBe(Object.keys(truth).length);
    expect(got.summary.enrolled).toBe(Object.values(truth).filter((fact) => fact.totp).length);
    expect(got.summary.administratorsWithoutTotp.map((admin) => admin.login)).toEqual(Object.entries(truth).filter(([, fact]) => fact.admin && !fact.totp).map(([login]) => login).sort());
    expect(got.summary.administratorsWithoutTotp.map((admin) => admin.login)).toContain("aud-settings");
    expect(got.summary.addon).toBeUndefined();
    expect(byLogin.get("aud-scanner")).toMatchObject({ exempt: true, policyStatus: "exempt" });
    expect(byLogin.get("aud-missing")).toMatchObject({ exempt: false, policyStatus: "must-enrol" });
    expect(byLogin.get("aud-enrolled")).toMatchObject({ policyStatus: "enrolled" });
    expect(byLogin.get("aud-portal")).toMatchObject({ policyStatus: "must-enrol" });
    expect(byLogin.get("aud-public")).toMatchObject({ type: "public", policyStatus: "not-required" });
    expect(got.summary.policy!.passwordRpcCandidates).toContain("aud-missing");
    expect(got.summary.policy!.passwordRpcCandidates).not.toContain("aud-keyed");
    expect(got.limits.join(" ")).toMatch(/cannot be known/);
    // A default Odoo: the database manager and the listings are open.
    for (const id of ["database-manager", "database-selector", "database-list", "database-list-xmlrpc", "version-http", "xmlrpc", "jsonrpc"])
      expect(state(got.exposure, id), `${id}: ${JSON.stringify(got.exposure.find((f) => f.id === id))}`).toBe("exposed");
    expect(state(got.exposure, "session-cookie"), JSON.stringify(got.exposure)).not.toBe("unknown");
    // The table: the summary first, administrators by name; the CSV: one line per user.
    expect(runs[1]!.stdout).toMatch(/^Administrators without 2FA \(\d+\): .*aud-settings \(Aud Settings\)/m);
    expect(runs[1]!.stdout.indexOf("2FA enabled:")).toBeLessThan(runs[1]!.stdout.indexOf("Users ("));
    expect(runs[2]!.stdout.trimEnd().split("\r\n")).toHaveLength(got.users.length + 1);
    const page = await readFile(path.join(scratch, "audit.html"), "utf8");
    expect(page).toContain(`<span id="enrolled">${got.summary.enrolled}</span>/<span id="users">${got.summary.users}</span>`);
    // For the README's screenshot (docs/audit.png): ODOO_2FA_AUDIT_HTML=FILE keeps this page.
    if (process.env.ODOO_2FA_AUDIT_HTML) await copyFile(path.join(scratch, "audit.html"), process.env.ODOO_2FA_AUDIT_HTML);

    // 2. The addon's database: the policy's statuses are the addon's, user by user.
    const addonRun = await audit(addonDb, files.addonAdmin, "--format", "json", "--policy", policyFile);
    const withAddon = JSON.parse(addonRun.stdout) as AuditJson;
    expect(withAddon.summary.addon, addonRun.stderr + context()).toMatchObject({ module: policy.addon.name, deployedDigest: deployedDigest(policy), matchesPolicy: true });
    expect(withAddon.summary.addon!.installedVersion).toBe(`${series}.${policy.addon.version}`);
    for (const user of withAddon.users) {
      expect(user.addonStatus, user.login).toBe(addonTruth[user.login]!.addon);
      expect(user.policyStatus, `${user.login}: the addon says ${user.addonStatus}`).toBe(policyStatusOfAddon(user.addonStatus!));
    }
    expect(new Set(withAddon.users.map((user) => user.policyStatus))).toEqual(new Set(["must-enrol", "enrolled", "exempt", "not-required"]));

    // 4. Refusals: one line each, exit 1; nothing sent for a bad policy (exit 2).
    const clerk = await audit(bare, files.bareClerk, "--login", "aud-keyed", "--json");
    expect(clerk.code, clerk.stdout).toBe(1);
    expect(JSON.parse(clerk.stdout)).toMatchObject({ ok: false, error: { kind: "not-admin" } });
    const wrong = await audit(bare, files.bareClerk, "--json");
    expect(JSON.parse(wrong.stdout)).toMatchObject({ ok: false, error: { kind: "auth-failed" } });
    const nodb = await audit(`${bare}_nope`, files.bareAdmin);
    expect(nodb.code).toBe(1);
    expect(nodb.stderr.split("\n")[0]).toMatch(/^odoo-2fa audit: error: .*no database "audit_bare_nope"/);
    const badPolicy = path.join(scratch, "bad.yaml");
    await writeFile(badPolicy, "schema: 1\nenforce: {grace_dayz: 3}\n");
    const bad = await audit(bare, files.bareAdmin, "--policy", badPolicy);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("nothing sent");
    const closedPort = await freePort();
    const unreachable = await runCli(main, scratch, ["audit", "--url", `http://127.0.0.1:${closedPort}`, "--db", bare, "--api-key-file", files.bareAdmin]);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr.split("\n")[0]).toMatch(/cannot reach Odoo .*connection refused/);
    for (const run of [clerk, wrong, nodb, bad, unreachable]) for (const secret of secrets) expect(run.stdout + run.stderr).not.toContain(secret);
    for (const secret of secrets) expect(odooLog).not.toContain(secret);

    // 3. list_db off, behind the generated nginx snippet (when nginx is installed): both closed.
    await stopOdoo();
    const hidden = await freePort();
    await startOdoo(hidden, ["--no-database-list", "--proxy-mode"]);
    const direct = await checkExposure(`http://127.0.0.1:${hidden}`, { db: addonDb });
    for (const id of ["database-manager", "database-list", "database-list-xmlrpc"]) expect(state(direct, id), JSON.stringify(direct)).toBe("closed");
    if (nginx) {
      const proxyPort = await freePort();
      const snippet = renderProxySnippet(policy, "nginx", {
        upstream: `127.0.0.1:${hidden}`,
        longpolling: `127.0.0.1:${hidden}`,
        policyFile: "policy.yaml",
        policySha256: policySha256(policy),
        toolVersion: TOOL_VERSION,
      });
      const proxy = await startServer(await writeServerConfig("nginx", snippet, path.join(scratch, "nginx"), proxyPort));
      cleanups.push(() => proxy.stop());
      const behind = await runCli(main, scratch, ["audit", "--url", `http://127.0.0.1:${proxyPort}`, "--db", addonDb, "--api-key-file", files.addonAdmin, "--format", "json"]);
      const proxied = JSON.parse(behind.stdout) as AuditJson;
      for (const id of ["database-manager", "database-selector", "database-list", "database-list-xmlrpc"])
        expect(state(proxied.exposure, id), `${id}: ${JSON.stringify(proxied.exposure)}`).toBe("closed");
      // Nothing severe left: every administrator of this database has 2FA, the manager is closed.
      expect(behind.code, behind.stderr + JSON.stringify(proxied.summary)).toBe(0);

      // The same snippet over https (nginx terminating TLS with a throwaway certificate the CLI
      // trusts through NODE_EXTRA_CA_CERTS): what https adds is checked as it is served.
      const tls = path.join(scratch, "tls");
      const made = await execa("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,IP:::1", "-keyout", `${tls}-key.pem`, "-out", `${tls}-cert.pem`], { reject: false, all: true });
      expect(made.exitCode, made.all).toBe(0);
      const tlsPort = await freePort();
      const tlsSetup = await writeServerConfig("nginx", snippet, tls, tlsPort);
      const config = await readFile(tlsSetup.configFile, "utf8");
      const withTls = config.replace(/^( +)listen (\S+);$/gm, `$1listen $2 ssl;`).replace(/^( +)include /m, `$1ssl_certificate ${tls}-cert.pem;\n$1ssl_certificate_key ${tls}-key.pem;\n$1include `);
      expect(withTls).toContain(" ssl;");
      await writeFile(tlsSetup.configFile, withTls);
      const tlsProxy = await startServer(tlsSetup);
      cleanups.push(() => tlsProxy.stop());
      process.env.NODE_EXTRA_CA_CERTS = `${tls}-cert.pem`;
      const overTls = await runCli(main, scratch, ["audit", "--url", `https://127.0.0.1:${tlsPort}`, "--db", addonDb, "--api-key-file", files.addonAdmin, "--format", "json"]);
      delete process.env.NODE_EXTRA_CA_CERTS;
      const secure = JSON.parse(overTls.stdout || "{}") as AuditJson;
      expect(secure.exposure, overTls.stderr).toBeDefined();
      const finding = (id: string) => secure.exposure.find((item) => item.id === id);
      // nginx refuses plain http on its TLS port (400): the login page is not served in clear.
      expect(finding("plain-http")?.state, JSON.stringify(finding("plain-http"))).toBe("closed");
      for (const id of ["database-manager", "database-list", "database-list-xmlrpc"]) expect(finding(id)?.state, id).toBe("closed");
      // The snippet adds no HSTS, and Odoo marks its cookie HttpOnly only: both reported, with what to do.
      expect(finding("hsts")).toMatchObject({ state: "exposed", severity: "medium", detail: "no Strict-Transport-Security header" });
      expect(finding("session-cookie")).toMatchObject({ state: "exposed", detail: expect.stringContaining("Secure no, HttpOnly yes, SameSite not set") });
      expect(finding("session-cookie")!.fix).toContain("proxy_cookie_flags");
      expect(finding("proxy-mode")?.state, JSON.stringify(finding("proxy-mode"))).toBeDefined();
      expect(overTls.code, overTls.stderr).toBe(0);
    } else process.stderr.write(`${"!".repeat(8)} odoo-2fa audit behind nginx: SKIPPED (nginx is not installed; bash scripts/setup-proxies.sh)\n`);
    process.stderr.write(`odoo-2fa audit against Odoo ${series}: ${Math.round((Date.now() - started) / 1000)} s\n`);
  });
});
}

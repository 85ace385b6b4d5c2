/**
 * `odoo-2fa check POLICY --url …` as users run it (a subprocess), against a loopback stub of
 * Odoo's XML-RPC: the exit codes (0 equal, 1 drift or refusal, 2 bad input with nothing sent),
 * the words, --json, the key-file rules it shares with `report`, and the file-based mode left as
 * it was. Against a real Odoo: odoo-check.test.ts.
 */
import { chmod, copyFile, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loadPolicy } from "../../src/generate/policy-file.js";
import type { Policy } from "../../src/policy/model.js";
import { deployedDigest, deployedPolicy } from "../../src/render/deployed.js";
import { buildCli, removeCli, runCli, type Run } from "../cli/run-cli.js";
import { EXAMPLES_DIR } from "../support/examples.js";
import { ADMIN_KEY, startCheckStub, USER_KEY, type CheckStub, type CheckStubOptions } from "./stub.js";

let main: string;
let work: string;
let stub: CheckStub;
let policy: Policy;
const cli = (...args: string[]): Promise<Run> => runCli(main, work, args);
const noStackTrace = (run: Run) => expect(run.stdout + run.stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);

/** The answers of a database that deployed `policy` on 17.0, untouched since. */
function deployed(from: Policy): CheckStubOptions {
  return {
    module: { name: from.addon.name, state: "installed", latest_version: `17.0.${from.addon.version}` },
    state: {
      module: from.addon.name,
      installed_version: `17.0.${from.addon.version}`,
      shipped_version: `17.0.${from.addon.version}`,
      deployed_digest: deployedDigest(from),
      deployed_version: `17.0.${from.addon.version}`,
      deployed_date: "2025-06-01 10:00:00",
      editable: from.settings.editable,
      shipped_digest: deployedDigest(from),
      shipped: JSON.parse(JSON.stringify(deployedPolicy(from))),
      enforced: JSON.parse(JSON.stringify(deployedPolicy(from))),
    },
  };
}

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), "odoo-2fa-check-live-"));
  main = await buildCli();
  await copyFile(path.join(EXAMPLES_DIR, "warehouse-scanners.yaml"), path.join(work, "policy.yaml"));
  const loaded = await loadPolicy(path.join(work, "policy.yaml"));
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues));
  policy = loaded.policy;
  await writeFile(path.join(work, "admin.key"), `${ADMIN_KEY}\n`, { mode: 0o600 });
  await writeFile(path.join(work, "clerk.key"), `${USER_KEY}\n`, { mode: 0o600 });
  await chmod(path.join(work, "admin.key"), 0o600);
  await chmod(path.join(work, "clerk.key"), 0o600);
  stub = await startCheckStub({});
});
afterAll(async () => {
  await stub?.close();
  if (work) await rm(work, { recursive: true, force: true });
  if (main) await removeCli(main);
});
beforeEach(() => {
  for (const key of Object.keys(stub.options)) delete stub.options[key as keyof CheckStubOptions];
  Object.assign(stub.options, deployed(policy));
  stub.bodies.length = 0;
});

const live = (...args: string[]) => cli("check", "policy.yaml", "--url", stub.url, "--db", "prod", ...(args.includes("--api-key-file") ? [] : ["--api-key-file", "admin.key"]), ...args);

describe("check --url against a stub Odoo", () => {
  it("exits 0 when the database enforces the policy", async () => {
    const run = await live();
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toBe("");
    expect(run.stdout).toMatch(
      new RegExp(`^database "prod" at ${stub.url} \\(Odoo 17\\.0\\): up to date: acme_2fa_policy 17\\.0\\.1\\.0\\.0, policy ${deployedDigest(policy).slice(0, 12)} deployed 2025-06-01 10:00:00 UTC\\n$`),
    );
    const json = await live("--json");
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({
      ok: true,
      command: "check",
      file: "policy.yaml",
      db: "prod",
      series: "17.0",
      installed: true,
      findings: [],
      differences: [],
      expected: { version: "17.0.1.0.0", digest: deployedDigest(policy), editable: true },
      database: { deployedDigest: deployedDigest(policy), installedVersion: "17.0.1.0.0", editable: true },
    });
    expect(json.stdout + run.stdout).not.toContain(ADMIN_KEY);
  });

  it("exits 1 and names each difference in words", async () => {
    const state = stub.options.state as { enforced: Record<string, unknown> };
    state.enforced.grace_days = 30;
    state.enforced.api_networks = ["192.168.0.0/16"];
    const run = await live();
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout.split("\n")).toEqual([
      `database "prod" at ${stub.url} (Odoo 17.0), addon acme_2fa_policy:`,
      "  grace_days: policy 7, database 30",
      "  api_networks: policy none, database 192.168.0.0/16 (only in the database: 192.168.0.0/16)",
      expect.stringMatching(/^drift found; the database runs this policy, but Settings changed values since its deployment: set them back/),
      "",
    ]);
    const json = JSON.parse((await live("--json")).stdout);
    expect(json).toMatchObject({ ok: false, command: "check" });
    expect(json.differences).toEqual([
      { key: "grace_days", policy: 7, database: 30 },
      { key: "api_networks", policy: [], database: ["192.168.0.0/16"] },
    ]);
    expect(json.findings[0]).toEqual({ kind: "value", key: "grace_days", message: "grace_days: policy 7, database 30", policy: 7, database: 30 });
  });

  it("exits 1 when the database runs another policy version", async () => {
    const older: Policy = { ...policy, enforce: { ...policy.enforce, graceDays: 14 } };
    Object.assign(stub.options, deployed(older));
    const run = await live();
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("the database runs another policy version: regenerate and upgrade (-u acme_2fa_policy)");
    expect(run.stdout).toContain("  grace_days: policy 7, database 14");
  });

  it("exits 1 when the addon is not installed, without asking for its state", async () => {
    stub.options.module = { name: "acme_2fa_policy", state: "uninstalled", latest_version: false };
    const run = await live();
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('the addon acme_2fa_policy is not installed in database "prod" (state: uninstalled)');
    expect(stub.bodies.join("")).not.toContain("totp_policy_state");
    delete stub.options.module;
    const unknown = await live("--json");
    expect(unknown.code).toBe(1);
    expect(JSON.parse(unknown.stdout)).toMatchObject({ ok: false, installed: false, findings: [{ kind: "addon-unknown" }] });
  });

  it("takes the series from the server, or from --odoo", async () => {
    stub.options.serverSerie = "18.0";
    const fromServer = await live();
    expect(fromServer.code).toBe(1);
    expect(fromServer.stdout).toContain("addon version: policy 18.0.1.0.0, database 17.0.1.0.0");
    const given = await live("--odoo", "17.0");
    expect(given.code).toBe(1);
    expect(given.stdout).toContain("Odoo series: --odoo 17.0, server 18.0");
    expect(given.stdout).not.toContain("addon version:");
    stub.options.serverSerie = "15.0";
    const old = await live("--json");
    expect(old.code).toBe(1);
    expect(JSON.parse(old.stdout)).toMatchObject({ ok: false, error: { kind: "unsupported-series", hint: expect.stringContaining("--odoo") } });
  });

  it("exits 1 with the reason when the server refuses", async () => {
    const clerk = await live("--login", "clerk", "--api-key-file", "clerk.key", "--json");
    expect(clerk.code).toBe(1);
    expect(JSON.parse(clerk.stdout)).toMatchObject({
      ok: false,
      command: "check",
      error: { kind: "not-admin", message: 'the user "clerk" may not read the deployed 2FA policy: only administrators (Settings access, base.group_system) may' },
    });
    const wrongLogin = await live("--api-key-file", "clerk.key");
    expect(wrongLogin.code).toBe(1);
    expect(wrongLogin.stderr).toContain('Odoo refused the login "admin" with this API key on database "prod"');
    stub.options.noStateModel = true;
    const older = await live();
    expect(older.code).toBe(1);
    expect(older.stderr).toContain("does not offer totp.policy.deployment.totp_policy_state(): it was generated by an older odoo-2fa");
    const down = await cli("check", "policy.yaml", "--url", "http://127.0.0.1:9", "--db", "prod", "--api-key-file", "admin.key");
    expect(down.code).toBe(1);
    expect(down.stderr).toContain("cannot reach Odoo at http://127.0.0.1:9");
    for (const run of [clerk, wrongLogin, older, down]) {
      noStackTrace(run);
      expect(run.stdout + run.stderr).not.toMatch(new RegExp(`${ADMIN_KEY}|${USER_KEY}`));
    }
  });

  it("exits 2 for bad input, and sends nothing", async () => {
    await writeFile(path.join(work, "password.txt"), "hunter2-Secret\n", { mode: 0o600 });
    await chmod(path.join(work, "password.txt"), 0o600);
    await writeFile(path.join(work, "bad.yaml"), "schema: 1\nenforce:\n  grace_dayz: 3\n");
    const cases: [string[], RegExp][] = [
      [["check", "policy.yaml", "--url", "ftp://erp.example.com", "--db", "prod", "--api-key-file", "admin.key"], /--url must be an http:\/\/ or https:\/\/ address/],
      [["check", "policy.yaml", "--url", "not a url", "--db", "prod", "--api-key-file", "admin.key"], /--url not a url is not a URL/],
      [["check", "policy.yaml", "--url", stub.url, "--db", "prod", "--api-key-file", "nowhere.key"], /--api-key-file nowhere\.key: no such file/],
      [["check", "policy.yaml", "--url", stub.url, "--db", "prod", "--api-key-file", "password.txt"], /does not hold an Odoo API key .*odoo-2fa check never takes a password/],
      [["check", "policy.yaml", "--url", stub.url, "--db", "prod", "--password", "hunter2-Secret"], /--password is refused: odoo-2fa check never takes a password/],
      [["check", "policy.yaml", "--url", stub.url, "--db", "prod", "--api-key", ADMIN_KEY], /--api-key is refused/],
      [["check", "bad.yaml", "--url", stub.url, "--db", "prod", "--api-key-file", "admin.key"], /bad\.yaml:3:3: error: enforce\.grace_dayz/],
      [["check", "policy.yaml", "--url", stub.url, "--db", "prod", "--api-key-file", "admin.key", "--out", "addons"], /--url and --out are exclusive/],
      [["check", "policy.yaml", "--url", stub.url, "--api-key-file", "admin.key"], /Missing required argument with --url: db/],
      [["check", "policy.yaml", "--url", stub.url, "--db", "prod", "--api-key-file", "admin.key", "--odoo", "all"], /--odoo names 4 series; check --url compares one database/],
      [["check", "policy.yaml", "--db", "prod", "--odoo", "17.0", "--out", "addons"], /--db needs --url/],
      [["check", "policy.yaml", "--url", stub.url, "--db", " ", "--api-key-file", "admin.key"], /--db is empty/],
      [["check", "policy.yaml", "--url", stub.url, "--db", "prod", "--api-key-file", "admin.key", "--api-key-file", "clerk.key"], /--api-key-file is given 2 times/],
    ];
    for (const [args, message] of cases) {
      const run = await cli(...args);
      expect(run.code, `${args.join(" ")}\n${run.stderr}`).toBe(2);
      expect(run.stderr, args.join(" ")).toMatch(message);
      expect(run.stdout + run.stderr).not.toContain("hunter2-Secret");
      expect(run.stdout + run.stderr).not.toContain(ADMIN_KEY);
      noStackTrace(run);
    }
    expect(stub.bodies).toEqual([]);
    const json = await cli("check", "bad.yaml", "--url", stub.url, "--db", "prod", "--api-key-file", "admin.key", "--json");
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, command: "check", file: "bad.yaml", errors: expect.any(Number), issues: expect.any(Array) });
  });

  it("warns about a group-readable key file and clear-text http off this machine, like report", async () => {
    await writeFile(path.join(work, "shared.key"), `${ADMIN_KEY}\n`);
    await chmod(path.join(work, "shared.key"), 0o640);
    const run = await live("--api-key-file", "shared.key");
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/warning: shared\.key holds an API key and is readable by its group \(mode 0640\)/);
    const remote = await cli("check", "policy.yaml", "--url", "http://erp.invalid", "--db", "prod", "--api-key-file", "admin.key", "--timeout", "5");
    expect(remote.code).toBe(1);
    expect(remote.stderr).toContain("warning: http://erp.invalid is plain http: the API key crosses the network unencrypted; use https://");
  });

  it("keeps the file-based check without --url", async () => {
    const missing = await cli("check", "policy.yaml");
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("Missing required arguments: odoo, out");
    const generated = await cli("generate", "policy.yaml", "--odoo", "17.0", "--out", "addons");
    expect(generated.code, generated.stderr).toBe(0);
    const clean = await cli("check", "policy.yaml", "--odoo", "17.0", "--out", "addons");
    expect(clean.code, clean.stderr).toBe(0);
    expect(clean.stdout).toMatch(/acme_2fa_policy\/ \(17\.0\): up to date/);
    const help = await cli("check", "--help");
    expect(help.stdout).toContain("--url");
    expect(help.stdout).not.toMatch(/^\s+--password/m);
  });
});

/**
 * Regenerating safely (issue 5), through the CLI as users run it: only dependent files change,
 * `check` names the drift reason, hand edits are never lost silently.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, appendFileSync, unlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { EXAMPLES_DIR } from "../support/examples.js";
import { buildCli, removeCli, runCli } from "./run-cli.js";

let cli: string;
let work: string;
beforeAll(async () => {
  cli = await buildCli();
});
afterAll(async () => {
  await removeCli(cli);
});
beforeEach(() => {
  work = mkdtempSync(path.join(tmpdir(), "odoo-2fa-regen-"));
  writeFileSync(path.join(work, "policy.yaml"), readFileSync(path.join(EXAMPLES_DIR, "warehouse-scanners.yaml")));
  return () => rmSync(work, { recursive: true, force: true });
});

const addon = () => path.join(work, "out", "acme_2fa_policy");
const args = (command: string, ...extra: string[]) => [command, "policy.yaml", "--odoo", "17.0", "--out", "out", ...extra];
const run = (command: string, ...extra: string[]) => runCli(cli, work, args(command, ...extra));

function hashes(dir: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const name of readdirSync(dir, { recursive: true, encoding: "utf8" }).sort()) {
    const file = path.join(dir, name);
    if (statSync(file).isFile()) result[name] = createHash("sha256").update(readFileSync(file)).digest("hex");
  }
  return result;
}

function changed(before: Record<string, string>, after: Record<string, string>): string[] {
  const names = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...names].filter((name) => before[name] !== after[name]).sort();
}

function editPolicy(from: string | RegExp, to: string): void {
  const file = path.join(work, "policy.yaml");
  const text = readFileSync(file, "utf8");
  const next = text.replace(from, to);
  expect(next).not.toBe(text);
  writeFileSync(file, next);
}

describe("regeneration", () => {
  it("changes only the files that depend on a changed value, after check names the policy change", async () => {
    expect((await run("generate")).code).toBe(0);
    expect((await run("check")).code).toBe(0);
    const before = hashes(addon());
    editPolicy("grace_days: 7", "grace_days: 10");

    const check = await run("check");
    expect(check.code).toBe(1);
    expect(check.stdout).toContain("policy changed");

    expect((await run("generate")).code).toBe(0);
    const diff = changed(before, hashes(addon()));
    expect(diff).toContain("data/policy_data.xml");
    expect(diff).toContain(".odoo-2fa.lock.json");
    for (const code of ["models/res_users.py", "models/ir_http.py", "controllers/main.py", "__manifest__.py"]) {
      expect(diff).not.toContain(code);
    }
    expect(diff.length).toBeLessThan(Object.keys(before).length / 2);
    expect((await run("check")).code).toBe(0);
  });

  it("refuses to overwrite a hand edit the new render would change, then keeps or overwrites it on request", async () => {
    await run("generate");
    const data = path.join(addon(), "data", "policy_data.xml");
    appendFileSync(data, "<!-- hand edit: keep me -->\n");
    editPolicy("grace_days: 7", "grace_days: 10");
    const before = hashes(addon());

    const refused = await run("generate");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("data/policy_data.xml");
    expect(refused.stderr).toContain("-<!-- hand edit: keep me -->");
    expect(hashes(addon())).toEqual(before);

    const kept = await run("generate", "--on-conflict", "keep");
    expect(kept.code).toBe(0);
    expect(kept.stdout).toContain("kept your edit");
    expect(readFileSync(data, "utf8")).toContain("hand edit: keep me");
    expect(changed(before, hashes(addon()))).toContain(".odoo-2fa.lock.json");

    const overwritten = await run("generate", "--on-conflict", "overwrite");
    expect(overwritten.code).toBe(0);
    expect(readFileSync(data, "utf8")).not.toContain("hand edit");
    expect(readFileSync(data, "utf8")).toContain("<field name=\"value\">10</field>");
  });

  it("deletes a file the policy no longer needs only when untouched, and keeps a hand-edited one", async () => {
    // The audit switch brings files of its own; turning it off makes them stale.
    const policyFile = path.join(work, "policy.yaml");
    const withAudit = `${readFileSync(path.join(EXAMPLES_DIR, "warehouse-scanners.yaml"), "utf8")}audit: true\n`;
    const noAudit = (text: string) => text.replace(/^audit: true\n/m, "");
    writeFileSync(policyFile, withAudit);
    await run("generate");
    const auditViews = path.join(addon(), "views", "totp_policy_audit_views.xml");
    expect(existsSync(auditViews)).toBe(true);
    writeFileSync(policyFile, noAudit(readFileSync(policyFile, "utf8")));

    const dry = await run("generate", "--dry-run");
    expect(dry.stdout).toMatch(/delete\s+views\/totp_policy_audit_views\.xml/);
    expect((await run("generate")).code).toBe(0);
    expect(existsSync(auditViews)).toBe(false);

    // Again, with a hand edit on the file that is about to become stale.
    rmSync(path.join(work, "out"), { recursive: true });
    writeFileSync(policyFile, withAudit);
    await run("generate");
    appendFileSync(auditViews, "<!-- mine -->\n");
    writeFileSync(policyFile, noAudit(readFileSync(policyFile, "utf8")));
    const refused = await run("generate");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("totp_policy_audit_views.xml");
    const kept = await run("generate", "--on-conflict", "keep");
    expect(kept.code).toBe(0);
    expect(kept.stdout).toContain("kept your edit");
    expect(readFileSync(auditViews, "utf8")).toContain("<!-- mine -->");
  });

  it("check tells the four drift reasons apart, in text and in --json", async () => {
    await run("generate");
    const reasons = async () => {
      const result = await run("check", "--json");
      expect(result.code).toBe(1);
      const [report] = JSON.parse(result.stdout).addons;
      return report;
    };

    editPolicy("grace_days: 7", "grace_days: 9");
    expect(await reasons()).toMatchObject({ policyChanged: true, toolChanged: false, editedByHand: [], missing: [], extra: [] });
    editPolicy("grace_days: 9", "grace_days: 7");

    const lockFile = path.join(addon(), ".odoo-2fa.lock.json");
    const lock = readFileSync(lockFile, "utf8");
    writeFileSync(lockFile, lock.replace(/"templatesSha256": "[0-9a-f]+"/, '"templatesSha256": "0000"'));
    expect(await reasons()).toMatchObject({ policyChanged: false, toolChanged: true });
    expect((await run("check")).stdout).toContain("tool or templates changed");
    writeFileSync(lockFile, lock);

    appendFileSync(path.join(addon(), "models", "res_users.py"), "# hand edit\n");
    expect(await reasons()).toMatchObject({ policyChanged: false, toolChanged: false, editedByHand: ["models/res_users.py"] });
    expect((await run("check")).stdout).toContain("files edited by hand: models/res_users.py");

    await run("generate", "--on-conflict", "overwrite");
    unlinkSync(path.join(addon(), "README.rst"));
    writeFileSync(path.join(addon(), "NOTES.txt"), "mine\n");
    expect(await reasons()).toMatchObject({ editedByHand: [], missing: ["README.rst"], extra: ["NOTES.txt"] });
    const text = (await run("check")).stdout;
    expect(text).toContain("files missing: README.rst");
    expect(text).toContain("files extra (not generated): NOTES.txt");
  });

  it("diff shows what generate would apply, and nothing once applied", async () => {
    await run("generate");
    editPolicy("grace_days: 7", "grace_days: 10");
    const diff = await run("diff");
    expect(diff.code).toBe(0);
    expect(diff.stdout).toContain("+++ b/out/acme_2fa_policy/data/policy_data.xml");
    expect(diff.stdout).toMatch(/^\+.*<field name="value">10<\/field>$/m);
    await run("generate");
    expect((await run("diff")).stdout.trim()).toBe("no changes");
  });
});

describe("check --proxy", () => {
  it("reports a proxy snippet that is stale against the policy", async () => {
    await run("generate");
    const proxy = await runCli(cli, work, ["proxy", "policy.yaml", "--format", "nginx", "--out", "odoo.nginx"]);
    expect(proxy.code).toBe(0);
    const current = await run("check", "--proxy", "odoo.nginx");
    expect(current.code).toBe(0);
    expect(current.stdout).toContain("odoo.nginx: up to date");

    editPolicy("networks: []", "networks: [192.0.2.0/24]");
    await run("generate");
    expect((await run("check")).code).toBe(0);
    const stale = await run("check", "--proxy", "odoo.nginx", "--json");
    expect(stale.code).toBe(1);
    expect(JSON.parse(stale.stdout).proxies[0]).toMatchObject({ file: "odoo.nginx", status: "stale" });
  });
});

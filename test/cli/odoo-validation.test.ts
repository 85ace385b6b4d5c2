/**
 * Validation that knows Odoo, as users meet it on the command line: unknown groups and modules
 * exit 2 with a located did-you-mean, a group of another app makes `generate` say which apps the
 * addon installs, warnings exit 0 unless `--strict`.
 */
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../support/examples.js";
import { buildCli, removeCli, runCli, type Run } from "./run-cli.js";

let main: string;
let work: string;
const cli = (...args: string[]): Promise<Run> => runCli(main, work, args);

/** The warehouse example with its `groups: [...]` replaced; line 13 holds the groups. */
const example = readFileSync(path.join(REPO_ROOT, "examples/warehouse-scanners.yaml"), "utf8");
const withGroups = (groups: string, text = example) => text.replace("groups: [base.group_user]", `groups: ${groups}`);
const GROUPS_LINE = example.split("\n").findIndex((line) => line.includes("groups: [base.group_user]")) + 1;

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), "odoo-2fa-odoo-validation-"));
  main = await buildCli();
  await writeFile(path.join(work, "usr.yaml"), withGroups("[base.group_usr]"));
  await writeFile(path.join(work, "acount.yaml"), withGroups("[acount.group_account_manager]"));
  await writeFile(path.join(work, "hr.yaml"), withGroups("[base.group_user, hr.group_hr_manager]"));
  await writeFile(
    path.join(work, "warned.yaml"),
    example.replace("password_rpc: deny\n  api_keys: allow", "password_rpc: allow\n  api_keys: deny").replace("[scanner-01, scanner-02]", "[scanner-01, admin]"),
  );
  await writeFile(path.join(work, "only16.yaml"), withGroups("[base.group_user, base.group_private_addresses]"));
  await writeFile(
    path.join(work, "own.yaml"),
    withGroups("[base.group_user, acme_warehouse.group_scanner]").replace("  version: 1.0.0\n", "  version: 1.0.0\n  depends: [acme_warehouse]\n"),
  );
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
  if (main) await removeCli(main);
});

describe.concurrent("unknown groups and modules", () => {
  it("base.group_usr: validate exits 2, located, suggesting base.group_user", async () => {
    const run = await cli("validate", "usr.yaml");
    expect(run.code).toBe(2);
    expect(run.stdout).toContain(
      `usr.yaml:${GROUPS_LINE}:12: error: enforce.groups[0]: group "base.group_usr" does not exist in Odoo 16.0, 17.0, 18.0 and 19.0`,
    );
    expect(run.stdout).toContain('    hint: did you mean "base.group_user"?');
    expect(run.stdout).toMatch(/^1 error, 0 warnings in usr\.yaml$/m);
  });

  it("base.group_usr: generate exits 2 and writes nothing; --json locates it", async () => {
    const run = await cli("generate", "usr.yaml", "--odoo", "17.0", "--out", "out-usr");
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`usr.yaml:${GROUPS_LINE}:12: error: enforce.groups[0]: group "base.group_usr" does not exist in Odoo 17.0`);
    expect(run.stderr).toContain("nothing written");
    expect(existsSync(path.join(work, "out-usr"))).toBe(false);
    const json = await cli("generate", "usr.yaml", "--odoo", "17.0", "--out", "out-usr", "--json");
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toMatchObject({
      ok: false,
      errors: 1,
      issues: [{ severity: "error", line: GROUPS_LINE, col: 12, path: "enforce.groups[0]", hint: 'did you mean "base.group_user"?' }],
    });
  });

  it("acount.group_account_manager: exit 2, naming account", async () => {
    for (const args of [["validate", "acount.yaml"], ["generate", "acount.yaml", "--odoo", "all", "--out", "out-acount"]]) {
      const run = await cli(...args);
      expect(run.code, args.join(" ")).toBe(2);
      expect(run.stdout + run.stderr).toContain(
        `acount.yaml:${GROUPS_LINE}:12: error: enforce.groups[0]: module "acount" of "acount.group_account_manager" does not exist in Odoo 16.0, 17.0, 18.0 and 19.0; the nearest module is "account"`,
      );
      expect(run.stdout + run.stderr).toContain('did you mean "account"?');
    }
    expect(existsSync(path.join(work, "out-acount"))).toBe(false);
  });

  it("validate --odoo checks the series named; generate checks the series it generates", async () => {
    expect((await cli("validate", "only16.yaml")).code).toBe(2);
    expect((await cli("validate", "only16.yaml", "--odoo", "16.0")).code).toBe(0);
    const run = await cli("validate", "only16.yaml", "--odoo", "16.0,19.0");
    expect(run.code).toBe(2);
    expect(run.stdout).toContain('group "base.group_private_addresses" does not exist in Odoo 19.0 (it does in 16.0');
    expect((await cli("generate", "only16.yaml", "--odoo", "16.0", "--out", "out-16", "--dry-run")).code).toBe(0);
    expect((await cli("validate", "only16.yaml", "--odoo", "15.0")).code).toBe(2);
  });
});

describe.concurrent("dependencies the policy adds", () => {
  it("hr.group_hr_manager: generate says the addon depends on hr and that installing it installs the app", async () => {
    const run = await cli("generate", "hr.yaml", "--odoo", "17.0", "--out", "out-hr");
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(
      /^the addon depends on hr \(Employees\), for hr\.group_hr_manager: installing the addon installs the app Employees \(modules [a-z_, ]*hr[a-z_, ]*\)$/m,
    );
    const manifest = readFileSync(path.join(work, "out-hr", "acme_2fa_policy", "__manifest__.py"), "utf8");
    expect(manifest).toMatch(/^ {8}"hr",$/m);
  });

  it("hr.group_hr_manager: --json lists the dependency per series, also on a dry run", async () => {
    const run = await cli("generate", "hr.yaml", "--odoo", "16.0,19.0", "--out", "out-hr-json", "--dry-run", "--json");
    expect(run.code, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out.dependencies.map((d: { series: string; module: string }) => `${d.series} ${d.module}`)).toEqual(["16.0 hr", "19.0 hr"]);
    expect(out.dependencies[0]).toMatchObject({
      module: "hr",
      title: "Employees",
      application: true,
      community: true,
      reasons: ["hr.group_hr_manager"],
      apps: ["Employees"],
    });
    expect(out.dependencies[0].installs).toContain("hr");
  });

  it("a policy with only base groups adds none", async () => {
    const run = await cli("generate", path.join(REPO_ROOT, "examples/warehouse-scanners.yaml"), "--odoo", "17.0", "--out", "out-base", "--dry-run", "--json");
    expect(JSON.parse(run.stdout).dependencies).toEqual([]);
  });

  it("addon.depends: the user's module is accepted, added to depends, and named as not Odoo Community", async () => {
    const run = await cli("generate", "own.yaml", "--odoo", "18.0", "--out", "out-own");
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(
      "the addon depends on acme_warehouse, for acme_warehouse.group_scanner and addon.depends: acme_warehouse is not an Odoo Community module of 18.0; it must be on the addons path wherever the addon is installed",
    );
    expect(readFileSync(path.join(work, "out-own", "acme_2fa_policy", "__manifest__.py"), "utf8")).toContain('"acme_warehouse",');
  });

  it("the generated readmes name groups by display name, the xml id beside it", async () => {
    expect((await cli("generate", "hr.yaml", "--odoo", "19.0", "--out", "out-readme")).code).toBe(0);
    const addon = path.join(work, "out-readme", "acme_2fa_policy");
    expect(readFileSync(path.join(addon, "README.rst"), "utf8")).toContain(
      "groups): Role / User (base.group\\_user), Employees / Administrator (hr.group\\_hr\\_manager).",
    );
    expect(readFileSync(path.join(addon, "readme", "DESCRIPTION.md"), "utf8")).toContain(
      "Role / User \\(base\\.group\\_user\\), Employees / Administrator \\(hr\\.group\\_hr\\_manager\\)",
    );
  });
});

describe.concurrent("warnings and --strict", () => {
  it("validate shows the warnings and exits 0; --json counts them", async () => {
    const run = await cli("validate", "warned.yaml");
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^warned\.yaml:\d+:\d+: warning: exemptions\[0\]\.logins\[1\]: login "admin" is an administrator's/m);
    expect(run.stdout).toMatch(/^warned\.yaml:\d+:\d+: warning: api\.password_rpc: password_rpc: allow with api_keys: deny/m);
    expect(run.stdout).toMatch(/^warned\.yaml: valid \(2 warnings\)$/m);
    const json = JSON.parse((await cli("validate", "warned.yaml", "--json")).stdout);
    expect(json).toMatchObject({ ok: true, errors: 0, warnings: 2 });
  });

  it("--strict makes them errors: validate exits 2", async () => {
    const run = await cli("validate", "warned.yaml", "--strict");
    expect(run.code).toBe(2);
    expect(run.stdout).toMatch(/^warned\.yaml:\d+:\d+: error: api\.password_rpc: /m);
    expect(run.stdout).toMatch(/^2 errors, 0 warnings in warned\.yaml$/m);
    expect(JSON.parse((await cli("validate", "warned.yaml", "--strict", "--json")).stdout)).toMatchObject({ ok: false, errors: 2 });
  });

  it("generate prints the warnings and writes; with --strict it exits 2 and writes nothing", async () => {
    const run = await cli("generate", "warned.yaml", "--odoo", "17.0", "--out", "out-warned");
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/warning: exemptions\[0\]\.logins\[1\]: login "admin"/);
    const json = JSON.parse((await cli("generate", "warned.yaml", "--odoo", "17.0", "--out", "out-warned", "--json")).stdout);
    expect(json.warnings.map((w: { path: string }) => w.path)).toEqual(["exemptions[0].logins[1]", "api.password_rpc"]);
    const strict = await cli("generate", "warned.yaml", "--odoo", "17.0", "--out", "out-warned-strict", "--strict");
    expect(strict.code).toBe(2);
    expect(strict.stderr).toContain("nothing written");
    expect(existsSync(path.join(work, "out-warned-strict"))).toBe(false);
  });
});

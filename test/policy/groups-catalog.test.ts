/**
 * The committed catalog of Odoo's groups and modules (src/policy/groups/<series>.json) is what
 * scripts/extract-groups.py reads from the Odoo source trees. Where a tree is absent, that series
 * is skipped, loudly: the committed data is then only checked for consistency.
 */
import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { homedir, tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SERIES } from "../../src/policy/model.js";
import { REPO_ROOT } from "../support/examples.js";

const SOURCES = process.env.ODOO_2FA_SOURCES ?? path.join(homedir(), ".cache", "odoo-2fa", "sources");
const PYTHON = "/usr/bin/python3";
const SCRIPT = path.join(REPO_ROOT, "scripts", "extract-groups.py");
const committed = (series: string) => path.join(REPO_ROOT, "src", "policy", "groups", `${series}.json`);

interface Catalog {
  series: string;
  modules: Record<string, { name: string; application: boolean; depends: string[]; proprietary_depends?: boolean }>;
  groups: Record<string, { module: string; name: string; implied?: string[] }>;
}

const hasLxml = await promisify(execFile)(PYTHON, ["-c", "import lxml"]).then(
  () => true,
  () => false,
);

describe.each(SERIES)("the group catalog of %s", (series) => {
  const tree = path.join(SOURCES, series);
  const present = existsSync(path.join(tree, "odoo", "addons", "base", "__manifest__.py"));
  if (!present) console.warn(`groups-catalog: SKIPPED extracting ${series}: no Odoo source tree at ${tree}`);
  else if (!hasLxml) console.warn(`groups-catalog: SKIPPED extracting ${series}: ${PYTHON} cannot import lxml`);

  let out: string;
  beforeAll(async () => {
    out = await mkdtemp(path.join(tmpdir(), "odoo-2fa-groups-"));
  });
  afterAll(async () => {
    await rm(out, { recursive: true, force: true });
  });

  it.skipIf(!present || !hasLxml)("is what scripts/extract-groups.py extracts from the source tree", async () => {
    const { stdout } = await promisify(execFile)(PYTHON, [SCRIPT, "--sources", SOURCES, "--out", out, series]);
    expect(stdout).toMatch(new RegExp(`^${series.replace(".", "\\.")}: \\d+ modules, \\d+ groups`));
    const extracted = await readFile(path.join(out, `${series}.json`), "utf8");
    expect(extracted === readFileSync(committed(series), "utf8"), "rerun: npm run groups:extract").toBe(true);
  });

  it("is consistent: sorted, every group's module and implied groups listed, the groups the tool relies on present", () => {
    const text = readFileSync(committed(series), "utf8");
    const catalog = JSON.parse(text) as Catalog;
    expect(catalog.series).toBe(series);
    for (const key of ["modules", "groups"] as const) {
      const names = Object.keys(catalog[key]);
      expect(names).toEqual([...names].sort());
    }
    for (const [xmlid, group] of Object.entries(catalog.groups)) {
      expect(xmlid.startsWith(`${group.module}.`), xmlid).toBe(true);
      expect(catalog.modules[group.module], xmlid).toBeDefined();
      expect(group.name.trim(), xmlid).not.toBe("");
      for (const implied of group.implied ?? []) expect(catalog.groups[implied], `${xmlid} → ${implied}`).toBeDefined();
    }
    for (const [name, module] of Object.entries(catalog.modules))
      for (const dependency of module.depends) expect(catalog.modules[dependency], `${name} → ${dependency}`).toBeDefined();
    for (const xmlid of ["base.group_user", "base.group_system", "base.group_portal", "base.group_public", "hr.group_hr_manager"])
      expect(catalog.groups[xmlid], xmlid).toBeDefined();
    expect(catalog.groups["account.group_account_manager"]?.implied).toContain("account.group_account_invoice");
    expect(catalog.modules.hr).toMatchObject({ application: true, name: "Employees" });
    // One entry per line: the data diffs well.
    expect(text.split("\n").length).toBeGreaterThan(Object.keys(catalog.modules).length + Object.keys(catalog.groups).length);
  });
});

/**
 * The generated addon for every example policy and every series: the files the enforcement
 * addon needs are there, Python and XML are already canonical, and rendering is deterministic.
 * Whether the addon installs and its own Odoo tests pass is checked on real Odoo (test:odoo).
 */
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { parsePolicyText, SERIES, type Policy } from "../../src/policy/index.js";
import { loadTemplateSet, renderAddon, type TemplateSet } from "../../src/render/index.js";
import { prettierXml, ruffCheck, ruffFormat } from "../support/canonical.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const examplesDir = path.join(root, "examples");
const examples = readdirSync(examplesDir).filter((name) => name.endsWith(".yaml")).sort();

function examplePolicy(file: string): Policy {
  const result = parsePolicyText(readFileSync(path.join(examplesDir, file), "utf8"), file);
  if (!result.ok) throw new Error(`${file}: ${JSON.stringify(result.issues)}`);
  return result.policy;
}

/** OCA's per-file exceptions: imports in `__init__.py`, the bare dict of a manifest. */
function lintIgnored(file: string, code: string | null): boolean {
  return (file.endsWith("__init__.py") && code === "F401") || (file === "__manifest__.py" && code === "B018");
}

let templates: TemplateSet;
beforeAll(async () => {
  templates = await loadTemplateSet();
});

const REQUIRED = [
  "__manifest__.py",
  "__init__.py",
  "controllers/main.py",
  "models/ir_http.py",
  "models/res_users.py",
  "models/res_config_settings.py",
  "data/policy_data.xml",
  "security/ir.model.access.csv",
  "views/templates.xml",
  "views/res_config_settings_views.xml",
  "views/res_users_views.xml",
  "views/res_groups_views.xml",
  "tests/test_enforcement.py",
  "readme/DESCRIPTION.md",
  "readme/CONFIGURE.md",
  "readme/USAGE.md",
  "README.rst",
];

describe.each(examples)("addon for %s", (example) => {
  const policy = examplePolicy(example);
  it.each([...SERIES])("on %s: complete, canonical and deterministic", async (series) => {
    const tree = renderAddon(policy, series, templates);
    for (const file of [...REQUIRED, `i18n/${policy.addon.name}.pot`]) expect(tree.has(file), file).toBe(true);
    expect(tree.has("data/exemption_data.xml")).toBe(policy.exemptions.length > 0);
    for (const [file, content] of tree) {
      if (typeof content !== "string") continue;
      if (file.endsWith(".py")) {
        expect(ruffFormat(content), file).toBe(content);
        const problems = ruffCheck(content).filter((d) => !lintIgnored(file, d.code));
        expect(problems, file).toEqual([]);
      } else if (file.endsWith(".xml")) {
        expect(await prettierXml(content), file).toBe(content);
      }
    }
    expect(renderAddon(policy, series, templates)).toEqual(tree);
  });
});

describe("series differences", () => {
  const policy = examplePolicy("warehouse-scanners.yaml");
  it("uses div settings on 16.0 and <block>/<setting> after", () => {
    const v16 = renderAddon(policy, "16.0", templates).get("views/res_config_settings_views.xml") as string;
    const v17 = renderAddon(policy, "17.0", templates).get("views/res_config_settings_views.xml") as string;
    expect(v16).toContain("o_setting_box");
    expect(v16).toContain("attrs=");
    expect(v17).toContain("<setting");
    expect(v17).not.toContain("attrs=");
  });
  it("checks credentials with the series' signature", () => {
    expect(renderAddon(policy, "17.0", templates).get("models/res_users.py")).toContain(
      "def _check_credentials(self, password, env):",
    );
    expect(renderAddon(policy, "18.0", templates).get("models/res_users.py")).toContain(
      "def _check_credentials(self, credential, env):",
    );
  });
  it("depends on the core enforcement module of the series", () => {
    expect(renderAddon(policy, "18.0", templates).get("__manifest__.py")).toContain('"auth_totp_mail_enforce"');
    expect(renderAddon(policy, "19.0", templates).get("__manifest__.py")).toContain('"auth_totp_mail"');
  });
});

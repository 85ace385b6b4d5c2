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
    expect(tree.get("models/policy.py")).toContain(`EDITABLE = ${policy.settings.editable ? "True" : "False"}`);
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

const SWITCH_FILES = {
  recoveryCodes: [
    "models/totp_policy_recovery_code.py",
    "models/res_users_recovery_code.py",
    "models/ir_http_recovery_code.py",
    "controllers/recovery_codes.py",
    "views/recovery_code_templates.xml",
    "tests/test_recovery_codes.py",
  ],
  report: ["models/totp_policy_compliance.py", "views/totp_policy_compliance_views.xml", "tests/test_report.py"],
  notifications: ["models/totp_policy_notification.py", "data/mail_template_data.xml", "data/notification_cron_data.xml", "tests/test_notifications.py"],
  audit: [
    "models/totp_policy_audit.py",
    "models/totp_policy_deployment_audit.py",
    "models/res_users_audit.py",
    "models/res_config_settings_audit.py",
    "data/audit_cron_data.xml",
    "views/totp_policy_audit_views.xml",
    "tests/test_audit.py",
  ],
} as const;

function withSwitches(policy: Policy, on: boolean): Policy {
  return {
    ...policy,
    recoveryCodes: { enabled: on, count: 10 },
    report: on,
    notifications: { announce: on, remindDaysBeforeDeadline: on ? [7, 1] : [], notifyAdminsWeekly: on },
    audit: on,
  };
}

describe("optional switches (recovery codes, report, notifications, audit)", () => {
  const base = examplePolicy("warehouse-scanners.yaml");
  it.each([...SERIES])("on %s: every switch on adds its files, canonical, listed in the manifest", async (series) => {
    const tree = renderAddon(withSwitches(base, true), series, templates);
    const manifest = tree.get("__manifest__.py") as string;
    for (const files of Object.values(SWITCH_FILES)) {
      for (const file of files) {
        expect(tree.has(file), file).toBe(true);
        if (file.endsWith(".xml")) expect(manifest).toContain(`"${file}"`);
      }
    }
    expect(manifest).toMatch(/"depends": \[[^\]]*"mail",/s);
    for (const [file, content] of tree) {
      if (typeof content !== "string") continue;
      if (file.endsWith(".py")) {
        expect(ruffFormat(content), file).toBe(content);
        expect(ruffCheck(content).filter((d) => !lintIgnored(file, d.code)), file).toEqual([]);
      } else if (file.endsWith(".xml")) {
        expect(await prettierXml(content), file).toBe(content);
      }
    }
    for (const cron of ["data/notification_cron_data.xml", "data/audit_cron_data.xml"])
      expect((tree.get(cron) as string).includes("numbercall"), cron).toBe(series === "16.0" || series === "17.0");
    // Nothing left to clean up from a previous policy when every switch is on.
    expect(tree.get("data/policy_data.xml")).not.toContain("<delete");
    expect(tree.get("models/res_users.py")).not.toContain("DROP TABLE");
  });

  it.each([...SERIES])("on %s: every switch off adds nothing but the clean-up of a previous policy", (series) => {
    const tree = renderAddon(withSwitches(base, false), series, templates);
    for (const files of Object.values(SWITCH_FILES)) for (const file of files) expect(tree.has(file), file).toBe(false);
    expect([...tree.keys()].filter((file) => file.includes("cron"))).toEqual([]);
    const all = [...tree.values()].filter((c): c is string => typeof c === "string").join("\n");
    for (const model of ["totp.policy.audit", "totp.policy.compliance", "totp.policy.notification", "totp.policy.recovery.code"])
      expect(all).not.toContain(`"${model}"`);
    expect(all).not.toContain("/web/login/totp/recovery");
    // Odoo keeps the table of a model removed from code: updating drops those of switches now off.
    const users = tree.get("models/res_users.py") as string;
    for (const table of ["totp_policy_audit", "totp_policy_compliance", "totp_policy_notification", "totp_policy_recovery_code"])
      expect(users).toContain(`DROP TABLE IF EXISTS ${table}")`);
    const data = tree.get("data/policy_data.xml") as string;
    // noupdate mail templates and the retention parameter are removed explicitly on update.
    expect(data.match(/<delete/g)).toHaveLength(4);
    expect(data).toContain(`'${base.addon.name}.mail_template_totp_policy_reminder'`);
  });

  it("counts recovery codes and reminder days from the policy, as data", () => {
    const policy = { ...withSwitches(base, true), recoveryCodes: { enabled: true, count: 13 }, notifications: { announce: false, remindDaysBeforeDeadline: [30, 3], notifyAdminsWeekly: false } };
    const tree = renderAddon(policy, "17.0", templates);
    expect(tree.get("models/totp_policy_recovery_code.py")).toContain("RECOVERY_CODE_COUNT = 13\n");
    const notification = tree.get("models/totp_policy_notification.py") as string;
    expect(notification).toContain("REMIND_DAYS = [30, 3]");
    expect(notification).toContain("ANNOUNCE = False");
    const mails = tree.get("data/mail_template_data.xml") as string;
    expect(mails).toContain('id="mail_template_totp_policy_reminder"');
    expect(mails).not.toContain('id="mail_template_totp_policy_announce"');
    expect(tree.get("data/policy_data.xml")).toContain("mail_template_totp_policy_announce");
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

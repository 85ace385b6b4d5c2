import { beforeAll, describe, expect, it } from "vitest";
import { parsePolicyText } from "../../src/policy/index.js";
import { SERIES } from "../../src/policy/model.js";
import { renderAddon, type TemplateSet } from "../../src/render/index.js";
import { loadTemplateSet } from "../../src/generate/templates.js";
import { prettierXml, ruffCheck, ruffFormat } from "../support/canonical.js";
import { samplePolicy } from "../support/policies.js";

let templates: TemplateSet;
beforeAll(async () => {
  templates = await loadTemplateSet();
});

const withPasskeys = (requiredFor: string[]) =>
  samplePolicy({ enforce: { groups: ["base.group_user"], exceptGroups: [], graceDays: 0, passkeys: { requiredFor } } });

const policyText = (passkeys: string) => `schema: 1
addon:
  name: acme_2fa_policy
  title: ACME two-factor policy
  summary: Every employee must use an authenticator app
  author: ACME IT
enforce:
  groups: [base.group_user]
  grace_days: 0
${passkeys}
`;

describe("issue 13, beyond Odoo: passkeys", () => {
  it("without the key, nothing of the feature is generated and auth_passkey is no dependency", () => {
    for (const series of SERIES) {
      const tree = renderAddon(samplePolicy(), series, templates);
      expect([...tree.keys()].filter((p) => /passkey|webauthn/.test(p)), series).toEqual([]);
      expect(tree.get("__manifest__.py"), series).not.toContain("auth_passkey");
    }
  });

  it("on 18.0 and 19.0 the key adds the feature, its groups, its tests and the dependency; 16.0 and 17.0 have none", () => {
    for (const series of SERIES) {
      const tree = renderAddon(withPasskeys(["base.group_system"]), series, templates);
      const on = series === "18.0" || series === "19.0";
      expect(tree.has("models/res_users_passkeys.py"), series).toBe(on);
      expect(String(tree.get("__manifest__.py")).includes('"auth_passkey",'), series).toBe(on);
      if (!on) continue;
      expect(tree.get("models/res_users_passkeys.py")).toContain('PASSKEY_GROUPS = ("base.group_system",)\n');
      expect(tree.get("tests/__init__.py")).toContain("test_passkeys,");
      // The page's JavaScript in Chromium; 19.0's test server answers a browser only while allowed.
      expect(tree.get("tests/__init__.py")).toContain("test_passkey_page,");
      expect(tree.get("tests/test_passkey_page.py")).toContain(
        series === "19.0" ? "with self.allow_requests():" : "with contextlib.nullcontext():",
      );
      expect(tree.get("tests/__init__.py")).not.toContain("webauthn");
      expect(tree.get("__manifest__.py")).toContain('"views/passkey_templates.xml",');
      expect(tree.get("tests/common.py")).toContain("_totp_policy_passkey_group_ids()");
      expect(tree.get("readme/DESCRIPTION.md")).toMatch(/must sign in with a passkey: [^\n]*\(base\\\.group\\_system\\\);/);
    }
  });

  it("accepting passkeys alone requires them of no group", () => {
    const tree = renderAddon(withPasskeys([]), "18.0", templates);
    expect(tree.get("models/res_users_passkeys.py")).toContain("PASSKEY_GROUPS = ()\n");
    expect(tree.get("readme/DESCRIPTION.md")).not.toContain("must sign in with a passkey");
  });

  it("required_for is refused, located, for series without passkeys; {} is not", () => {
    const text = policyText("  passkeys:\n    required_for: [base.group_system]");
    const old = parsePolicyText(text, "p.yaml", { series: ["17.0", "18.0"] });
    if (old.ok) throw new Error("a 17.0 policy requiring passkeys validated");
    const errors = old.issues.filter((issue) => issue.severity === "error");
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      path: "enforce.passkeys.required_for",
      line: 11,
      message: expect.stringContaining("Odoo 17.0 has no passkeys"),
      hint: expect.stringContaining("generate only for 18.0 with --odoo"),
    });
    expect(parsePolicyText(text, "p.yaml", { series: ["18.0", "19.0"] }).ok).toBe(true);
    expect(parsePolicyText(policyText("  passkeys: {}"), "p.yaml", { series: ["16.0", "17.0"] }).ok).toBe(true);
  });

  it("a group of required_for is checked against Odoo's like the enforced groups", () => {
    const loaded = parsePolicyText(policyText("  passkeys:\n    required_for: [base.group_systen]"), "p.yaml", { series: ["18.0"] });
    if (loaded.ok) throw new Error("an unknown group validated");
    expect(loaded.issues[0]).toMatchObject({ path: "enforce.passkeys.required_for[0]", hint: 'did you mean "base.group_system"?' });
  });

  it("has Python (its own files) ruff leaves as it is and finds clean, and XML prettier leaves as it is", async () => {
    for (const series of ["18.0", "19.0"] as const)
      for (const requiredFor of [[], ["base.group_system", "base.group_erp_manager"]]) {
        const tree = renderAddon(withPasskeys(requiredFor), series, templates);
        // The feature's files and the shared file its slot fills (the goldens check the rest).
        const own = [...tree].filter(([file]) => /passkey|webauthn|tests\/common\.py/.test(file));
        expect(own.map(([file]) => file).filter((file) => file.endsWith(".py")).length, series).toBe(8);
        for (const [name, content] of own) {
          const source = typeof content === "string" ? content : new TextDecoder().decode(content);
          if (name.endsWith(".py")) {
            expect(ruffFormat(source), `${series}: ruff format would change ${name}`).toBe(source);
            expect(ruffCheck(source, name).map((d) => `${d.code} ${d.start_location.row}: ${d.message}`), `${series} ${name}`).toEqual([]);
          }
          if (name.endsWith(".xml")) expect(await prettierXml(source), `${series}: prettier would change ${name}`).toBe(source);
        }
      }
  });
});

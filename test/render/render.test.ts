import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { renderAddon, type TemplateSet } from "../../src/render/index.js";
import { loadTemplateSet } from "../../src/generate/templates.js";
import { buildContext } from "../../src/render/context.js";
import { samplePolicy } from "../support/policies.js";

const FIXTURES = fileURLToPath(new URL("./fixtures/templates", import.meta.url));
let templates: TemplateSet;
beforeAll(async () => {
  templates = await loadTemplateSet(FIXTURES);
});

describe("renderAddon", () => {
  it("renders shared templates, replaces __addon__ in paths and copies other files byte for byte", () => {
    const tree = renderAddon(samplePolicy(), "17.0", templates);
    expect([...tree.keys()]).toEqual(["__manifest__.py", "i18n/acme_2fa_policy.pot", "static/icon.png", "view.xml"]);
    expect(tree.get("__manifest__.py")).toBe('{\n    "name": "ACME two-factor policy",\n    "version": "17.0.1.0.0",\n}\n');
    expect(Buffer.from(tree.get("static/icon.png") as Uint8Array)).toEqual(Buffer.from("\x89PNG\r\n\x1a\n\x00", "latin1"));
  });

  it("uses a series overlay instead of the shared file, and profile data elsewhere", () => {
    expect(renderAddon(samplePolicy(), "16.0", templates).get("view.xml")).toBe('<tree string="sixteen" />\n');
    expect(renderAddon(samplePolicy(), "17.0", templates).get("view.xml")).toBe("<tree />\n");
    expect(renderAddon(samplePolicy(), "18.0", templates).get("view.xml")).toBe("<list />\n");
  });

  it("leaves out a file whose template renders empty", () => {
    const none = renderAddon(samplePolicy(), "17.0", templates);
    expect(none.has("exemptions.txt")).toBe(false);
    const some = renderAddon(
      samplePolicy({ exemptions: [{ name: "a<b", logins: ["s1"], networks: [], reason: "r" }] }),
      "17.0",
      templates,
    );
    expect(some.get("exemptions.txt")).toBe("a&lt;b\n");
  });

  it("is deterministic", () => {
    const a = renderAddon(samplePolicy(), "19.0", templates);
    const b = renderAddon(samplePolicy(), "19.0", templates);
    expect([...a.entries()]).toEqual([...b.entries()]);
  });

  it("escapes a hostile title in every language it lands in", () => {
    const title = `x", "depends": ["evil"], "y": "`;
    const tree = renderAddon(samplePolicy({ addon: { ...samplePolicy().addon, title } }), "17.0", templates);
    expect(tree.get("__manifest__.py")).toContain(`"name": 'x", "depends": ["evil"], "y": "',`);
    expect(tree.get("i18n/acme_2fa_policy.pot")).toBe(`msgid "x\\", \\"depends\\": [\\"evil\\"], \\"y\\": \\""\n`);
  });

  it("fails loudly on a template that names a key the context lacks", async () => {
    const { COMPILE_OPTIONS, createTemplateEngine } = await import("../../src/render/handlebars.js");
    const render = createTemplateEngine().compile("{{addon.nosuchkey}}", COMPILE_OPTIONS);
    expect(() => render(buildContext(samplePolicy(), "17.0"))).toThrow(/nosuchkey/);
  });
});

describe("buildContext", () => {
  it("derives the manifest version and depends from the policy and the series", () => {
    const policy = samplePolicy({
      enforce: { groups: ["account.group_account_manager", "base.group_user"], exceptGroups: ["hr.group_hr_user"], graceDays: 0 },
    });
    const context = buildContext(policy, "18.0");
    expect(context.addon.manifestVersion).toBe("18.0.1.0.0");
    expect(context.depends).toEqual([...new Set([...context.profile.addonDepends, "account", "hr"])].sort());
    expect(context.depends).not.toContain("base");
  });
});

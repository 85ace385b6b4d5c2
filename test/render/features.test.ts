import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { FEATURES, renderAddon, type TemplateSet } from "../../src/render/index.js";
import { loadTemplateSet } from "../../src/generate/templates.js";
import { readTemplateSources } from "../../src/generate/templates.js";
import { samplePolicy } from "../support/policies.js";

const FIXTURES = fileURLToPath(new URL("./fixtures/feature-templates", import.meta.url));
let templates: TemplateSet;
beforeAll(async () => {
  templates = await loadTemplateSet(FIXTURES);
});

describe("feature folders", () => {
  it("add nothing while their feature is off: the index lists only the shared files", () => {
    const tree = renderAddon(samplePolicy({ report: false, audit: false }), "16.0", templates);
    expect([...tree.keys()]).toEqual(["__manifest__.py", "models/__init__.py", "models/res_users.py", "security/ir.model.access.csv", "views/res_users_views.xml"]);
    expect(tree.get("__manifest__.py")).toBe("security/ir.model.access.csv\nviews/res_users_views.xml\n");
    expect(tree.get("models/__init__.py")).toBe("res_users\n");
    expect(tree.get("security/ir.model.access.csv")).toBe("id,name\naccess_shared,shared\n");
    // What a feature turned off leaves behind is removed by its `_off/_slots/` fragments.
    expect(tree.get("views/res_users_views.xml")).toBe('<odoo>\n<delete id="report_leftover" />\n</odoo>\n');
  });

  it("add their files, slot fragments and index entries when on, shared files before the feature's", () => {
    const tree = renderAddon(samplePolicy({ report: true, audit: false }), "16.0", templates);
    expect(tree.get("models/report.py")).toBe('report = "acme_2fa_policy"\n');
    expect(tree.get("models/__init__.py")).toBe("report\nres_users\n");
    // a_report.xml sorts before res_users_views.xml by name, but a feature's views load after the shared ones.
    expect(tree.get("__manifest__.py")).toBe("security/ir.model.access.csv\nviews/res_users_views.xml\nviews/a_report.xml\n");
    expect(tree.get("security/ir.model.access.csv")).toBe("id,name\naccess_shared,shared\naccess_report,report\n");
    expect([...tree.keys()].some((name) => name.includes("_slots") || name.includes("_off"))).toBe(false);
    expect(tree.get("views/res_users_views.xml")).toBe("<odoo>\n</odoo>\n");
  });

  it("take a series overlay of their own", () => {
    expect(renderAddon(samplePolicy({ report: true }), "16.0", templates).get("views/a_report.xml")).toBe('<odoo report="all" />\n');
    expect(renderAddon(samplePolicy({ report: true }), "17.0", templates).get("views/a_report.xml")).toBe('<odoo report="17" />\n');
  });

  it("may not replace a shared file: a feature extends with its own files", () => {
    expect(() => renderAddon(samplePolicy({ audit: true }), "17.0", templates)).toThrow(
      /features\/audit\/models\/res_users\.py: models\/res_users\.py is made by the shared templates or another feature/,
    );
  });

  it("of the shipped templates: one folder per row of the table and one row per folder", async () => {
    const sources = await readTemplateSources();
    expect(Object.keys(sources.features).sort()).toEqual(FEATURES.map((feature) => feature.id).sort());
  });
});

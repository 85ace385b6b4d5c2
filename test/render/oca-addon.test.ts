/**
 * The generated addon's OCA packaging, as an OCA reviewer reads it (issue 15): the manifest's keys
 * in the order of OCA's module template, `external_dependencies` for the Python library the addon
 * imports, `maintainers` and `development_status` only where the policy gives them (so existing
 * policies keep their manifest), `readme/CONTRIBUTORS.md` always (and README.rst's credits from
 * the same list), and whool's `pyproject.toml` from 17.0 (OCA/server-auth 17.0's, byte for byte),
 * never on 16.0. The manifest is read by Python's own literal parser, in its key order.
 */
import { execFileSync } from "node:child_process";
import { beforeAll, describe, expect, it } from "vitest";
import { parsePolicyText, type Policy } from "../../src/policy/index.js";
import { SERIES } from "../../src/profiles/series.js";
import { renderAddon, type TemplateSet, type VirtualTree } from "../../src/render/index.js";
import { loadTemplateSet } from "../../src/generate/templates.js";

let templates: TemplateSet;
beforeAll(async () => {
  templates = await loadTemplateSet();
});

const BASE = `schema: 1
addon:
  name: acme_2fa_policy
  title: ACME two-factor policy
  summary: Every employee must use an authenticator app
  author: ACME IT
enforce:
  groups: [base.group_user]
`;

function policyOf(addonExtra: string): Policy {
  const result = parsePolicyText(BASE.replace("  author: ACME IT\n", `  author: ACME IT\n${addonExtra}`), "p.yaml");
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.policy;
}

const text = (tree: VirtualTree, file: string) => String(tree.get(file) ?? "");

/** The manifest as Python reads it: `[key, value]` pairs in file order. */
function manifestEntries(tree: VirtualTree): [string, unknown][] {
  const script = "import ast,json,sys; print(json.dumps(list(ast.literal_eval(sys.stdin.read()).items())))";
  return JSON.parse(execFileSync("python3", ["-c", script], { input: text(tree, "__manifest__.py") }).toString()) as [string, unknown][];
}

// OCA's module template (maintainer-tools template/module/__manifest__.py), the keys the addon uses.
const OCA_ORDER = ["name", "summary", "version", "development_status", "category", "website", "author", "maintainers", "license", "installable", "uninstall_hook", "external_dependencies", "depends", "data"];

describe("the manifest", () => {
  it("names no maintainers or development status the policy does not give, keys in OCA's order", () => {
    for (const series of SERIES) {
      const keys = manifestEntries(renderAddon(policyOf(""), series, templates)).map(([key]) => key);
      expect(keys).toEqual(OCA_ORDER.filter((key) => key !== "development_status" && key !== "maintainers"));
    }
  });

  it("carries the policy's maintainers and development status where OCA puts them", () => {
    const tree = renderAddon(policyOf("  maintainers: [jane-doe, bob]\n  development_status: Production/Stable\n"), "17.0", templates);
    const manifest = manifestEntries(tree);
    expect(manifest.map(([key]) => key)).toEqual(OCA_ORDER);
    expect(Object.fromEntries(manifest)).toMatchObject({ maintainers: ["jane-doe", "bob"], development_status: "Production/Stable" });
  });

  it("declares qrcode, which the addon itself imports (the setup page's QR code)", () => {
    for (const series of SERIES) {
      const tree = renderAddon(policyOf(""), series, templates);
      const imports = [...tree].filter(([file, content]) => file.endsWith(".py") && typeof content === "string" && /^import qrcode$/m.test(content));
      expect(imports.map(([file]) => file)).toEqual(["controllers/main.py"]);
      expect(Object.fromEntries(manifestEntries(tree)).external_dependencies).toEqual({ python: ["qrcode"] });
    }
  });
});

describe("the policy's new addon keys", () => {
  it("refuses a maintainer that is no GitHub login and an unknown development status, located", () => {
    const result = parsePolicyText(BASE.replace("  author: ACME IT\n", "  author: ACME IT\n  maintainers: [jane doe]\n  development_status: Stable\n"), "p.yaml");
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const byPath = new Map(result.issues.map((issue) => [issue.path, issue]));
    expect(byPath.get("addon.maintainers[0]")).toMatchObject({ line: 7, severity: "error", expected: expect.stringContaining("jane-doe") });
    expect(byPath.get("addon.development_status")).toMatchObject({ line: 8, severity: "error", expected: "one of Alpha, Beta, Production/Stable, Mature" });
  });
});

describe("readme/CONTRIBUTORS.md and README.rst's credits", () => {
  it("are always there: by default the author, then each maintainer with their GitHub profile", () => {
    const plain = renderAddon(policyOf(""), "17.0", templates);
    expect(text(plain, "readme/CONTRIBUTORS.md")).toBe("- ACME IT\n");
    const tree = renderAddon(policyOf("  maintainers: [jane-doe]\n"), "17.0", templates);
    expect(text(tree, "readme/CONTRIBUTORS.md")).toBe("- ACME IT\n- [jane\\-doe](https://github.com/jane-doe)\n");
    const readme = text(tree, "README.rst");
    expect(readme).toContain("Contributors\n~~~~~~~~~~~~\n\n- ACME IT\n- `jane-doe <https://github.com/jane-doe>`__\n");
    expect(readme).toContain(".. |maintainer-jane-doe| image:: https://github.com/jane-doe.png?size=40px\n");
    expect(readme).toContain("Current maintainer:\n\n|maintainer-jane-doe|\n");
    expect(text(plain, "README.rst")).not.toContain("Maintainers\n");
  });

  it("list the policy's contributors instead, escaped for Markdown and reStructuredText", () => {
    const tree = renderAddon(policyOf('  contributors: ["Jane Doe <jane@acme.example>", "*Bob* `x`"]\n'), "16.0", templates);
    expect(text(tree, "readme/CONTRIBUTORS.md")).toBe("- Jane Doe \\<jane@acme\\.example\\>\n- \\*Bob\\* \\`x\\`\n");
    expect(text(tree, "README.rst")).toContain("- Jane Doe \\<jane@acme.example\\>\n- \\*Bob\\* \\`x\\`\n");
  });
});

describe("pyproject.toml", () => {
  it("is whool's, as OCA's 17.0 and later branches carry it, and absent on 16.0", () => {
    for (const series of SERIES) {
      const tree = renderAddon(policyOf(""), series, templates);
      if (series === "16.0") expect(tree.has("pyproject.toml")).toBe(false);
      else expect(text(tree, "pyproject.toml")).toBe('[build-system]\nrequires = ["whool"]\nbuild-backend = "whool.buildapi"\n');
    }
  });
});

/**
 * The generated addon as an admin or user meets it, per optional switch on and off: which models
 * exist (a table, an access row), which menus and scheduled actions, which login routes, which
 * modules it depends on, and that the manifest loads exactly the data files the addon holds.
 * Read from the rendered tree structurally (the manifest by Python's own literal parser, XML
 * records and Python `_name`s by their syntax), never by template text. Format (ruff, prettier)
 * is checked once per golden tree (test/golden); Odoo's behaviour in the real tier (test/odoo).
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parsePolicyText, type Policy } from "../../src/policy/index.js";
import { SERIES } from "../../src/profiles/series.js";
import { renderAddon, type TemplateSet, type VirtualTree } from "../../src/render/index.js";
import { loadTemplateSet } from "../../src/generate/templates.js";
import { EXAMPLES_DIR } from "../support/examples.js";

let templates: TemplateSet;
beforeAll(async () => {
  templates = await loadTemplateSet();
});

function examplePolicy(file: string): Policy {
  const result = parsePolicyText(readFileSync(path.join(EXAMPLES_DIR, file), "utf8"), file);
  if (!result.ok) throw new Error(`${file}: ${JSON.stringify(result.issues)}`);
  return result.policy;
}

interface Manifest {
  depends: string[];
  data: string[];
  external_dependencies?: { python?: string[] };
}

/** What an admin sees of an addon: its manifest, models, menus, crons and the login pages it serves. */
interface Observed {
  files: Set<string>;
  manifest: Manifest;
  models: Set<string>;
  accessModels: Set<string>;
  menus: Set<string>;
  crons: Set<string>;
  routes: Set<string>;
}

const text = (tree: VirtualTree, file: string) => String(tree.get(file) ?? "");

function manifestOf(tree: VirtualTree): Manifest {
  const script = "import ast,json,sys; print(json.dumps(ast.literal_eval(sys.stdin.read())))";
  return JSON.parse(execFileSync("python3", ["-c", script], { input: text(tree, "__manifest__.py") }).toString()) as Manifest;
}

function observe(tree: VirtualTree): Observed {
  const sources = [...tree].filter(([, content]) => typeof content === "string") as [string, string][];
  const py = sources.filter(([file]) => file.endsWith(".py") && !file.startsWith("tests/"));
  const xml = sources.filter(([file]) => file.endsWith(".xml"));
  const all = (list: [string, string][], pattern: RegExp) => new Set(list.flatMap(([, source]) => [...source.matchAll(pattern)].map((m) => m[1]!)));
  const constants = new Map(py.flatMap(([, source]) => [...source.matchAll(/^([A-Z][A-Z0-9_]*) = "([^"]*)"$/gm)].map((m) => [m[1]!, m[2]!] as const)));
  return {
    files: new Set(tree.keys()),
    manifest: manifestOf(tree),
    models: all(py, /^ {4}_name = "([^"]+)"/gm),
    accessModels: new Set(
      text(tree, "security/ir.model.access.csv")
        .split("\n")
        .slice(1)
        .filter(Boolean)
        .map((row) => row.split(",")[2]!.replace(/^model_/, "")),
    ),
    menus: all(xml, /<menuitem\s[^>]*?\bid="([^"]+)"/g),
    crons: all(xml, /<record\s+id="([^"]+)"\s+model="ir\.cron"/g),
    // Login pages a user can reach: controller routes, and the forms the addon's pages post to.
    routes: new Set([
      ...all(py, /@http\.route\(\s*\[?\s*"([^"]+)"/g),
      // Routes named by a module constant (`RECOVERY_URL = "/web/login/totp/recovery"`).
      ...[...all(py, /@http\.route\(\s*\[?\s*([A-Z][A-Z0-9_]*)\b/g)].map((name) => constants.get(name) ?? `(undefined constant ${name})`),
      ...all(xml, /\bt-att-action="'([^']+)'"/g),
      ...all(xml, /<form\b[^>]*?\baction="([^"]+)"/g),
    ]),
  };
}

function withSwitches(policy: Policy, on: boolean): Policy {
  return {
    ...policy,
    recoveryCodes: { enabled: on, count: 10 },
    report: on,
    notifications: { announce: on, remindDaysBeforeDeadline: on ? [7, 1] : [], notifyAdminsWeekly: on },
    audit: on,
  };
}

/** Per switch: the models it brings (as `_name`s) and whether it brings a menu, a cron, a route. */
const SWITCHES = {
  recoveryCodes: { models: ["totp.policy.recovery.code"], route: "/web/login/totp/recovery" },
  report: { models: ["totp.policy.compliance"], menu: true },
  notifications: { models: ["totp.policy.notification"], cron: true, depends: "mail" },
  audit: { models: ["totp.policy.audit"], menu: true, cron: true },
} as const;

const SWITCH_MODELS: string[] = Object.values(SWITCHES).flatMap((s) => [...s.models]);

const examples = ["customer-portal.yaml", "finance-strict.yaml", "warehouse-scanners.yaml"];

describe.each(examples)("the addon of %s", (example) => {
  const policy = examplePolicy(example);
  it.each([...SERIES])("on %s: the manifest loads every data file the addon holds, and only those", (series) => {
    const tree = renderAddon(policy, series, templates);
    const seen = observe(tree);
    const dataFiles = [...seen.files].filter((f) => /^(data|views|security|report)\/.*\.(xml|csv)$/.test(f)).sort();
    expect([...seen.manifest.data].sort()).toEqual(dataFiles);
    expect(seen.manifest.depends).toContain("auth_totp");
    expect(seen.files.has(`i18n/${policy.addon.name}.pot`)).toBe(true);
    expect(renderAddon(policy, series, templates)).toEqual(tree);
  });
});

describe("optional switches (recovery codes, report, notifications, audit)", () => {
  const base = examplePolicy("warehouse-scanners.yaml");

  it.each([...SERIES])("on %s: with every switch on, each brings its models, menus, crons, routes and dependencies", (series) => {
    const seen = observe(renderAddon(withSwitches(base, true), series, templates));
    for (const [name, facts] of Object.entries(SWITCHES)) {
      for (const model of facts.models) {
        expect(seen.models, `${name}: model ${model}`).toContain(model);
        expect(seen.accessModels, `${name}: access to ${model}`).toContain(model.replace(/\./g, "_"));
      }
      if ("route" in facts) expect(seen.routes, name).toContain(facts.route);
      if ("depends" in facts) expect(seen.manifest.depends, name).toContain(facts.depends);
    }
    expect(seen.menus.size).toBeGreaterThanOrEqual(2);
    expect(seen.crons.size).toBeGreaterThanOrEqual(2);
  });

  it.each([...SERIES])("on %s: with every switch off, none of their models, menus, crons, routes or mail", (series) => {
    const seen = observe(renderAddon(withSwitches(base, false), series, templates));
    for (const model of SWITCH_MODELS) {
      expect(seen.models, model).not.toContain(model);
      expect(seen.accessModels, model).not.toContain(model.replace(/\./g, "_"));
    }
    expect([...seen.menus]).toEqual([]);
    expect([...seen.crons]).toEqual([]);
    expect(seen.routes).not.toContain(SWITCHES.recoveryCodes.route);
    expect(seen.manifest.depends).not.toContain("mail");
    expect(seen.manifest.data.some((file) => /mail|cron|audit|compliance|recovery/.test(file)), seen.manifest.data.join(", ")).toBe(false);
  });

  it.each(Object.keys(SWITCHES) as (keyof typeof SWITCHES)[])("%s alone brings its own models and no other switch's", (name) => {
    const off = withSwitches(base, false);
    const one: Policy = {
      ...off,
      ...(name === "recoveryCodes" ? { recoveryCodes: { enabled: true, count: 10 } } : {}),
      ...(name === "report" ? { report: true } : {}),
      ...(name === "notifications" ? { notifications: { announce: true, remindDaysBeforeDeadline: [7], notifyAdminsWeekly: false } } : {}),
      ...(name === "audit" ? { audit: true } : {}),
    };
    const seen = observe(renderAddon(one, "17.0", templates));
    for (const model of SWITCH_MODELS) expect(seen.models.has(model), model).toBe((SWITCHES[name].models as readonly string[]).includes(model));
    expect(seen.manifest.depends.includes("mail")).toBe(name === "notifications");
  });
});

describe("series differences an admin meets", () => {
  const policy = examplePolicy("warehouse-scanners.yaml");
  it("depends on the core enforcement module of the series", () => {
    expect(observe(renderAddon(policy, "18.0", templates)).manifest.depends).toContain("auth_totp_mail_enforce");
    expect(observe(renderAddon(policy, "19.0", templates)).manifest.depends).toContain("auth_totp_mail");
    expect(observe(renderAddon(policy, "19.0", templates)).manifest.depends).not.toContain("auth_totp_mail_enforce");
  });
});

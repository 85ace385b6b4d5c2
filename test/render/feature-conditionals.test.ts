import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { SERIES, type Policy } from "../../src/policy/model.js";
import { FEATURES } from "../../src/render/index.js";
import { defaultTemplateDir } from "../../src/generate/templates.js";

/**
 * The shared templates (`templates/base/`, `templates/<series>/`) hold no feature conditional: a
 * feature brings its own files, `_inherit` overrides and slot fragments from
 * `templates/features/<id>/`. The names a conditional on a feature would test are derived from the
 * table: each row's id (camelCase, as a context field would be named) and every policy field its
 * `enabled` reads (recorded through a proxy over a policy).
 */

/** Paths of the policy values `enabled` reads, e.g. `notifications.announce`, `enforce.trustedDeviceDays`. */
function switchNames(): Set<string> {
  const read = new Set<string>();
  const record = (at: string): unknown => {
    read.add(at);
    return new Proxy(() => undefined, {
      get: (_target, key) => {
        if (typeof key === "symbol") return undefined;
        if (key === "length") return 0;
        read.delete(at);
        return record(`${at}.${key}`);
      },
      apply: () => undefined,
    });
  };
  const policy = new Proxy({} as Policy, {
    get: (_target, key) => (typeof key === "string" ? record(key) : undefined),
  });
  for (const series of SERIES) for (const feature of FEATURES) feature.enabled(policy, series);
  return read;
}

const camel = (id: string) => id.replace(/_([a-z])/g, (_m, letter: string) => letter.toUpperCase());

export const FEATURE_NAMES: ReadonlySet<string> = new Set([...FEATURES.map((feature) => camel(feature.id)), ...switchNames()]);

/** `file:line: {{...}}` for each block or conditional mustache that tests a feature name. */
export function featureConditionals(file: string, source: string, names: ReadonlySet<string>): string[] {
  const found: string[] = [];
  for (const match of source.matchAll(/\{\{~?\s*(#if|#unless|\^if|\^unless|else if|else unless|#each|#with)\b([^}]*)\}\}/g)) {
    const paths = match[2]!.match(/(?<![\w."'@])[A-Za-z_][\w]*(?:\.[\w]+)*/g) ?? [];
    const tests = (used: string) =>
      [...names].some((name) => used === name || used.startsWith(`${name}.`) || name.startsWith(`${used}.`));
    if (paths.some(tests)) {
      const line = source.slice(0, match.index).split("\n").length;
      found.push(`${file}:${line}: ${match[0]}`);
    }
  }
  return found;
}

function sharedTemplates(): string[] {
  const root = defaultTemplateDir();
  const folders = ["base", ...SERIES];
  return folders.flatMap((folder) => {
    const dir = path.join(root, folder);
    let entries;
    try {
      entries = readdirSync(dir, { recursive: true, withFileTypes: true });
    } catch {
      return [];
    }
    return entries
      .filter((entry) => entry.isFile() && entry.name.endsWith(".hbs"))
      .map((entry) => path.join(entry.parentPath, entry.name));
  });
}

describe("shared templates", () => {
  it("name every feature and policy switch of the table", () => {
    // What the detector looks for follows the table: a new row adds its names.
    for (const name of ["audit", "report", "notifications", "recoveryCodes"]) expect(FEATURE_NAMES.has(name), name).toBe(true);
  });

  it("the detector finds a feature conditional however it is written", () => {
    const names = FEATURE_NAMES;
    expect(featureConditionals("x", "a\n{{#if audit}}\nb\n{{/if}}\n", names)).toEqual(["x:2: {{#if audit}}"]);
    expect(featureConditionals("x", "{{#unless notifications.announce}}", names)).toHaveLength(1);
    expect(featureConditionals("x", "{{#if (and recoveryCodes.enabled api.networks.length)}}", names)).toHaveLength(1);
    expect(featureConditionals("x", "{{~else if report~}}", names)).toHaveLength(1);
    // Policy values that are not features, helpers and strings are fine.
    expect(featureConditionals("x", '{{#if enforce.graceDays}}{{#if (eq profile.rpcCheckMethod "audit")}}', names)).toEqual([]);
  });

  it("hold no feature conditional: base/ and the series overlays", () => {
    const files = sharedTemplates();
    expect(files.length).toBeGreaterThan(20);
    const found = files.flatMap((file) => featureConditionals(path.relative(defaultTemplateDir(), file), readFileSync(file, "utf8"), FEATURE_NAMES));
    expect(found).toEqual([]);
  });
});

/**
 * docs/ARCHITECTURE.md stays true: its template-context listing names exactly the fields of
 * `TemplateContext` (src/render/context.ts), and its helper list exactly the helpers
 * src/render/handlebars.ts registers. Both read from the sources.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createTemplateEngine } from "../../src/render/handlebars.js";
import { REPO_ROOT } from "../support/examples.js";

const doc = readFileSync(path.join(REPO_ROOT, "docs/ARCHITECTURE.md"), "utf8");

function section(title: string): string {
  const start = doc.indexOf(`## ${title}\n`);
  expect(start, `docs/ARCHITECTURE.md has "## ${title}"`).toBeGreaterThanOrEqual(0);
  const end = doc.indexOf("\n## ", start + 1);
  return doc.slice(start, end < 0 ? undefined : end);
}

function contextFields(): string[] {
  const source = readFileSync(path.join(REPO_ROOT, "src/render/context.ts"), "utf8");
  const body = /export interface TemplateContext \{([\s\S]*?)\n\}/.exec(source)?.[1];
  if (!body) throw new Error("TemplateContext not found in src/render/context.ts");
  return [...body.matchAll(/^ {2}(\w+)\??:/gm)].map((match) => match[1]!).sort();
}

function documentedFields(): string[] {
  const block = /```ts\n\{\n([\s\S]*?)\n\}\n```/.exec(section("Template context"))?.[1] ?? "";
  return [...block.matchAll(/^ {2}(\w+)\??:/gm)].map((match) => match[1]!).sort();
}

function documentedHelpers(): string[] {
  const templates = section("Templates");
  const escaping = [...templates.matchAll(/`\{\{(\w+) [^`]*\}\}`/g)].map((match) => match[1]!);
  const control = /Control helpers: ([^\n]+)/.exec(templates)?.[1] ?? "";
  return [...new Set([...escaping, ...[...control.matchAll(/`(\w+)`/g)].map((match) => match[1]!)])].sort();
}

/** The helpers our engine adds: everything registered beyond Handlebars' built-ins. */
function registeredHelpers(): string[] {
  const builtIn = new Set(["blockHelperMissing", "each", "helperMissing", "if", "unless", "log", "lookup", "with"]);
  return Object.keys(createTemplateEngine().helpers).filter((name) => !builtIn.has(name)).sort();
}

describe("docs/ARCHITECTURE.md", () => {
  it("lists every TemplateContext field, and no other", () => {
    expect(contextFields().length).toBeGreaterThan(5);
    expect(documentedFields()).toEqual(contextFields());
  });

  it("lists every template helper, and no other", () => {
    expect(registeredHelpers()).toContain("py");
    expect(documentedHelpers()).toEqual(registeredHelpers());
  });
});

/**
 * Every field of SeriesProfile is read somewhere: by a template (`profile.<field>`, in any
 * folder of templates/) or by generator code in src/ outside src/profiles/. A field nobody reads
 * is a fact written four times for nothing; delete it. The field list comes from the interface's
 * source, so a field added later is checked too.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../..");

function filesUnder(dir: string, keep: (file: string) => boolean): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name))
    .filter(keep);
}

function profileFields(): string[] {
  const source = readFileSync(path.join(root, "src/profiles/types.ts"), "utf8");
  const body = /export interface SeriesProfile \{([\s\S]*?)\n\}/.exec(source)?.[1];
  if (!body) throw new Error("SeriesProfile not found in src/profiles/types.ts");
  // Top-level members only: two spaces of indentation, then `name:` or `name?:`.
  return [...body.matchAll(/^ {2}(\w+)\??:/gm)].map((match) => match[1]!);
}

const templateText = filesUnder(path.join(root, "templates"), (file) => file.endsWith(".hbs"))
  .map((file) => readFileSync(file, "utf8"))
  .join("\n");
const codeText = filesUnder(path.join(root, "src"), (file) => file.endsWith(".ts") && !file.includes(`${path.sep}profiles${path.sep}`))
  .map((file) => readFileSync(file, "utf8"))
  .join("\n");

describe("SeriesProfile fields", () => {
  const fields = profileFields();

  it("are found in the interface", () => {
    expect(fields.length).toBeGreaterThan(5);
    expect(fields).toContain("series");
  });

  it.each(fields)("%s is read by a template or by generator code", (field) => {
    const inTemplates = new RegExp(`\\bprofile\\.${field}\\b`).test(templateText);
    const inCode = new RegExp(`\\.${field}\\b`).test(codeText);
    expect(inTemplates || inCode, `profile.${field} is read nowhere: delete it from SeriesProfile and the profiles`).toBe(true);
  });
});

/**
 * Adversarial policies: every free-text field filled with arbitrary Unicode (quotes of every
 * kind, backslashes, template syntax, markup closers, line breaks, bidi controls) must land in
 * each generated file as exactly that text and nothing more. One Python process checks a whole
 * batch of rendered addons with the real parsers (ast, xml.etree, csv).
 */
import { execFileSync } from "node:child_process";
import fc from "fast-check";
import type { Policy } from "../../src/policy/model.js";
import { renderAddon, type TemplateSet } from "../../src/render/index.js";
import { samplePolicy } from "../support/policies.js";

export type Field = "title" | "summary" | "author" | "exemptionName" | "exemptionReason";
export const FIELDS: Field[] = ["title", "summary", "author", "exemptionName", "exemptionReason"];

export function policyWith(values: Record<Field, string>): Policy {
  const base = samplePolicy();
  return {
    ...base,
    addon: { ...base.addon, title: values.title, summary: values.summary, author: values.author },
    exemptions: [{ name: values.exemptionName, logins: ["scanner-01"], networks: ["10.20.0.0/16"], reason: values.exemptionReason }],
  };
}

/** Characters no policy may hold (validation rejects them): they cannot be written in XML 1.0. */
const UNREPRESENTABLE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export const hostileText = fc
  .oneof(
    fc.string({ unit: "grapheme", maxLength: 40 }),
    fc.string({ unit: "binary", maxLength: 40 }),
    fc.array(
      fc.constantFrom(`"`, `'`, `"""`, `'''`, "\\", "{{", "}}", "%s", "</odoo>", "]]>", "-->", "\n", "\r\n", "\t",
        "\u202e", "\u2066", "\u2028", "&amp;", "<", ">", ",", "`", "*", "|", "${x}", "#", "\u00e9", "\u4e2d", "\ud83d\ude00"),
      { maxLength: 12 },
    ).map((parts) => parts.join("")),
  )
  .filter((text) => !UNREPRESENTABLE.test(text));

const CHECKER = String.raw`
import ast, csv, io, json, sys
import xml.etree.ElementTree as ET

def py_facts(text):
    tree = ast.parse(text)
    consts = [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)]
    return {"statements": sum(1 for n in ast.walk(tree) if isinstance(n, ast.stmt)), "strings": consts}

def xml_facts(text):
    root = ET.fromstring(text.encode("utf-8"))
    strings = []
    count = 0
    for el in root.iter():
        count += 1
        strings.append(el.text or "")
        strings.extend(el.attrib.values())
    return {"elements": count, "strings": strings}

def csv_facts(text):
    rows = list(csv.reader(io.StringIO(text, newline="")))
    return {"rows": len(rows), "strings": [c for r in rows for c in r]}

out = []
for line in sys.stdin:
    case = json.loads(line)
    facts = {}
    for path, text in case.items():
        kind = path.rsplit(".", 1)[-1]
        try:
            if kind == "py":
                facts[path] = py_facts(text)
            elif kind == "xml":
                facts[path] = xml_facts(text)
            elif kind == "csv":
                facts[path] = csv_facts(text)
        except Exception as e:
            facts[path] = {"error": "%s: %s" % (type(e).__name__, e)}
    out.append(facts)
print(json.dumps(out))
`;

export type Facts = Record<string, { error?: string; statements?: number; elements?: number; rows?: number; strings?: string[] }>;

export function checkInPython(cases: Record<string, string>[]): Facts[] {
  const input = cases.map((c) => JSON.stringify(c)).join("\n");
  return JSON.parse(execFileSync("python3", ["-c", CHECKER], { input, maxBuffer: 1 << 28 }).toString()) as Facts[];
}

export function parsedFiles(policy: Policy, templates: TemplateSet): Record<string, string> {
  const tree = renderAddon(policy, "17.0", templates);
  const files: Record<string, string> = {};
  for (const [path, content] of tree) {
    if (typeof content === "string" && /\.(py|xml|csv)$/.test(path)) files[path] = content;
  }
  return files;
}


/** Where each field's text lands (files whose parsed strings hold a unique marker). */
export function landingOf(templates: TemplateSet): { baseline: Facts; landing: Record<Field, string[]> } {
  const markers = Object.fromEntries(FIELDS.map((f) => [f, `MARKER_${f}_7f3a`])) as Record<Field, string>;
  const [facts] = checkInPython([parsedFiles(policyWith(markers), templates)]);
  const baseline = facts!;
  const landing = Object.fromEntries(
    FIELDS.map((f) => [f, Object.keys(baseline).filter((path) => baseline[path]!.strings?.includes(markers[f]))]),
  ) as Record<Field, string[]>;
  return { baseline, landing };
}

/** Every way the hostile samples broke out of their literal: empty when escaping holds. */
export function escapeFailures(templates: TemplateSet, samples: Record<Field, string>[]): string[] {
  const { baseline, landing } = landingOf(templates);
  const failures: string[] = [];
  const results = checkInPython(samples.map((values) => parsedFiles(policyWith(values), templates)));
  results.forEach((facts, i) => {
    const values = samples[i]!;
    for (const [path, fact] of Object.entries(facts)) {
      const expected = baseline[path]!;
      if (fact.error) failures.push(`${path} does not parse (${fact.error}) for ${JSON.stringify(values)}`);
      else if (fact.statements !== expected.statements || fact.elements !== expected.elements || fact.rows !== expected.rows)
        failures.push(`${path} gained or lost a statement, element or row for ${JSON.stringify(values)}`);
    }
    for (const field of FIELDS) {
      for (const path of landing[field]) {
        if (!facts[path]?.strings?.includes(values[field]))
          failures.push(`${field} does not come back intact from ${path}: ${JSON.stringify(values[field])}`);
      }
    }
  });
  return failures;
}

export function hostileSamples(runs: number, seed = 20261127): Record<Field, string>[] {
  return fc.sample(fc.record(Object.fromEntries(FIELDS.map((f) => [f, hostileText])) as Record<Field, fc.Arbitrary<string>>), {
    numRuns: runs,
    seed,
  });
}

/**
 * Adversarial policies: every free-text field filled with arbitrary Unicode (quotes of every
 * kind, backslashes, template syntax, markup closers, line breaks, bidi controls) must land in
 * each generated file as exactly that text and nothing more (see escape-check.ts).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { type TemplateSet } from "../../src/render/index.js";
import { loadTemplateSet } from "../../src/generate/templates.js";
import { escapeFailures, FIELDS, hostileSamples, landingOf } from "./escape-check.js";

const RUNS = Number(process.env.PROPERTY_RUNS ?? 1000);

let templates: TemplateSet;
beforeAll(async () => {
  templates = await loadTemplateSet();
});

describe("hostile free text in every field", () => {
  it("lands somewhere the checks can see (the markers were found)", () => {
    const { landing } = landingOf(templates);
    for (const field of FIELDS) expect(landing[field].length, `${field} appears in no parsed file`).toBeGreaterThan(0);
  });

  it(`round-trips through Python, XML and CSV parsers and adds no statement, element or row (${RUNS} cases per field)`, { timeout: 600_000 }, () => {
    expect(escapeFailures(templates, hostileSamples(RUNS))).toEqual([]);
  });
});

// The built CLI renders from templates precompiled by `npm run build` (scripts/build-templates.ts);
// everything else compiles templates/ at load time. Both must give the same files and the same
// lock digest, or a lock written by one would read as stale to the other.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { precompiledModuleText } from "../../scripts/build-templates.js";
import { templatesDigest } from "../../src/plan/lock.js";
import { loadPolicy } from "../../src/generate/policy-file.js";
import { SERIES } from "../../src/policy/model.js";
import { renderAddon, type TemplateSet } from "../../src/render/index.js";
import { templateSetFromPrecompiled, templateSetFromSources, type PrecompiledTemplates } from "../../src/render/template-set.js";
import { readTemplateSources } from "../../src/generate/templates.js";
import { examplePolicies } from "../support/examples.js";

let dir: string;
let compiled: TemplateSet;
let precompiled: TemplateSet;

beforeAll(async () => {
  const sources = await readTemplateSources();
  compiled = templateSetFromSources(sources);
  dir = await mkdtemp(path.join(tmpdir(), "odoo-2fa-precompiled-"));
  const file = path.join(dir, "templates.precompiled.mjs");
  await writeFile(file, precompiledModuleText(sources));
  precompiled = templateSetFromPrecompiled((await import(pathToFileURL(file).href)) as PrecompiledTemplates);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("precompiled templates", () => {
  it("hold the same files as the template folder", () => {
    expect([...precompiled.base.keys()].sort()).toEqual([...compiled.base.keys()].sort());
    for (const series of SERIES)
      expect([...precompiled.overlays[series].keys()].sort()).toEqual([...compiled.overlays[series].keys()].sort());
  });

  it("give the lock the same templates digest (of the sources) for every series", () => {
    for (const series of SERIES) expect(templatesDigest(precompiled, series)).toBe(templatesDigest(compiled, series));
  });

  it("render every example byte for byte like templates compiled at load time", async () => {
    for (const { file } of examplePolicies()) {
      const loaded = await loadPolicy(file);
      if (!loaded.ok) throw new Error(`${file} is not valid`);
      for (const series of SERIES) {
        const expected = renderAddon(loaded.policy, series, compiled);
        const actual = renderAddon(loaded.policy, series, precompiled);
        expect([...actual.keys()]).toEqual([...expected.keys()]);
        for (const [name, content] of expected) expect(actual.get(name), `${file} ${series} ${name}`).toEqual(content);
      }
    }
  });
});

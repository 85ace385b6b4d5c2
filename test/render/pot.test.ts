/**
 * Issue 15, acceptance 2 without Odoo: the addon's `.pot` holds each feature's strings exactly
 * while the feature is on. A feature's strings are taken from the stored data (what Odoo's export
 * of the feature alone added to the export with every feature off: scripts/export-pot.ts); the
 * comparison with a real Odoo's export is test/odoo/pot.test.ts.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { SERIES, type Series } from "../../src/policy/model.js";
import { FEATURES, POT_ADDON, POT_DATA, renderAddon, type PotData, type TemplateSet } from "../../src/render/index.js";
import { loadTemplateSet } from "../../src/generate/templates.js";
import { msgidText, renderPotEntries } from "../../src/render/pot.js";
import { parseExport } from "../../scripts/pot/po.js";
import { allOff, allOn, FEATURE_VARIANTS, fixedFeatures } from "../../scripts/pot/variants.js";
import { REPO_ROOT } from "../support/examples.js";
import { samplePolicy } from "../support/policies.js";

const stored = new Map<string, PotData>();
const data = (layer: string): PotData => {
  if (!stored.has(layer))
    stored.set(layer, JSON.parse(readFileSync(path.join(REPO_ROOT, "templates", layer === "" ? "base" : `features/${layer}`, POT_DATA), "utf8")) as PotData);
  return stored.get(layer)!;
};

/** A layer's entries on a series: msgid → references (placeholder replaced by `addon`), for the parts `when` selects. */
function layerEntries(layer: string, series: Series, addon: string, keep: (when?: string) => boolean = () => true): Map<string, string[]> {
  const entries = new Map<string, string[]>();
  for (const part of data(layer).parts)
    if (keep(part.when))
      for (const entry of part.entries)
        if (!entry.series || entry.series.includes(series))
          entries.set(msgidText(entry.msgid), [...(entries.get(msgidText(entry.msgid)) ?? []), ...entry.references.map((r) => r.split(POT_ADDON).join(addon))]);
  return entries;
}

const policy = samplePolicy();
const addon = policy.addon.name;
let templates: TemplateSet;
beforeAll(async () => {
  templates = await loadTemplateSet();
});

/** The rendered `.pot`, parsed as an export of Odoo: msgid → references. */
function potOf(p: typeof policy, series: Series): Map<string, string[]> {
  const pot = renderAddon(p, series, templates).get(`i18n/${addon}.pot`);
  expect(typeof pot).toBe("string");
  const { entries } = parseExport(pot as string, addon, `${series} rendered`);
  return new Map(entries.map((entry) => [msgidText(entry.msgid), entry.references.map((r) => r.split(POT_ADDON).join(addon))]));
}

describe.each(SERIES)("the .pot on %s", (series) => {
  it("with every feature on holds each feature's strings and references; with every feature off none of them", () => {
    const on = potOf(allOn(policy), series);
    const off = potOf(allOff(policy), series);
    const shared = layerEntries("", series, addon);
    expect(shared.size).toBeGreaterThan(50);
    for (const [msgid, references] of shared) {
      expect(off.get(msgid), msgid).toEqual(references);
      expect(on.has(msgid), msgid).toBe(true);
    }
    expect([...off.keys()].sort()).toEqual([...shared.keys()].sort());
    // A feature no policy turns on or off on this series (totp_counter) has its strings in the shared layer.
    const fixed = fixedFeatures(policy, series);
    for (const feature of FEATURES.filter((row) => !fixed.has(row.id))) {
      const own = layerEntries(feature.id, series, addon);
      const strings = [...own.keys()].filter((msgid) => !shared.has(msgid));
      // Every feature brings strings of its own (a feature without any would make this test empty).
      expect(strings.length, feature.id).toBeGreaterThan(0);
      for (const msgid of strings) {
        expect(on.has(msgid), `${feature.id}: ${msgid}`).toBe(true);
        expect(off.has(msgid), `${feature.id}: ${msgid}`).toBe(false);
      }
      // A string the shared layer has too: the feature's references are there exactly while it is on.
      for (const [msgid, references] of own)
        for (const reference of references) {
          expect(on.get(msgid), `${feature.id}: ${msgid}`).toContain(reference);
          expect(off.get(msgid) ?? [], `${feature.id}: ${msgid}`).not.toContain(reference);
        }
    }
  });

  it("holds a feature part's strings only while the policy turns that part on", () => {
    for (const variant of FEATURE_VARIANTS.filter((v) => v.when)) {
      const pot = potOf(variant.policy(policy), series);
      const ownPart = layerEntries(variant.feature!, series, addon, (when) => when === variant.when);
      for (const other of FEATURE_VARIANTS.filter((v) => v.feature === variant.feature && v.when && v.when !== variant.when)) {
        const otherPart = layerEntries(other.feature!, series, addon, (when) => when === other.when);
        for (const msgid of otherPart.keys())
          if (!ownPart.has(msgid) && !layerEntries("", series, addon).has(msgid) && !layerEntries(variant.feature!, series, addon, (when) => !when).has(msgid))
            expect(pot.has(msgid), `${variant.id} has ${other.id}'s "${msgid}"`).toBe(false);
      }
      for (const msgid of ownPart.keys()) expect(pot.has(msgid), `${variant.id}: ${msgid}`).toBe(true);
    }
  });
});

describe("the .pot entries as Odoo's writer formats them", () => {
  const entry = (msgid: string | string[], references: string[], comments?: string[]) => ({ msgid, references, ...(comments ? { comments } : {}) });

  it("sorts by msgid and references by Odoo's key, merges a feature's references into a shared entry", () => {
    const shared: PotData = { parts: [{ entries: [entry("b", ["model:ir.ui.view,arch_db:__addon__.view_b"]), entry("a", ["code:addons/__addon__/models/z.py:0"], ["odoo-python"])] }] };
    const feature: PotData = { parts: [{ entries: [entry("b", ["code:addons/__addon__/models/x.py:0"], ["odoo-python"])] }] };
    expect(renderPotEntries([shared, feature], "18.0", "a_module_with_a_long_technical_name_x", {})).toBe(
      [
        "#. module: a_module_with_a_long_technical_name_x",
        "#. odoo-python",
        "#: code:addons/a_module_with_a_long_technical_name_x/models/z.py:0",
        'msgid "a"',
        'msgstr ""',
        "",
        "#. module: a_module_with_a_long_technical_name_x",
        "#. odoo-python",
        "#: code:addons/a_module_with_a_long_technical_name_x/models/x.py:0",
        "#: model:ir.ui.view,arch_db:a_module_with_a_long_technical_name_x.view_b",
        'msgid "b"',
        'msgstr ""',
        "",
      ].join("\n"),
    );
  });

  it("puts short references on one line as polib wraps them, flags code strings python-format on 16.0 and 17.0, keeps duplicates there only", () => {
    const shared: PotData = { parts: [{ entries: [entry("a", ["code:addons/__addon__/a.py:0", "code:addons/__addon__/a.py:0", "code:addons/__addon__/b.py:0"])] }] };
    expect(renderPotEntries([shared], "17.0", "m", {})).toBe(
      '#. module: m\n#: code:addons/m/a.py:0 code:addons/m/a.py:0 code:addons/m/b.py:0\n#, python-format\nmsgid "a"\nmsgstr ""\n',
    );
    expect(renderPotEntries([shared], "19.0", "m", {})).toBe('#. module: m\n#: code:addons/m/a.py:0 code:addons/m/b.py:0\nmsgid "a"\nmsgstr ""\n');
  });

  it("writes a wrapped msgid as stored, escaped; a part applies while its context path is truthy; an entry only on its series", () => {
    const layer: PotData = {
      parts: [
        { entries: [entry(["", 'Say "hi" ', "then go"], ["model:x,y:__addon__.z"]), { ...entry("old", ["model:x,y:__addon__.o"]), series: ["16.0"] }] },
        { when: "list", entries: [entry("listed", ["model:x,y:__addon__.l"])] },
      ],
    };
    const text = renderPotEntries([layer], "18.0", "m", { list: [] });
    expect(text).toBe('#. module: m\n#: model:x,y:m.z\nmsgid ""\n"Say \\"hi\\" "\n"then go"\nmsgstr ""\n');
    expect(renderPotEntries([layer], "18.0", "m", { list: [1] })).toContain('msgid "listed"');
    expect(renderPotEntries([layer], "16.0", "m", { list: [] })).toContain('msgid "old"');
  });
});

import type { Policy, Series } from "../policy/model.js";
import { buildContext, type TemplateContext } from "./context.js";
import { enabledFeatures, FEATURES } from "./features.js";
import { POT_DATA, renderPotEntries, type PotData } from "./pot.js";
import type { TemplateFile, TemplateLayer, TemplateSet } from "./template-set.js";

export type { TemplateFile, TemplateSet } from "./template-set.js";
export { buildContext, type TemplateContext } from "./context.js";
export { FEATURES, enabledFeatures, type Feature } from "./features.js";
export { POT_DATA, POT_ADDON, renderPotEntries, type PotData, type PotEntry, type PotPart } from "./pot.js";

/** A rendered addon: path inside the addon folder (POSIX separators) → content. */
export type VirtualTree = Map<string, string | Uint8Array>;

/** Placeholder in template paths replaced by the addon's technical name. */
export const ADDON_PATH_PLACEHOLDER = "__addon__";

/** Prefix of a feature's slot fragments: `_slots/<name>` fills `{{{slot "<name>"}}}` of shared templates. */
export const SLOT_PREFIX = "_slots/";

/**
 * Prefix of what a feature leaves in the shared files while it is *off*: `_off/_slots/<name>`
 * fills the slot as the feature's `_slots/<name>` would when on (e.g. `<delete>` of records
 * Odoo keeps after the feature's data file is gone, such as `noupdate` parameters).
 */
export const OFF_PREFIX = "_off/";

/**
 * Shared files made from the list of the addon's other files (the index in the template
 * context): the manifest's `data`, and what each Python package imports.
 */
export const INDEX_FILES: ReadonlySet<string> = new Set([
  "__manifest__.py",
  "models/__init__.py",
  "controllers/__init__.py",
  "tests/__init__.py",
]);

/** What the index files are made from: the rendered tree, files of the shared layer before each feature's. */
export interface AddonIndex {
  /** The manifest's `data`, in load order: security, data, views; the shared files before each feature's, by name. */
  data: string[];
  /** Modules a package imports, by package folder: every module of `models/` and `controllers/`, the `test_*` of `tests/`. */
  modules: Record<string, string[]>;
}

/** Folders of data files, in the order Odoo loads them. */
const DATA_FOLDERS = ["security", "data", "views"] as const;

/** The files of one layer that apply to a series: shared files with that series' overlays on top. */
export function layerFor(layer: TemplateLayer, series: Series): Map<string, TemplateFile> {
  const merged = new Map(layer.base);
  for (const [name, file] of layer.overlays[series]) merged.set(name, file);
  return merged;
}

/** Every template that can apply to a series, by its path in the template folder (features under `features/<id>/`). */
export function templatesFor(templates: TemplateSet, series: Series): Map<string, TemplateFile> {
  const all = layerFor(templates, series);
  for (const [id, layer] of Object.entries(templates.features))
    for (const [name, file] of layerFor(layer, series)) all.set(`features/${id}/${name}`, file);
  return all;
}

const byName = ([a]: [string, unknown], [b]: [string, unknown]) => (a < b ? -1 : a > b ? 1 : 0);

function renderFile(name: string, file: TemplateFile & { kind: "handlebars" }, context: object): string {
  try {
    return file.render(context as TemplateContext);
  } catch (error) {
    throw new Error(`template ${name}: ${(error as Error).message}`, { cause: error });
  }
}

/** The index of a rendered tree (`order`: path → position of the layer that made it). */
function indexOf(order: Map<string, number>): AddonIndex {
  const paths = [...order.keys()];
  const data = DATA_FOLDERS.flatMap((folder) =>
    paths
      .filter((file) => file.startsWith(`${folder}/`) && /\.(xml|csv)$/.test(file))
      .sort((a, b) => order.get(a)! - order.get(b)! || (a < b ? -1 : a > b ? 1 : 0)),
  );
  const modulesOf = (folder: string, keep: (module: string) => boolean) =>
    paths
      .filter((file) => file.startsWith(`${folder}/`) && file.endsWith(".py") && !file.slice(folder.length + 1).includes("/"))
      .map((file) => file.slice(folder.length + 1, -".py".length))
      .filter((module) => module !== "__init__" && keep(module))
      .sort();
  return {
    data,
    modules: {
      models: modulesOf("models", () => true),
      controllers: modulesOf("controllers", () => true),
      tests: modulesOf("tests", (module) => module.startsWith("test_")),
    },
  };
}

/**
 * The pure core: a validated policy and a series give the addon's files. No IO; the same
 * inputs give byte-identical output. The shared layer and each enabled feature's folder are
 * rendered (a template that renders to whitespace only yields no file; two layers may not make
 * the same file; a layer's `_pot.json` gives its `.pot` entries, `{{{potEntries}}}` of the
 * `.pot` template); then the index files, from the list of the others.
 */
export function renderAddon(policy: Policy, series: Series, templates: TemplateSet): VirtualTree {
  const context = buildContext(policy, series);
  const enabled = enabledFeatures(policy, series);
  const featureLayer = (id: string) => {
    const layer = templates.features[id];
    if (!layer) throw new Error(`feature ${id}: no folder templates/features/${id}/`);
    return layerFor(layer, series);
  };
  const layers: [string, Map<string, TemplateFile>][] = [
    ["", layerFor(templates, series)],
    ...enabled.map((feature): [string, Map<string, TemplateFile>] => [`features/${feature.id}/`, featureLayer(feature.id)]),
  ];
  // Slot fragments in table order: an enabled feature's `_slots/`, a disabled one's `_off/_slots/`.
  const slots: Record<string, string> = {};
  for (const [name] of layers[0]![1])
    if (name.startsWith(SLOT_PREFIX) || name.startsWith(OFF_PREFIX)) throw new Error(`template ${name}: a slot is a feature's template`);
  for (const feature of FEATURES) {
    const on = enabled.includes(feature);
    const prefix = on ? SLOT_PREFIX : OFF_PREFIX + SLOT_PREFIX;
    const origin = `features/${feature.id}/`;
    // A disabled feature without a folder leaves nothing (the shipped set has one per row: test/render/features.test.ts).
    if (!on && !templates.features[feature.id]) continue;
    for (const [name, file] of [...featureLayer(feature.id).entries()].sort(byName)) {
      if (name.startsWith(OFF_PREFIX) && !name.startsWith(OFF_PREFIX + SLOT_PREFIX))
        throw new Error(`template ${origin}${name}: a feature's ${OFF_PREFIX} folder holds slot fragments only`);
      if (!name.startsWith(prefix)) continue;
      if (file.kind !== "handlebars") throw new Error(`template ${origin}${name}: a slot is a Handlebars template`);
      const slot = name.slice(prefix.length);
      slots[slot] = (slots[slot] ?? "") + renderFile(`${origin}${name}`, file, context);
    }
  }
  // The `.pot` entries each layer brings (its POT_DATA, written by scripts/export-pot.ts).
  const potData = layers.flatMap(([origin, files]): PotData[] => {
    const file = files.get(POT_DATA);
    if (!file) return [];
    if (file.kind !== "verbatim") throw new Error(`template ${origin}${POT_DATA}: expected JSON data, not a template`);
    return [JSON.parse(new TextDecoder().decode(file.bytes)) as PotData];
  });
  const potEntries = renderPotEntries(potData, series, policy.addon.name, context);
  const withSlots = { ...context, slots, potEntries };
  const tree: VirtualTree = new Map();
  const order = new Map<string, number>();
  const indexFiles: [string, TemplateFile & { kind: "handlebars" }][] = [];
  layers.forEach(([origin, files], position) => {
    for (const [name, file] of [...files.entries()].sort(byName)) {
      if (name.startsWith(SLOT_PREFIX) || name.startsWith(OFF_PREFIX) || name === POT_DATA) continue;
      const outputPath = name.split(ADDON_PATH_PLACEHOLDER).join(policy.addon.name);
      const indexFile = INDEX_FILES.has(outputPath);
      if (tree.has(outputPath) || (indexFile && origin !== ""))
        throw new Error(`template ${origin}${name}: ${outputPath} is made by the shared templates or another feature`);
      if (indexFile && file.kind === "handlebars") {
        indexFiles.push([outputPath, file]);
        continue;
      }
      const content = file.kind === "verbatim" ? file.bytes : renderFile(`${origin}${name}`, file, withSlots);
      if (typeof content === "string" && content.trim() === "") continue;
      tree.set(outputPath, content);
      order.set(outputPath, position);
    }
  });
  const index = indexOf(order);
  for (const [outputPath, file] of indexFiles) {
    const content = renderFile(outputPath, file, { ...withSlots, index });
    if (content.trim() !== "") tree.set(outputPath, content);
  }
  return new Map([...tree.entries()].sort(byName));
}

import type { Policy, Series } from "../policy/model.js";
import { buildContext } from "./context.js";
import type { TemplateFile, TemplateSet } from "./template-set.js";

export { loadTemplateSet, defaultTemplateDir, type TemplateFile, type TemplateSet } from "./template-set.js";
export { buildContext, type TemplateContext } from "./context.js";

/** A rendered addon: path inside the addon folder (POSIX separators) → content. */
export type VirtualTree = Map<string, string | Uint8Array>;

/** Placeholder in template paths replaced by the addon's technical name. */
export const ADDON_PATH_PLACEHOLDER = "__addon__";

/** The template files that apply to one series: shared files with that series' overlays on top. */
export function templatesFor(templates: TemplateSet, series: Series): Map<string, TemplateFile> {
  const merged = new Map(templates.base);
  for (const [name, file] of templates.overlays[series]) merged.set(name, file);
  return merged;
}

/**
 * The pure core: a validated policy and a series give the addon's files. No IO; the same
 * inputs give byte-identical output. A template that renders to whitespace only yields no file.
 */
export function renderAddon(policy: Policy, series: Series, templates: TemplateSet): VirtualTree {
  const context = buildContext(policy, series);
  const tree: VirtualTree = new Map();
  const names = [...templatesFor(templates, series).entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [name, file] of names) {
    const outputPath = name.split(ADDON_PATH_PLACEHOLDER).join(policy.addon.name);
    if (file.kind === "verbatim") {
      tree.set(outputPath, file.bytes);
      continue;
    }
    let content: string;
    try {
      content = file.render(context);
    } catch (error) {
      throw new Error(`template ${name}: ${(error as Error).message}`, { cause: error });
    }
    if (content.trim() === "") continue;
    tree.set(outputPath, content);
  }
  return tree;
}

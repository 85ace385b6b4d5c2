/**
 * Reading the template set: the folder shipped with the tool (templates/), or the templates
 * precompiled into dist/ by `npm run build`. The pure half (the set's types, compiling sources,
 * reading a precompiled module's data) is src/render/template-set.ts.
 */
import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { SERIES, type Series } from "../policy/model.js";
import {
  FEATURES_DIR,
  PRECOMPILED_MODULE,
  TEMPLATE_SUFFIX,
  templateSetFromPrecompiled,
  templateSetFromSources,
  type LayerSources,
  type PrecompiledTemplates,
  type TemplateSet,
  type TemplateSource,
  type TemplateSources,
} from "../render/template-set.js";

/** The `templates/` folder shipped with the tool (next to `src/` and `dist/`). */
export function defaultTemplateDir(): string {
  return fileURLToPath(new URL("../../templates", import.meta.url));
}

async function readTree(root: string, skip: readonly string[] = []): Promise<Map<string, TemplateSource>> {
  const files = new Map<string, TemplateSource>();
  let entries;
  try {
    entries = await readdir(root, { recursive: true, withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return files;
    throw error;
  }
  // Sorted, so the set (and the precompiled module built from it) does not depend on readdir order.
  const paths = entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)).split(path.sep).join("/"))
    .filter((relative) => !skip.includes(relative.slice(0, relative.indexOf("/"))))
    .sort();
  const read = await Promise.all(
    paths.map(async (relative): Promise<[string, TemplateSource]> => {
      const absolute = path.join(root, relative);
      if (relative.endsWith(TEMPLATE_SUFFIX))
        return [relative.slice(0, -TEMPLATE_SUFFIX.length), { kind: "handlebars", source: await readFile(absolute, "utf8") }];
      return [relative, { kind: "verbatim", bytes: new Uint8Array(await readFile(absolute)) }];
    }),
  );
  for (const [name, file] of read) files.set(name, file);
  return files;
}

/** Reads one layer: the files of `root` (but not of `skip`), and `<overlayRoot>/<series>/` for each series. */
async function readLayer(root: string, overlayRoot: string, skip: readonly string[]): Promise<LayerSources> {
  const [base, ...overlayTrees] = await Promise.all([
    readTree(root, skip),
    ...SERIES.map((series) => readTree(path.join(overlayRoot, series))),
  ]);
  const overlays = Object.fromEntries(SERIES.map((series, i) => [series, overlayTrees[i]!])) as Record<
    Series,
    Map<string, TemplateSource>
  >;
  return { base: base!, overlays };
}

/** Reads a template folder: `base/` with one overlay folder per series, and each `features/<id>/` with its series subfolders. */
export async function readTemplateSources(dir: string = defaultTemplateDir()): Promise<TemplateSources> {
  const featuresRoot = path.join(dir, FEATURES_DIR);
  const ids = await readdir(featuresRoot, { withFileTypes: true }).then(
    (entries) => entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort(),
    (error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return [];
      throw error;
    },
  );
  const [main, ...features] = await Promise.all([
    readLayer(path.join(dir, "base"), dir, []),
    ...ids.map((id) => readLayer(path.join(featuresRoot, id), path.join(featuresRoot, id), SERIES)),
  ]);
  return { ...main!, features: Object.fromEntries(ids.map((id, i) => [id, features[i]!])) };
}

/** The precompiled templates of a built CLI, or undefined when not running from a build. */
async function loadPrecompiled(): Promise<PrecompiledTemplates | undefined> {
  const url = new URL(`../${PRECOMPILED_MODULE}`, import.meta.url);
  if (url.protocol !== "file:") return undefined;
  const found = await stat(url).then(
    (info) => info.isFile(),
    () => false,
  );
  if (!found) return undefined;
  return (await import(url.href)) as PrecompiledTemplates;
}

/**
 * The template set (the only IO of rendering; done once by the caller). Without a folder, a built
 * CLI uses the templates precompiled into dist/ by `npm run build`; otherwise (running from src/,
 * tests, an explicit folder) the folder is read now and each template compiled on first use, with the
 * same engine and helpers.
 */
export async function loadTemplateSet(dir?: string): Promise<TemplateSet> {
  const precompiled = dir === undefined ? await loadPrecompiled() : undefined;
  if (precompiled) return templateSetFromPrecompiled(precompiled);
  return templateSetFromSources(await readTemplateSources(dir ?? defaultTemplateDir()));
}

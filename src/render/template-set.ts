import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { sha256 } from "../digest.js";
import { SERIES, type Series } from "../policy/model.js";
import type { TemplateContext } from "./context.js";
import { templateEngine, type TemplateSpec } from "./handlebars.js";

/**
 * One file of the template folder, ready to use: a compiled Handlebars template, or bytes copied
 * as they are. `sha256` is the digest of the file's *source* (the `.hbs` text as UTF-8, or the
 * bytes), the same whether the template was compiled at build time or at load time: the lock
 * file's `templatesSha256` is made of these.
 */
export type TemplateFile =
  | { kind: "handlebars"; sha256: string; render: (context: TemplateContext) => string }
  | { kind: "verbatim"; sha256: string; bytes: Uint8Array };

/**
 * One layer of templates in memory: shared files, plus per-series overlays that replace a shared
 * file of the same output path. Keys are output paths (`.hbs` stripped).
 */
export interface TemplateLayer {
  base: ReadonlyMap<string, TemplateFile>;
  overlays: Readonly<Record<Series, ReadonlyMap<string, TemplateFile>>>;
}

/** The template folder read into memory: `base/` with its overlays, and each feature's folder (src/render/features.ts). */
export interface TemplateSet extends TemplateLayer {
  features: Readonly<Record<string, TemplateLayer>>;
}

/** One file of the template folder as read from disk (what the build precompiles). */
export type TemplateSource = { kind: "handlebars"; source: string } | { kind: "verbatim"; bytes: Uint8Array };

/** One layer as read from disk: base files and per-series overlays, by output path. */
export interface LayerSources {
  base: Map<string, TemplateSource>;
  overlays: Record<Series, Map<string, TemplateSource>>;
}

/** The template folder as read from disk: `base/` and its overlays, and `features/<id>/`. */
export interface TemplateSources extends LayerSources {
  features: Record<string, LayerSources>;
}

/**
 * What `npm run build` writes to dist/templates.precompiled.js (scripts/build-templates.ts):
 * every template already compiled, so the built CLI neither reads templates/ nor loads the
 * Handlebars compiler. Each entry is `{ sha256, spec }` (Handlebars) or `{ sha256, base64 }`.
 */
export type PrecompiledEntry = { sha256: string; spec: TemplateSpec } | { sha256: string; base64: string };
export interface PrecompiledLayer {
  base: Record<string, PrecompiledEntry>;
  overlays: Record<Series, Record<string, PrecompiledEntry>>;
}
export interface PrecompiledTemplates extends PrecompiledLayer {
  features: Record<string, PrecompiledLayer>;
}

export const TEMPLATE_SUFFIX = ".hbs";

/** File name of the precompiled template module, in dist/ (one level above the built code). */
export const PRECOMPILED_MODULE = "templates.precompiled.js";

/** The `templates/` folder shipped with the tool (next to `src/` and `dist/`). */
export function defaultTemplateDir(): string {
  return fileURLToPath(new URL("../../templates", import.meta.url));
}

/** Folder of the features' templates inside a template folder. */
export const FEATURES_DIR = "features";

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

/**
 * A template compiled from its source. Compiled on first render, as Handlebars' own `compile` does:
 * a run for one series compiles no other series' overlays, and a template that never renders costs nothing.
 */
function fromSource(file: TemplateSource): TemplateFile {
  if (file.kind === "verbatim") return { kind: "verbatim", sha256: sha256(file.bytes), bytes: file.bytes };
  const { source } = file;
  let compiled: ((context: TemplateContext) => string) | undefined;
  return {
    kind: "handlebars",
    sha256: sha256(source),
    render: (context) => (compiled ??= templateEngine().compile(source))(context),
  };
}

function fromPrecompiled(entry: PrecompiledEntry): TemplateFile {
  if ("base64" in entry)
    return { kind: "verbatim", sha256: entry.sha256, bytes: new Uint8Array(Buffer.from(entry.base64, "base64")) };
  return { kind: "handlebars", sha256: entry.sha256, render: templateEngine().template(entry.spec) };
}

function mapValues<A, B>(entries: Iterable<[string, A]>, convert: (value: A) => B): Map<string, B> {
  return new Map([...entries].map(([name, value]) => [name, convert(value)]));
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

function layerFromPrecompiled(layer: PrecompiledLayer): TemplateLayer {
  return {
    base: mapValues(Object.entries(layer.base), fromPrecompiled),
    overlays: Object.fromEntries(
      SERIES.map((series) => [series, mapValues(Object.entries(layer.overlays[series] ?? {}), fromPrecompiled)]),
    ) as Record<Series, Map<string, TemplateFile>>,
  };
}

/** A template set from a precompiled module (dist/templates.precompiled.js, or the same text elsewhere). */
export function templateSetFromPrecompiled(precompiled: PrecompiledTemplates): TemplateSet {
  const features = Object.entries(precompiled.features ?? {}).map(([id, layer]) => [id, layerFromPrecompiled(layer)]);
  return { ...layerFromPrecompiled(precompiled), features: Object.fromEntries(features) };
}

function layerFromSources(layer: LayerSources): TemplateLayer {
  return {
    base: mapValues(layer.base, fromSource),
    overlays: Object.fromEntries(SERIES.map((series) => [series, mapValues(layer.overlays[series], fromSource)])) as Record<
      Series,
      Map<string, TemplateFile>
    >,
  };
}

/** A template set compiled now from sources read from a folder. */
export function templateSetFromSources(sources: TemplateSources): TemplateSet {
  const features = Object.entries(sources.features).map(([id, layer]) => [id, layerFromSources(layer)]);
  return { ...layerFromSources(sources), features: Object.fromEntries(features) };
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

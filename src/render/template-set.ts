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

/** Folder of the features' templates inside a template folder. */
export const FEATURES_DIR = "features";

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

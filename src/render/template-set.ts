import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { SERIES, type Series } from "../policy/model.js";

/** One file of the template folder: a Handlebars source, or bytes copied as they are. */
export type TemplateFile =
  | { kind: "handlebars"; source: string }
  | { kind: "verbatim"; bytes: Uint8Array };

/**
 * The template folder read into memory: shared files, plus per-series overlays that replace
 * a shared file of the same output path. Keys are output paths (`.hbs` stripped).
 */
export interface TemplateSet {
  base: ReadonlyMap<string, TemplateFile>;
  overlays: Readonly<Record<Series, ReadonlyMap<string, TemplateFile>>>;
}

export const TEMPLATE_SUFFIX = ".hbs";

/** The `templates/` folder shipped with the tool (next to `src/` and `dist/`). */
export function defaultTemplateDir(): string {
  return fileURLToPath(new URL("../../templates", import.meta.url));
}

async function readTree(root: string): Promise<Map<string, TemplateFile>> {
  const files = new Map<string, TemplateFile>();
  let entries;
  try {
    entries = await readdir(root, { recursive: true, withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return files;
    throw error;
  }
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const absolute = path.join(entry.parentPath, entry.name);
    const relative = path.relative(root, absolute).split(path.sep).join("/");
    if (relative.endsWith(TEMPLATE_SUFFIX)) {
      const source = await readFile(absolute, "utf8");
      files.set(relative.slice(0, -TEMPLATE_SUFFIX.length), { kind: "handlebars", source });
    } else {
      files.set(relative, { kind: "verbatim", bytes: new Uint8Array(await readFile(absolute)) });
    }
  }
  return files;
}

/** Reads the template folder (the only IO of rendering; done once by the caller). */
export async function loadTemplateSet(dir: string = defaultTemplateDir()): Promise<TemplateSet> {
  const [base, ...overlayTrees] = await Promise.all([
    readTree(path.join(dir, "base")),
    ...SERIES.map((series) => readTree(path.join(dir, series))),
  ]);
  const overlays = Object.fromEntries(SERIES.map((series, i) => [series, overlayTrees[i]!])) as Record<
    Series,
    Map<string, TemplateFile>
  >;
  return { base: base!, overlays };
}

/**
 * The formatters the generated addon must already satisfy. Loaded only by tests: generation
 * itself emits canonical output and never pays for importing them.
 */
import { PositionEncoding, Workspace } from "@astral-sh/ruff-wasm-nodejs";
import * as prettier from "prettier";
import xmlPlugin from "@prettier/plugin-xml";

/** OCA's ruff settings (line length 88, isort with odoo / odoo.addons sections). */
export const RUFF_SETTINGS = {
  "line-length": 88,
  "indent-width": 4,
  "target-version": "py38",
  format: { "indent-style": "space", "quote-style": "double" },
  lint: {
    select: ["E", "F", "W", "I", "B", "C90", "UP"],
    // Lines the formatter cannot shorten are long policy strings (titles, summaries): the
    // formatter already keeps every code line within 88 columns.
    ignore: ["E501"],
    isort: {
      "section-order": [
        "future",
        "standard-library",
        "third-party",
        "odoo",
        "odoo-addons",
        "first-party",
        "local-folder",
      ],
      sections: { odoo: ["odoo"], "odoo-addons": ["odoo.addons"] },
    },
  },
};

let workspace: Workspace | undefined;
function ruff(): Workspace {
  workspace ??= new Workspace(RUFF_SETTINGS, PositionEncoding.Utf16);
  return workspace;
}

export function ruffFormat(source: string): string {
  return ruff().format(source);
}

export interface RuffDiagnostic {
  code: string | null;
  message: string;
  start_location: { row: number; column: number };
}

/** OCA's `[lint.per-file-ignores]` (ruff-wasm checks text, not files, so they apply here). */
const PER_FILE_IGNORES: Record<string, readonly string[]> = {
  "__init__.py": ["F401", "I001"],
  "__manifest__.py": ["B018"],
};

export function ruffCheck(source: string, fileName = "module.py"): RuffDiagnostic[] {
  const ignored = PER_FILE_IGNORES[fileName.split("/").pop()!] ?? [];
  return (ruff().check(source) as RuffDiagnostic[]).filter((d) => !ignored.includes(d.code ?? ""));
}

/** Parses Python with ruff's parser; throws on a syntax error. Returns the AST dump. */
export function ruffParse(source: string): string {
  return ruff().parse(source);
}

export const PRETTIER_XML_OPTIONS: prettier.Options = {
  parser: "xml",
  plugins: [xmlPlugin],
  xmlWhitespaceSensitivity: "preserve",
  printWidth: 88,
  tabWidth: 4,
  xmlSelfClosingSpace: true,
};

export async function prettierXml(source: string): Promise<string> {
  return prettier.format(source, PRETTIER_XML_OPTIONS);
}

/**
 * The addon's translation template (`i18n/<addon>.pot`), made from entries a real Odoo exported
 * (scripts/export-pot.ts): the shared layer's entries and each enabled feature's, merged and
 * written as Odoo's exporter writes them (odoo/tools/translate.py `PoFileWriter`, which
 * formats with polib). Pure: the data comes in with the template set.
 */
import type { Series } from "../policy/model.js";

/** Placeholder for the addon's technical name in stored references. */
export const POT_ADDON = "__addon__";

/** File of a layer (`templates/base/`, `templates/features/<id>/`) that holds its `.pot` entries. */
export const POT_DATA = "_pot.json";

/** One entry of Odoo's export, as stored. */
export interface PotEntry {
  /** The source string; or, when Odoo's writer wraps it, the pieces of its lines (the first `""`). */
  msgid: string | string[];
  /** Extracted comments other than `module: <addon>` (`odoo-python`, `odoo-javascript`). */
  comments?: string[];
  /**
   * Where Odoo found the string, as it writes them (`code:addons/__addon__/models/x.py:0`,
   * `model:ir.model.fields,field_description:__addon__.field_x__y`). A layer adds these to an
   * entry of the same msgid made by another layer.
   */
  references: string[];
  /** Only on these series (absent: on every series). */
  series?: Series[];
}

/** A layer's entries; a part with `when` applies only while that template-context path is truthy (as `{{#if}}` reads it). */
export interface PotPart {
  when?: string;
  entries: PotEntry[];
}

export interface PotData {
  parts: PotPart[];
}

/**
 * How each series' exporter writes an entry. 16.0 and 17.0 flag every entry found in code
 * `python-format` and list a reference once per occurrence; 18.0 dropped the flag and
 * writes each reference once (`OrderedSet`).
 */
const WRITER: Record<Series, { pythonFormat: boolean; uniqueReferences: boolean }> = {
  "16.0": { pythonFormat: true, uniqueReferences: false },
  "17.0": { pythonFormat: true, uniqueReferences: false },
  "18.0": { pythonFormat: false, uniqueReferences: true },
  "19.0": { pythonFormat: false, uniqueReferences: true },
};

/** polib's line width. */
const WRAP_WIDTH = 78;

export function msgidText(msgid: PotEntry["msgid"]): string {
  return typeof msgid === "string" ? msgid : msgid.join("");
}

/** Python's `str` order (code points), which Odoo sorts msgids and references by. */
export function compareCodePoints(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i]!.codePointAt(0)! - y[i]!.codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

/** What Odoo sorts an entry's references by: its `(type, name, res_id)` tuples (a code line as a number). */
function referenceKey(reference: string): (string | number)[] {
  const [type, ...rest] = reference.split(":");
  if (type === "code") {
    const line = rest.pop()!;
    return [type, rest.join(":"), Number(line)];
  }
  return [type!, rest[0] ?? "", rest.slice(1).join(":")];
}

function compareReferences(a: string, b: string): number {
  const x = referenceKey(a);
  const y = referenceKey(b);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const p = x[i];
    const q = y[i];
    if (p === q) continue;
    if (p === undefined) return -1;
    if (q === undefined) return 1;
    const d = typeof p === "number" && typeof q === "number" ? p - q : compareCodePoints(String(p), String(q));
    if (d !== 0) return d;
  }
  return 0;
}

/** Python's `textwrap.wrap(text, width, initial_indent=indent, subsequent_indent=indent, break_long_words=False)` for text of space-separated words. */
function wrapWords(text: string, indent: string): string[] {
  const width = WRAP_WIDTH - indent.length;
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ").filter((w) => w !== "")) {
    if (line === "") line = word;
    else if (line.length + 1 + word.length <= width) line += ` ${word}`;
    else {
      lines.push(indent + line);
      line = word;
    }
  }
  if (line !== "") lines.push(indent + line);
  return lines;
}

/** polib's escaping of a string between quotes. */
function escapePo(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\t/g, "\\t").replace(/\r/g, "\\r").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

function commentLines(comment: string): string[] {
  // polib wraps a comment line only when it is longer than the line width.
  if (comment.length + 3 <= WRAP_WIDTH) return [`#. ${comment}`];
  if (comment.includes("-")) throw new Error(`pot: cannot wrap the comment "${comment}" as polib does`);
  return wrapWords(comment, "#. ");
}

interface Merged {
  msgid: PotEntry["msgid"];
  comments: Set<string>;
  references: string[];
}

/** Whether a template-context path is truthy as Handlebars' `{{#if}}` reads it (an empty list is false). */
function truthy(context: object, path: string): boolean {
  let value: unknown = context;
  for (const key of path.split(".")) value = value === null || typeof value !== "object" ? undefined : (value as Record<string, unknown>)[key];
  return Array.isArray(value) ? value.length > 0 : Boolean(value);
}

/** The entries of the layers that apply (the shared layer's data first, then each enabled feature's), merged by msgid. */
export function mergePotEntries(layers: readonly PotData[], series: Series, context: object): Map<string, Merged> {
  const entries = new Map<string, Merged>();
  for (const data of layers)
    for (const part of data.parts) {
      if (part.when !== undefined && !truthy(context, part.when)) continue;
      for (const entry of part.entries) {
        if (entry.series && !entry.series.includes(series)) continue;
        const key = msgidText(entry.msgid);
        let merged = entries.get(key);
        if (!merged) entries.set(key, (merged = { msgid: entry.msgid, comments: new Set(), references: [] }));
        for (const comment of entry.comments ?? []) merged.comments.add(comment);
        merged.references.push(...entry.references);
      }
    }
  return entries;
}

/**
 * The entries of the addon's `.pot` (everything after the header), as Odoo `series` exports them
 * for an addon named `addon`: sorted by msgid, each with its module comment, comments,
 * references (sorted, wrapped as polib wraps them) and flags.
 */
export function renderPotEntries(layers: readonly PotData[], series: Series, addon: string, context: object): string {
  const writer = WRITER[series];
  const merged = [...mergePotEntries(layers, series, context).entries()].sort(([a], [b]) => compareCodePoints(a, b));
  const blocks = merged.map(([, entry]) => {
    let references = entry.references.map((reference) => reference.split(POT_ADDON).join(addon)).sort(compareReferences);
    if (writer.uniqueReferences) references = [...new Set(references)];
    const lines = [`module: ${addon}`, ...[...entry.comments].sort(compareCodePoints)].flatMap(commentLines);
    const joined = references.join(" ");
    if (joined !== "") lines.push(...(joined.length + 3 > WRAP_WIDTH ? wrapWords(joined, "#: ") : [`#: ${joined}`]));
    if (writer.pythonFormat && references.some((reference) => reference.startsWith("code:"))) lines.push("#, python-format");
    const pieces = typeof entry.msgid === "string" ? [entry.msgid] : entry.msgid;
    lines.push(`msgid "${escapePo(pieces[0]!)}"`, ...pieces.slice(1).map((piece) => `"${escapePo(piece)}"`), 'msgstr ""');
    return `${lines.join("\n")}\n`;
  });
  return blocks.join("\n");
}

/** Reading the `.pot` Odoo exports: its header and its entries, references with the addon's name as the placeholder. */
import { POT_ADDON, type PotEntry } from "../../src/render/pot.js";

export interface ExportedEntry extends PotEntry {
  msgid: string | string[];
  comments: string[];
  flags: string[];
}

function unquote(line: string, where: string): string {
  const match = /^"(.*)"$/.exec(line);
  if (!match) throw new Error(`${where}: not a quoted string: ${line}`);
  return match[1]!.replace(/\\(.)/g, (_, c: string) => ({ n: "\n", t: "\t", r: "\r" })[c] ?? c);
}

/** Odoo's export of one addon, parsed; every mention of `addon` in a reference becomes the placeholder. */
export function parseExport(text: string, addon: string, where: string): { header: string; entries: ExportedEntry[] } {
  const blocks = text.replace(/\n+$/, "").split("\n\n");
  const header = blocks.shift()!;
  if (!header.includes('msgid ""')) throw new Error(`${where}: no header`);
  const entries = blocks.map((block, index) => {
    const at = `${where}, entry ${index + 1}`;
    const comments: string[] = [];
    const references: string[] = [];
    const flags: string[] = [];
    const pieces: string[] = [];
    let field: "msgid" | "msgstr" | undefined;
    let msgstr = "";
    for (const line of block.split("\n")) {
      if (line.startsWith("#. ")) comments.push(line.slice(3));
      else if (line.startsWith("#: ")) references.push(...line.slice(3).split(" ").filter(Boolean));
      else if (line.startsWith("#, ")) flags.push(...line.slice(3).split(", "));
      else if (line.startsWith("msgid ")) (field = "msgid"), pieces.push(unquote(line.slice(6), at));
      else if (line.startsWith("msgstr ")) (field = "msgstr"), (msgstr += unquote(line.slice(7), at));
      else if (line.startsWith('"') && field === "msgid") pieces.push(unquote(line, at));
      else if (line.startsWith('"') && field === "msgstr") msgstr += unquote(line, at);
      else throw new Error(`${at}: unexpected line ${JSON.stringify(line)}`);
    }
    if (comments.shift() !== `module: ${addon}`) throw new Error(`${at}: the first comment is not "module: ${addon}"`);
    if (msgstr !== "") throw new Error(`${at}: a template entry with a translation`);
    const placeholder = references.map((reference) =>
      reference.split(`addons/${addon}/`).join(`addons/${POT_ADDON}/`).split(`:${addon}.`).join(`:${POT_ADDON}.`),
    );
    const msgid = pieces.length === 1 ? pieces[0]! : pieces;
    const text = pieces.join("");
    for (const value of [text, ...placeholder])
      if (value.includes(addon))
        throw new Error(`${at}: "${value}" holds the addon's name where it cannot be a placeholder (a policy-dependent string)`);
    return { msgid, comments, references: placeholder, flags };
  });
  return { header, entries };
}

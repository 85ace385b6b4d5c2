/**
 * From policy text to plain data with positions: the YAML parser (also for JSON, with its JSON
 * schema) gives a document whose nodes know their source ranges; a Locator maps key paths back
 * to `line:col`. Syntax errors, duplicate keys, tags and alias bombs become located findings.
 * Pure.
 */
import { isNode, LineCounter, parseDocument, visit, type Document, type YAMLError } from "yaml";
import type { Finding } from "./issues.js";
import { Locator } from "./locate.js";

/** Aliases a document may expand (the YAML "billion laughs" defence). */
export const MAX_ALIAS_COUNT = 100;
/** A policy nests four levels deep; this much nesting is a mistake or an attack on the parser. */
export const MAX_NESTING = 64;

export type ParsedDocument =
  | { ok: true; raw: unknown; locator: Locator; findings: Finding[] }
  | { ok: false; findings: Finding[] };

const isJsonFile = (fileName: string) => /\.json$/i.test(fileName);

/** Where flow brackets (`[`, `{`) nest deeper than MAX_NESTING, or lines are indented absurdly far; -1 if nowhere. */
function tooDeepAt(text: string): number {
  let depth = 0;
  let quote: string | undefined;
  let lineStart = true;
  let indent = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "\n") {
      lineStart = true;
      indent = 0;
      if (quote === "#") quote = undefined;
      continue;
    }
    if (lineStart && (c === " " || c === "-")) {
      if (++indent > MAX_NESTING * 4) return i;
      continue;
    }
    lineStart = false;
    if (quote) {
      if (quote === '"' && c === "\\") i++;
      else if (c === quote) quote = undefined;
      continue;
    }
    if ((c === '"' || c === "'") && (i === 0 || /[\s[{,:]/.test(text[i - 1]!))) quote = c;
    else if (c === "#" && (i === 0 || /\s/.test(text[i - 1]!))) quote = "#";
    else if (c === "[" || c === "{") {
      if (++depth > MAX_NESTING) return i;
    } else if ((c === "]" || c === "}") && depth > 0) depth--;
  }
  return -1;
}

/** Refusals before parsing: an empty file, absurd nesting. */
function precheck(text: string): Finding | undefined {
  if (text.trim() === "") {
    return {
      path: [],
      at: { line: 1, col: 1 },
      message: "is empty",
      expected: "a policy (schema: 1, addon, enforce, ...)",
      hint: "odoo-2fa init writes a starter policy",
    };
  }
  const deep = tooDeepAt(text);
  if (deep < 0) return undefined;
  const before = text.slice(0, deep).split("\n");
  return {
    path: [],
    at: { line: before.length, col: before[before.length - 1]!.length + 1 },
    message: "nests lists or mappings too deeply",
    expected: `a policy (at most ${MAX_NESTING} levels deep)`,
    hint: "a policy nests four levels deep at most",
  };
}

/** One parser error as a finding. */
function syntaxFinding(error: YAMLError, text: string, locator: Locator, json: boolean): Finding {
  const at = locator.at(error.pos[0]);
  const path = locator.pathAt(error.pos[0]);
  if (error.code === "TAG_RESOLVE_FAILED") {
    const message = `found unquoted text ${text.slice(error.pos[0], error.pos[1])}`;
    return { path, at, message, expected: 'JSON: text in double quotes, e.g. "acme_2fa_policy"' };
  }
  if (error.code === "MULTIPLE_DOCS") {
    const hint = "remove the --- line and what follows, or split the file";
    return { path: [], at, message: "a second YAML document (after ---)", expected: "one policy per file", hint };
  }
  const message = error.message.replace(/; please use .*$/, "");
  const indentation = error.code === "BAD_INDENT" || /indent/i.test(message);
  return {
    path,
    at,
    message: `${json ? "JSON" : "YAML"} syntax error: ${message}`,
    expected: json ? "valid JSON" : "valid YAML",
    ...(indentation ? { hint: "check the indentation: keys of one mapping start in the same column, with spaces" } : {}),
  };
}

/**
 * The parser's errors and warnings (an unresolved tag, a collection as a key: errors here, a
 * policy is plain data). A duplicate key is not fatal: the rest of the file is still checked.
 */
function parserFindings(doc: Document, text: string, locator: Locator, json: boolean): { findings: Finding[]; fatal: boolean } {
  const findings: Finding[] = [];
  let fatal = false;
  const syntaxLines = new Set<number>();
  for (const error of [...doc.errors, ...doc.warnings]) {
    if (error.code === "DUPLICATE_KEY") {
      const path = locator.pathAt(error.pos[0]);
      const last = path[path.length - 1];
      const key = typeof last === "string" ? `"${last}"` : "a key";
      const message = `${key} appears twice in the same mapping`;
      findings.push({ path, at: locator.at(error.pos[0]), message, expected: "each key once", hint: "remove or merge one of them" });
      continue;
    }
    if (error.code === "TAG_RESOLVE_FAILED" && !json) continue; // reported by tagFindings, located at the node
    fatal = true;
    const line = locator.at(error.pos[0]).line;
    if (syntaxLines.has(line)) continue; // one parser error per line: the first explains the rest
    syntaxLines.add(line);
    findings.push(syntaxFinding(error, text, locator, json));
  }
  return { findings, fatal };
}

/** Explicit tags (!!binary, !!set, !custom) have no place in a policy; !!str is harmless. */
function tagFindings(doc: Document, text: string, locator: Locator): Finding[] {
  const findings: Finding[] = [];
  visit(doc, {
    Node(_key, node) {
      const tag = (node as { tag?: string }).tag;
      if (!tag || tag === "tag:yaml.org,2002:str" || !isNode(node) || !node.range) return;
      const shown = tag.replace(/^tag:yaml\.org,2002:/, "!!");
      // Point at the tag itself (`!!binary` before the value) when it is written right there.
      const written = text.lastIndexOf(shown, node.range[0]);
      const offset = written >= 0 && text.slice(written + shown.length, node.range[0]).trim() === "" ? written : node.range[0];
      findings.push({
        path: locator.pathAt(node.range[0]),
        at: locator.at(offset),
        message: `the YAML tag ${shown} is not supported in a policy`,
        expected: "plain values: text, numbers, true/false, lists and mappings",
        hint: "remove the tag",
      });
    },
  });
  return findings;
}

/** The document's plain value, aliases expanded up to MAX_ALIAS_COUNT. */
function toPlain(doc: Document, locator: Locator): { raw: unknown } | { finding: Finding } {
  if (doc.contents === null) {
    return {
      finding: {
        path: [],
        at: { line: 1, col: 1 },
        message: "has no content (only comments)",
        expected: "a policy (schema: 1, addon, enforce, ...)",
        hint: "odoo-2fa init writes a starter policy",
      },
    };
  }
  try {
    return { raw: doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) };
  } catch (error) {
    const message = (error as Error).message;
    return {
      finding: {
        path: [],
        at: locator.value([]),
        message: /alias/i.test(message) ? `expands too many aliases (${message})` : `cannot be read: ${message}`,
        expected: `a policy with at most ${MAX_ALIAS_COUNT} alias expansions`,
        hint: "a policy needs few or no YAML aliases (*name)",
      },
    };
  }
}

/** Parses policy text (JSON when `fileName` ends in .json, else YAML 1.2 core schema). */
export function parsePolicyDocument(text: string, fileName: string): ParsedDocument {
  const early = precheck(text);
  if (early) return { ok: false, findings: [early] };
  const json = isJsonFile(fileName);
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, schema: json ? "json" : "core", strict: true });
  const locator = new Locator(doc as Document, lineCounter);
  const parser = parserFindings(doc as Document, text, locator, json);
  const tags = tagFindings(doc as Document, text, locator);
  const findings = [...parser.findings, ...tags];
  if (parser.fatal || tags.length > 0) return { ok: false, findings };
  const plain = toPlain(doc as Document, locator);
  if ("finding" in plain) return { ok: false, findings: [...findings, plain.finding] };
  return { ok: true, raw: plain.raw, locator, findings };
}

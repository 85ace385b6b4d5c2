/**
 * Escaping for every target language a policy string can land in. Each function turns an
 * arbitrary string into a fragment that, in its language, denotes exactly that string and
 * nothing more: it can never close the literal, start a statement, an element or a row.
 */

/** Characters that Python would accept raw but that hide or reorder text: shown escaped. */
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb\ud800-\udfff]/gu;

function pyEscapeChar(ch: string): string {
  switch (ch) {
    case "\n":
      return "\\n";
    case "\r":
      return "\\r";
    case "\t":
      return "\\t";
  }
  const code = ch.codePointAt(0)!;
  if (code <= 0xff) return `\\x${code.toString(16).padStart(2, "0")}`;
  return `\\u${code.toString(16).padStart(4, "0")}`;
}

/**
 * A Python string literal. Quote choice follows ruff/black (double quotes unless the text has
 * more double than single quotes), so `ruff format` leaves the literal as it is.
 */
export function pyString(value: string): string {
  const doubles = [...value.matchAll(/"/g)].length;
  const singles = [...value.matchAll(/'/g)].length;
  const quote = doubles > singles ? "'" : '"';
  let body = value.replace(/\\/g, "\\\\");
  body = body.split(quote).join(`\\${quote}`);
  body = body.replace(INVISIBLE, pyEscapeChar);
  return `${quote}${body}${quote}`;
}

/**
 * A Python literal for JSON-like data: lists become tuples, objects dicts, `null` None. Every
 * non-empty collection is exploded one item a line with a trailing comma (ruff's "magic trailing
 * comma"), so `ruff format` leaves it as it is at any length. `indent` is the column of the line the
 * literal starts on, `column` where the literal itself starts (to know whether a one-tuple fits).
 */
export function pyLiteral(value: unknown, indent = 0, column = indent): string {
  const inner = " ".repeat(indent + 4);
  const close = " ".repeat(indent);
  if (value === null || value === undefined) return "None";
  if (typeof value === "boolean") return value ? "True" : "False";
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new TypeError("pyLiteral: not a finite number");
    return String(value);
  }
  if (typeof value === "string") return pyString(value);
  if (Array.isArray(value)) {
    if (value.length === 0) return "()";
    // A one-tuple's comma is not a magic trailing comma: ruff joins it when it fits.
    if (value.length === 1) {
      const joined = `(${pyLiteral(value[0])},)`;
      if (!joined.includes("\n") && column + joined.length + 1 <= PY_LINE_LENGTH) return joined;
    }
    return `(\n${value.map((item) => `${inner}${pyLiteral(item, indent + 4)},\n`).join("")}${close})`;
  }
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0) return "{}";
    const lines = entries.map(([key, item]) => {
      const head = `${inner}${pyString(key)}: `;
      return `${head}${pyLiteral(item, indent + 4, head.length)},\n`;
    });
    return `{\n${lines.join("")}${close}}`;
  }
  throw new TypeError(`pyLiteral: cannot write a ${typeof value}`);
}

/** ruff's default line length, which generated Python is formatted to. */
const PY_LINE_LENGTH = 88;

/** XML text content or attribute value (both quote kinds escaped, so either context is safe). */
export function xmlEscape(value: string): string {
  return value
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;")
    .replace(/[\t\n\r]/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** One CSV field (RFC 4180): quoted when it holds a separator, quote or line break. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/**
 * reStructuredText inline text: markup characters are backslash-escaped and line breaks become
 * spaces, so the text can neither start a directive nor end the paragraph it stands in.
 */
export function rstInline(value: string): string {
  return value.replace(/[\r\n]+/g, " ").replace(/[\\`*_|:<>[\]]/g, (ch) => `\\${ch}`);
}

/** A reStructuredText section title with its underline (as long as the title). */
export function rstHeading(value: string, underline: string): string {
  const text = rstInline(value);
  return `${text}\n${underline.repeat(Math.max(displayWidth(text), 1))}`;
}

/** Markdown inline text (readme fragments): punctuation escaped, line breaks folded. */
export function mdInline(value: string): string {
  return value.replace(/[\r\n]+/g, " ").replace(/[\\`*_{}[\]<>()#+\-.!|~]/g, (ch) => `\\${ch}`);
}

/** A gettext (.pot/.po) string body, without the surrounding quotes. */
export function poString(value: string): string {
  return value
    .replace(/\\/g, "\\\\")
    .replace(/"/g, '\\"')
    .replace(/\n/g, "\\n")
    .replace(/\r/g, "\\r")
    .replace(/\t/g, "\\t");
}

/** Terminal/rst column width: East Asian wide and full-width characters count twice. */
export function displayWidth(value: string): number {
  let width = 0;
  for (const ch of value) {
    const code = ch.codePointAt(0)!;
    width += isWide(code) ? 2 : 1;
  }
  return width;
}

function isWide(code: number): boolean {
  return (
    (code >= 0x1100 && code <= 0x115f) ||
    (code >= 0x2e80 && code <= 0xa4cf) ||
    (code >= 0xac00 && code <= 0xd7a3) ||
    (code >= 0xf900 && code <= 0xfaff) ||
    (code >= 0xfe30 && code <= 0xfe4f) ||
    (code >= 0xff00 && code <= 0xff60) ||
    (code >= 0xffe0 && code <= 0xffe6) ||
    (code >= 0x1f300 && code <= 0x1faff) ||
    (code >= 0x20000 && code <= 0x3fffd)
  );
}

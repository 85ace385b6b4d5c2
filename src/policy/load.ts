/**
 * Reading a policy file: bytes → text → YAML document (with positions) → zod + rules →
 * the normalised `Policy`, or every problem of the file at once as located `PolicyIssue`s.
 */
import { readFile, stat } from "node:fs/promises";
import { isNode, LineCounter, parseDocument, visit, type Document } from "yaml";
import type { z } from "zod";
import { normaliseCidr } from "./cidr.js";
import { formatPath, sortIssues, type PolicyIssue, type PolicyPath } from "./issues.js";
import { Locator } from "./locate.js";
import { SERIES, type Policy, type Series } from "./model.js";
import { checkOdooGroups } from "./odoo-groups.js";
import { checkRules } from "./rules.js";
import { expectedAt, hintAt, isOptionalAt, knownKeys, policySchema, type PolicyFile } from "./schema.js";
import { didYouMean } from "./suggest.js";

export type LoadResult = { ok: true; policy: Policy; warnings: PolicyIssue[] } | { ok: false; issues: PolicyIssue[] };

export interface LoadOptions {
  /** The Odoo series the policy is for: its groups and modules must exist in each. Default: every series. */
  series?: readonly Series[];
  /** Warnings are errors (`--strict`). */
  strict?: boolean;
}

/** Larger files are refused before they are read: a policy is a few kilobytes. */
export const MAX_POLICY_BYTES = 1024 * 1024;
/** Aliases a document may expand (the YAML "billion laughs" defence). */
export const MAX_ALIAS_COUNT = 100;

const fileIssue = (file: string, message: string, expected: string, hint?: string, line = 0, col = 0): PolicyIssue => ({
  severity: "error",
  file,
  line,
  col,
  path: "",
  message,
  expected,
  ...(hint === undefined ? {} : { hint }),
});

const isJsonFile = (fileName: string) => /\.json$/i.test(fileName);

/** Reads and checks a policy file. Never throws for a problem with the file: it is an issue. */
export async function loadPolicy(file: string, options: LoadOptions = {}): Promise<LoadResult> {
  let size: number;
  try {
    const info = await stat(file);
    if (info.isDirectory()) {
      return {
        ok: false,
        issues: [
          fileIssue(file, "is a directory", "a policy file (.yaml, .yml or .json)", "odoo-2fa init writes a starter policy"),
        ],
      };
    }
    if (!info.isFile())
      return { ok: false, issues: [fileIssue(file, "is not a regular file", "a policy file (.yaml, .yml or .json)")] };
    size = info.size;
  } catch (error) {
    return { ok: false, issues: [readFailure(file, error)] };
  }
  if (size > MAX_POLICY_BYTES) {
    return {
      ok: false,
      issues: [
        fileIssue(
          file,
          `is ${size} bytes, over the limit of ${MAX_POLICY_BYTES} bytes`,
          `a policy file of at most ${MAX_POLICY_BYTES} bytes`,
          "a policy is a few kilobytes; is this the right file?",
        ),
      ],
    };
  }
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (error) {
    return { ok: false, issues: [readFailure(file, error)] };
  }
  return parsePolicyBytes(bytes, file, options);
}

function readFailure(file: string, error: unknown): PolicyIssue {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "ENOENT")
    return fileIssue(file, "no such file", "the path of a policy file", "odoo-2fa init --out <file> writes a starter policy");
  if (code === "EACCES" || code === "EPERM")
    return fileIssue(file, "cannot be read (permission denied)", "a readable policy file");
  if (code === "EISDIR") return fileIssue(file, "is a directory", "a policy file (.yaml, .yml or .json)");
  return fileIssue(file, `cannot be read (${code ?? (error as Error).message})`, "a readable policy file");
}

/** Position (1-based) of a byte offset in UTF-8 text whose prefix up to `offset` is valid. */
function positionOfByte(bytes: Uint8Array, offset: number): { line: number; col: number } {
  const before = new TextDecoder("utf-8").decode(bytes.subarray(0, offset));
  const lines = before.split("\n");
  return { line: lines.length, col: [...lines[lines.length - 1]!].length + 1 };
}

/** The first offset where `bytes` is not valid UTF-8, or -1. */
function invalidUtf8Offset(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length;) {
    const b = bytes[i]!;
    const need = b < 0x80 ? 0 : b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : -1;
    if (need < 0) return i;
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
      if (
        k === 1 &&
        ((b === 0xe0 && c < 0xa0) || (b === 0xed && c > 0x9f) || (b === 0xf0 && c < 0x90) || (b === 0xf4 && c > 0x8f))
      )
        return i;
    }
    i += need + 1;
  }
  return -1;
}

/** Checks the raw bytes of a policy file (binary, encoding, size, emptiness), then parses it. */
export function parsePolicyBytes(bytes: Uint8Array, fileName: string, options: LoadOptions = {}): LoadResult {
  if (bytes.length > MAX_POLICY_BYTES) {
    return {
      ok: false,
      issues: [
        fileIssue(
          fileName,
          `is ${bytes.length} bytes, over the limit of ${MAX_POLICY_BYTES} bytes`,
          `a policy file of at most ${MAX_POLICY_BYTES} bytes`,
        ),
      ],
    };
  }
  const nul = bytes.indexOf(0);
  if (nul >= 0) {
    const { line, col } = invalidUtf8Offset(bytes.subarray(0, nul)) < 0 ? positionOfByte(bytes, nul) : { line: 1, col: 1 };
    return {
      ok: false,
      issues: [
        fileIssue(fileName, "is a binary file (it contains a NUL byte)", "a YAML or JSON text file", undefined, line, col),
      ],
    };
  }
  const bad = invalidUtf8Offset(bytes);
  if (bad >= 0) {
    const { line, col } = positionOfByte(bytes, bad);
    return {
      ok: false,
      issues: [
        fileIssue(
          fileName,
          `is not valid UTF-8 (byte 0x${bytes[bad]!.toString(16).padStart(2, "0")} at offset ${bad})`,
          "a UTF-8 text file",
          "re-save the file as UTF-8",
          line,
          col,
        ),
      ],
    };
  }
  let text = new TextDecoder("utf-8").decode(bytes);
  if (text.startsWith("\uFEFF")) text = text.slice(1);
  return parsePolicyText(text, fileName, options);
}

/** A policy nests four levels deep; this much nesting is a mistake or an attack on the parser. */
export const MAX_NESTING = 64;

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

/** Parses and checks policy text. Pure: no IO. `fileName` names the file in issues and picks JSON or YAML. */
export function parsePolicyText(text: string, fileName: string, options: LoadOptions = {}): LoadResult {
  try {
    return parseChecked(text, fileName, options);
  } catch (error) {
    // The parser's own limits (e.g. its stack on pathological input): still one located line.
    if (!(error instanceof RangeError)) throw error;
    return {
      ok: false,
      issues: [
        fileIssue(fileName, `cannot be parsed (${error.message})`, "a policy of ordinary size and nesting", undefined, 1, 1),
      ],
    };
  }
}

function parseChecked(text: string, fileName: string, options: LoadOptions): LoadResult {
  if (text.trim() === "") {
    return {
      ok: false,
      issues: [
        fileIssue(
          fileName,
          "is empty",
          "a policy (schema: 1, addon, enforce, ...)",
          "odoo-2fa init writes a starter policy",
          1,
          1,
        ),
      ],
    };
  }
  const deep = tooDeepAt(text);
  if (deep >= 0) {
    const before = text.slice(0, deep).split("\n");
    return {
      ok: false,
      issues: [
        fileIssue(
          fileName,
          "nests lists or mappings too deeply",
          `a policy (at most ${MAX_NESTING} levels deep)`,
          "a policy nests four levels deep at most",
          before.length,
          before[before.length - 1]!.length + 1,
        ),
      ],
    };
  }
  const lineCounter = new LineCounter();
  const json = isJsonFile(fileName);
  const doc = parseDocument(text, {
    lineCounter,
    prettyErrors: false,
    uniqueKeys: true,
    schema: json ? "json" : "core",
    strict: true,
  });
  const locator = new Locator(doc as Document, lineCounter);
  const issues: PolicyIssue[] = [];
  const issue = (
    severity: PolicyIssue["severity"],
    path: PolicyPath,
    at: { line: number; col: number },
    message: string,
    expected: string,
    hint?: string,
  ) =>
    issues.push({
      severity,
      file: fileName,
      line: at.line,
      col: at.col,
      path: formatPath(path),
      message,
      expected,
      ...(hint === undefined ? {} : { hint }),
    });

  let fatal = false;
  const syntaxLines = new Set<number>();
  // Warnings of the YAML parser (an unresolved tag, a collection as a key) are errors here:
  // a policy is plain data.
  for (const error of [...doc.errors, ...doc.warnings]) {
    const at = locator.at(error.pos[0]);
    const path = locator.pathAt(error.pos[0]);
    if (error.code === "DUPLICATE_KEY") {
      const last = path[path.length - 1];
      const key = typeof last === "string" ? `"${last}"` : "a key";
      issue("error", path, at, `${key} appears twice in the same mapping`, "each key once", "remove or merge one of them");
      continue;
    }
    if (error.code === "TAG_RESOLVE_FAILED" && !json) continue; // reported below, located at the node
    fatal = true;
    if (syntaxLines.has(at.line)) continue; // one parser error per line: the first explains the rest
    syntaxLines.add(at.line);
    if (error.code === "TAG_RESOLVE_FAILED") {
      issue(
        "error",
        path,
        at,
        `found unquoted text ${text.slice(error.pos[0], error.pos[1])}`,
        'JSON: text in double quotes, e.g. "acme_2fa_policy"',
      );
    } else if (error.code === "MULTIPLE_DOCS") {
      issue(
        "error",
        [],
        at,
        "a second YAML document (after ---)",
        "one policy per file",
        "remove the --- line and what follows, or split the file",
      );
    } else {
      const message = error.message.replace(/; please use .*$/, "");
      issue(
        "error",
        path,
        at,
        `${json ? "JSON" : "YAML"} syntax error: ${message}`,
        json ? "valid JSON" : "valid YAML",
        error.code === "BAD_INDENT" || /indent/i.test(message)
          ? "check the indentation: keys of one mapping start in the same column, with spaces"
          : undefined,
      );
    }
  }
  // Explicit tags (!!binary, !!set, !custom) have no place in a policy; !!str is harmless.
  visit(doc, {
    Node(_key, node) {
      const tag = (node as { tag?: string }).tag;
      if (!tag || tag === "tag:yaml.org,2002:str" || !isNode(node) || !node.range) return;
      const shown = tag.replace(/^tag:yaml\.org,2002:/, "!!");
      fatal = true;
      // Point at the tag itself (`!!binary` before the value) when it is written right there.
      const written = text.lastIndexOf(shown, node.range[0]);
      const offset = written >= 0 && text.slice(written + shown.length, node.range[0]).trim() === "" ? written : node.range[0];
      issue(
        "error",
        locator.pathAt(node.range[0]),
        locator.at(offset),
        `the YAML tag ${shown} is not supported in a policy`,
        "plain values: text, numbers, true/false, lists and mappings",
        "remove the tag",
      );
    },
  });
  if (fatal) return { ok: false, issues: sortIssues(issues) };

  if (doc.contents === null) {
    issue(
      "error",
      [],
      { line: 1, col: 1 },
      "has no content (only comments)",
      "a policy (schema: 1, addon, enforce, ...)",
      "odoo-2fa init writes a starter policy",
    );
    return { ok: false, issues: sortIssues(issues) };
  }

  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    const message = (error as Error).message;
    issue(
      "error",
      [],
      locator.value([]),
      /alias/i.test(message) ? `expands too many aliases (${message})` : `cannot be read: ${message}`,
      `a policy with at most ${MAX_ALIAS_COUNT} alias expansions`,
      "a policy needs few or no YAML aliases (*name)",
    );
    return { ok: false, issues: sortIssues(issues) };
  }

  const parsed = policySchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) {
    for (const zodIssue of parsed.error.issues) {
      for (const finding of describeZodIssue(zodIssue, text, locator))
        issue("error", finding.path, finding.at, finding.message, finding.expected, finding.hint);
    }
  }
  for (const finding of [...checkRules(raw), ...checkOdooGroups(raw, options.series ?? SERIES)]) {
    const severity = options.strict ? "error" : finding.severity;
    issue(severity, finding.path, locator.value(finding.path), finding.message, finding.expected, finding.hint);
  }

  const sorted = sortIssues(dedupe(issues));
  if (!parsed.success || sorted.some((i) => i.severity === "error")) return { ok: false, issues: sorted };
  return { ok: true, policy: toModel(parsed.data), warnings: sorted };
}

function dedupe(issues: PolicyIssue[]): PolicyIssue[] {
  const seen = new Set<string>();
  return issues.filter((issue) => {
    const key = `${issue.line}:${issue.col}:${issue.path}:${issue.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

interface Finding {
  path: PolicyPath;
  at: { line: number; col: number };
  message: string;
  expected: string;
  hint?: string;
}

function typeName(value: unknown): string {
  if (value === null) return "nothing (null)";
  if (Array.isArray(value)) return "a list";
  switch (typeof value) {
    case "string":
      return "text";
    case "number":
      return "a number";
    case "boolean":
      return "true/false";
    case "object":
      return "a mapping";
    default:
      return typeof value;
  }
}

function truncate(text: string, max = 60): string {
  const oneLine = text.replace(/\s+/g, " ");
  return oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine;
}

/** "found 1.0 (a number)", "found a list", "found nothing": the user's own spelling where possible. */
function found(value: unknown, source: string | undefined): string {
  if (value === undefined) return "nothing";
  if (value === null) return "nothing (an empty value)";
  if (Array.isArray(value)) return value.length === 0 ? "an empty list" : "a list";
  if (typeof value === "object") return "a mapping";
  const spelled = source ?? (typeof value === "string" ? JSON.stringify(value) : String(value));
  return `${truncate(spelled)} (${typeName(value)})`;
}

const ZOD_TYPE_WORDS: Record<string, string> = {
  string: "text",
  number: "a number",
  int: "a whole number",
  boolean: "true or false",
  array: "a list",
  object: "a mapping",
};

function describeZodIssue(zodIssue: z.core.$ZodIssue, text: string, locator: Locator): Finding[] {
  const path = zodIssue.path.filter((p): p is string | number => typeof p !== "symbol");
  const input = (zodIssue as { input?: unknown }).input;
  const expected = expectedAt(path);

  if (zodIssue.code === "unrecognized_keys") {
    const known = knownKeys(path);
    return zodIssue.keys.map((key) => {
      const suggestion = key === "<<" ? undefined : didYouMean(key, known);
      return {
        path: [...path, key],
        at: locator.key(path, key),
        message: `unknown key "${key}"`,
        expected: known.length ? `one of: ${known.join(", ")}` : "no other keys",
        ...(suggestion
          ? { hint: `did you mean "${suggestion}"?` }
          : key === "<<"
            ? { hint: "YAML merge keys (<<) are not supported: write the keys out" }
            : {}),
      };
    });
  }

  if (zodIssue.code === "invalid_type" && input === undefined && !isOptionalAt(path)) {
    const key = path[path.length - 1];
    if (path.length === 0)
      return [
        {
          path,
          at: locator.value(path),
          message: "has no content",
          expected: "a policy mapping (schema: 1, addon, enforce, ...)",
        },
      ];
    return [
      {
        path,
        at: locator.value(path),
        message: typeof key === "string" ? `missing required key "${key}"` : "missing value",
        expected: expected ? `${key}: ${expected}` : `a value for ${String(key)}`,
      },
    ];
  }

  const at = locator.value(path);
  const source = locator.sourceText(text, path);
  const fallbackExpected = (() => {
    if (zodIssue.code === "invalid_type") return ZOD_TYPE_WORDS[zodIssue.expected] ?? zodIssue.expected;
    if (zodIssue.code === "invalid_value") return `one of: ${zodIssue.values.map((v) => String(v)).join(", ")}`;
    return zodIssue.message;
  })();

  switch (zodIssue.code) {
    case "custom": {
      const params = (zodIssue.params ?? {}) as { expected?: string; hint?: string };
      return [
        {
          path,
          at,
          message: zodIssue.message,
          expected: params.expected ?? expected ?? fallbackExpected,
          ...(params.hint ? { hint: params.hint } : {}),
        },
      ];
    }
    case "invalid_value": {
      const suggestion =
        typeof input === "string"
          ? didYouMean(
              input,
              zodIssue.values.filter((v): v is string => typeof v === "string"),
            )
          : undefined;
      return [
        {
          path,
          at,
          message: `found ${found(input, source)}`,
          expected: expected ?? fallbackExpected,
          ...(suggestion ? { hint: `did you mean "${suggestion}"?` } : {}),
        },
      ];
    }
    case "too_small":
    case "too_big": {
      const what = Array.isArray(input)
        ? input.length === 0
          ? "an empty list"
          : `a list of ${input.length}`
        : found(input, source);
      const hint = hintAt(path);
      return [{ path, at, message: `found ${what}`, expected: expected ?? fallbackExpected, ...(hint ? { hint } : {}) }];
    }
    default: {
      const hint =
        zodIssue.code === "invalid_type" && zodIssue.expected === "string" && typeof input === "number"
          ? `quote it: "${source ?? String(input)}"`
          : zodIssue.code === "invalid_type" && zodIssue.expected === "array" && typeof input === "string"
            ? `write a list: [${input}]`
            : zodIssue.code === "invalid_type" &&
                zodIssue.expected === "boolean" &&
                typeof input === "string" &&
                /^(y|yes|n|no|on|off|true|false)$/i.test(input)
              ? `YAML 1.2 reads ${input} as text; write ${/^(y|yes|on|true)$/i.test(input) ? "true" : "false"}`
              : hintAt(path);
      return [
        { path, at, message: `found ${found(input, source)}`, expected: expected ?? fallbackExpected, ...(hint ? { hint } : {}) },
      ];
    }
  }
}

/** The normalised model: camelCase keys, defaults applied, networks in canonical form. */
export function toModel(file: PolicyFile): Policy {
  return {
    schema: 1,
    addon: {
      name: file.addon.name,
      title: file.addon.title,
      summary: file.addon.summary,
      author: file.addon.author,
      website: file.addon.website,
      license: file.addon.license,
      version: file.addon.version,
      ...(file.addon.depends.length ? { depends: [...file.addon.depends] } : {}),
    },
    enforce: {
      groups: [...file.enforce.groups],
      exceptGroups: [...file.enforce.except_groups],
      graceDays: file.enforce.grace_days,
      ...(file.enforce.trusted_device_days === undefined ? {} : { trustedDeviceDays: file.enforce.trusted_device_days }),
    },
    portal: { enforce: file.portal.enforce, graceDays: file.portal.grace_days },
    exemptions: file.exemptions.map((exemption) => ({
      name: exemption.name,
      logins: [...exemption.logins],
      networks: exemption.networks.map(normaliseCidr),
      reason: exemption.reason,
    })),
    api: { passwordRpc: file.api.password_rpc, apiKeys: file.api.api_keys, networks: file.api.networks.map(normaliseCidr) },
    settings: { editable: file.settings.editable },
    proxy: {
      adminNetworks: file.proxy.admin_networks.map(normaliseCidr),
      ...(file.proxy.trusted_upstreams
        ? {
            trustedUpstreams: {
              networks: file.proxy.trusted_upstreams.networks.map(normaliseCidr),
              header: file.proxy.trusted_upstreams.header,
            },
          }
        : {}),
    },
    recoveryCodes: { enabled: file.recovery_codes.enabled, count: file.recovery_codes.count },
    report: file.report,
    notifications: {
      announce: file.notifications.announce,
      remindDaysBeforeDeadline: [...file.notifications.remind_days_before_deadline].sort((a, b) => b - a),
      notifyAdminsWeekly: file.notifications.notify_admins_weekly,
    },
    audit: file.audit,
  };
}

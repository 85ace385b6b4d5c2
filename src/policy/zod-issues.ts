/**
 * From zod's issues to the policy's own words: the key path located in the file, what was
 * found (in the user's spelling), what is expected there (from the schema's descriptions), and
 * a hint for the usual mistakes (a typo of a key or value, an unquoted number, `yes` for true).
 * Pure.
 */
import type { z } from "zod";
import type { Finding, PolicyPath } from "./issues.js";
import type { Locator } from "./locate.js";
import { expectedAt, hintAt, isOptionalAt, knownKeys } from "./schema.js";
import { didYouMean } from "./suggest.js";

type ZodIssue = z.core.$ZodIssue;

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

/** Keys the schema does not know, each with the keys it does (and the nearest one). */
function unknownKeys(issue: Extract<ZodIssue, { code: "unrecognized_keys" }>, path: PolicyPath, locator: Locator): Finding[] {
  const known = knownKeys(path);
  return issue.keys.map((key) => {
    const suggestion = key === "<<" ? undefined : didYouMean(key, known);
    const hint = suggestion
      ? `did you mean "${suggestion}"?`
      : key === "<<"
        ? "YAML merge keys (<<) are not supported: write the keys out"
        : undefined;
    return {
      path: [...path, key],
      at: locator.key(path, key),
      message: `unknown key "${key}"`,
      expected: known.length ? `one of: ${known.join(", ")}` : "no other keys",
      ...(hint ? { hint } : {}),
    };
  });
}

/** A required key (or the whole policy) that is not there. */
function missing(path: PolicyPath, locator: Locator): Finding {
  if (path.length === 0)
    return { path, at: locator.value(path), message: "has no content", expected: "a policy mapping (schema: 1, addon, enforce, ...)" };
  const key = path[path.length - 1];
  const expected = expectedAt(path);
  return {
    path,
    at: locator.value(path),
    message: typeof key === "string" ? `missing required key "${key}"` : "missing value",
    expected: expected ? `${key}: ${expected}` : `a value for ${String(key)}`,
  };
}

/** What zod itself says is expected, when the schema has no description for the place. */
function zodExpected(issue: ZodIssue): string {
  if (issue.code === "invalid_type") return ZOD_TYPE_WORDS[issue.expected] ?? issue.expected;
  if (issue.code === "invalid_value") return `one of: ${issue.values.map((v) => String(v)).join(", ")}`;
  return issue.message;
}

/** The usual mistakes behind a wrong type: a number for text, text for a list, `yes` for true. */
function typeHint(issue: ZodIssue, input: unknown, source: string | undefined): string | undefined {
  if (issue.code !== "invalid_type") return undefined;
  if (issue.expected === "string" && typeof input === "number") return `quote it: "${source ?? String(input)}"`;
  if (issue.expected === "array" && typeof input === "string") return `write a list: [${input}]`;
  if (issue.expected === "boolean" && typeof input === "string" && /^(y|yes|n|no|on|off|true|false)$/i.test(input))
    return `YAML 1.2 reads ${input} as text; write ${/^(y|yes|on|true)$/i.test(input) ? "true" : "false"}`;
  return undefined;
}

/** A value that is there but wrong: custom refinements, enum values, sizes, types. */
function wrongValue(issue: ZodIssue, path: PolicyPath, text: string, locator: Locator): Finding {
  const input = (issue as { input?: unknown }).input;
  const at = locator.value(path);
  const source = locator.sourceText(text, path);
  const expected = expectedAt(path) ?? zodExpected(issue);
  switch (issue.code) {
    case "custom": {
      const params = (issue.params ?? {}) as { expected?: string; hint?: string };
      return { path, at, message: issue.message, expected: params.expected ?? expected, ...(params.hint ? { hint: params.hint } : {}) };
    }
    case "invalid_value": {
      const words = issue.values.filter((v): v is string => typeof v === "string");
      const suggestion = typeof input === "string" ? didYouMean(input, words) : undefined;
      return { path, at, message: `found ${found(input, source)}`, expected, ...(suggestion ? { hint: `did you mean "${suggestion}"?` } : {}) };
    }
    case "too_small":
    case "too_big": {
      const what = Array.isArray(input) ? (input.length === 0 ? "an empty list" : `a list of ${input.length}`) : found(input, source);
      const hint = hintAt(path);
      return { path, at, message: `found ${what}`, expected, ...(hint ? { hint } : {}) };
    }
    default: {
      const hint = typeHint(issue, input, source) ?? hintAt(path);
      return { path, at, message: `found ${found(input, source)}`, expected, ...(hint ? { hint } : {}) };
    }
  }
}

/** One zod issue as findings (an unknown-keys issue names several keys). */
export function describeZodIssue(issue: ZodIssue, text: string, locator: Locator): Finding[] {
  const path = issue.path.filter((p): p is string | number => typeof p !== "symbol");
  if (issue.code === "unrecognized_keys") return unknownKeys(issue, path, locator);
  const input = (issue as { input?: unknown }).input;
  if (issue.code === "invalid_type" && input === undefined && !isOptionalAt(path)) return [missing(path, locator)];
  return [wrongValue(issue, path, text, locator)];
}

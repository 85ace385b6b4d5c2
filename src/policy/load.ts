/**
 * Checking a policy: bytes → text (bytes.ts) → YAML/JSON document with positions
 * (document.ts) → zod schema (its issues in the policy's words: zod-issues.ts) + rules and
 * Odoo's groups → the normalised `Policy` (to-model.ts), or every problem of the file at once
 * as located `PolicyIssue`s. Pure: reading the file is src/generate/policy-file.ts.
 */
import { decodePolicyBytes } from "./bytes.js";
import { parsePolicyDocument } from "./document.js";
import { fileIssue, issueOf, sortIssues, type Finding, type PolicyIssue } from "./issues.js";
import { SERIES, type Policy, type Series } from "./model.js";
import { checkOdooGroups } from "./odoo-groups.js";
import { checkRules } from "./rules.js";
import { policySchema } from "./schema.js";
import { toModel } from "./to-model.js";
import { describeZodIssue } from "./zod-issues.js";

export { MAX_POLICY_BYTES } from "./bytes.js";
export { MAX_ALIAS_COUNT, MAX_NESTING } from "./document.js";
export { toModel } from "./to-model.js";

export type LoadResult = { ok: true; policy: Policy; warnings: PolicyIssue[] } | { ok: false; issues: PolicyIssue[] };

export interface LoadOptions {
  /** The Odoo series the policy is for: its groups and modules must exist in each. Default: every series. */
  series?: readonly Series[];
  /** Warnings are errors (`--strict`). */
  strict?: boolean;
}

/** Checks the raw bytes of a policy file (binary, encoding, size, emptiness), then parses it. */
export function parsePolicyBytes(bytes: Uint8Array, fileName: string, options: LoadOptions = {}): LoadResult {
  const decoded = decodePolicyBytes(bytes, fileName);
  return decoded.ok ? parsePolicyText(decoded.text, fileName, options) : decoded;
}

/** Parses and checks policy text. `fileName` names the file in issues and picks JSON or YAML. */
export function parsePolicyText(text: string, fileName: string, options: LoadOptions = {}): LoadResult {
  try {
    return parseChecked(text, fileName, options);
  } catch (error) {
    // The parser's own limits (e.g. its stack on pathological input): still one located line.
    if (!(error instanceof RangeError)) throw error;
    const issue = fileIssue(fileName, `cannot be parsed (${error.message})`, "a policy of ordinary size and nesting", undefined, 1, 1);
    return { ok: false, issues: [issue] };
  }
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

function parseChecked(text: string, fileName: string, options: LoadOptions): LoadResult {
  const errors = (findings: readonly Finding[]) => findings.map((finding) => issueOf(fileName, "error", finding));
  const doc = parsePolicyDocument(text, fileName);
  if (!doc.ok) return { ok: false, issues: sortIssues(errors(doc.findings)) };

  const issues = errors(doc.findings);
  const parsed = policySchema.safeParse(doc.raw, { reportInput: true });
  if (!parsed.success)
    issues.push(...errors(parsed.error.issues.flatMap((zodIssue) => describeZodIssue(zodIssue, text, doc.locator))));
  for (const finding of [...checkRules(doc.raw), ...checkOdooGroups(doc.raw, options.series ?? SERIES)]) {
    const at = doc.locator.value(finding.path);
    issues.push(issueOf(fileName, options.strict ? "error" : finding.severity, { ...finding, at }));
  }

  const sorted = sortIssues(dedupe(issues));
  if (!parsed.success || sorted.some((i) => i.severity === "error")) return { ok: false, issues: sorted };
  return { ok: true, policy: toModel(parsed.data), warnings: sorted };
}

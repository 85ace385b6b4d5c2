/** One finding about a policy file. Every error and warning the policy layer reports is one of these. */
export interface PolicyIssue {
  severity: "error" | "warning";
  /** The policy file as the user named it. */
  file: string;
  /** 1-based; 0 when the finding is about the file as a whole (missing, a directory, unreadable). */
  line: number;
  /** 1-based; 0 when `line` is 0. */
  col: number;
  /** Key path in the policy, e.g. `exemptions[0].networks[1]`; "" for the file itself. */
  path: string;
  /** What was found. */
  message: string;
  /** What to write instead. */
  expected: string;
  hint?: string;
}

export type PolicyPath = readonly (string | number)[];

/** `["exemptions", 0, "networks", 1]` → `exemptions[0].networks[1]`. */
export function formatPath(path: PolicyPath): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(part)) out += out === "" ? part : `.${part}`;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out;
}

export function countIssues(issues: readonly PolicyIssue[]): { errors: number; warnings: number } {
  const errors = issues.filter((issue) => issue.severity === "error").length;
  return { errors, warnings: issues.length - errors };
}

/** Issues in reading order: by line, then column, errors before warnings at the same place. */
export function sortIssues(issues: readonly PolicyIssue[]): PolicyIssue[] {
  return [...issues].sort(
    (a, b) =>
      a.line - b.line ||
      a.col - b.col ||
      (a.severity === b.severity ? 0 : a.severity === "error" ? -1 : 1) ||
      (a.path < b.path ? -1 : a.path > b.path ? 1 : 0),
  );
}

/** An error about the file as a whole (or one place of it): no key path. */
export function fileIssue(file: string, message: string, expected: string, hint?: string, line = 0, col = 0): PolicyIssue {
  return { severity: "error", file, line, col, path: "", message, expected, ...(hint === undefined ? {} : { hint }) };
}

/** A finding at a key path and a place, before it knows its file and severity. */
export interface Finding {
  path: PolicyPath;
  at: { line: number; col: number };
  message: string;
  expected: string;
  hint?: string;
}

export function issueOf(file: string, severity: PolicyIssue["severity"], finding: Finding): PolicyIssue {
  const { path, at, message, expected, hint } = finding;
  return {
    severity,
    file,
    line: at.line,
    col: at.col,
    path: formatPath(path),
    message,
    expected,
    ...(hint === undefined ? {} : { hint }),
  };
}

/**
 * How the CLI talks: exit codes, error rendering (`file:line:col: error: path: message`),
 * `--json` objects. The only module besides the commands that writes to stdout/stderr.
 * Deliberately light: no policy/render imports, so `main.ts` starts fast.
 */
import type { PolicyIssue } from "../policy/issues.js";

export const EXIT_OK = 0;
/** A check failed (e.g. generate would overwrite hand-edited files). */
export const EXIT_CHECK_FAILED = 1;
/** Bad input or usage: an invalid policy, an unknown option, a file that exists. */
export const EXIT_BAD_INPUT = 2;

export type ExitCode = typeof EXIT_OK | typeof EXIT_CHECK_FAILED | typeof EXIT_BAD_INPUT;

export interface GlobalOptions {
  json: boolean;
}

/** A user-facing failure: printed as one line (plus expected/hint), never with a stack trace. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode = EXIT_BAD_INPUT,
    readonly details: { kind?: string; expected?: string; hint?: string; [key: string]: unknown } = {},
  ) {
    super(message);
  }
}

export function writeJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function writeOut(text: string): void {
  process.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
}

export function writeErr(text: string): void {
  process.stderr.write(text.endsWith("\n") ? text : `${text}\n`);
}

/** `policy.yaml:14:3: error: enforce.grace_day: unknown key "grace_day"` + indented expected / hint lines. */
export function formatIssue(issue: PolicyIssue): string {
  const where = issue.line > 0 ? `${issue.file}:${issue.line}:${issue.col}` : issue.file;
  const lines = [`${where}: ${issue.severity}: ${issue.path ? `${issue.path}: ` : ""}${issue.message}`];
  if (issue.expected) lines.push(`    expected: ${issue.expected}`);
  if (issue.hint) lines.push(`    hint: ${issue.hint}`);
  return lines.join("\n");
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** The final count line: `3 errors, 1 warning in policy.yaml`. */
export function countLine(issues: readonly PolicyIssue[], file: string): string {
  const errors = issues.filter((issue) => issue.severity === "error").length;
  const warnings = issues.length - errors;
  return `${plural(errors, "error")}, ${plural(warnings, "warning")} in ${file}`;
}

export function formatIssues(issues: readonly PolicyIssue[], file: string): string {
  return [...issues.map(formatIssue), countLine(issues, file)].join("\n");
}

function internalMessage(error: unknown): string {
  const err = error as NodeJS.ErrnoException;
  if (err?.code && err.path)
    return `${err.path}: ${err.code === "EACCES" ? "permission denied" : err.code === "ENOSPC" ? "no space left on device" : err.message}`;
  return err?.message ?? String(error);
}

/** A CliError as `command` prints it: one line plus expected/hint, or a JSON object with --json. */
export function printCliError(name: string, error: CliError, json: boolean): void {
  if (json) {
    writeJson({
      ok: false,
      command: name,
      error: {
        kind: error.details.kind ?? (error.exitCode === EXIT_BAD_INPUT ? "input" : "check"),
        message: error.message,
        ...error.details,
      },
    });
  } else {
    writeErr(`odoo-2fa ${name}: error: ${error.message}`);
    if (error.details.expected) writeErr(`    expected: ${error.details.expected}`);
    if (error.details.hint) writeErr(`    hint: ${error.details.hint}`);
  }
}

/**
 * Wraps a command's work: its return value is the exit code; a CliError becomes a one-line
 * message (or a JSON object with --json) and its exit code; anything else is reported as an
 * internal error (stack only with ODOO_2FA_DEBUG=1).
 */
export function command<A extends GlobalOptions>(name: string, run: (args: A) => Promise<ExitCode>): (args: A) => Promise<void> {
  return async (args) => {
    try {
      process.exitCode = await run(args);
    } catch (error) {
      if (error instanceof CliError) {
        printCliError(name, error, args.json);
        process.exitCode = error.exitCode;
        return;
      }
      const message = internalMessage(error);
      if (args.json) writeJson({ ok: false, command: name, error: { kind: "internal", message } });
      else {
        writeErr(`odoo-2fa ${name}: error: ${message}`);
        if (process.env.ODOO_2FA_DEBUG) writeErr((error as Error)?.stack ?? "");
        else if (!(error as NodeJS.ErrnoException)?.code)
          writeErr("    hint: this looks like a bug in odoo-2fa; rerun with ODOO_2FA_DEBUG=1 for details and report it");
      }
      process.exitCode = EXIT_CHECK_FAILED;
    }
  };
}

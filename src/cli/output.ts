/**
 * How the CLI talks: exit codes, error rendering (`file:line:col: error: path: message`),
 * `--json` objects. The only module besides the commands that writes to stdout/stderr.
 * Deliberately light: no policy/render imports, so `main.ts` starts fast.
 */
import { kindOf, type ErrorKind } from "../errors.js";
import type { PolicyIssue } from "../policy/issues.js";
import { EXIT_CODE_OF, EXIT_INTERNAL, type ExitCode } from "./exit-codes.js";

export { EXIT_BAD_INPUT, EXIT_CHECK_FAILED, EXIT_INTERNAL, EXIT_OK, type ExitCode } from "./exit-codes.js";

export interface GlobalOptions {
  json: boolean;
}

/**
 * A user-facing failure: printed as one line (plus expected/hint), never with a stack trace.
 * Its `kind` decides the exit code (exit-codes.ts); `details.kind` may name it finer for --json.
 */
export class CliError extends Error {
  constructor(
    message: string,
    readonly kind: ErrorKind = "input",
    readonly details: { kind?: string; expected?: string; hint?: string; [key: string]: unknown } = {},
  ) {
    super(message);
  }

  get exitCode(): ExitCode {
    return EXIT_CODE_OF[this.kind];
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
        kind: error.details.kind ?? error.kind,
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
 * message (or a JSON object with --json) and the exit code of its kind; another domain error
 * (one with a kind) the same; anything else is an internal error, exit 70 (stack only with
 * ODOO_2FA_DEBUG=1).
 */
export function command<A extends GlobalOptions>(name: string, run: (args: A) => Promise<ExitCode>): (args: A) => Promise<void> {
  return async (args) => {
    try {
      process.exitCode = await run(args);
    } catch (error) {
      const kind = kindOf(error);
      const known = error instanceof CliError ? error : kind ? new CliError((error as Error).message, kind) : undefined;
      if (known) {
        printCliError(name, known, args.json);
        process.exitCode = known.exitCode;
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
      process.exitCode = EXIT_INTERNAL;
    }
  };
}

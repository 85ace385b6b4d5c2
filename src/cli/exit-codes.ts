/**
 * The exit codes of odoo-2fa, in one table: the only place where an error's kind becomes a code.
 * README ("Exit codes") and `--help` print this table.
 */
import type { ErrorKind } from "../errors.js";

export const EXIT_OK = 0;
/** A check failed: drift, hand edits a run will not overwrite, a server that refused. */
export const EXIT_CHECK_FAILED = 1;
/** Bad input or usage, or `verify` cannot run. */
export const EXIT_BAD_INPUT = 2;
/** An unexpected error: a bug in odoo-2fa (EX_SOFTWARE of sysexits.h), never a verdict. */
export const EXIT_INTERNAL = 70;

export type ExitCode = typeof EXIT_OK | typeof EXIT_CHECK_FAILED | typeof EXIT_BAD_INPUT | typeof EXIT_INTERNAL;

export const EXIT_CODE_OF: Readonly<Record<ErrorKind, ExitCode>> = {
  drift: EXIT_CHECK_FAILED,
  conflict: EXIT_CHECK_FAILED,
  server: EXIT_CHECK_FAILED,
  external: EXIT_CHECK_FAILED,
  usage: EXIT_BAD_INPUT,
  input: EXIT_BAD_INPUT,
  busy: EXIT_BAD_INPUT,
  unavailable: EXIT_BAD_INPUT,
};

/** What each code means, for --help and the README. */
export const EXIT_MEANINGS: readonly (readonly [ExitCode, string])[] = [
  [EXIT_OK, "ok"],
  [EXIT_CHECK_FAILED, "a check failed (drift, hand edits kept, a server refused, apt-get failed)"],
  [EXIT_BAD_INPUT, "bad input or usage, or verify cannot run"],
  [EXIT_INTERNAL, "internal error (a bug in odoo-2fa)"],
];

/** `Exit codes: 0 ok, 1 …, 2 …, 70 ….` */
export function exitCodesLine(): string {
  return `Exit codes: ${EXIT_MEANINGS.map(([code, meaning]) => `${code} ${meaning}`).join(", ")}.`;
}

/**
 * What kind of failure an error is, in the domain's words. Domain errors (VerifyError,
 * OutputBusyError, ConflictError, ReportError, ApiKeyFileError, the CLI's own CliError) carry
 * one; only the CLI turns a kind into an exit code (src/cli/exit-codes.ts). A leaf module.
 */
export type ErrorKind =
  /** The command line is wrong: an unknown option, a bad --odoo, a secret passed as an option. */
  | "usage"
  /** A file or value given is not what is needed: an invalid policy, a folder that exists. */
  | "input"
  /** Another odoo-2fa run holds the output folder. */
  | "busy"
  /** `verify` cannot run: no Odoo tree, no Python, no PostgreSQL, no Docker, not an addon. */
  | "unavailable"
  /** Hand edits the run refuses to overwrite. */
  | "conflict"
  /** A check found drift: folders, snippets or a database differ from the policy. */
  | "drift"
  /** The Odoo server refused or failed (unreachable, bad credentials, no access). */
  | "server"
  /** A program odoo-2fa ran for the user failed (apt-get in `setup local-odoo`). */
  | "external";

export const ERROR_KINDS: readonly ErrorKind[] = ["usage", "input", "busy", "unavailable", "conflict", "drift", "server", "external"];

/** The kind of a domain error, or undefined for anything else (a bug, an unexpected system error). */
export function kindOf(error: unknown): ErrorKind | undefined {
  const kind = (error as { kind?: unknown } | null | undefined)?.kind;
  return typeof kind === "string" && (ERROR_KINDS as readonly string[]).includes(kind) ? (kind as ErrorKind) : undefined;
}

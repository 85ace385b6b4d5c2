/**
 * Why `odoo-2fa report` (or `check --url`) got no answer it could use from the server (the
 * command's input was fine). Every one of these is a refusal or a failure on the server's side:
 * exit code 1.
 */
export type ReportErrorCode =
  | "unreachable"
  | "http-error"
  | "redirect"
  | "not-xmlrpc"
  | "db-not-found"
  | "auth-failed"
  | "not-admin"
  | "report-unavailable"
  | "state-unavailable"
  | "unsupported-series"
  | "unexpected-answer"
  | "server-error";

export class ReportError extends Error {
  override readonly name = "ReportError";
  /** A refusal or failure of the server (exit 1). */
  readonly kind = "server" as const;
  constructor(
    readonly code: ReportErrorCode,
    message: string,
    /** What to do about it, one sentence. */
    readonly hint?: string,
    /** The server's own words (a fault's message), when there are any. */
    readonly serverMessage?: string,
  ) {
    super(message);
  }

  toJSON(): { code: ReportErrorCode; message: string; hint?: string; serverMessage?: string } {
    return { code: this.code, message: this.message, hint: this.hint, serverMessage: this.serverMessage };
  }
}

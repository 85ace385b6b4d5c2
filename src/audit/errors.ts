/**
 * Why `odoo-2fa audit` could not produce its answer, beyond what the shared XML-RPC session
 * already names (src/report/errors.ts: unreachable, db-not-found, auth-failed, not-admin …,
 * which the audit passes through unchanged). Same shape: a kind, one sentence, what to do.
 * Every one of these is on the server's side: exit code 1.
 */
export type AuditErrorKind = "unexpected-answer" | "server-error";

export class AuditError extends Error {
  override readonly name = "AuditError";
  constructor(
    readonly kind: AuditErrorKind,
    message: string,
    /** What to do about it, one sentence. */
    readonly hint?: string,
    /** The server's own words (a fault's last line), when there are any. */
    readonly serverMessage?: string,
  ) {
    super(message);
  }

  toJSON(): { kind: AuditErrorKind; message: string; hint?: string; serverMessage?: string } {
    return { kind: this.kind, message: this.message, hint: this.hint, serverMessage: this.serverMessage };
  }
}

/**
 * Why `verify` could not run at all (as opposed to "ran, and a check failed"): kind
 * "unavailable" (the CLI maps it to exit 2: bad input, or a backend that is missing).
 */
export type VerifyErrorCode =
  | "not-an-addon"
  | "bad-series"
  | "no-source-tree"
  | "wrong-series"
  | "no-python"
  | "no-postgres"
  | "no-docker"
  | "backend-failed";

export class VerifyError extends Error {
  override readonly name = "VerifyError";
  readonly kind = "unavailable" as const;
  constructor(
    readonly code: VerifyErrorCode,
    message: string,
    /** What to do about it, one sentence. */
    readonly hint?: string,
    /** Log excerpt, when a backend step failed (e.g. the template install). */
    readonly excerpt?: string,
  ) {
    super(message);
  }

  /** One line for a terminal: the message, then the hint. */
  oneLine(): string {
    return this.hint ? `${this.message} ${this.hint}` : this.message;
  }

  toJSON(): { code: VerifyErrorCode; message: string; hint?: string; excerpt?: string } {
    return { code: this.code, message: this.message, hint: this.hint, excerpt: this.excerpt };
  }
}

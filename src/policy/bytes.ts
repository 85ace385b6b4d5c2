/**
 * From a policy file's bytes to its text: size, NUL bytes (a binary file) and UTF-8 checked,
 * each refusal located. Pure: the bytes are read by src/generate/policy-file.ts.
 */
import { fileIssue, type PolicyIssue } from "./issues.js";

/** Larger files are refused before they are read: a policy is a few kilobytes. */
export const MAX_POLICY_BYTES = 1024 * 1024;

export type TextResult = { ok: true; text: string } | { ok: false; issues: PolicyIssue[] };

/** Position (1-based) of a byte offset in UTF-8 text whose prefix up to `offset` is valid. */
function positionOfByte(bytes: Uint8Array, offset: number): { line: number; col: number } {
  const before = new TextDecoder("utf-8").decode(bytes.subarray(0, offset));
  const lines = before.split("\n");
  return { line: lines.length, col: [...lines[lines.length - 1]!].length + 1 };
}

/** The first offset where `bytes` is not valid UTF-8, or -1. */
function invalidUtf8Offset(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length;) {
    const b = bytes[i]!;
    const need = b < 0x80 ? 0 : b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : -1;
    if (need < 0) return i;
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
      if (
        k === 1 &&
        ((b === 0xe0 && c < 0xa0) || (b === 0xed && c > 0x9f) || (b === 0xf0 && c < 0x90) || (b === 0xf4 && c > 0x8f))
      )
        return i;
    }
    i += need + 1;
  }
  return -1;
}

/** An issue when a file of `size` bytes is over the limit (`hint` for a file on disk). */
export function tooLarge(fileName: string, size: number, hint?: string): PolicyIssue | undefined {
  if (size <= MAX_POLICY_BYTES) return undefined;
  return fileIssue(
    fileName,
    `is ${size} bytes, over the limit of ${MAX_POLICY_BYTES} bytes`,
    `a policy file of at most ${MAX_POLICY_BYTES} bytes`,
    hint,
  );
}

/** The text of a policy file (BOM dropped), or why its bytes are no policy text. */
export function decodePolicyBytes(bytes: Uint8Array, fileName: string): TextResult {
  const large = tooLarge(fileName, bytes.length);
  if (large) return { ok: false, issues: [large] };
  const nul = bytes.indexOf(0);
  if (nul >= 0) {
    const { line, col } = invalidUtf8Offset(bytes.subarray(0, nul)) < 0 ? positionOfByte(bytes, nul) : { line: 1, col: 1 };
    const issue = fileIssue(fileName, "is a binary file (it contains a NUL byte)", "a YAML or JSON text file", undefined, line, col);
    return { ok: false, issues: [issue] };
  }
  const bad = invalidUtf8Offset(bytes);
  if (bad >= 0) {
    const { line, col } = positionOfByte(bytes, bad);
    const byte = bytes[bad]!.toString(16).padStart(2, "0");
    const issue = fileIssue(
      fileName,
      `is not valid UTF-8 (byte 0x${byte} at offset ${bad})`,
      "a UTF-8 text file",
      "re-save the file as UTF-8",
      line,
      col,
    );
    return { ok: false, issues: [issue] };
  }
  const text = new TextDecoder("utf-8").decode(bytes);
  return { ok: true, text: text.startsWith("\uFEFF") ? text.slice(1) : text };
}

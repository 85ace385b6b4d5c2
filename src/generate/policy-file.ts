/**
 * Reading a policy file from disk: the one place the policy layer's input touches the file
 * system. A problem with the file (missing, a folder, unreadable, too large) is a located issue
 * like any other; the bytes go to the pure `parsePolicyBytes`.
 */
import { readFile, stat } from "node:fs/promises";
import { tooLarge } from "../policy/bytes.js";
import { fileIssue, type PolicyIssue } from "../policy/issues.js";
import { parsePolicyBytes, type LoadOptions, type LoadResult } from "../policy/load.js";

const POLICY_FILE = "a policy file (.yaml, .yml or .json)";

function readFailure(file: string, error: unknown): PolicyIssue {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "ENOENT")
    return fileIssue(file, "no such file", "the path of a policy file", "odoo-2fa init --out <file> writes a starter policy");
  if (code === "EACCES" || code === "EPERM")
    return fileIssue(file, "cannot be read (permission denied)", "a readable policy file");
  if (code === "EISDIR") return fileIssue(file, "is a directory", POLICY_FILE);
  return fileIssue(file, `cannot be read (${code ?? (error as Error).message})`, "a readable policy file");
}

/** Why `file` cannot be read as a policy, judged from its metadata, or undefined. */
async function refusal(file: string): Promise<PolicyIssue | undefined> {
  try {
    const info = await stat(file);
    if (info.isDirectory()) return fileIssue(file, "is a directory", POLICY_FILE, "odoo-2fa init writes a starter policy");
    if (!info.isFile()) return fileIssue(file, "is not a regular file", POLICY_FILE);
    return tooLarge(file, info.size, "a policy is a few kilobytes; is this the right file?");
  } catch (error) {
    return readFailure(file, error);
  }
}

/** Reads and checks a policy file. Never throws for a problem with the file: it is an issue. */
export async function loadPolicy(file: string, options: LoadOptions = {}): Promise<LoadResult> {
  const refused = await refusal(file);
  if (refused) return { ok: false, issues: [refused] };
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (error) {
    return { ok: false, issues: [readFailure(file, error)] };
  }
  return parsePolicyBytes(bytes, file, options);
}

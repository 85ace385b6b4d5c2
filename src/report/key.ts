/**
 * The API key comes from a file only: never from the command line (it would show in `ps`, in
 * the shell's history and in CI logs), and never a password. Nothing here ever repeats what the
 * file holds.
 */
import { readFile, stat } from "node:fs/promises";

/** Odoo 16.0–19.0: `binascii.hexlify(os.urandom(API_KEY_SIZE = 20))`, i.e. 40 lowercase hex digits. */
export const API_KEY_SHAPE = /^[0-9a-f]{40}$/;

export const CREATE_KEY_HINT =
  "create an API key in Odoo (your avatar → Preferences → Account Security → New API Key), " +
  "save it alone in a file only you can read (chmod 600 FILE) and pass --api-key-file FILE";

export class ApiKeyFileError extends Error {
  override readonly name = "ApiKeyFileError";
  readonly kind = "input" as const;
  constructor(
    readonly code: "key-file-missing" | "key-file-unreadable" | "not-an-api-key",
    message: string,
    readonly hint: string,
  ) {
    super(message);
  }
}

export interface ApiKeyFile {
  key: string;
  /** Set when group or others may read the file. */
  warning?: string;
}

/** `command`: the odoo-2fa command reading the key, as its messages name it (`report`, `check`). */
export async function readApiKeyFile(file: string, command = "report"): Promise<ApiKeyFile> {
  let info;
  try {
    info = await stat(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new ApiKeyFileError("key-file-missing", `--api-key-file ${file}: no such file`, CREATE_KEY_HINT);
    throw new ApiKeyFileError("key-file-unreadable", `--api-key-file ${file}: ${code === "EACCES" ? "permission denied" : (code ?? "cannot read it")}`, CREATE_KEY_HINT);
  }
  const notAKey = () =>
    new ApiKeyFileError(
      "not-an-api-key",
      `--api-key-file ${file} does not hold an Odoo API key (40 lowercase hexadecimal characters, alone in the file); odoo-2fa ${command} never takes a password`,
      CREATE_KEY_HINT,
    );
  if (!info.isFile()) throw new ApiKeyFileError("key-file-unreadable", `--api-key-file ${file} is not a file`, CREATE_KEY_HINT);
  if (info.size > 1024) throw notAKey();
  let content: string;
  try {
    content = await readFile(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ApiKeyFileError("key-file-unreadable", `--api-key-file ${file}: ${code === "EACCES" ? "permission denied" : (code ?? "cannot read it")}`, CREATE_KEY_HINT);
  }
  // One trailing newline, as `echo KEY > FILE` or an editor leaves it.
  const key = content.replace(/\r?\n$/, "");
  if (!API_KEY_SHAPE.test(key)) throw notAKey();
  const readable = process.platform !== "win32" && (info.mode & 0o044) !== 0;
  return {
    key,
    warning: readable
      ? `warning: ${file} holds an API key and is readable by ${(info.mode & 0o004) !== 0 ? "everyone" : "its group"} (mode ${(info.mode & 0o777).toString(8).padStart(4, "0")}); run: chmod 600 ${file}`
      : undefined,
  };
}

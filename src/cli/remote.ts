/**
 * What the commands that talk to a running Odoo share (`report`, `check --url`): their options,
 * the refusal of any secret on the command line, the --url checks, the API key file, and how the
 * server's refusals become exit codes. One place, so the two commands cannot treat a key differently.
 */
import type { Argv, MiddlewareFunction } from "yargs";
import type { ReportError } from "../report/errors.js";
import { EXIT_CODE_OF } from "./exit-codes.js";
import { CliError, printCliError, type GlobalOptions } from "./output.js";

export interface RemoteArgs {
  url: string;
  db: string;
  login: string;
  apiKeyFile: string;
  timeout: number;
}

/** Options that would put a secret on the command line: refused by name, their value never repeated. */
export const SECRET_OPTIONS = ["password", "passwd", "api-key", "apikey"];

export const SECRET_HINT =
  "put an administrator's API key (Odoo: your avatar → Preferences → Account Security → New API Key) alone in a file only you can read (chmod 600) and pass --api-key-file FILE";

export const DEFAULT_LOGIN = "admin";
export const DEFAULT_TIMEOUT_SECONDS = 120;

/**
 * Runs before yargs validates anything, so that `--password x` (with or without the other
 * options) gets this message and exit 2 rather than "Unknown argument", and the value is never shown.
 */
export function refuseSecrets(commandName: string): MiddlewareFunction<GlobalOptions> {
  return (argv) => {
    const given = SECRET_OPTIONS.find((name) => Object.prototype.hasOwnProperty.call(argv, name));
    if (!given) return;
    printCliError(
      commandName,
      new CliError(
        `--${given} is refused: odoo-2fa ${commandName} never takes a password${given.startsWith("pass") ? "" : " or an API key"} on the command line (it would show in the process list and the shell history)`,
        "input",
        { kind: "secret-on-command-line", hint: SECRET_HINT },
      ),
      argv.json === true,
    );
    process.exit(EXIT_CODE_OF.usage);
  };
}

/**
 * --url, --db, --api-key-file, --login, --timeout. `required`: demanded, with their defaults
 * (report); otherwise optional and without defaults, so that the command can tell whether they
 * were given (check, where they go with --url); resolve them with `remoteTarget`.
 */
export function remoteOptions<T extends GlobalOptions>(yargs: Argv<T>, commandName: string, required: boolean): Argv<T> {
  return yargs
    .middleware(refuseSecrets(commandName), true)
    .option("url", { type: "string", demandOption: required, describe: "Odoo's address, e.g. https://erp.example.com" })
    .option("db", { type: "string", demandOption: required, describe: "The database name" })
    .option("api-key-file", {
      type: "string",
      demandOption: required,
      describe: "A file holding an administrator's Odoo API key, alone (never a password; chmod 600)",
    })
    .option("login", {
      type: "string",
      ...(required ? { default: DEFAULT_LOGIN } : {}),
      describe: `The login of the user who owns the API key${required ? "" : ` (default ${DEFAULT_LOGIN})`}`,
    })
    .option("timeout", {
      type: "number",
      ...(required ? { default: DEFAULT_TIMEOUT_SECONDS } : {}),
      describe: `Seconds to wait for each answer${required ? "" : ` (default ${DEFAULT_TIMEOUT_SECONDS})`}`,
    }) as unknown as Argv<T>;
}

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

/** --url: http(s), no credentials in it. Returns a warning for clear-text http off this machine. */
export function checkUrl(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new CliError(`--url ${url} is not a URL`, "usage", { kind: "usage", expected: "Odoo's address, e.g. https://erp.example.com" });
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:")
    throw new CliError(`--url must be an http:// or https:// address, not ${parsed.protocol}`, "usage", { kind: "usage", expected: "e.g. https://erp.example.com" });
  if (parsed.username || parsed.password)
    throw new CliError("--url must not hold a user name or password", "usage", { kind: "usage", hint: SECRET_HINT });
  if (parsed.protocol === "http:" && !LOOPBACK.test(parsed.hostname))
    return `warning: ${parsed.origin} is plain http: the API key crosses the network unencrypted; use https://`;
  return undefined;
}

/** The checked options, defaults applied, and the warning --url deserves (printed once the key file is read). */
export function remoteArgs(args: Partial<RemoteArgs>): { args: RemoteArgs; urlWarning?: string } {
  for (const [name, value] of [["url", args.url], ["db", args.db], ["login", args.login], ["api-key-file", args.apiKeyFile], ["timeout", args.timeout]] as const)
    if (Array.isArray(value)) throw new CliError(`--${name} is given ${value.length} times`, "usage", { kind: "usage", expected: `--${name} once` });
  const url = args.url ?? "";
  const urlWarning = checkUrl(url);
  const db = args.db ?? "";
  const login = args.login ?? DEFAULT_LOGIN;
  const timeout = args.timeout ?? DEFAULT_TIMEOUT_SECONDS;
  if (!db.trim()) throw new CliError("--db is empty", "usage", { kind: "usage", expected: "the database name" });
  if (!login.trim()) throw new CliError("--login is empty", "usage", { kind: "usage", expected: "the login of the user who owns the API key" });
  if (!(Number.isFinite(timeout) && timeout > 0)) throw new CliError("--timeout must be a positive number of seconds", "usage", { kind: "usage" });
  return { args: { url, db, login, apiKeyFile: args.apiKeyFile ?? "", timeout }, ...(urlWarning ? { urlWarning } : {}) };
}

/** The API key from --api-key-file (exit 2 for any problem with the file), and the file's warning. */
export async function readKey(file: string, commandName: string): Promise<{ key: string; warning?: string }> {
  const { ApiKeyFileError, readApiKeyFile } = await import("../report/key.js");
  try {
    return await readApiKeyFile(file, commandName);
  } catch (error) {
    if (error instanceof ApiKeyFileError) throw new CliError(error.message, "input", { kind: error.code, hint: error.hint });
    throw error;
  }
}

/** A refusal or failure of the server: exit 1, its kind, hint and the server's own words. */
export function serverError(error: ReportError): CliError {
  return new CliError(error.message, "server", {
    kind: error.code,
    hint: error.hint,
    ...(error.serverMessage ? { serverMessage: error.serverMessage } : {}),
  });
}

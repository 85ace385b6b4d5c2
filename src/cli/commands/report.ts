import type { Argv, CommandModule, MiddlewareFunction } from "yargs";
import { CliError, command, EXIT_BAD_INPUT, EXIT_CHECK_FAILED, EXIT_OK, printCliError, writeErr, writeJson, writeOut, type GlobalOptions } from "../output.js";

const FORMATS = ["table", "csv", "json"] as const;

interface ReportArgs extends GlobalOptions {
  url: string;
  db: string;
  login: string;
  apiKeyFile: string;
  format: (typeof FORMATS)[number];
  timeout: number;
}

/** Options that would put a secret on the command line: refused by name, their value never repeated. */
const SECRET_OPTIONS = ["password", "passwd", "api-key", "apikey"];

const SECRET_HINT =
  "put an administrator's API key (Odoo: your avatar → Preferences → Account Security → New API Key) alone in a file only you can read (chmod 600) and pass --api-key-file FILE";

/**
 * Runs before yargs validates anything, so that `--password x` (with or without the other
 * options) gets this message and exit 2 rather than "Unknown argument", and the value is never shown.
 */
const refuseSecrets: MiddlewareFunction<GlobalOptions> = (argv) => {
  const given = SECRET_OPTIONS.find((name) => Object.prototype.hasOwnProperty.call(argv, name));
  if (!given) return;
  printCliError(
    "report",
    new CliError(
      `--${given} is refused: odoo-2fa report never takes a password${given.startsWith("pass") ? "" : " or an API key"} on the command line (it would show in the process list and the shell history)`,
      EXIT_BAD_INPUT,
      { kind: "secret-on-command-line", hint: SECRET_HINT },
    ),
    argv.json === true,
  );
  process.exit(EXIT_BAD_INPUT);
};

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

/** --url: http(s), no credentials in it. Returns a warning for clear-text http off this machine. */
function checkUrl(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new CliError(`--url ${url} is not a URL`, EXIT_BAD_INPUT, { kind: "usage", expected: "Odoo's address, e.g. https://erp.example.com" });
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:")
    throw new CliError(`--url must be an http:// or https:// address, not ${parsed.protocol}`, EXIT_BAD_INPUT, { kind: "usage", expected: "e.g. https://erp.example.com" });
  if (parsed.username || parsed.password)
    throw new CliError("--url must not hold a user name or password", EXIT_BAD_INPUT, { kind: "usage", hint: SECRET_HINT });
  if (parsed.protocol === "http:" && !LOOPBACK.test(parsed.hostname))
    return `warning: ${parsed.origin} is plain http: the API key crosses the network unencrypted; use https://`;
  return undefined;
}

export const reportCommand: CommandModule<GlobalOptions, ReportArgs> = {
  command: "report",
  describe: "Read the two-factor compliance report of a running Odoo over its API (administrator API key)",
  builder: (yargs: Argv<GlobalOptions>) =>
    yargs
      .middleware(refuseSecrets, true)
      .option("url", { type: "string", demandOption: true, describe: "Odoo's address, e.g. https://erp.example.com" })
      .option("db", { type: "string", demandOption: true, describe: "The database name" })
      .option("api-key-file", {
        type: "string",
        demandOption: true,
        describe: "A file holding an administrator's Odoo API key, alone (never a password; chmod 600)",
      })
      .option("login", { type: "string", default: "admin", describe: "The login of the user who owns the API key" })
      .option("format", { choices: FORMATS, default: "table" as const, describe: "table (summary, then users), csv (rows) or json ({rows, summary})" })
      .option("timeout", { type: "number", default: 120, describe: "Seconds to wait for each answer" })
      .example("$0 report --url https://erp.example.com --db prod --api-key-file ~/.config/odoo-2fa/prod.key", "summary and users, as a table")
      .example("$0 report --url https://erp.example.com --db prod --login it-admin --api-key-file key.txt --format csv > 2fa.csv", "rows for a spreadsheet")
      .epilogue(
        "Needs the generated addon installed with `report: true` in its policy. The API key is read only from --api-key-file; " +
          "--password and --api-key are refused.\n\n" +
          "Exit codes: 0 the report was printed; 1 the server refused or failed (unreachable, unknown database, login or key refused, " +
          "not an administrator, report not enabled); 2 bad input or usage (options, the key file): nothing was sent.",
      ) as unknown as Argv<ReportArgs>,
  handler: command<ReportArgs>("report", async (args) => {
    const urlWarning = checkUrl(args.url);
    if (!args.db.trim()) throw new CliError("--db is empty", EXIT_BAD_INPUT, { kind: "usage", expected: "the database name" });
    if (!args.login.trim()) throw new CliError("--login is empty", EXIT_BAD_INPUT, { kind: "usage", expected: "the login of the user who owns the API key" });
    if (!(Number.isFinite(args.timeout) && args.timeout > 0))
      throw new CliError("--timeout must be a positive number of seconds", EXIT_BAD_INPUT, { kind: "usage" });

    const report = await import("../../report/index.js");
    let key: string;
    try {
      const file = await report.readApiKeyFile(args.apiKeyFile);
      key = file.key;
      if (file.warning) writeErr(file.warning);
    } catch (error) {
      if (error instanceof report.ApiKeyFileError) throw new CliError(error.message, EXIT_BAD_INPUT, { kind: error.code, hint: error.hint });
      throw error;
    }
    if (urlWarning) writeErr(urlWarning);

    let fetched;
    try {
      fetched = await report.fetchReport({ url: args.url, db: args.db, login: args.login, apiKey: key }, { timeoutMs: args.timeout * 1000 });
    } catch (error) {
      if (error instanceof report.ReportError)
        throw new CliError(error.message, EXIT_CHECK_FAILED, {
          kind: error.code,
          hint: error.hint,
          ...(error.serverMessage ? { serverMessage: error.serverMessage } : {}),
        });
      throw error;
    }
    const summary = report.summarize(fetched.rows);
    if (args.json) {
      writeJson({
        ok: true,
        command: "report",
        url: args.url,
        db: args.db,
        login: args.login,
        serverVersion: fetched.serverVersion,
        rows: report.sortRows(fetched.rows),
        summary,
      });
      return EXIT_OK;
    }
    const title = `Two-factor compliance of database "${args.db}" at ${args.url} (Odoo ${fetched.serverVersion})`;
    const text = report.formatReport(args.format, fetched.rows, summary, { title });
    if (args.format === "table") writeOut(text);
    else process.stdout.write(text);
    return EXIT_OK;
  }),
};

import type { Argv, CommandModule } from "yargs";
import { command, EXIT_OK, writeErr, writeJson, writeOut, type GlobalOptions } from "../output.js";
import { readKey, remoteArgs, remoteOptions, serverError, type RemoteArgs } from "../remote.js";

const FORMATS = ["table", "csv", "json"] as const;

interface ReportArgs extends GlobalOptions, RemoteArgs {
  format: (typeof FORMATS)[number];
}

export const reportCommand: CommandModule<GlobalOptions, ReportArgs> = {
  command: "report",
  describe: "Read the two-factor compliance report of a running Odoo over its API (administrator API key)",
  builder: (yargs: Argv<GlobalOptions>) =>
    remoteOptions(yargs, "report", true)
      .option("format", { choices: FORMATS, default: "table" as const, describe: "table (summary, then users), csv (rows) or json ({rows, summary})" })
      .example("$0 report --url https://erp.example.com --db prod --api-key-file ~/.config/odoo-2fa/prod.key", "summary and users, as a table")
      .example("$0 report --url https://erp.example.com --db prod --login it-admin --api-key-file key.txt --format csv > 2fa.csv", "rows for a spreadsheet")
      .epilogue(
        "Needs the generated addon installed with `report: true` in its policy. The API key is read only from --api-key-file; " +
          "--password and --api-key are refused.\n\n" +
          "Exit codes: 0 the report was printed; 1 the server refused or failed (unreachable, unknown database, login or key refused, " +
          "not an administrator, report not enabled); 2 bad input or usage (options, the key file): nothing was sent.",
      ) as unknown as Argv<ReportArgs>,
  handler: command<ReportArgs>("report", async (args) => {
    const { urlWarning } = remoteArgs(args);
    const { key, warning } = await readKey(args.apiKeyFile, "report");
    if (warning) writeErr(warning);
    if (urlWarning) writeErr(urlWarning);

    const report = await import("../../report/index.js");
    let fetched;
    try {
      fetched = await report.fetchReport({ url: args.url, db: args.db, login: args.login, apiKey: key }, { timeoutMs: args.timeout * 1000 });
    } catch (error) {
      if (error instanceof report.ReportError) throw serverError(error);
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

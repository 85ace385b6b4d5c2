import { writeFile } from "node:fs/promises";
import type { Argv, CommandModule } from "yargs";
import { CliError, command, EXIT_BAD_INPUT, EXIT_CHECK_FAILED, EXIT_OK, formatIssue, formatIssues, writeErr, writeJson, writeOut, type GlobalOptions } from "../output.js";
import { readKey, remoteArgs, remoteOptions, serverError, type RemoteArgs } from "../remote.js";

const FORMATS = ["table", "csv", "json", "html"] as const;

interface AuditArgs extends GlobalOptions, RemoteArgs {
  policy?: string;
  format: (typeof FORMATS)[number];
  out?: string;
}

export const auditCommand: CommandModule<GlobalOptions, AuditArgs> = {
  command: "audit",
  describe: "Read-only audit of any Odoo 16.0–19.0 (with or without the addon): who has 2FA, API keys, exposure from outside",
  builder: (yargs: Argv<GlobalOptions>) =>
    remoteOptions(yargs, "audit", true)
      .option("policy", { type: "string", requiresArg: true, describe: "A policy file: each user's status as the addon generated from it would judge them, and the rollout summary" })
      .option("format", { choices: FORMATS, default: "table" as const, describe: "table (summary, then users), csv (users), json ({users, summary, exposure}) or html (one self-contained file)" })
      .option("out", { type: "string", requiresArg: true, describe: "Write the output to this file instead of stdout" })
      .example("$0 audit --url https://erp.example.com --db prod --api-key-file ~/.config/odoo-2fa/prod.key", "summary, findings and users")
      .example("$0 audit --url https://erp.example.com --db prod --api-key-file key.txt --policy policy.yaml --format html --out audit.html", "a report to share")
      .epilogue(
        "READ-ONLY: the audit creates, changes and deletes nothing on the server. It calls only fields_get, read and search_read " +
          "(and the addon's totp_policy_state() when the addon is installed) with an administrator's API key, and makes the requests " +
          "any visitor could make for the exposure checks. Odoo itself records the audit's login as a login of --login.\n\n" +
          "The API key is read only from --api-key-file; --password and --api-key are refused.\n\n" +
          "Exit codes: 0 printed, nothing severe; 1 printed with an administrator without 2FA or a high-severity exposure finding, " +
          "or the server refused or failed (unreachable, unknown database, login or key refused, not an administrator); " +
          "2 bad input or usage (options, the key file, the policy file): nothing was sent.",
      ) as unknown as Argv<AuditArgs>,
  handler: command<AuditArgs>("audit", async (args) => {
    const { urlWarning } = remoteArgs(args);
    if (Array.isArray(args.policy) || Array.isArray(args.out)) throw new CliError("--policy and --out may each be given once", "usage", { kind: "usage" });
    const { key, warning } = await readKey(args.apiKeyFile, "audit");
    let policy;
    if (args.policy !== undefined) {
      const { loadPolicy } = await import("../../generate/policy-file.js");
      const loaded = await loadPolicy(args.policy, { series: [] });
      if (!loaded.ok) {
        const errors = loaded.issues.filter((issue) => issue.severity === "error").length;
        if (args.json) writeJson({ ok: false, command: "audit", file: args.policy, errors, warnings: loaded.issues.length - errors, issues: loaded.issues });
        else writeErr(`${formatIssues(loaded.issues, args.policy)}\nnothing sent`);
        return EXIT_BAD_INPUT;
      }
      if (!args.json && loaded.warnings.length) writeErr(loaded.warnings.map(formatIssue).join("\n"));
      policy = { policy: loaded.policy, file: args.policy };
    }
    if (warning) writeErr(warning);
    if (urlWarning) writeErr(urlWarning);

    // A progress line per step, on a terminal only.
    const progress = !args.json && process.stderr.isTTY === true;
    const audit = await import("../../audit/index.js");
    const { ReportError } = await import("../../report/errors.js");
    let result;
    try {
      result = await audit.runAudit(
        { url: args.url, db: args.db, login: args.login, apiKey: key },
        { timeoutMs: args.timeout * 1000, policy, onStep: progress ? (line) => process.stderr.write(`audit: ${line}\n`) : undefined },
      );
    } catch (error) {
      if (error instanceof ReportError) throw serverError(error);
      if (error instanceof audit.AuditError)
        throw new CliError(error.message, "server", { kind: error.kind, hint: error.hint, ...(error.serverMessage ? { serverMessage: error.serverMessage } : {}) });
      throw error;
    }
    const code = result.summary.severe ? EXIT_CHECK_FAILED : EXIT_OK;
    if (args.json && args.out === undefined) {
      writeJson({ ok: !result.summary.severe, command: "audit", ...JSON.parse(audit.formatAuditJson(result)) });
      return code;
    }
    const text = audit.formatAudit(args.format, result);
    if (args.out !== undefined) {
      await writeFile(args.out, text, { mode: 0o600 });
      if (args.json) writeJson({ ok: !result.summary.severe, command: "audit", out: args.out, format: args.format, summary: result.summary });
      else writeErr(`audit: wrote ${args.format} to ${args.out}`);
    } else if (args.format === "table") writeOut(text);
    else process.stdout.write(text);
    return code;
  }),
};

import type { Argv, CommandModule } from "yargs";
import { SERIES } from "../../policy/model.js";
import { command, EXIT_BAD_INPUT, EXIT_OK, formatIssues, writeJson, writeOut, type GlobalOptions } from "../output.js";
import { STRICT_OPTION } from "../planning.js";
import { parseSeriesList } from "../series.js";

interface ValidateArgs extends GlobalOptions {
  policy: string;
  odoo?: string[];
  strict: boolean;
}

export const validateCommand: CommandModule<GlobalOptions, ValidateArgs> = {
  command: "validate <policy>",
  describe: "Check a policy file; report every error at once with file:line:col",
  builder: (yargs: Argv<GlobalOptions>) =>
    yargs
      .positional("policy", { type: "string", describe: "The policy file (.yaml, .yml or .json)", demandOption: true })
      .option("odoo", {
        type: "string",
        array: true,
        requiresArg: true,
        describe: `Odoo series whose groups and modules the policy must use: ${SERIES.join(", ")}, several separated by commas, or all (the default)`,
      })
      .option("strict", STRICT_OPTION)
      .example("$0 validate policy.yaml", "exit 0 when valid, 2 with every error")
      .example("$0 validate policy.yaml --odoo 17.0 --strict", "for 17.0 only; warnings are errors") as unknown as Argv<ValidateArgs>,
  handler: command<ValidateArgs>("validate", async (args) => {
    const { loadPolicy } = await import("../../generate/policy-file.js");
    const series = args.odoo === undefined ? [...SERIES] : parseSeriesList(args.odoo);
    const result = await loadPolicy(args.policy, { series, strict: args.strict });
    const issues = result.ok ? result.warnings : result.issues;
    const errors = issues.filter((issue) => issue.severity === "error").length;
    if (args.json) {
      writeJson({
        ok: result.ok,
        command: "validate",
        file: args.policy,
        errors,
        warnings: issues.length - errors,
        issues,
        ...(result.ok ? { policy: result.policy } : {}),
      });
    } else if (result.ok) {
      if (issues.length) writeOut(formatIssues(issues, args.policy));
      writeOut(`${args.policy}: valid${issues.length ? ` (${issues.length} warning${issues.length === 1 ? "" : "s"})` : ""}`);
    } else {
      writeOut(formatIssues(issues, args.policy));
    }
    return result.ok ? EXIT_OK : EXIT_BAD_INPUT;
  }),
};

#!/usr/bin/env node
/**
 * The `odoo-2fa` command. Startup is kept small: the command modules only declare their
 * options; each handler imports what it needs (policy layer, renderer, writer, verifier)
 * when it runs.
 */
import yargs from "yargs";
import { hideBin } from "yargs/helpers";
import { TOOL_VERSION } from "../version.js";
import { auditCommand } from "./commands/audit.js";
import { checkCommand } from "./commands/check.js";
import { diffCommand } from "./commands/diff.js";
import { doctorCommand } from "./commands/doctor.js";
import { generateCommand } from "./commands/generate.js";
import { initCommand } from "./commands/init.js";
import { proxyCommand } from "./commands/proxy.js";
import { reportCommand } from "./commands/report.js";
import { schemaCommand } from "./commands/schema.js";
import { setupCommand } from "./commands/setup.js";
import { validateCommand } from "./commands/validate.js";
import { verifyCommand } from "./commands/verify.js";
import { EXIT_CODE_OF, exitCodesLine } from "./exit-codes.js";
import { writeErr, writeJson } from "./output.js";

const argv = hideBin(process.argv);
const json = argv.includes("--json");

await yargs(argv)
  .scriptName("odoo-2fa")
  .usage("$0 <command> [options]\n\nGenerate Odoo addons that enforce two-factor authentication from one typed policy.")
  .option("json", {
    type: "boolean",
    default: false,
    describe: "Machine-readable output (one JSON object on stdout)",
    global: true,
  })
  .command(initCommand)
  .command(validateCommand)
  .command(schemaCommand)
  .command(generateCommand)
  .command(checkCommand)
  .command(diffCommand)
  .command(verifyCommand)
  .command(proxyCommand)
  .command(reportCommand)
  .command(auditCommand)
  .command(doctorCommand)
  .command(setupCommand)
  .demandCommand(1, "name a command")
  .strict()
  .recommendCommands()
  .version(TOOL_VERSION)
  .help()
  .alias("h", "help")
  .alias("v", "version")
  .epilogue(exitCodesLine())
  .wrap(Math.min(100, process.stdout.columns || 100))
  .fail((message, error) => {
    // Usage errors (unknown command or option, missing argument) exit 2, never with a stack trace.
    // Command handlers catch their own errors (output.ts `command`), so only usage errors get here.
    let text = (message || error?.message || "invalid usage").replace(/\n\s*/g, " ");
    const first = argv.find((arg) => !arg.startsWith("-"));
    if (/^Did you mean/.test(text)) text = `unknown command "${first}"; d${text.slice(1)}`;
    if (json) writeJson({ ok: false, error: { kind: "usage", message: text } });
    else {
      writeErr(`odoo-2fa: error: ${text}`);
      writeErr(`run "odoo-2fa --help" (or "odoo-2fa <command> --help") for usage`);
    }
    process.exit(EXIT_CODE_OF.usage);
  })
  .parseAsync();

import { writeFile } from "node:fs/promises";
import type { Argv, CommandModule } from "yargs";
import { CliError, command, EXIT_OK, writeJson, writeOut, type GlobalOptions } from "../output.js";
import { STARTER_POLICY } from "../starter.js";

interface InitArgs extends GlobalOptions {
  out: string;
  force: boolean;
}

export const initCommand: CommandModule<GlobalOptions, InitArgs> = {
  command: "init",
  describe: "Write a commented starter policy",
  builder: (yargs: Argv<GlobalOptions>) =>
    yargs
      .option("out", { type: "string", default: "policy.yaml", describe: "Where to write it (- for stdout)", requiresArg: true })
      .option("force", { type: "boolean", default: false, describe: "Overwrite an existing file" })
      .example("$0 init --out policy.yaml", "write policy.yaml") as Argv<InitArgs>,
  handler: command<InitArgs>("init", async (args) => {
    if (args.out === "-") {
      if (args.json) writeJson({ ok: true, command: "init", file: null, policy: STARTER_POLICY });
      else process.stdout.write(STARTER_POLICY);
      return EXIT_OK;
    }
    try {
      await writeFile(args.out, STARTER_POLICY, { flag: args.force ? "w" : "wx" });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "EEXIST") {
        throw new CliError(`${args.out} already exists`, "input", {
          expected: "a path that does not exist yet",
          hint: "pass --force to overwrite it",
        });
      }
      if (code === "EISDIR")
        throw new CliError(`${args.out} is a directory`, "input", { expected: "a file path, e.g. policy.yaml" });
      if (code === "ENOENT") throw new CliError(`cannot write ${args.out}: its folder does not exist`, "input");
      throw error;
    }
    if (args.json) writeJson({ ok: true, command: "init", file: args.out });
    else writeOut(`wrote ${args.out}; edit it, then run: odoo-2fa validate ${args.out}`);
    return EXIT_OK;
  }),
};

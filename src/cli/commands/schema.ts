import type { CommandModule } from "yargs";
import { command, EXIT_OK, type GlobalOptions } from "../output.js";

/** The exact text of policy.schema.json (what `odoo-2fa schema` prints). */
export async function schemaText(): Promise<string> {
  const { policyJsonSchema } = await import("../../policy/schema.js");
  return `${JSON.stringify(policyJsonSchema(), null, 2)}\n`;
}

export const schemaCommand: CommandModule<GlobalOptions, GlobalOptions> = {
  command: "schema",
  describe: "Print the policy file's JSON Schema (the same as policy.schema.json)",
  handler: command<GlobalOptions>("schema", async () => {
    // With or without --json: the schema is the machine-readable output.
    process.stdout.write(await schemaText());
    return EXIT_OK;
  }),
};

import type { Argv, CommandModule } from "yargs";
import { command, EXIT_BAD_INPUT, EXIT_CHECK_FAILED, EXIT_OK, writeJson, writeOut, type GlobalOptions } from "../output.js";
import { planFromArgs, planningOptions, type PlanningArgs } from "../planning.js";

export const checkCommand: CommandModule<GlobalOptions, PlanningArgs> = {
  command: "check <policy>",
  describe: "Exit 0 when the addon(s) on disk are exactly what the policy and this tool generate; 1 with the reasons",
  builder: (yargs: Argv<GlobalOptions>) =>
    planningOptions(yargs, "Where the addon(s) were generated (the --out of generate)").example(
      "$0 check policy.yaml --odoo all --out addons",
      "in CI or a pre-commit hook",
    ) as unknown as Argv<PlanningArgs>,
  handler: command<PlanningArgs>("check", async (args) => {
    const planned = await planFromArgs(args, "check");
    if (!planned) return EXIT_BAD_INPUT;
    const { driftOf } = await import("../../plan/addons.js");
    const { describeDrift } = await import("../../plan/drift.js");
    const addons = planned.plans.map((addon) => {
      const drift = driftOf(addon, planned.policy, planned.templates);
      return { series: addon.series, dir: addon.dir, ...drift, reasons: describeDrift(drift) };
    });
    const clean = addons.every((addon) => addon.clean);
    if (args.json) writeJson({ ok: clean, command: "check", file: args.policy, addons });
    else {
      for (const addon of addons) {
        if (addon.clean) writeOut(`${addon.dir}/ (${addon.series}): up to date`);
        else for (const reason of addon.reasons) writeOut(`${addon.dir}/ (${addon.series}): ${reason}`);
      }
      if (!clean) writeOut(`drift found; run: odoo-2fa generate ${args.policy} --odoo ${args.odoo.join(",")} --out ${args.out}`);
    }
    return clean ? EXIT_OK : EXIT_CHECK_FAILED;
  }),
};

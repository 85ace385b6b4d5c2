import type { Argv, CommandModule } from "yargs";
import { command, EXIT_BAD_INPUT, EXIT_OK, writeJson, writeOut, type GlobalOptions } from "../output.js";
import { displayDir, planFromArgs, planningOptions, type PlanningArgs } from "../planning.js";

export const diffCommand: CommandModule<GlobalOptions, PlanningArgs> = {
  command: "diff <policy>",
  describe: "Show the unified diff that generate would apply",
  builder: (yargs: Argv<GlobalOptions>) =>
    planningOptions(yargs, "Where the addon(s) are generated (the --out of generate)") as unknown as Argv<PlanningArgs>,
  handler: command<PlanningArgs>("diff", async (args) => {
    const planned = await planFromArgs(args, "diff");
    if (!planned) return EXIT_BAD_INPUT;
    const { unifiedDiff, keptDiff, colorizeDiff } = await import("../../plan/diff.js");
    const changes = planned.plans.flatMap((addon) =>
      addon.plan.files
        .filter((file) => !["unchanged", "edited", "kept"].includes(file.action))
        .map((file) => ({ series: addon.series, dir: addon.dir, path: file.path, action: file.action, diff: unifiedDiff(file, `${displayDir(addon.dir)}/`) })),
    );
    // Hand edits generate leaves in place: from the generated file to the edit, so the difference is on record.
    const edits = planned.plans.flatMap((addon) =>
      addon.plan.files
        .filter((file) => file.action === "kept" || file.action === "edited")
        .map((file) => ({
          series: addon.series,
          dir: addon.dir,
          path: file.path,
          recorded: file.action === "kept",
          diff: keptDiff(file, `${displayDir(addon.dir)}/`),
        })),
    );
    if (args.json) writeJson({ ok: true, command: "diff", file: args.policy, changes, kept: edits });
    else {
      const color = process.stdout.isTTY && !process.env.NO_COLOR;
      for (const change of changes) writeOut(color ? colorizeDiff(change.diff) : change.diff);
      if (changes.length === 0) writeOut("no changes");
      for (const edit of edits) {
        writeOut(
          edit.recorded
            ? `kept edit ${edit.dir}/${edit.path} (recorded in the lock file; generate leaves it), against the generated file:`
            : `hand edit ${edit.dir}/${edit.path} (not recorded: check reports it; generate --on-conflict keep records it), against the generated file:`,
        );
        writeOut(color ? colorizeDiff(edit.diff) : edit.diff);
      }
    }
    return EXIT_OK;
  }),
};

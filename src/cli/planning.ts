/**
 * What `generate`, `check` and `diff` share: parse --odoo, load the policy and templates,
 * and plan every addon folder. One code path, so a dry run, a diff and a check cannot
 * disagree with a real generation.
 */
import { stat } from "node:fs/promises";
import path from "node:path";
import type { Argv } from "yargs";
import type { AddonPlan } from "../plan/addons.js";
import type { LoadResult } from "../policy/index.js";
import { SERIES, type Series } from "../policy/model.js";
import type { TemplateSet } from "../render/index.js";
import { parseSeriesList } from "./series.js";
import { CliError, formatIssue, formatIssues, writeErr, writeJson, type GlobalOptions } from "./output.js";

export interface PlanningArgs extends GlobalOptions {
  policy: string;
  odoo: string[];
  out: string;
  strict: boolean;
}

/** `--strict`, shared by `validate` and the planning commands. */
export const STRICT_OPTION = {
  type: "boolean",
  default: false,
  describe: "Treat the policy's warnings as errors (exit 2)",
} as const;

/** The options every planning command takes. */
export function planningOptions<T extends GlobalOptions>(yargs: Argv<T>, outHelp: string): Argv<T & PlanningArgs> {
  return yargs
    .positional("policy", { type: "string", describe: "The policy file (.yaml, .yml or .json)", demandOption: true })
    .option("odoo", {
      type: "string",
      array: true,
      demandOption: true,
      requiresArg: true,
      describe: `Odoo series: ${SERIES.join(", ")}, several separated by commas, or all`,
    })
    .option("out", { type: "string", demandOption: true, requiresArg: true, describe: outHelp })
    .option("strict", STRICT_OPTION) as unknown as Argv<T & PlanningArgs>;
}

export interface Planned {
  policy: Extract<LoadResult, { ok: true }>["policy"];
  warnings: Extract<LoadResult, { ok: true }>["warnings"];
  templates: TemplateSet;
  seriesList: Series[];
  plans: AddonPlan[];
  /** With `lock`: releases the addon folders' locks (call it once the writing is done). */
  release: () => Promise<void>;
}

/**
 * Loads and plans; reports an invalid policy itself and returns undefined (exit 2). With `lock`
 * (a generate that will write), the addon folders are locked before they are read, so that the
 * plan cannot go stale under another run (OutputBusyError when one holds them).
 */
export async function planFromArgs(
  args: PlanningArgs,
  commandName: string,
  options: { lock?: boolean } = {},
): Promise<Planned | undefined> {
  const seriesList = parseSeriesList(args.odoo);
  const outInfo = await stat(args.out).catch(() => undefined);
  if (outInfo && !outInfo.isDirectory()) {
    throw new CliError(`--out ${args.out} exists and is not a folder`, "input", {
      expected: "a folder to write the addon(s) into (created when missing)",
    });
  }
  const [{ loadPolicy }, { loadTemplateSet }, { addonDir }, { lockOutputs, planAddons }] = await Promise.all([
    import("../generate/policy-file.js"),
    import("../render/index.js"),
    import("../plan/addons.js"),
    import("../generate/index.js"),
  ]);
  const [loaded, templates] = await Promise.all([
    loadPolicy(args.policy, { series: seriesList, strict: args.strict }),
    loadTemplateSet(),
  ]);
  if (!loaded.ok) {
    const errors = loaded.issues.filter((issue) => issue.severity === "error").length;
    if (args.json)
      writeJson({
        ok: false,
        command: commandName,
        file: args.policy,
        errors,
        warnings: loaded.issues.length - errors,
        issues: loaded.issues,
        written: [],
      });
    else writeErr(`${formatIssues(loaded.issues, args.policy)}\nnothing written`);
    return undefined;
  }
  if (!args.json && loaded.warnings.length) writeErr(loaded.warnings.map(formatIssue).join("\n"));
  const dirs = seriesList.map((series) => addonDir(args.out, loaded.policy.addon.name, series, seriesList.length > 1));
  const release = options.lock ? await lockOutputs(dirs) : async () => {};
  const plans = await planAddons(loaded.policy, seriesList, args.out, templates).catch(async (error: Error) => {
    await release();
    if (/exists and is not a folder/.test(error.message))
      throw new CliError(error.message, "input", { expected: "a folder (or nothing) where the addon goes" });
    throw error;
  });
  return { policy: loaded.policy, warnings: loaded.warnings, templates, seriesList, plans, release };
}

/** A folder as diffs and messages show it: relative to the working directory when inside it. */
export function displayDir(dir: string): string {
  const relative = path.relative(process.cwd(), dir);
  return relative && !relative.startsWith("..") && !path.isAbsolute(relative) ? relative : dir;
}

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
  /** Unset: the layout the folder was generated with (its lock), else default. */
  layout?: "default" | "oca";
}

/** `--layout`, shared by the planning commands (check declares its own options). */
export const LAYOUT_OPTION = {
  choices: ["default", "oca"] as const,
  describe:
    "default: OUT/<addon> (OUT/<series>/<addon> for several series); oca: one series per branch, the addon at the repository root (--out .) with its pyproject.toml. Default: what the folder was generated with",
} as const;

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
    .option("layout", LAYOUT_OPTION)
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
  if (args.layout === "oca" && seriesList.length > 1)
    throw new CliError(`--layout oca takes one series (--odoo names ${seriesList.length})`, "usage", {
      kind: "usage",
      expected: "one --odoo series: an OCA repository has a branch per series, the addon at its root",
      hint: `generate each series on its own branch: git checkout ${seriesList[0]} && odoo-2fa generate ${args.policy} --odoo ${seriesList[0]} --layout oca --out .`,
    });
  const outInfo = await stat(args.out).catch(() => undefined);
  if (outInfo && !outInfo.isDirectory()) {
    throw new CliError(`--out ${args.out} exists and is not a folder`, "input", {
      expected: "a folder to write the addon(s) into (created when missing)",
    });
  }
  const [{ loadPolicy }, { loadTemplateSet }, { addonDir }, { lockOutputs, planAddons }] = await Promise.all([
    import("../generate/policy-file.js"),
    import("../generate/templates.js"),
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
  await refuseOtherLayout(args, loaded.policy.addon.name, seriesList, dirs);
  const release = options.lock ? await lockOutputs(dirs) : async () => {};
  const layout = args.layout ?? (seriesList.length === 1 ? await layoutOf(dirs[0]!) : undefined) ?? "default";
  const plans = await planAddons(loaded.policy, seriesList, args.out, templates, layout).catch(async (error: Error) => {
    await release();
    if (/exists and is not a folder/.test(error.message))
      throw new CliError(error.message, "input", { expected: "a folder (or nothing) where the addon goes" });
    throw error;
  });
  return { policy: loaded.policy, warnings: loaded.warnings, templates, seriesList, plans, release };
}

/** The layout the addon in `dir` was generated with, from its lock; undefined: no lock there. */
async function layoutOf(dir: string): Promise<"default" | "oca" | undefined> {
  const [{ LOCK_FILE, parseLock }, { layoutOfLock }, { readFile }] = await Promise.all([
    import("../plan/lock.js"),
    import("../plan/layout.js"),
    import("node:fs/promises"),
  ]);
  const text = await readFile(path.join(dir, LOCK_FILE), "utf8").catch(() => "");
  return layoutOfLock(parseLock(text)?.files);
}

const exists = (at: string) => stat(at).then(
  (info) => info.isDirectory(),
  () => false,
);

/**
 * One series is written to `OUT/<addon>`, several to `OUT/<series>/<addon>`. When none of the
 * folders this run would use exists but the other layout's do, the command points at the right
 * `--out` (or `--odoo`) instead of planning an addon from scratch beside the existing one.
 */
async function refuseOtherLayout(args: PlanningArgs, addon: string, seriesList: readonly Series[], dirs: readonly string[]): Promise<void> {
  if ((await Promise.all(dirs.map(exists))).some(Boolean)) return;
  if (seriesList.length === 1) {
    const series = seriesList[0]!;
    const others = [];
    for (const candidate of SERIES) if (await exists(path.join(args.out, candidate, addon))) others.push(candidate);
    if (others.length === 0) return;
    const right = path.join(args.out, others.includes(series) ? series : others[0]!);
    throw new CliError(
      `--out ${args.out} holds a multi-series tree (${path.join(args.out, "<series>", addon)} for ${others.join(", ")}); with one series the addon is OUT/${addon}`,
      "usage",
      {
        kind: "layout",
        expected: `--out ${right}${others.includes(series) ? "" : ` (there is no ${path.join(args.out, series, addon)})`}, or --odoo ${others.join(",")} --out ${args.out}`,
        hint: others.includes(series)
          ? `rerun with --out ${right}`
          : `rerun with --odoo ${others.join(",")} --out ${args.out} (the series generated there)`,
      },
    );
  }
  const single = path.join(args.out, addon);
  if (!(await exists(single))) return;
  const { LOCK_FILE, parseLock } = await import("../plan/lock.js");
  const { readFile } = await import("node:fs/promises");
  const lock = parseLock(await readFile(path.join(single, LOCK_FILE), "utf8").catch(() => ""));
  const series = lock?.series;
  throw new CliError(
    `--out ${args.out} holds one series' addon (${single}${series ? `, Odoo ${series}` : ""}); with several series each addon is OUT/<series>/${addon}`,
    "usage",
    {
      kind: "layout",
      expected: series ? `--odoo ${series} --out ${args.out}` : `one series with --out ${args.out}`,
      hint: `rerun with ${series ? `--odoo ${series}` : "the one series"} --out ${args.out}, or generate the series into another --out (each in OUT/<series>/${addon})`,
    },
  );
}

/** A folder as diffs and messages show it: relative to the working directory when inside it. */
export function displayDir(dir: string): string {
  const relative = path.relative(process.cwd(), dir);
  return relative && !relative.startsWith("..") && !path.isAbsolute(relative) ? relative : dir;
}

import { statSync } from "node:fs";
import { dirname } from "node:path";
import type { Argv, CommandModule } from "yargs";
import type { ConflictResolution, PlannedFile } from "../../plan/plan.js";
import type { AddedDependency } from "../../policy/odoo-groups.js";
import type { Policy, Series } from "../../policy/model.js";
import {
  CliError,
  command,
  EXIT_CHECK_FAILED,
  EXIT_OK,
  EXIT_BAD_INPUT,
  writeErr,
  writeJson,
  writeOut,
  type ExitCode,
  type GlobalOptions,
} from "../output.js";
import { displayDir, planFromArgs, planningOptions, type Planned, type PlanningArgs } from "../planning.js";

interface GenerateArgs extends PlanningArgs {
  dryRun: boolean;
  onConflict?: "fail" | "keep" | "overwrite";
}

/** Asks, per hand-edited file, whether to keep the edit or overwrite it (terminal only). */
async function askPerFile(conflicts: { dir: string; file: PlannedFile }[]): Promise<Map<PlannedFile, ConflictResolution>> {
  const [{ createInterface }, { unifiedDiff, colorizeDiff }] = await Promise.all([
    import("node:readline/promises"),
    import("../../plan/diff.js"),
  ]);
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  const answers = new Map<PlannedFile, ConflictResolution>();
  try {
    for (const { dir, file } of conflicts) {
      writeErr(colorizeDiff(unifiedDiff(file, `${displayDir(dir)}/`)));
      let answer = "";
      while (!["k", "o"].includes(answer)) {
        answer = (await rl.question(`${dir}/${file.path} was edited by hand. [k]eep your edit or [o]verwrite it? `))
          .trim()
          .toLowerCase()
          .slice(0, 1);
      }
      answers.set(file, answer === "k" ? "keep" : "overwrite");
    }
  } finally {
    rl.close();
  }
  return answers;
}

export const generateCommand: CommandModule<GlobalOptions, GenerateArgs> = {
  command: "generate <policy>",
  describe: "Generate the addon for one or more Odoo series",
  builder: (yargs: Argv<GlobalOptions>) =>
    planningOptions(yargs, "Output folder: DIR/<addon> for one series, DIR/<series>/<addon> for several")
      .option("dry-run", { type: "boolean", default: false, describe: "List what would be written; write nothing" })
      .option("on-conflict", {
        choices: ["fail", "keep", "overwrite"] as const,
        describe:
          "Files edited by hand that the new render would change or delete: fail (write nothing, exit 1), keep the edit, or overwrite it. Default: ask per file on a terminal, fail otherwise",
      })
      .example("$0 generate p.yaml --odoo all --out addons", "addons/<series>/<addon>")
      .example("$0 generate p.yaml --odoo 17.0 --out addons --dry-run", "list, write nothing")
      .example("$0 generate p.yaml --odoo 17.0 --layout oca --out .", "an OCA repository's 17.0 branch") as unknown as Argv<GenerateArgs>,
  handler: command<GenerateArgs>("generate", async (args) => {
    const { OutputBusyError } = await import("../../generate/index.js");
    let planned: Planned | undefined;
    try {
      planned = await planFromArgs(args, "generate", { lock: !args.dryRun });
      if (!planned) return EXIT_BAD_INPUT;
      return await generate(args, planned);
    } catch (error) {
      if (error instanceof OutputBusyError)
        throw new CliError(error.message, "busy", {
          kind: "busy",
          dir: error.dir,
          pid: error.holderPid,
          hint: "run one generate at a time per --out folder; rerun this one when the other has finished",
        });
      throw unwritable(error, args.out) ?? error;
    } finally {
      await planned?.release();
    }
  }),
};

const WRITE_FAILURES: Record<string, string> = {
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EROFS: "read-only file system",
};

/** The first ancestor of `target` (or itself) that exists and is not a folder: what ENOTDIR is about. */
function fileInTheWay(target: string): string | undefined {
  const ancestors: string[] = [];
  for (let at = target; at !== dirname(at); at = dirname(at)) ancestors.unshift(at);
  for (const at of ancestors) {
    let info;
    try {
      info = statSync(at, { throwIfNoEntry: false });
    } catch {
      return undefined;
    }
    if (!info) return undefined;
    if (!info.isDirectory()) return at;
  }
  return undefined;
}

/** A file-system refusal to create or write below --out, as one line naming --out and where it was refused. */
function unwritable(error: unknown, out: string): CliError | undefined {
  const err = error as NodeJS.ErrnoException;
  if (!err?.code || !err.path) return undefined;
  const file = err.code === "ENOTDIR" ? fileInTheWay(err.path) : undefined;
  const reason = file
    ? `${file} is a file, not a folder`
    : err.code in WRITE_FAILURES
      ? `${WRITE_FAILURES[err.code]} (${err.syscall === "mkdir" ? `creating ${err.path}` : `writing in ${dirname(err.path)}`})`
      : err.code === "ENOENT" && err.syscall === "mkdir"
        ? `${err.path} cannot be created`
        : undefined;
  if (!reason) return undefined;
  return new CliError(`cannot write to --out ${out}: ${reason}`, "input", {
    kind: "unwritable",
    path: file ?? err.path,
    expected: "a folder you can write to (created when missing)",
    hint: "choose another --out, or make it a folder you can write to",
  });
}

type SeriesDependency = AddedDependency & { series: Series };

/** The modules the policy adds to the manifest's `depends`, per series, with what installing the addon then installs. */
async function policyDependencies(policy: Policy, seriesList: readonly Series[]): Promise<SeriesDependency[]> {
  const [{ addedDependencies }, { profileFor }] = await Promise.all([
    import("../../policy/odoo-groups.js"),
    import("../../profiles/index.js"),
  ]);
  const reasons = new Map<string, string[]>();
  const because = (module: string, reason: string) => {
    const list = reasons.get(module) ?? [];
    if (!list.includes(reason)) list.push(reason);
    reasons.set(module, list);
  };
  for (const xmlid of [...policy.enforce.groups, ...policy.enforce.exceptGroups])
    if (!xmlid.startsWith("base.")) because(xmlid.slice(0, xmlid.indexOf(".")), xmlid);
  for (const module of policy.addon.depends ?? []) because(module, "addon.depends");
  return seriesList.flatMap((series) =>
    addedDependencies(series, profileFor(series).addonDepends, reasons).map((dependency) => ({ series, ...dependency })),
  );
}

const listed = (items: readonly string[]) =>
  items.length <= 1 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;

/** One line per added dependency (per set of series it reads the same for): what it is for and what it installs. */
function dependencyLines(dependencies: readonly SeriesDependency[], seriesList: readonly Series[]): string[] {
  const groups = new Map<string, { series: Series[]; dependency: AddedDependency; installs: Set<string> }>();
  for (const { series, installs, ...rest } of dependencies) {
    const key = JSON.stringify({ ...rest, nothing: installs.length === 0 });
    const entry = groups.get(key) ?? { series: [], dependency: { ...rest, installs }, installs: new Set() };
    entry.series.push(series);
    entry.installs.add(installs.join(", "));
    groups.set(key, entry);
  }
  return [...groups.values()].map(({ series, dependency: d, installs }) => {
    const where = series.length === seriesList.length ? "" : `${series.join(", ")}: `;
    const what = `${where}the addon depends on ${d.module}${d.title ? ` (${d.title})` : ""}, for ${listed(d.reasons)}`;
    if (!d.community)
      return `${what}: ${d.module} is not an Odoo Community module of ${listed(series)}; it must be on the addons path wherever the addon is installed`;
    if (d.installs.length === 0) return `${what}: already installed with the addon's own dependencies`;
    const apps = d.apps.length ? `the app${d.apps.length === 1 ? "" : "s"} ${listed(d.apps)}` : `the module ${d.module}`;
    const modules =
      installs.size > 1
        ? " and the modules it needs (they differ between series: --json lists them)"
        : d.installs.length > 1
          ? ` (modules ${listed(d.installs)})`
          : "";
    const other = d.needsOtherModules ? "; it also needs modules that are not Odoo Community" : "";
    return `${what}: installing the addon installs ${apps}${modules}${other}`;
  });
}

async function generate(args: GenerateArgs, planned: Planned): Promise<ExitCode> {
  const { plans, seriesList } = planned;
  const [{ applyAddonPlans, ConflictError }, { unifiedDiff }, dependencies] = await Promise.all([
    import("../../generate/index.js"),
    import("../../plan/diff.js"),
    policyDependencies(planned.policy, seriesList),
  ]);

  const summary = plans.map((addon) => ({
    series: addon.series,
    dir: addon.dir,
    files: addon.plan.files.map((file) => ({ path: file.path, action: file.action })),
    untracked: addon.plan.untracked,
  }));
  const conflictFiles = plans.flatMap((addon) =>
    addon.plan.files.filter((f) => f.action === "conflict").map((file) => ({ dir: addon.dir, file })),
  );
  const conflicts = conflictFiles.map(({ dir, file }) => `${dir}/${file.path}`);
  const edited = plans.flatMap((addon) =>
    addon.plan.files.filter((f) => f.action === "edited").map((f) => `${addon.dir}/${f.path}`),
  );
  const base = {
    command: "generate",
    file: args.policy,
    series: seriesList,
    out: args.out,
    dryRun: args.dryRun,
    warnings: planned.warnings,
    dependencies,
    addons: summary,
  };

  if (args.dryRun) {
    if (args.json) writeJson({ ok: true, ...base, conflicts, written: [] });
    else {
      for (const addon of summary) {
        writeOut(`${addon.dir}/ (${addon.series}): ${addon.files.length} files`);
        for (const file of addon.files) writeOut(`  ${file.action.padEnd(9)} ${file.path}`);
      }
      if (conflicts.length) writeOut(`${conflicts.length} file(s) edited by hand differ from the new render`);
      for (const line of dependencyLines(dependencies, seriesList)) writeOut(line);
      writeOut("dry run: nothing written");
    }
    return EXIT_OK;
  }

  const interactive = !args.json && process.stdin.isTTY && process.stderr.isTTY;
  let decide: Parameters<typeof applyAddonPlans>[1] = args.onConflict ?? "fail";
  // Recorded as kept (in the lock): edits kept before, and those the user chose to keep now.
  // Left: hand edits the render does not touch, which a generate not asked about them leaves unrecorded.
  const keptBefore = plans.flatMap((addon) =>
    addon.plan.files.filter((f) => f.action === "kept").map((f) => `${addon.dir}/${f.path}`),
  );
  let kept = args.onConflict === "overwrite" ? [] : [...keptBefore];
  let left: string[] = [];
  if (args.onConflict === undefined && interactive && conflictFiles.length) {
    const answers = await askPerFile(conflictFiles);
    decide = (_dir, file) => answers.get(file) ?? "leave";
    kept.push(...conflictFiles.filter(({ file }) => answers.get(file) === "keep").map(({ dir, file }) => `${dir}/${file.path}`));
    left = [...edited];
  } else if (args.onConflict === "keep") {
    kept.push(...edited, ...conflicts);
  } else if (args.onConflict !== "overwrite") {
    left = [...edited];
  }
  kept = kept.sort();
  left = left.sort();

  let written: string[];
  try {
    written = await applyAddonPlans(plans, decide);
  } catch (error) {
    if (error instanceof ConflictError) {
      const diffs = conflictFiles.map(({ dir, file }) => unifiedDiff(file, `${displayDir(dir)}/`));
      if (args.json)
        writeJson({ ok: false, ...base, conflicts, diffs, written: [], error: { kind: "conflict", message: error.message } });
      else {
        for (const [i, path] of conflicts.entries()) {
          writeErr(`${path}: error: edited by hand since the last generation; the new render would change or delete it`);
          writeErr(diffs[i]!);
        }
        writeErr(
          `${conflicts.length} file(s) edited by hand would be lost; nothing written\n    hint: --on-conflict keep keeps your edits, --on-conflict overwrite replaces them`,
        );
      }
      return EXIT_CHECK_FAILED;
    }
    throw error;
  }
  if (args.json) writeJson({ ok: true, ...base, conflicts, kept, left, written });
  else {
    for (const addon of summary) {
      const changed = addon.files.filter((f) => !["unchanged", "kept", "edited", "conflict"].includes(f.action)).length;
      writeOut(
        written.includes(addon.dir)
          ? `wrote ${addon.dir}/ (${addon.series}, ${addon.files.length} files, ${changed} changed)`
          : `${addon.dir}/ (${addon.series}) is up to date`,
      );
    }
    for (const path of kept) writeOut(`kept your edit: ${path} (recorded in the lock file: check passes, diff shows it)`);
    for (const path of left)
      writeOut(
        `left your edit: ${path} (not recorded, so check reports it: --on-conflict keep records it, --on-conflict overwrite restores the generated file)`,
      );
    for (const line of dependencyLines(dependencies, seriesList)) writeOut(line);
  }
  return EXIT_OK;
}

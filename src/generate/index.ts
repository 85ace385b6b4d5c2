/**
 * The IO layer of generation: render → read disk → plan → write. Everything below it
 * (src/render, src/plan, src/policy) is pure; this module is where the addon folders are read
 * and replaced. The one code path behind `generate`, `generate --dry-run`, `diff` and `check`.
 */
import type { Policy, Series } from "../policy/model.js";
import { addonDir, type AddonPlan, type ConflictPolicy } from "../plan/addons.js";
import { withLayout, type Layout } from "../plan/layout.js";
import { withLock } from "../plan/lock.js";
import { applyPlan, conflictsOf, isNoop, planChanges, type ConflictResolution, type PlannedFile } from "../plan/plan.js";
import { renderAddon, type TemplateSet } from "../render/index.js";
import { writeTreesAtomically } from "../write/atomic.js";
import { readAddonDir } from "./disk.js";

export { lockOutputs, OutputBusyError } from "../write/atomic.js";
export { readAddonDir } from "./disk.js";

/** Renders every requested series and compares it with what is on disk. */
export async function planAddons(
  policy: Policy,
  seriesList: readonly Series[],
  outDir: string,
  templates: TemplateSet,
  layout: Layout = "default",
): Promise<AddonPlan[]> {
  const multiSeries = seriesList.length > 1;
  return Promise.all(
    seriesList.map(async (series) => {
      const dir = addonDir(outDir, policy.addon.name, series, multiSeries);
      const rendered = withLock(policy, series, templates, withLayout(renderAddon(policy, series, templates), layout));
      const disk = await readAddonDir(dir);
      return { series, dir, rendered, disk, plan: planChanges(rendered, disk) };
    }),
  );
}

/** Hand edits that a non-interactive generate refuses to touch. */
export class ConflictError extends Error {
  readonly kind = "conflict";
  constructor(readonly conflicts: { dir: string; file: PlannedFile }[]) {
    super(`${conflicts.length} file(s) edited by hand would be changed or deleted`);
  }
}

/**
 * Applies the plans: all addon folders are replaced at once (atomically) or none is.
 * `decide` settles each conflict; with "fail" nothing is written when any conflict exists.
 * Returns the folders that changed.
 */
export async function applyAddonPlans(
  plans: readonly AddonPlan[],
  decide: ConflictPolicy | ((dir: string, file: PlannedFile) => ConflictResolution),
): Promise<string[]> {
  const conflicts = plans.flatMap((addon) => conflictsOf(addon.plan).map((file) => ({ dir: addon.dir, file })));
  if (decide === "fail" && conflicts.length > 0) throw new ConflictError(conflicts);
  const resolveFor = (dir: string) => (file: PlannedFile): ConflictResolution =>
    typeof decide === "function" ? decide(dir, file) : decide === "fail" ? "leave" : decide;
  const targets = plans
    .filter((addon) => !isNoop(addon.plan, resolveFor(addon.dir)))
    .map((addon) => ({ dir: addon.dir, tree: applyPlan(addon.plan, addon.disk, resolveFor(addon.dir)) }));
  await writeTreesAtomically(targets);
  return targets.map((target) => target.dir);
}

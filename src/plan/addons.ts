import path from "node:path";
import type { Policy, Series } from "../policy/model.js";
import { renderAddon, type TemplateSet, type VirtualTree } from "../render/index.js";
import { TOOL_VERSION } from "../version.js";
import { writeTreesAtomically } from "../write/atomic.js";
import { readAddonDir } from "./disk.js";
import { withLayout, type Layout } from "./layout.js";
import { detectDrift, type DriftReport } from "./drift.js";
import { policyDigest, templatesDigest, withLock } from "./lock.js";
import { applyPlan, conflictsOf, isNoop, planChanges, type ConflictResolution, type DiskSnapshot, type Plan, type PlannedFile } from "./plan.js";

/** The plan for one addon folder (one series). */
export interface AddonPlan {
  series: Series;
  /** The addon folder: `OUT/<addon>` for one series, `OUT/<series>/<addon>` for several. */
  dir: string;
  rendered: VirtualTree;
  disk: DiskSnapshot;
  plan: Plan;
}

export function addonDir(outDir: string, addonName: string, series: Series, multiSeries: boolean): string {
  return multiSeries ? path.join(outDir, series, addonName) : path.join(outDir, addonName);
}

/**
 * Renders every requested series and compares it with the disk. The one code path behind
 * `generate`, `generate --dry-run`, `diff` and `check`.
 */
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

export function driftOf(addon: AddonPlan, policy: Policy, templates: TemplateSet): DriftReport {
  return detectDrift(addon.plan, {
    policySha256: policyDigest(policy),
    toolVersion: TOOL_VERSION,
    templatesSha256: templatesDigest(templates, addon.series),
  });
}

export type ConflictPolicy = ConflictResolution | "fail";

/** Hand edits that a non-interactive generate refuses to touch. */
export class ConflictError extends Error {
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

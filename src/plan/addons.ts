import path from "node:path";
import type { Policy, Series } from "../policy/model.js";
import type { TemplateSet, VirtualTree } from "../render/index.js";
import { TOOL_VERSION } from "../version.js";
import { detectDrift, type DriftReport } from "./drift.js";
import { policyDigest, templatesDigest } from "./lock.js";
import type { ConflictResolution, DiskSnapshot, Plan } from "./plan.js";

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

export function driftOf(addon: AddonPlan, policy: Policy, templates: TemplateSet): DriftReport {
  return detectDrift(addon.plan, {
    policySha256: policyDigest(policy),
    toolVersion: TOOL_VERSION,
    templatesSha256: templatesDigest(templates, addon.series),
  });
}

export type ConflictPolicy = ConflictResolution | "fail";

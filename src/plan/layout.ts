/**
 * Repository layouts. `default`: the addons of one policy side by side (`OUT/<addon>`, or
 * `OUT/<series>/<addon>` for several series). `oca`: the branch-per-series layout of OCA
 * repositories, one series per branch with the addon at the repository root (`--out .`), and its
 * packaging entry: a `pyproject.toml` next to `__manifest__.py` that builds the addon as a wheel
 * with whool. From 17.0 every addon has it already (the profile's `pyproject`, as OCA's 17.0 and
 * later branches carry it), so the layouts differ only on 16.0, where whool builds the addon too
 * although OCA's own 16.0 branches still use setuptools-odoo's `setup/` folders.
 */
import { WHOOL_PYPROJECT } from "../profiles/index.js";
import type { VirtualTree } from "../render/index.js";

export const LAYOUTS = ["default", "oca"] as const;
export type Layout = (typeof LAYOUTS)[number];

/** The packaging file of the OCA layout. */
export const OCA_PYPROJECT = "pyproject.toml";

/** The rendered addon with the files its layout adds. */
export function withLayout(tree: VirtualTree, layout: Layout): VirtualTree {
  if (layout === "default") return tree;
  const result: VirtualTree = new Map(tree);
  if (!result.has(OCA_PYPROJECT)) result.set(OCA_PYPROJECT, WHOOL_PYPROJECT);
  return result;
}

/**
 * The layout a lock records: a generation with the OCA layout wrote its pyproject.toml. From 17.0
 * both layouts write it and give the same files, so "oca" stands for either there.
 */
export function layoutOfLock(files: Readonly<Record<string, string>> | undefined): Layout | undefined {
  if (!files) return undefined;
  return OCA_PYPROJECT in files ? "oca" : "default";
}

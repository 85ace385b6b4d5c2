/**
 * Repository layouts. `default`: the addons of one policy side by side (`OUT/<addon>`, or
 * `OUT/<series>/<addon>` for several series). `oca`: the branch-per-series layout of OCA
 * repositories, one series per branch with the addon at the repository root (`--out .`), and its
 * packaging entry: a `pyproject.toml` next to `__manifest__.py` that builds the addon as a wheel
 * with whool (what OCA's 17.0 and later branches carry; whool builds 16.0 addons too, where OCA's
 * own 16.0 branches still use setuptools-odoo's `setup/` folders).
 */
import type { VirtualTree } from "../render/index.js";

export const LAYOUTS = ["default", "oca"] as const;
export type Layout = (typeof LAYOUTS)[number];

/** The packaging file of the OCA layout. */
export const OCA_PYPROJECT = "pyproject.toml";

const PYPROJECT = `[build-system]
requires = ["whool"]
build-backend = "whool.buildapi"
`;

/** The rendered addon with the files its layout adds. */
export function withLayout(tree: VirtualTree, layout: Layout): VirtualTree {
  if (layout === "default") return tree;
  const result: VirtualTree = new Map(tree);
  result.set(OCA_PYPROJECT, PYPROJECT);
  return result;
}

/** The layout a lock records: a generation with the OCA layout wrote its pyproject.toml. */
export function layoutOfLock(files: Readonly<Record<string, string>> | undefined): Layout | undefined {
  if (!files) return undefined;
  return OCA_PYPROJECT in files ? "oca" : "default";
}

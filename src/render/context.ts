import type { Policy, Series } from "../policy/model.js";
import { profileFor, type SeriesProfile } from "../profiles/index.js";
import { TOOL_VERSION } from "../version.js";

/** What every template sees. Documented in docs/ARCHITECTURE.md ("Template context"). */
export interface TemplateContext {
  series: Series;
  profile: SeriesProfile;
  addon: Policy["addon"] & { manifestVersion: string };
  enforce: Policy["enforce"];
  portal: Policy["portal"];
  exemptions: Policy["exemptions"];
  api: Policy["api"];
  settings: Policy["settings"];
  /** `depends` of the manifest: the profile's modules plus the modules of the policy's groups. */
  depends: string[];
  toolVersion: string;
}

/** Modules whose records the policy's xml ids point at (`account.group_x` → `account`). */
export function referencedModules(policy: Policy): string[] {
  const ids = [...policy.enforce.groups, ...policy.enforce.exceptGroups];
  return ids.map((xmlid) => xmlid.slice(0, xmlid.indexOf("."))).filter((module) => module !== "base");
}

export function buildContext(policy: Policy, series: Series): TemplateContext {
  const profile = profileFor(series);
  return {
    series,
    profile,
    addon: { ...policy.addon, manifestVersion: `${series}.${policy.addon.version}` },
    enforce: policy.enforce,
    portal: policy.portal,
    exemptions: policy.exemptions,
    api: policy.api,
    settings: policy.settings,
    depends: [...new Set([...profile.addonDepends, ...referencedModules(policy)])].sort(),
    toolVersion: TOOL_VERSION,
  };
}

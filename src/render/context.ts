import type { Policy, Series } from "../policy/model.js";
import { groupName } from "../policy/odoo-groups.js";
import { profileFor, type SeriesProfile } from "../profiles/index.js";
import { TOOL_VERSION } from "../version.js";
import { deployedDigest, deployedPolicy, type DeployedPolicy } from "./deployed.js";
import { enabledFeatures, FEATURES } from "./features.js";
import { ROUTES, type Routes } from "./routes.js";

/** What every template sees. Documented in docs/ARCHITECTURE.md ("Template context"). */
export interface TemplateContext {
  series: Series;
  profile: SeriesProfile;
  /**
   * `contributors`: the readme's `CONTRIBUTORS.md` lines, `addon.contributors` or else the author
   * and each maintainer (`url`: their GitHub profile, already URL-encoded; "" for none).
   */
  addon: Omit<Policy["addon"], "contributors"> & { manifestVersion: string; contributors: { name: string; url: string }[] };
  enforce: Policy["enforce"];
  portal: Policy["portal"];
  exemptions: Policy["exemptions"];
  api: Policy["api"];
  settings: Policy["settings"];
  recoveryCodes: Policy["recoveryCodes"];
  /** Values for the temporary_access folder; absent when the policy does not set them. */
  temporaryAccess: Policy["temporaryAccess"];
  notifications: Policy["notifications"];
  /**
   * Tables of features that are off, dropped when the addon is updated: Odoo keeps the table of a
   * model removed from code, so a feature turned off would leave its data behind.
   */
  droppedTables: string[];
  /** `depends` of the manifest: the profile's modules, the enabled features' and the modules of the policy's groups. */
  depends: string[];
  /** `enforce.groups` and `enforce.exceptGroups` as the readme names them: "Sales / Administrator (sales_team.group_sale_manager)". */
  groupLabels: { groups: string[]; exceptGroups: string[]; passkeysRequiredFor: string[] };
  /** The enforcement values the addon deploys (`models/policy.py`), and their digest. */
  deployed: DeployedPolicy;
  deployedDigest: string;
  toolVersion: string;
  /** The login pages' paths (src/render/routes.ts). */
  routes: Routes;
}

/** Modules whose records the policy's xml ids point at (`account.group_x` → `account`), and `addon.depends`. */
export function referencedModules(policy: Policy): string[] {
  const ids = [...policy.enforce.groups, ...policy.enforce.exceptGroups, ...(policy.enforce.passkeys?.requiredFor ?? [])];
  const modules = ids.map((xmlid) => xmlid.slice(0, xmlid.indexOf("."))).filter((module) => module !== "base");
  return [...modules, ...(policy.addon.depends ?? [])];
}

/** A group's display name in `series` with its xml id beside it; the xml id alone when Odoo's catalog does not know it. */
function groupLabel(series: Series, xmlid: string): string {
  const name = groupName(series, xmlid);
  return name ? `${name} (${xmlid})` : xmlid;
}

/** Who the readme credits as contributors: the policy's list, or the author and each maintainer. */
function contributorsOf(addon: Policy["addon"]): { name: string; url: string }[] {
  if (addon.contributors) return addon.contributors.map((name) => ({ name, url: "" }));
  return [
    { name: addon.author, url: "" },
    ...(addon.maintainers ?? []).map((login) => ({ name: login, url: `https://github.com/${encodeURIComponent(login)}` })),
  ];
}

export function buildContext(policy: Policy, series: Series): TemplateContext {
  const profile = profileFor(series);
  const features = enabledFeatures(policy, series);
  return {
    series,
    profile,
    addon: {
      ...policy.addon,
      manifestVersion: `${series}.${policy.addon.version}`,
      contributors: contributorsOf(policy.addon),
    },
    enforce: policy.enforce,
    portal: policy.portal,
    exemptions: policy.exemptions,
    api: policy.api,
    settings: policy.settings,
    recoveryCodes: policy.recoveryCodes,
    temporaryAccess: policy.temporaryAccess,
    notifications: policy.notifications,
    droppedTables: FEATURES.filter((feature) => !features.includes(feature)).flatMap((feature) => feature.tables),
    depends: [
      ...new Set([...profile.addonDepends, ...features.flatMap((feature) => feature.depends), ...referencedModules(policy)]),
    ].sort(),
    groupLabels: {
      groups: policy.enforce.groups.map((xmlid) => groupLabel(series, xmlid)),
      exceptGroups: policy.enforce.exceptGroups.map((xmlid) => groupLabel(series, xmlid)),
      passkeysRequiredFor: (policy.enforce.passkeys?.requiredFor ?? []).map((xmlid) => groupLabel(series, xmlid)),
    },
    deployed: deployedPolicy(policy),
    deployedDigest: deployedDigest(policy),
    toolVersion: TOOL_VERSION,
    routes: ROUTES,
  };
}

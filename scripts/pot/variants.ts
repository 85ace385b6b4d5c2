/**
 * The addons the `.pot` data is exported from: one policy with every feature off, one per
 * feature (or per part of a feature whose strings depend on the policy) turned on alone, and
 * one with everything on (the check that the parts add up).
 */
import { FEATURES, enabledFeatures } from "../../src/render/features.js";
import type { Policy, Series } from "../../src/policy/model.js";

export interface Variant {
  /** Name of the export (file name of its raw `.pot`). */
  id: string;
  /** The feature it turns on alone; undefined for "all off" and "all on". */
  feature?: string;
  /**
   * For a part of a feature: the template-context path (as `{{#if}}` reads it) that turns the
   * part's strings on, e.g. `notifications.announce`; the strings every part of the feature has
   * in common are the feature's own.
   */
  when?: string;
  policy: (base: Policy) => Policy;
}

export function allOff(policy: Policy): Policy {
  return {
    ...policy,
    recoveryCodes: { ...policy.recoveryCodes, enabled: false },
    report: false,
    notifications: { announce: false, remindDaysBeforeDeadline: [], notifyAdminsWeekly: false },
    audit: false,
    enforce: { ...policy.enforce, trustedDeviceDays: undefined, passkeys: undefined },
    temporaryAccess: undefined,
  };
}

export function allOn(policy: Policy): Policy {
  return {
    ...policy,
    recoveryCodes: { ...policy.recoveryCodes, enabled: true },
    report: true,
    notifications: { announce: true, remindDaysBeforeDeadline: [7, 1], notifyAdminsWeekly: true },
    audit: true,
    enforce: { ...policy.enforce, trustedDeviceDays: 30, passkeys: { requiredFor: ["base.group_system"] } },
    temporaryAccess: { enabled: true, validHours: 24 },
  };
}

const off = (base: Policy) => allOff(base);
const noMail = { announce: false, remindDaysBeforeDeadline: [] as number[], notifyAdminsWeekly: false };

export const OFF: Variant = { id: "off", policy: off };
export const ALL: Variant = { id: "all", policy: allOn };

/** Each feature of src/render/features.ts on alone, and the parts of a feature whose strings differ. */
export const FEATURE_VARIANTS: readonly Variant[] = [
  { id: "audit", feature: "audit", policy: (base) => ({ ...off(base), audit: true }) },
  { id: "report", feature: "report", policy: (base) => ({ ...off(base), report: true }) },
  {
    id: "notifications.announce",
    feature: "notifications",
    when: "notifications.announce",
    policy: (base) => ({ ...off(base), notifications: { ...noMail, announce: true } }),
  },
  {
    id: "notifications.remind",
    feature: "notifications",
    when: "notifications.remindDaysBeforeDeadline",
    policy: (base) => ({ ...off(base), notifications: { ...noMail, remindDaysBeforeDeadline: [7, 1] } }),
  },
  {
    id: "notifications.weekly",
    feature: "notifications",
    when: "notifications.notifyAdminsWeekly",
    policy: (base) => ({ ...off(base), notifications: { ...noMail, notifyAdminsWeekly: true } }),
  },
  {
    id: "recovery_codes",
    feature: "recovery_codes",
    policy: (base) => ({ ...off(base), recoveryCodes: { ...base.recoveryCodes, enabled: true } }),
  },
  {
    id: "trusted_devices",
    feature: "trusted_devices",
    policy: (base) => ({ ...off(base), enforce: { ...base.enforce, trustedDeviceDays: 30 } }),
  },
  {
    id: "temporary_access",
    feature: "temporary_access",
    policy: (base) => ({ ...off(base), temporaryAccess: { enabled: true, validHours: 24 } }),
  },
  {
    id: "passkeys",
    feature: "passkeys",
    policy: (base) => ({ ...off(base), enforce: { ...off(base).enforce, passkeys: { requiredFor: ["base.group_system"] } } }),
  },
];

/**
 * Features no policy turns on or off on a series (totp_counter: on wherever Odoo does not refuse a
 * replayed code itself): their strings are the shared layer's on that series.
 */
export function fixedFeatures(base: Policy, series: Series): Set<string> {
  const on = (policy: Policy) => new Set(enabledFeatures(policy, series).map((feature) => feature.id));
  const none = on(allOff(base));
  const every = on(allOn(base));
  return new Set(FEATURES.filter((feature) => none.has(feature.id) === every.has(feature.id)).map((feature) => feature.id));
}

/**
 * Every variant, checked against the feature table: "off" turns on no feature, each feature
 * variant exactly its own, "all" every feature, and every feature has a variant.
 */
export function variants(base: Policy, series: Series): Variant[] {
  const fixed = fixedFeatures(base, series);
  const ids = (policy: Policy) =>
    enabledFeatures(policy, series)
      .filter((feature) => !fixed.has(feature.id))
      .map((feature) => feature.id)
      .join(",");
  const problems: string[] = [];
  for (const feature of FEATURES.filter((row) => !fixed.has(row.id)))
    if (!FEATURE_VARIANTS.some((variant) => variant.feature === feature.id))
      problems.push(`feature ${feature.id} has no variant: add how a policy turns it on alone to FEATURE_VARIANTS`);
  if (ids(OFF.policy(base)) !== "") problems.push(`"off" turns on ${ids(OFF.policy(base))}`);
  // A feature no policy can turn on for this series (passkeys before 18.0) has no variant there.
  const own = FEATURE_VARIANTS.filter((variant) => !fixed.has(variant.feature ?? ""));
  for (const variant of own)
    if (ids(variant.policy(base)) !== variant.feature) problems.push(`${variant.id} turns on "${ids(variant.policy(base))}", not ${variant.feature}`);
  if (ids(ALL.policy(base)) !== FEATURES.filter((feature) => !fixed.has(feature.id)).map((feature) => feature.id).join(",")) problems.push(`"all" turns on ${ids(ALL.policy(base))}`);
  if (problems.length > 0) throw new Error(`scripts/pot/variants.ts: ${problems.join("; ")}`);
  return [OFF, ...own, ALL];
}

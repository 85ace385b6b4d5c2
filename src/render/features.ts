import type { Policy, Series } from "../policy/model.js";
import { profileFor } from "../profiles/index.js";

/**
 * The addon's optional features: one row each. A feature's files live in
 * `templates/features/<id>/` (paths as in the addon; a subfolder named after a series overlays
 * them for that series; `_slots/<name>.hbs` fragments fill `{{{slot "<name>"}}}` in shared
 * templates). The manifest's `data`, the packages' `__init__` imports and the access rows come
 * from the rendered files, so adding a feature is its folder plus its row here.
 */
export interface Feature {
  /** Folder name under `templates/features/`. */
  id: string;
  /** Whether the policy (on this series) turns the feature on. */
  enabled: (policy: Policy, series: Series) => boolean;
  /** Modules the manifest depends on while the feature is on. */
  depends: readonly string[];
  /**
   * Tables of the feature's models. Odoo keeps the table of a model removed from code, so the
   * addon drops these when it is updated with the feature off.
   */
  tables: readonly string[];
}

/** Whether the policy has the addon send any mail (then it has mail templates and a scheduled action). */
export function sendsMail(policy: Policy): boolean {
  const { announce, remindDaysBeforeDeadline, notifyAdminsWeekly } = policy.notifications;
  return announce || remindDaysBeforeDeadline.length > 0 || notifyAdminsWeekly;
}

export const FEATURES: readonly Feature[] = [
  { id: "audit", enabled: (policy) => policy.audit, depends: [], tables: ["totp_policy_audit"] },
  // The report is a model over a query; its table is that of addons generated before 0.2.0.
  { id: "report", enabled: (policy) => policy.report, depends: [], tables: ["totp_policy_compliance"] },
  { id: "notifications", enabled: sendsMail, depends: ["mail"], tables: ["totp_policy_notification"] },
  {
    id: "recovery_codes",
    enabled: (policy) => policy.recoveryCodes.enabled,
    depends: [],
    tables: ["totp_policy_recovery_code"],
  },
  // A TOTP code is accepted once (issue 13): Odoo 19.0 does it itself (totp_last_counter).
  { id: "totp_counter", enabled: (_policy, series) => !profileFor(series).totpRefusesReplays, depends: [], tables: [] },
  // How long "Don't ask again on this device" lasts for enforced users (issue 13).
  { id: "trusted_devices", enabled: (policy) => policy.enforce.trustedDeviceDays !== undefined, depends: [], tables: [] },
  // One-time access codes an administrator issues for a lost phone (issue 13).
  {
    id: "temporary_access",
    enabled: (policy) => policy.temporaryAccess?.enabled === true,
    depends: [],
    tables: ["totp_policy_temporary_access"],
  },
  // A passkey sign-in satisfies the policy; chosen groups must use one (issue 13). Odoo 18.0+.
  {
    id: "passkeys",
    enabled: (policy, series) => policy.enforce.passkeys !== undefined && profileFor(series).passkeys,
    depends: ["auth_passkey"],
    tables: [],
  },
];

/** The features a policy turns on for a series, in table order. */
export function enabledFeatures(policy: Policy, series: Series): Feature[] {
  return FEATURES.filter((feature) => feature.enabled(policy, series));
}

/**
 * A user's status under a policy file, as the addon generated from it judges them: the order of
 * `_totp_policy_state` in templates/base/models/res_users.py.hbs (the authority; this follows it
 * step for step, and test/audit/odoo-audit.test.ts compares the two on a real Odoo with the
 * addon installed for every user). The policy's values come from `deployedPolicy`, the same
 * function that renders the addon's `models/policy.py`, so both read one set of values.
 *
 * Without the addon there is no grace period yet (it starts when the addon is installed), so
 * "missing" and "grace" are one status here: must enrol.
 */
import type { Policy } from "../policy/model.js";
import { deployedPolicy } from "../render/deployed.js";
import type { AddonStatus, PolicyStatus } from "./model.js";
import { PUBLIC_GROUP, type RawUser } from "./read.js";

export interface PolicyJudge {
  status(user: RawUser): PolicyStatus;
  exempt(user: RawUser): boolean;
  /** Ids of the groups the policy enforces that Odoo has. */
  enforcedIds: ReadonlySet<number>;
}

/** Group xml ids → ids; a group whose module is not installed does not exist (the addon skips it too). */
function groupIds(xmlIds: readonly string[], known: ReadonlyMap<string, number>): Set<number> {
  return new Set(xmlIds.flatMap((xmlId) => (known.has(xmlId) ? [known.get(xmlId)!] : [])));
}

export function policyJudge(policy: Policy, groupXmlIds: ReadonlyMap<string, number>): PolicyJudge {
  const deployed = deployedPolicy(policy);
  const enforcedIds = groupIds(deployed.enforce_groups, groupXmlIds);
  const exceptIds = groupIds(deployed.except_groups, groupXmlIds);
  const exemptLogins = new Set(deployed.exemptions.flatMap((exemption) => exemption.logins));
  const publicId = groupXmlIds.get(PUBLIC_GROUP);
  const meets = (user: RawUser, groups: ReadonlySet<number>) => [...groups].some((id) => user.groupIds.has(id));
  return {
    enforcedIds,
    exempt: (user) => exemptLogins.has(user.login),
    status(user) {
      if (user.id === 1) return "not-required";
      if (publicId !== undefined && user.groupIds.has(publicId)) return "not-required";
      if (exemptLogins.has(user.login)) return "exempt";
      if (meets(user, exceptIds)) return "not-required";
      const enforced = user.share ? deployed.portal_enforce : meets(user, enforcedIds);
      if (!enforced) return "not-required";
      return user.totp ? "enrolled" : "must-enrol";
    },
  };
}

/** The addon's status in the audit's words (its grace and missing are both "must enrol"). */
export function policyStatusOfAddon(status: AddonStatus): PolicyStatus {
  if (status === "grace" || status === "missing") return "must-enrol";
  if (status === "not_required") return "not-required";
  return status;
}

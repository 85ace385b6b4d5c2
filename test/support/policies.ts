import type { Policy } from "../../src/policy/model.js";

/** A valid normalised policy for tests that do not go through a policy file. */
export function samplePolicy(overrides: Partial<Policy> = {}): Policy {
  return {
    schema: 1,
    addon: {
      name: "acme_2fa_policy",
      title: "ACME two-factor policy",
      summary: "Every employee must use an authenticator app",
      author: "ACME IT",
      website: "https://it.acme.example",
      license: "LGPL-3",
      version: "1.0.0",
    },
    enforce: { groups: ["base.group_user"], exceptGroups: [], graceDays: 0 },
    portal: { enforce: false, graceDays: 0 },
    exemptions: [],
    api: { passwordRpc: "deny", apiKeys: "allow", networks: [] },
    settings: { editable: true },
    proxy: { adminNetworks: [] },
    recoveryCodes: { enabled: false, count: 10 },
    report: false,
    notifications: { announce: false, remindDaysBeforeDeadline: [], notifyAdminsWeekly: false },
    audit: false,
    ...overrides,
  };
}

/** The audit's figures from its rows. Pure. */
import { compareText } from "../report/summary.js";
import type { AddonInfo, AddonStatus, AuditSummary, AuditUser, ExposureFinding, GroupLine, PolicyStatus, Severity } from "./model.js";
import { POLICY_STATUSES, SEVERITIES } from "./model.js";

export function summarizeAudit(users: readonly AuditUser[], exposure: readonly ExposureFinding[], context: { policyFile?: string; addon?: AddonInfo }): AuditSummary {
  const administratorsWithoutTotp = users.filter((user) => user.administrator && user.totp !== true).map((user) => ({ login: user.login, name: user.name }));
  const lines = new Map<string, GroupLine>();
  for (const user of users)
    for (const group of user.groups) {
      const key = JSON.stringify([group, user.company]);
      let line = lines.get(key);
      if (!line) lines.set(key, (line = { group, company: user.company, users: 0, enrolled: 0, missing: 0, ...(context.policyFile !== undefined ? { mustEnrol: 0 } : {}) }));
      line.users += 1;
      if (user.totp) line.enrolled += 1;
      else line.missing += 1;
      if (user.policyStatus === "must-enrol") line.mustEnrol = (line.mustEnrol ?? 0) + 1;
    }
  const exposureCounts = Object.fromEntries(SEVERITIES.map((severity) => [severity, 0])) as Record<Severity, number>;
  for (const finding of exposure) if (finding.state === "exposed") exposureCounts[finding.severity] += 1;
  const summary: AuditSummary = {
    users: users.length,
    internal: users.filter((user) => user.type === "internal").length,
    portal: users.filter((user) => user.type === "portal").length,
    enrolled: users.filter((user) => user.totp === true).length,
    administratorsWithoutTotp,
    usersWithApiKeys: users.filter((user) => user.apiKeys.length > 0).length,
    apiKeys: users.reduce((sum, user) => sum + user.apiKeys.length, 0),
    trustedDevices: users.reduce((sum, user) => sum + user.trustedDevices, 0),
    byGroup: [...lines.values()].sort((a, b) => compareText(a.company, b.company) || compareText(a.group, b.group)),
    exposure: exposureCounts,
    severe: administratorsWithoutTotp.length > 0 || exposureCounts.high > 0,
  };
  if (context.policyFile !== undefined) {
    const counts = Object.fromEntries(POLICY_STATUSES.map((status) => [status, 0])) as Record<PolicyStatus, number>;
    for (const user of users) if (user.policyStatus) counts[user.policyStatus] += 1;
    summary.policy = {
      file: context.policyFile,
      counts,
      passwordRpcCandidates: users.filter((user) => user.policyStatus && user.policyStatus !== "not-required" && user.apiKeys.length === 0).map((user) => user.login),
    };
  }
  if (context.addon) {
    const counts: Partial<Record<AddonStatus, number>> = {};
    for (const user of users) if (user.addonStatus) counts[user.addonStatus] = (counts[user.addonStatus] ?? 0) + 1;
    summary.addon = { ...context.addon, counts };
  }
  return summary;
}

/**
 * `odoo-2fa audit`: compliance from Odoo's own data (./read.ts), judged by a policy file
 * (./judge.ts) and by the installed addon, plus exposure from outside (./exposure.ts).
 * Read-only against the server.
 */
import type { Policy } from "../policy/model.js";
import { deployedDigest } from "../render/deployed.js";
import { authenticate, probeServer, type ReportTarget } from "../report/session.js";
import type { CallOptions } from "../report/xmlrpc.js";
import { baseUrlFinding, checkExposure } from "./exposure.js";
import { policyJudge } from "./judge.js";
import type { AuditResult, AuditUser } from "./model.js";
import { ACCESS_RIGHTS_GROUP, PORTAL_GROUP, readFacts, SYSTEM_GROUP, type OdooFacts, type ReadStep } from "./read.js";
import { summarizeAudit } from "./summary.js";

export interface AuditOptions extends CallOptions {
  policy?: { policy: Policy; file: string };
  /** Progress, one line per step. */
  onStep?: (line: string) => void;
}

/** What Odoo's API cannot tell, said in every output. */
export function auditLimits(facts: Pick<OdooFacts, "authTotp" | "addon">, policy: boolean): string[] {
  return [
    "Whether a login uses XML-RPC or JSON-RPC with its password cannot be known: Odoo records every successful login alike (web, RPC, API key) and never the last use of an API key. " +
      (policy ? "The rollout summary lists the users the policy concerns who have no API key: if they call the API, it is with their password." : "Run with --policy for the users who would need one."),
    "A trusted device is counted, not checked: Odoo does not record when it was last used.",
    "This audit's own login is recorded by Odoo as a login of --login (its last login changes); nothing else is written.",
    "Exposure is checked from where the command runs: a proxy may treat other networks and host names differently.",
    ...(facts.authTotp ? [] : ["auth_totp (Odoo's two-factor authentication) is not installed: nobody can enrol until it is."]),
    ...(facts.addon || !policy ? [] : ["Without the addon no grace period has started: it starts for each user when the addon is installed."]),
  ];
}

/** Which groups matter for a user: administration groups, and the policy's (enforced, excepted, portal when enforced). */
function relevantGroups(facts: OdooFacts, policy: Policy | undefined): Map<number, string> {
  const xmlIds = [
    SYSTEM_GROUP,
    ACCESS_RIGHTS_GROUP,
    ...(policy ? [...policy.enforce.groups, ...policy.enforce.exceptGroups, ...(policy.portal.enforce ? [PORTAL_GROUP] : [])] : []),
  ];
  const groups = new Map<number, string>();
  for (const xmlId of xmlIds) {
    const id = facts.groupXmlIds.get(xmlId);
    if (id !== undefined) groups.set(id, facts.groupNames.get(id) ?? xmlId);
  }
  return groups;
}

export function auditUsers(facts: OdooFacts, policy: Policy | undefined): AuditUser[] {
  const judge = policy ? policyJudge(policy, facts.groupXmlIds) : undefined;
  const groups = relevantGroups(facts, policy);
  const system = facts.groupXmlIds.get(SYSTEM_GROUP);
  const rights = facts.groupXmlIds.get(ACCESS_RIGHTS_GROUP);
  const portal = facts.groupXmlIds.get(PORTAL_GROUP);
  return facts.users.map((user) => ({
    id: user.id,
    login: user.login,
    name: user.name,
    type: !user.share ? "internal" : portal !== undefined && user.groupIds.has(portal) ? "portal" : "public",
    company: user.company,
    groups: [...groups].filter(([id]) => user.groupIds.has(id)).map(([, name]) => name).sort(),
    administrator: (system !== undefined && user.groupIds.has(system)) || (rights !== undefined && user.groupIds.has(rights)),
    totp: user.totp,
    lastLogin: user.lastLogin,
    apiKeys: facts.apiKeys.get(user.id) ?? [],
    trustedDevices: facts.devices.get(user.id) ?? 0,
    ...(judge ? { exempt: judge.exempt(user), policyStatus: judge.status(user) } : {}),
    ...(user.addonStatus ? { addonStatus: user.addonStatus } : {}),
  }));
}

export async function runAudit(target: ReportTarget, options: AuditOptions = {}): Promise<AuditResult> {
  const step = options.onStep ?? (() => {});
  step(`connecting to ${target.url}`);
  const server = await probeServer(target.url, options);
  const session = await authenticate(target, server, options);
  const facts = await readFacts(session, (name: ReadStep, detail?: string) => step(detail ? `${name} ${detail}` : `reading ${name}`));
  const users = auditUsers(facts, options.policy?.policy);
  step("exposure checks");
  const exposure = await checkExposure(target.url, { db: target.db, timeoutMs: options.timeoutMs, fetch: options.fetch });
  const proxyMode = baseUrlFinding(target.url, facts.baseUrl);
  if (proxyMode) exposure.push(proxyMode);
  const addon = facts.addon && options.policy ? { ...facts.addon, matchesPolicy: facts.addon.deployedDigest === deployedDigest(options.policy.policy) } : facts.addon;
  const summary = summarizeAudit(users, exposure, { policyFile: options.policy?.file, addon });
  return {
    url: target.url,
    db: target.db,
    login: target.login,
    serverVersion: server.serverVersion,
    serverSerie: server.serverSerie,
    users,
    summary,
    exposure,
    limits: auditLimits(facts, options.policy !== undefined),
  };
}

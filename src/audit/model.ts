/**
 * What `odoo-2fa audit` finds: per-user facts read from Odoo's own data, the statuses a policy
 * (or the installed addon) gives them, and the exposure findings of requests any visitor can make.
 * Plain data: the formats (./format.ts) and the summary (./summary.ts) are pure functions of it.
 */

/** Statuses under a policy file, as the generated addon judges them (./judge.ts). */
export const POLICY_STATUSES = ["must-enrol", "enrolled", "exempt", "not-required"] as const;
export type PolicyStatus = (typeof POLICY_STATUSES)[number];

/** The installed addon's own status field (`res.users.totp_policy_status`). */
export type AddonStatus = "enrolled" | "grace" | "missing" | "exempt" | "not_required";

export interface ApiKeyInfo {
  name: string;
  /** `rpc` for keys made in Preferences; other scopes are integrations' own. */
  scope: string;
  created: string | null;
  /** Odoo 18.0+ only (null: never expires, or a series without expiry). */
  expires: string | null;
}

export interface AuditUser {
  id: number;
  login: string;
  name: string;
  /** internal (share = False), portal, or public (share, without the portal group). */
  type: "internal" | "portal" | "public";
  company: string;
  /** The groups that matter (administration groups, and the policy's), by name, sorted. */
  groups: string[];
  /** Settings (base.group_system) or Access Rights (base.group_erp_manager). */
  administrator: boolean;
  /** Two-factor enabled; null when auth_totp is not installed (2FA impossible). */
  totp: boolean | null;
  /** UTC `YYYY-MM-DD HH:MM:SS`, null when the user never logged in. */
  lastLogin: string | null;
  apiKeys: ApiKeyInfo[];
  trustedDevices: number;
  /** Only with --policy: whether the policy exempts this login. */
  exempt?: boolean;
  /** Only with --policy: the status the addon generated from it would give. */
  policyStatus?: PolicyStatus;
  /** Only with the addon installed: the status it gives now, and the end of the grace period. */
  addonStatus?: AddonStatus;
}

export interface AddonInfo {
  module: string;
  installedVersion: string;
  deployedDigest: string;
  deployedDate: string;
  shippedDigest: string;
  editable: boolean;
  /** With --policy: whether the deployed digest is the policy file's. */
  matchesPolicy?: boolean;
}

export type Severity = "high" | "medium" | "low" | "info";
export const SEVERITIES: readonly Severity[] = ["high", "medium", "low", "info"];

export interface ExposureFinding {
  /** Stable identifier, e.g. `database-manager`. */
  id: string;
  /** exposed: the finding holds; closed: checked and fine; unknown: could not be checked from here. */
  state: "exposed" | "closed" | "unknown";
  /** What it weighs when exposed. */
  severity: Severity;
  title: string;
  /** What was seen (status code, header), one sentence. */
  detail: string;
  /** What to do, when exposed. */
  fix: string;
}

export interface GroupLine {
  group: string;
  company: string;
  users: number;
  /** 2FA enabled. */
  enrolled: number;
  /** 2FA not enabled. */
  missing: number;
  /** With --policy: how many of them must enrol. */
  mustEnrol?: number;
}

export interface AuditSummary {
  users: number;
  internal: number;
  portal: number;
  enrolled: number;
  /** Administrators without 2FA, always listed by name. */
  administratorsWithoutTotp: { login: string; name: string }[];
  usersWithApiKeys: number;
  apiKeys: number;
  trustedDevices: number;
  byGroup: GroupLine[];
  policy?: {
    file: string;
    counts: Record<PolicyStatus, number>;
    /** Logins the policy concerns that have no API key: if they use XML-RPC or JSON-RPC, it is with their password. */
    passwordRpcCandidates: string[];
  };
  addon?: AddonInfo & { counts: Partial<Record<AddonStatus, number>> };
  exposure: Record<Severity, number>;
  /** An administrator without 2FA, or a high-severity exposure: exit code 1. */
  severe: boolean;
}

export interface AuditResult {
  url: string;
  db: string;
  login: string;
  serverVersion: string;
  serverSerie: string;
  users: AuditUser[];
  summary: AuditSummary;
  exposure: ExposureFinding[];
  /** What the audit cannot know from Odoo's API, said plainly. */
  limits: string[];
}

/**
 * The normalised policy: what the rest of the tool works with after a policy file has been
 * parsed and validated. Keys are camelCase; the file format (snake_case, schema version 1)
 * is described by the zod schema in `schema.ts`.
 */

export { SERIES, type Series } from "../profiles/series.js";

export type AddonLicense = "LGPL-3" | "AGPL-3" | "OPL-1" | "Other proprietary";

/** OCA's development status levels (the manifest's `development_status`). */
export type DevelopmentStatus = "Alpha" | "Beta" | "Production/Stable" | "Mature";

export interface AddonInfo {
  /** Technical module name, `^[a-z][a-z0-9_]*$`. */
  name: string;
  title: string;
  summary: string;
  author: string;
  website: string;
  license: AddonLicense;
  /** The addon's own `x.y.z`; the manifest carries `<series>.x.y.z`. */
  version: string;
  /**
   * `addon.depends`: modules of the user's own whose groups the policy may name; added to the
   * manifest's `depends`. Absent when the file lists none (so such a policy's digest is unchanged).
   */
  depends?: string[];
  /** `addon.maintainers`: GitHub logins; absent when the file has none (no manifest key). */
  maintainers?: string[];
  /** `addon.development_status`; absent when the file has none (no manifest key). */
  developmentStatus?: DevelopmentStatus;
  /** `addon.contributors`: the readme's contributors; absent: the author, then each maintainer. */
  contributors?: string[];
}

export interface Exemption {
  name: string;
  logins: string[];
  /** Normalised CIDRs (network address, explicit prefix). Empty = exempt from anywhere. */
  networks: string[];
  reason: string;
}

/** Load balancers in front of the reverse proxy, trusted to name the client (`proxy.trusted_upstreams`). */
export interface TrustedUpstreams {
  /** Normalised CIDRs, at least one: only connections from these may name the client. */
  networks: string[];
  /** The request header they name it in (`X-Forwarded-For` unless the file says otherwise). */
  header: string;
}

export interface Policy {
  schema: 1;
  addon: AddonInfo;
  /**
   * `trustedDeviceDays`: how long a trusted device spares an enforced user the code (0: never);
   * only when the file sets `enforce.trusted_device_days` (Odoo's own behaviour otherwise).
   * `passkeys`: only when the file sets `enforce.passkeys` (a passkey sign-in satisfies the policy;
   * `requiredFor`: xml ids of the groups whose members must sign in with one).
   */
  enforce: {
    groups: string[];
    exceptGroups: string[];
    graceDays: number;
    trustedDeviceDays?: number;
    passkeys?: { requiredFor: string[] };
  };
  portal: { enforce: boolean; graceDays: number };
  exemptions: Exemption[];
  api: { passwordRpc: "deny" | "allow"; apiKeys: "allow" | "deny"; networks: string[] };
  settings: { editable: boolean };
  /**
   * Reverse-proxy rules (`odoo-2fa proxy`); optional in the file, `adminNetworks: []` by default.
   * `trustedUpstreams` only when the file sets `proxy.trusted_upstreams` (so other policies'
   * digests are unchanged).
   */
  proxy: { adminNetworks: string[]; trustedUpstreams?: TrustedUpstreams };
  /** Optional switches (issue 7); each is off by default and adds files only when on. */
  recoveryCodes: { enabled: boolean; count: number };
  /**
   * One-time access codes a Settings administrator issues for a lost phone (issue 13); only when
   * the file sets `temporary_access` (so other policies' digests are unchanged).
   */
  temporaryAccess?: { enabled: boolean; validHours: number };
  report: boolean;
  /** `remindDaysBeforeDeadline` is sorted from the earliest reminder (most days) down. */
  notifications: { announce: boolean; remindDaysBeforeDeadline: number[]; notifyAdminsWeekly: boolean };
  audit: boolean;
}

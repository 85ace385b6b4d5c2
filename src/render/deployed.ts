import { canonicalJson, sha256 } from "../digest.js";
import type { Policy } from "../policy/model.js";

/**
 * The enforcement values a generated addon deploys into a database, in the shape the addon keeps
 * them (snake_case, lists sorted): rendered into the addon's `models/policy.py` as `POLICY`, read
 * back from a running Odoo by `odoo-2fa check --url`, and compared key by key. One source for both.
 *
 * Only what the addon enforces is here: the addon's title or the proxy rules do not change what a
 * database enforces, so they do not change the digest (and do not reset administrators' edits).
 */
export interface DeployedPolicy {
  enforce_groups: string[];
  except_groups: string[];
  grace_days: number;
  portal_enforce: boolean;
  portal_grace_days: number;
  password_rpc: "deny" | "allow";
  api_keys: "allow" | "deny";
  api_networks: string[];
  exemptions: { name: string; logins: string[]; networks: string[]; reason: string }[];
}

const sorted = (values: readonly string[]): string[] => [...values].sort();

export function deployedPolicy(policy: Policy): DeployedPolicy {
  return {
    enforce_groups: sorted(policy.enforce.groups),
    except_groups: sorted(policy.enforce.exceptGroups),
    grace_days: policy.enforce.graceDays,
    portal_enforce: policy.portal.enforce,
    portal_grace_days: policy.portal.graceDays,
    password_rpc: policy.api.passwordRpc,
    api_keys: policy.api.apiKeys,
    api_networks: sorted(policy.api.networks),
    exemptions: [...policy.exemptions]
      .map((exemption) => ({
        name: exemption.name,
        logins: sorted(exemption.logins),
        networks: sorted(exemption.networks),
        reason: exemption.reason,
      }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
  };
}

/**
 * The digest the addon installs as "the deployed policy": sha256 of the canonical JSON of
 * `deployedPolicy` plus whether Settings may edit it. An upgrade whose digest differs from the
 * database's replaces the database's values with the file's.
 */
export function deployedDigest(policy: Policy): string {
  return sha256(canonicalJson({ editable: policy.settings.editable, policy: deployedPolicy(policy) }));
}

/** One difference between two deployed policies, in words: `grace_days: policy 14, database 30`. */
export interface PolicyDifference {
  key: keyof DeployedPolicy;
  policy: unknown;
  database: unknown;
}

export function policyDifferences(expected: DeployedPolicy, live: Record<string, unknown>): PolicyDifference[] {
  const differences: PolicyDifference[] = [];
  for (const key of Object.keys(expected) as (keyof DeployedPolicy)[]) {
    const want = expected[key];
    const got = live[key] === undefined ? null : live[key];
    if (canonicalJson(want) !== canonicalJson(got)) differences.push({ key, policy: want, database: got });
  }
  return differences;
}

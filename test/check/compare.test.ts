/**
 * `check --url`'s comparison, without Odoo: the policy file against a database's
 * `totp_policy_state()` answer, and each difference in words. The real answer of a real Odoo:
 * odoo-check.test.ts.
 */
import path from "node:path";
import { describe, expect, it } from "vitest";
import { compareLive, describeDifference, manifestVersion, valueWords, type LiveFacts } from "../../src/check/compare.js";
import { parseDeploymentState, type DeploymentState } from "../../src/check/live.js";
import { loadPolicy } from "../../src/generate/policy-file.js";
import type { Policy } from "../../src/policy/model.js";
import { deployedDigest, deployedPolicy } from "../../src/render/deployed.js";
import { ReportError } from "../../src/report/errors.js";
import { EXAMPLES_DIR } from "../support/examples.js";

async function warehouse(): Promise<Policy> {
  const loaded = await loadPolicy(path.join(EXAMPLES_DIR, "warehouse-scanners.yaml"));
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues));
  return loaded.policy;
}

/** What a database that deployed `policy` answers, with `enforced` changed by `edit`. */
function stateOf(policy: Policy, edit: (enforced: Record<string, unknown>) => void = () => {}): DeploymentState {
  const enforced = JSON.parse(JSON.stringify(deployedPolicy(policy))) as Record<string, unknown>;
  edit(enforced);
  return {
    module: policy.addon.name,
    installedVersion: "17.0.1.0.0",
    shippedVersion: "17.0.1.0.0",
    deployedDigest: deployedDigest(policy),
    deployedVersion: "17.0.1.0.0",
    deployedDate: "2025-06-01 10:00:00",
    editable: policy.settings.editable,
    shippedDigest: deployedDigest(policy),
    shipped: deployedPolicy(policy) as unknown as Record<string, unknown>,
    enforced,
  };
}

function facts(policy: Policy, state: DeploymentState | undefined, overrides: Partial<LiveFacts> = {}): LiveFacts {
  return {
    db: "prod",
    serverSerie: "17.0",
    series: "17.0",
    seriesGiven: false,
    module: { name: policy.addon.name, state: "installed", latestVersion: state?.installedVersion ?? null },
    ...(state ? { state } : {}),
    ...overrides,
  };
}

const messages = (policy: Policy, f: LiveFacts) => compareLive(policy, f).findings.map((finding) => finding.message);

describe("compareLive", () => {
  it("is clean when the database enforces the policy file", async () => {
    const policy = await warehouse();
    const result = compareLive(policy, facts(policy, stateOf(policy)));
    expect(result).toMatchObject({ ok: true, installed: true, findings: [], differences: [], hints: [], addon: "acme_2fa_policy" });
    expect(result.expected).toEqual({ version: "17.0.1.0.0", digest: deployedDigest(policy), editable: true });
  });

  it("names a value changed in Settings, in words, and says how to settle it", async () => {
    const policy = await warehouse();
    const result = compareLive(policy, facts(policy, stateOf(policy, (enforced) => (enforced.grace_days = 30))));
    expect(result.ok).toBe(false);
    expect(result.findings).toEqual([{ kind: "value", key: "grace_days", message: "grace_days: policy 7, database 30", policy: 7, database: 30 }]);
    expect(result.differences).toEqual([{ key: "grace_days", policy: 7, database: 30 }]);
    expect(result.hints).toHaveLength(1);
    expect(result.hints[0]).toMatch(/^the database runs this policy, but Settings changed a value since its deployment: set it back in Settings/);
    expect(result.hints[0]).toMatch(/unchanged policy keeps/);
  });

  it("says the database runs another policy version when the deployed digest differs", async () => {
    const policy = await warehouse();
    const older: Policy = { ...policy, enforce: { ...policy.enforce, graceDays: 14 } };
    const state = stateOf(older);
    const result = compareLive(policy, facts(policy, state));
    expect(result.ok).toBe(false);
    const digest = result.findings.find((finding) => finding.kind === "digest");
    expect(digest?.message).toBe(
      `policy digest: policy ${deployedDigest(policy).slice(0, 12)}, database ${deployedDigest(older).slice(0, 12)}: ` +
        "the database runs another policy version: regenerate and upgrade (-u acme_2fa_policy)",
    );
    expect(result.findings.map((finding) => finding.message)).toContain("grace_days: policy 7, database 14");
    expect(result.hints[0]).toMatch(/^regenerate the addon .*odoo -u acme_2fa_policy --stop-after-init/);
  });

  it("says only the upgrade is missing when the server already runs the policy's addon", async () => {
    const policy = await warehouse();
    const older: Policy = { ...policy, enforce: { ...policy.enforce, graceDays: 14 } };
    const state = { ...stateOf(older), shippedDigest: deployedDigest(policy) };
    const found = messages(policy, facts(policy, state));
    expect(found.find((message) => message.startsWith("policy digest:"))).toMatch(/only the upgrade is missing$/);
    expect(found.some((message) => message.startsWith("the server runs"))).toBe(false);
  });

  it("says when the server runs addon code the database was not upgraded with", async () => {
    const policy = await warehouse();
    const newer = { ...stateOf(policy), shippedVersion: "17.0.1.1.0" };
    expect(messages(policy, facts(policy, newer))).toEqual([
      "the server runs acme_2fa_policy 17.0.1.1.0, the database has 17.0.1.0.0 installed: the upgrade (-u acme_2fa_policy) is missing",
    ]);
    const other: Policy = { ...policy, enforce: { ...policy.enforce, graceDays: 14 } };
    const pending = { ...stateOf(policy), shippedDigest: deployedDigest(other) };
    const result = compareLive(policy, facts(policy, pending));
    expect(result.findings.map((finding) => finding.message)).toEqual([
      `the server runs acme_2fa_policy with policy ${deployedDigest(other).slice(0, 12)}, not this policy's ${deployedDigest(policy).slice(0, 12)}: the next upgrade would deploy it`,
    ]);
    expect(result.hints[0]).toMatch(/^regenerate the addon/);
  });

  it("compares the installed version with <series>.<addon.version>", async () => {
    const policy = await warehouse();
    expect(manifestVersion(policy, "16.0")).toBe("16.0.1.0.0");
    const state = { ...stateOf(policy), installedVersion: "17.0.0.9.0", shippedVersion: "17.0.0.9.0" };
    expect(messages(policy, facts(policy, state))).toEqual(["addon version: policy 17.0.1.0.0, database 17.0.0.9.0"]);
    // The series: --odoo against the server's.
    const other = compareLive(policy, facts(policy, stateOf(policy), { series: "18.0", seriesGiven: true }));
    expect(other.findings.map((finding) => finding.message)).toEqual([
      "Odoo series: --odoo 18.0, server 17.0",
      "addon version: policy 18.0.1.0.0, database 17.0.1.0.0",
    ]);
  });

  it("says so when the addon is not installed, or unknown to Odoo", async () => {
    const policy = await warehouse();
    const uninstalled = compareLive(policy, facts(policy, undefined, { module: { name: "acme_2fa_policy", state: "uninstalled", latestVersion: null } }));
    expect(uninstalled).toMatchObject({ ok: false, installed: false });
    expect(uninstalled.findings).toEqual([
      { kind: "not-installed", message: 'the addon acme_2fa_policy is not installed in database "prod" (state: uninstalled)' },
    ]);
    expect(uninstalled.hints[0]).toMatch(/odoo -i acme_2fa_policy/);
    const pending = compareLive(policy, facts(policy, undefined, { module: { name: "acme_2fa_policy", state: "to upgrade", latestVersion: "17.0.1.0.0" } }));
    expect(pending.findings[0]?.message).toContain("(state: to upgrade)");
    expect(pending.hints[0]).toMatch(/did not finish/);
    const unknown = compareLive(policy, facts(policy, undefined, { module: undefined }));
    expect(unknown.findings).toEqual([{ kind: "addon-unknown", message: expect.stringContaining("this Odoo does not know the module") }]);
    expect(unknown.hints[0]).toMatch(/addons path/);
  });

  it("names settings.editable when the database's mode differs", async () => {
    const policy = await warehouse();
    const locked: Policy = { ...policy, settings: { editable: false } };
    const found = messages(policy, facts(policy, stateOf(locked)));
    expect(found).toContain("settings.editable: policy true, database false");
    expect(found.some((message) => message.includes("another policy version"))).toBe(true);
  });

  it("words every kind of value: lists, booleans, networks, exemptions added, removed and changed", async () => {
    const policy = await warehouse();
    const state = stateOf(policy, (enforced) => {
      enforced.enforce_groups = ["base.group_system", "base.group_user"];
      enforced.portal_enforce = true;
      enforced.password_rpc = "allow";
      enforced.api_networks = ["10.0.0.0/8"];
      const [scanners] = enforced.exemptions as { name: string; networks: string[]; logins: string[]; reason: string }[];
      enforced.exemptions = [
        { ...scanners!, networks: ["10.20.0.0/16"] },
        { name: "kiosk", logins: ["kiosk"], networks: [], reason: "Lobby" },
      ];
    });
    expect(messages(policy, facts(policy, state))).toEqual([
      "enforce_groups: policy base.group_user, database base.group_system, base.group_user (only in the database: base.group_system)",
      "portal_enforce: policy false, database true",
      "password_rpc: policy deny, database allow",
      "api_networks: policy none, database 10.0.0.0/8 (only in the database: 10.0.0.0/8)",
      'exemptions "warehouse-scanners" networks: policy 10.20.0.0/16, 2001:db8::/48, database 10.20.0.0/16',
      'exemptions: "kiosk" is in the database, not in the policy',
    ]);
    const none = stateOf(policy, (enforced) => (enforced.exemptions = []));
    expect(messages(policy, facts(policy, none))).toEqual(['exemptions: "warehouse-scanners" is in the policy, not in the database']);
  });

  it("reads a value the database does not report as not set", () => {
    expect(describeDifference({ key: "grace_days", policy: 7, database: null })).toEqual(["grace_days: policy 7, database (not set)"]);
    expect(valueWords("")).toBe('""');
    expect(valueWords({ a: 1 })).toBe('{"a":1}');
  });
});

describe("parseDeploymentState", () => {
  const answer = {
    module: "acme_2fa_policy",
    installed_version: "17.0.1.0.0",
    shipped_version: "17.0.1.0.0",
    deployed_digest: "ab".repeat(32),
    deployed_version: "17.0.1.0.0",
    deployed_date: false,
    editable: true,
    shipped_digest: "ab".repeat(32),
    shipped: { grace_days: 7 },
    enforced: { grace_days: 30 },
  };

  it("turns the addon's answer into a DeploymentState (False as empty text)", () => {
    expect(parseDeploymentState(answer)).toEqual({
      module: "acme_2fa_policy",
      installedVersion: "17.0.1.0.0",
      shippedVersion: "17.0.1.0.0",
      deployedDigest: "ab".repeat(32),
      deployedVersion: "17.0.1.0.0",
      deployedDate: "",
      editable: true,
      shippedDigest: "ab".repeat(32),
      shipped: { grace_days: 7 },
      enforced: { grace_days: 30 },
    });
  });

  it("refuses an answer that is not the contract", () => {
    for (const bad of [[], "x", { ...answer, editable: "yes" }, { ...answer, enforced: [] }, { ...answer, module: false }, { ...answer, deployed_digest: 3 }]) {
      expect(() => parseDeploymentState(bad as never)).toThrow(ReportError);
    }
  });
});

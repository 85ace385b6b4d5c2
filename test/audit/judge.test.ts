/**
 * The policy's statuses without the addon, in the order of the addon's `_totp_policy_state`
 * (the real-Odoo test compares them with the installed addon user by user; these cover the
 * branches its policy does not reach: excepted groups, portal not enforced, unknown groups).
 */
import { describe, expect, it } from "vitest";
import { policyJudge, policyStatusOfAddon } from "../../src/audit/judge.js";
import type { RawUser } from "../../src/audit/read.js";
import type { Policy } from "../../src/policy/model.js";
import path from "node:path";
import { loadPolicy } from "../../src/generate/policy-file.js";
import { EXAMPLES_DIR } from "../support/examples.js";

const GROUPS = new Map([
  ["base.group_user", 1],
  ["base.group_portal", 2],
  ["base.group_public", 3],
  ["base.group_system", 4],
  ["stock.group_stock_user", 5],
]);

const user = (login: string, groups: number[], overrides: Partial<RawUser> = {}): RawUser => ({
  id: 10 + login.length,
  login,
  name: login,
  share: !groups.includes(1),
  company: "Contoso",
  groupIds: new Set(groups),
  totp: false,
  lastLogin: null,
  ...overrides,
});

describe("policyJudge", async () => {
  const loaded = await loadPolicy(path.join(EXAMPLES_DIR, "customer-portal.yaml"));
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues));
  const base = loaded.policy;
  const policy: Policy = {
    ...base,
    enforce: { ...base.enforce, groups: ["base.group_user", "sale.group_not_installed"], exceptGroups: ["stock.group_stock_user"] },
    exemptions: [{ name: "scanner", logins: ["scanner"], networks: ["10.0.0.0/8"], reason: "r" }],
  };
  const judge = policyJudge(policy, GROUPS);

  it("follows the addon's order of rules", () => {
    expect(judge.status(user("alice", [1]))).toBe("must-enrol");
    expect(judge.status(user("alice", [1], { totp: true }))).toBe("enrolled");
    // An exemption wins over an excepted group; an excepted group over enforcement.
    expect(judge.status(user("scanner", [1, 5]))).toBe("exempt");
    expect(judge.status(user("picker", [1, 5]))).toBe("not-required");
    expect(judge.status(user("visitor", [3]))).toBe("not-required");
    expect(judge.status(user("customer", [2]))).toBe("must-enrol");
    expect(judge.status(user("__system__", [1], { id: 1 }))).toBe("not-required");
    // A group of a module Odoo does not have enforces nothing (the addon skips it too).
    expect([...judge.enforcedIds]).toEqual([1]);
  });

  it("leaves portal users alone when the policy does not enforce the portal", () => {
    const lenient = policyJudge({ ...policy, portal: { enforce: false, graceDays: 0 } }, GROUPS);
    expect(lenient.status(user("customer", [2]))).toBe("not-required");
    expect(lenient.status(user("alice", [1]))).toBe("must-enrol");
  });

  it("reads the addon's statuses in its words", () => {
    expect(["enrolled", "grace", "missing", "exempt", "not_required"].map((status) => policyStatusOfAddon(status as never))).toEqual([
      "enrolled",
      "must-enrol",
      "must-enrol",
      "exempt",
      "not-required",
    ]);
  });
});

import { describe, expect, it } from "vitest";
import { parsePolicyText, type LoadResult } from "../../src/policy/index.js";

const policy = (api: string, exemptionNetworks = "[10.20.0.0/16]") => `schema: 1
addon: {name: x_2fa, title: X, summary: S, author: A}
enforce: {groups: [base.group_user]}
exemptions:
  - name: scanners
    logins: [scanner-01]
    networks: ${exemptionNetworks}
    reason: shared
api:
  networks: ${api}
`;

function warnings(result: LoadResult) {
  const all = result.ok ? result.warnings : result.issues;
  return all.filter((issue) => issue.severity === "warning").map(({ line, col, path, message }) => ({ line, col, path, message }));
}

describe("network lists", () => {
  it("warns about a network inside another of the same list, at the narrower one", () => {
    const result = parsePolicyText(policy("[10.0.0.0/8, 10.1.0.0/16]"), "p.yaml");
    expect(result.ok).toBe(true);
    expect(warnings(result)).toEqual([
      { line: 10, col: 26, path: "api.networks[1]", message: 'network "10.1.0.0/16" lies inside "10.0.0.0/8" (at api.networks[0])' },
    ]);
  });

  it("checks exemption networks and IPv6 the same way, and leaves disjoint networks alone", () => {
    const result = parsePolicyText(policy("[10.0.0.0/8, 192.0.2.0/24]", '["2001:db8::/32", "2001:db8:1::/48"]'), "p.yaml");
    expect(warnings(result).map((w) => w.path)).toEqual(["exemptions[0].networks[1]"]);
  });

  it("warns that 0.0.0.0/0 and ::/0 do not limit RPC at all", () => {
    const result = parsePolicyText(policy('[0.0.0.0/0, "::/0"]'), "p.yaml");
    expect(warnings(result).map((w) => w.message)).toEqual([
      '"0.0.0.0/0" admits every IPv4 address: RPC access is not limited for IPv4',
      '"::/0" admits every IPv6 address: RPC access is not limited for IPv6',
    ]);
  });
});

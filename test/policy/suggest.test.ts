import { describe, expect, it } from "vitest";
import { didYouMean, editDistance } from "../../src/policy/suggest.js";

describe("did-you-mean", () => {
  it("edit distance", () => {
    expect(editDistance("grace_day", "grace_days")).toBe(1);
    expect(editDistance("licnese", "license")).toBe(1); // a swap counts once
    expect(editDistance("", "abc")).toBe(3);
  });

  it.each([
    ["grace_day", "grace_days"],
    ["licence", "license"],
    ["graceDays", "grace_days"],
    ["except-groups", "except_groups"],
    ["passwordRpc", "password_rpc"],
    ["exemption", "exemptions"],
    ["Deny", "deny"],
  ])("%s → %s", (input, expected) => {
    expect(didYouMean(input, ["grace_days", "license", "except_groups", "password_rpc", "exemptions", "deny", "allow"])).toBe(
      expected,
    );
  });

  it("no suggestion when nothing is close", () => {
    expect(
      didYouMean("colour", ["schema", "addon", "enforce", "portal", "exemptions", "api", "settings", "proxy"]),
    ).toBeUndefined();
    expect(didYouMean("x", ["api"])).toBeUndefined();
  });
});

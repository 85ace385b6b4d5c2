import { describe, expect, it } from "vitest";
import { parseSeriesList } from "../../src/cli/series.js";
import { CliError, countLine, formatIssue } from "../../src/cli/output.js";
import type { PolicyIssue } from "../../src/policy/index.js";

const issue = (overrides: Partial<PolicyIssue> = {}): PolicyIssue => ({
  severity: "error",
  file: "policy.yaml",
  line: 14,
  col: 3,
  path: "enforce.grace_day",
  message: 'unknown key "grace_day"',
  expected: "one of: groups, except_groups, grace_days",
  hint: 'did you mean "grace_days"?',
  ...overrides,
});

describe("issue rendering", () => {
  it("file:line:col: severity: path: message, then expected and hint", () => {
    expect(formatIssue(issue())).toBe(
      'policy.yaml:14:3: error: enforce.grace_day: unknown key "grace_day"\n' +
        "    expected: one of: groups, except_groups, grace_days\n" +
        '    hint: did you mean "grace_days"?',
    );
  });

  it("a file-level issue has no position and no path", () => {
    expect(
      formatIssue(
        issue({ line: 0, col: 0, path: "", message: "no such file", expected: "the path of a policy file", hint: undefined }),
      ),
    ).toBe("policy.yaml: error: no such file\n    expected: the path of a policy file");
  });

  it("count line", () => {
    expect(countLine([issue(), issue(), issue({ severity: "warning" })], "p.yaml")).toBe("2 errors, 1 warning in p.yaml");
    expect(countLine([], "p.yaml")).toBe("0 errors, 0 warnings in p.yaml");
  });
});

describe("--odoo", () => {
  it.each([
    [["17.0"], ["17.0"]],
    [["all"], ["16.0", "17.0", "18.0", "19.0"]],
    [["19.0,16.0"], ["16.0", "19.0"]],
    [
      ["17.0", "16.0,17.0"],
      ["16.0", "17.0"],
    ],
    [[" 18.0 , all"], ["16.0", "17.0", "18.0", "19.0"]],
  ])("%j → %j", (input, expected) => {
    expect(parseSeriesList(input)).toEqual(expected);
  });

  it.each([
    [["17"], "did you mean 17.0?"],
    [["15.0"], "odoo-2fa supports Odoo 16.0 to 19.0"],
    [["ALL"], "did you mean all?"],
    [["al"], "did you mean all?"],
    [[","], undefined],
  ])("%j is a usage error", (input, hint) => {
    let error: unknown;
    try {
      parseSeriesList(input);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).exitCode).toBe(2);
    expect((error as CliError).details.hint).toBe(hint);
  });
});

import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadPolicy } from "../../src/generate/policy-file.js";
import { parsePolicyBytes, parsePolicyText, type LoadResult, type PolicyIssue } from "../../src/policy/index.js";
import { STARTER_POLICY } from "../../src/cli/starter.js";
import { samplePolicy } from "../support/policies.js";
import { examplePolicies } from "../support/examples.js";

/** A valid policy; line numbers below refer to it (line 1 is `schema: 1`). */
const VALID = `schema: 1
addon:
  name: acme_2fa_policy
  title: ACME two-factor policy
  summary: Every employee must use an authenticator app
  author: ACME IT
  website: https://it.acme.example
  license: LGPL-3
  version: 1.0.0
enforce:
  groups: [base.group_user]
  except_groups: []
  grace_days: 0
portal:
  enforce: false
  grace_days: 0
exemptions:
  - name: warehouse-scanners
    logins: [scanner-01, scanner-02]
    networks: [10.20.0.0/16, "2001:db8::/48"]
    reason: Shared scanners on the warehouse floor
api:
  password_rpc: deny
  api_keys: allow
  networks: []
settings:
  editable: true
`;

/** VALID with line `line` (1-based) replaced by `replacement` (may hold several lines, or none). */
function withLine(line: number, replacement: string | null, text = VALID): string {
  const lines = text.split("\n");
  lines.splice(line - 1, 1, ...(replacement === null ? [] : [replacement]));
  return lines.join("\n");
}

function issuesOf(result: LoadResult): PolicyIssue[] {
  return result.ok ? result.warnings : result.issues;
}

/** `line:col path: message` of every issue: compact and exact. */
function where(result: LoadResult): string[] {
  return issuesOf(result).map((i) => `${i.severity} ${i.line}:${i.col} ${i.path}: ${i.message}`);
}

function only(result: LoadResult): PolicyIssue {
  const issues = issuesOf(result);
  expect(issues, JSON.stringify(issues, null, 2)).toHaveLength(1);
  return issues[0]!;
}

describe("a valid policy", () => {
  it("loads into the normalised model with defaults applied", () => {
    const result = parsePolicyText(VALID, "policy.yaml");
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.warnings).toEqual([]);
    expect(result.policy).toEqual(
      samplePolicy({
        exemptions: [
          {
            name: "warehouse-scanners",
            logins: ["scanner-01", "scanner-02"],
            networks: ["10.20.0.0/16", "2001:db8::/48"],
            reason: "Shared scanners on the warehouse floor",
          },
        ],
      }),
    );
  });

  it("takes defaults for every optional key", () => {
    const minimal = `schema: 1
addon: {name: acme_2fa_policy, title: T, summary: S, author: A}
enforce: {groups: [base.group_user]}
`;
    const result = parsePolicyText(minimal, "min.yaml");
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.policy).toEqual({
      schema: 1,
      addon: { name: "acme_2fa_policy", title: "T", summary: "S", author: "A", website: "", license: "LGPL-3", version: "1.0.0" },
      enforce: { groups: ["base.group_user"], exceptGroups: [], graceDays: 0 },
      portal: { enforce: false, graceDays: 0 },
      exemptions: [],
      api: { passwordRpc: "deny", apiKeys: "allow", networks: [] },
      settings: { editable: true },
      proxy: { adminNetworks: [] },
      recoveryCodes: { enabled: false, count: 10 },
      report: false,
      notifications: { announce: false, remindDaysBeforeDeadline: [], notifyAdminsWeekly: false },
      audit: false,
    });
  });

  it("reads the optional switches and sorts reminders from the earliest", () => {
    const text = `schema: 1
addon: {name: acme_2fa_policy, title: T, summary: S, author: A}
enforce: {groups: [base.group_user], grace_days: 30}
recovery_codes: {enabled: true, count: 12}
report: true
notifications: {announce: true, remind_days_before_deadline: [1, 14, 7], notify_admins_weekly: true}
audit: true
`;
    const result = parsePolicyText(text, "switches.yaml");
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.policy.recoveryCodes).toEqual({ enabled: true, count: 12 });
    expect(result.policy.report).toBe(true);
    expect(result.policy.notifications).toEqual({ announce: true, remindDaysBeforeDeadline: [14, 7, 1], notifyAdminsWeekly: true });
    expect(result.policy.audit).toBe(true);
  });

  it("reads temporary access only when the file sets it, with its hours bounded", () => {
    const head = `schema: 1
addon: {name: acme_2fa_policy, title: T, summary: S, author: A}
enforce: {groups: [base.group_user], grace_days: 30}
`;
    const absent = parsePolicyText(head, "absent.yaml");
    expect(absent.ok && "temporaryAccess" in absent.policy).toBe(false);
    const on = parsePolicyText(`${head}temporary_access: {enabled: true}\n`, "on.yaml");
    expect(on.ok && on.policy.temporaryAccess).toEqual({ enabled: true, validHours: 24 });
    for (const hours of [0, 73, 1.5]) {
      const result = parsePolicyText(`${head}temporary_access: {enabled: true, valid_hours: ${hours}}\n`, "bad.yaml");
      expect(result.ok).toBe(false);
      if (result.ok) continue;
      expect(result.issues.find((issue) => issue.path === "temporary_access.valid_hours")).toMatchObject({
        line: 4,
        severity: "error",
        expected: "a whole number of hours from 1 to 72",
      });
    }
  });

  it("locates bad switch values and says what to write", () => {
    const text = `schema: 1
addon: {name: acme_2fa_policy, title: T, summary: S, author: A}
enforce: {groups: [base.group_user], grace_days: 10}
recovery_codes: {enabled: true, count: 3}
notifications: {remind_days_before_deadline: [7, 7, 30]}
audit: yes please
`;
    const result = parsePolicyText(text, "bad.yaml");
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const byPath = new Map(result.issues.map((issue) => [issue.path, issue]));
    expect(byPath.get("recovery_codes.count")).toMatchObject({ line: 4, col: 40, severity: "error", expected: "a whole number from 5 to 20" });
    expect(byPath.get("notifications.remind_days_before_deadline[1]")).toMatchObject({ line: 5, severity: "error" });
    expect(byPath.get("notifications.remind_days_before_deadline[1]")?.message).toMatch(/listed twice/);
    expect(byPath.get("notifications.remind_days_before_deadline[2]")).toMatchObject({ severity: "warning" });
    expect(byPath.get("notifications.remind_days_before_deadline[2]")?.message).toMatch(/longest grace period is 10 day/);
    expect(byPath.get("audit")).toMatchObject({ line: 6, col: 8, severity: "error", expected: "true or false" });
  });

  it("reads JSON with the same positions", () => {
    const json = JSON.stringify(
      {
        schema: 1,
        addon: { name: "acme_2fa_policy", title: "T", summary: "S", author: "A", licence: "MIT" },
        enforce: { groups: ["base.group_user"] },
      },
      null,
      2,
    );
    const issue = only(parsePolicyText(json, "policy.json"));
    expect(issue).toMatchObject({
      line: 8,
      col: 5,
      path: "addon.licence",
      message: 'unknown key "licence"',
      hint: 'did you mean "license"?',
    });
  });

  it("accepts every example policy and the starter policy", async () => {
    for (const { file } of examplePolicies()) expect((await loadPolicy(file)).ok, file).toBe(true);
    expect(parsePolicyText(STARTER_POLICY, "policy.yaml").ok).toBe(true);
  });

  it("accepts a proxy section and a $schema key", () => {
    const result = parsePolicyText(`$schema: ./policy.schema.json\n${VALID}proxy:\n  admin_networks: [192.0.2.7]\n`, "p.yaml");
    expect(result.ok && result.policy.proxy).toEqual({ adminNetworks: ["192.0.2.7/32"] });
  });
});

describe("located errors, one kind at a time", () => {
  it("unknown key, with did-you-mean", () => {
    const issue = only(parsePolicyText(withLine(13, "  grace_day: 0"), "p.yaml"));
    expect(issue).toEqual({
      severity: "error",
      file: "p.yaml",
      line: 13,
      col: 3,
      path: "enforce.grace_day",
      message: 'unknown key "grace_day"',
      expected: "one of: groups, except_groups, grace_days, trusted_device_days, passkeys",
      hint: 'did you mean "grace_days"?',
    });
  });

  it("unknown key far from every known key: no suggestion", () => {
    const issue = only(parsePolicyText(`${VALID}colour: blue\n`, "p.yaml"));
    expect(issue).toMatchObject({ line: 28, col: 1, path: "colour", message: 'unknown key "colour"' });
    expect(issue.hint).toBeUndefined();
  });

  it("missing required key points at the parent map's key", () => {
    const issue = only(parsePolicyText(withLine(4, null), "p.yaml"));
    expect(issue).toMatchObject({ line: 2, col: 1, path: "addon.title", message: 'missing required key "title"' });
    expect(issue.expected).toContain("title:");
  });

  it("missing required section points at the document", () => {
    const text = VALID.split("\n")
      .filter((_, i) => i < 9 || i > 12)
      .join("\n");
    expect(where(parsePolicyText(text, "p.yaml"))).toEqual(['error 1:1 enforce: missing required key "enforce"']);
  });

  it("empty value points at its key", () => {
    expect(where(parsePolicyText(withLine(4, "  title:"), "p.yaml"))).toEqual([
      "error 4:3 addon.title: found nothing (an empty value)",
    ]);
  });

  it("wrong type: a number where text is expected, with the user's spelling", () => {
    const issue = only(parsePolicyText(withLine(9, "  version: 1.0"), "p.yaml"));
    expect(issue).toMatchObject({
      line: 9,
      col: 12,
      path: "addon.version",
      message: "found 1.0 (a number)",
      hint: 'quote it: "1.0"',
    });
  });

  it("invalid technical name", () => {
    const issue = only(parsePolicyText(withLine(3, "  name: Acme-2FA"), "p.yaml"));
    expect(issue).toMatchObject({
      line: 3,
      col: 9,
      path: "addon.name",
      message: '"Acme-2FA" is not a valid technical module name',
    });
    expect(issue.expected).toContain("acme_2fa");
  });

  it("technical name of a core Odoo module", () => {
    for (const name of ["base", "auth_totp", "website_sale", "auth_totp_mail_enforce"]) {
      const issue = only(parsePolicyText(withLine(3, `  name: ${name}`), "p.yaml"));
      expect(issue).toMatchObject({
        line: 3,
        col: 9,
        path: "addon.name",
        message: `"${name}" is the name of an Odoo core module`,
      });
    }
  });

  it("version that is not x.y.z", () => {
    expect(where(parsePolicyText(withLine(9, "  version: 1.0.0.1"), "p.yaml"))).toEqual([
      'error 9:12 addon.version: "1.0.0.1" is not an x.y.z version',
    ]);
  });

  it("license outside the list, with did-you-mean", () => {
    const issue = only(parsePolicyText(withLine(8, "  license: lgpl-3"), "p.yaml"));
    expect(issue).toMatchObject({
      line: 8,
      col: 12,
      path: "addon.license",
      message: "found lgpl-3 (text)",
      hint: 'did you mean "LGPL-3"?',
    });
    expect(issue.expected).toBe("one of LGPL-3, AGPL-3, OPL-1, Other proprietary");
  });

  it("xml id without a module", () => {
    const issue = only(parsePolicyText(withLine(11, "  groups: [base.group_user, group_system]"), "p.yaml"));
    expect(issue).toMatchObject({ line: 11, col: 29, path: "enforce.groups[1]", message: '"group_system" is not an xml id' });
  });

  it("duplicate group", () => {
    expect(where(parsePolicyText(withLine(11, "  groups:\n    - base.group_user\n    - base.group_user"), "p.yaml"))).toEqual([
      'error 13:7 enforce.groups[1]: group "base.group_user" is listed twice (first at enforce.groups[0])',
    ]);
  });

  it("group both enforced and excepted", () => {
    expect(where(parsePolicyText(withLine(12, "  except_groups: [base.group_user]"), "p.yaml"))).toEqual([
      'error 12:19 enforce.except_groups[0]: group "base.group_user" is both enforced (enforce.groups[0]) and excepted',
    ]);
  });

  it("grace days out of range and not whole", () => {
    expect(where(parsePolicyText(withLine(13, "  grace_days: 400"), "p.yaml"))).toEqual([
      "error 13:15 enforce.grace_days: found 400 (a number)",
    ]);
    expect(where(parsePolicyText(withLine(13, "  grace_days: 1.5"), "p.yaml"))).toEqual([
      "error 13:15 enforce.grace_days: found 1.5 (a number)",
    ]);
    expect(only(parsePolicyText(withLine(13, "  grace_days: -1"), "p.yaml")).expected).toBe(
      "a whole number of days from 0 to 365",
    );
  });

  it("trusted device days: optional, whole days 0 to 365, located with a hint", () => {
    const absent = parsePolicyText(VALID, "p.yaml");
    expect(absent.ok && absent.policy.enforce).not.toHaveProperty("trustedDeviceDays");
    const never = parsePolicyText(withLine(13, "  grace_days: 0\n  trusted_device_days: 0"), "p.yaml");
    expect(never.ok && never.policy.enforce.trustedDeviceDays).toBe(0);
    for (const value of ["400", "-1", "2.5"]) {
      const issue = only(parsePolicyText(withLine(13, `  grace_days: 0\n  trusted_device_days: ${value}`), "p.yaml"));
      expect(issue).toMatchObject({
        line: 14,
        col: 24,
        path: "enforce.trusted_device_days",
        message: `found ${value} (a number)`,
        expected: "a whole number of days from 0 to 365 (0: never remember a device)",
      });
      expect(issue.hint).toMatch(/leave the key out to keep Odoo's 90 days/);
    }
  });

  it("yes is text in YAML 1.2, with a hint", () => {
    const issue = only(parsePolicyText(withLine(15, "  enforce: yes"), "p.yaml"));
    expect(issue).toMatchObject({
      line: 15,
      col: 12,
      path: "portal.enforce",
      message: "found yes (text)",
      expected: "true or false",
      hint: "YAML 1.2 reads yes as text; write true",
    });
  });

  it("network with host bits set suggests the network address", () => {
    const issue = only(parsePolicyText(withLine(20, '    networks: [10.20.1.0/16, "2001:db8::/48"]'), "p.yaml"));
    expect(issue).toMatchObject({
      line: 20,
      col: 16,
      path: "exemptions[0].networks[0]",
      message: "10.20.1.0/16 has host bits set",
      expected: "10.20.0.0/16",
    });
    expect(issue.hint).toContain("write 10.20.0.0/16");
  });

  it("invalid IPv6 network, located inside a block list", () => {
    const issue = only(parsePolicyText(withLine(20, '    networks:\n      - 10.20.0.0/16\n      - "2001:db8::g/48"'), "p.yaml"));
    expect(issue).toMatchObject({
      line: 22,
      col: 9,
      path: "exemptions[0].networks[1]",
      message: '"2001:db8::g/48" is not a valid IPv6 network',
    });
  });

  it("login exempt by two exemptions", () => {
    const second = `  - name: office-kiosk\n    logins: [kiosk, scanner-02]\n    networks: [192.0.2.0/24]\n    reason: Kiosk\napi:`;
    expect(where(parsePolicyText(withLine(22, second), "p.yaml"))).toEqual([
      'error 23:21 exemptions[1].logins[1]: login "scanner-02" is already exempt by exemptions[0] (at exemptions[0].logins[1])',
    ]);
  });

  it("duplicate exemption names", () => {
    const second = `  - name: warehouse-scanners\n    logins: [kiosk]\n    networks: [192.0.2.0/24]\n    reason: Kiosk\napi:`;
    expect(where(parsePolicyText(withLine(22, second), "p.yaml"))).toEqual([
      'error 22:11 exemptions[1].name: exemption name "warehouse-scanners" is used twice (first at exemptions[0].name)',
    ]);
  });

  it("a login with whitespace", () => {
    expect(where(parsePolicyText(withLine(19, '    logins: ["scanner 01"]'), "p.yaml"))).toEqual([
      'error 19:14 exemptions[0].logins[0]: "scanner 01" contains whitespace or a control character',
    ]);
  });

  it("control characters in free text", () => {
    const issue = only(parsePolicyText(withLine(4, '  title: "ACME\\u0007 policy"'), "p.yaml"));
    expect(issue).toMatchObject({
      line: 4,
      col: 10,
      path: "addon.title",
      message: "contains the control character U+0007 at character 5",
    });
    expect(only(parsePolicyText(withLine(4, '  title: "ACME\\0"'), "p.yaml")).message).toBe(
      "contains the control character U+0000 at character 5",
    );
    expect(only(parsePolicyText(withLine(4, '  title: "ACME\\nIT"'), "p.yaml")).message).toBe(
      "contains a line break at character 5",
    );
    expect(only(parsePolicyText(withLine(4, '  title: "ACME \\u202e"'), "p.yaml")).hint).toContain("bidirectional");
  });

  it("a multi-line reason is allowed, a NUL in it is not", () => {
    expect(parsePolicyText(withLine(21, "    reason: |\n      Shared scanners\n      on the floor"), "p.yaml").ok).toBe(true);
    expect(where(parsePolicyText(withLine(21, '    reason: "a\\0b"'), "p.yaml"))).toEqual([
      "error 21:13 exemptions[0].reason: contains the control character U+0000 at character 2",
    ]);
  });

  it("website that is not an http(s) URL", () => {
    expect(where(parsePolicyText(withLine(7, "  website: javascript:alert(1)"), "p.yaml"))).toEqual([
      'error 7:12 addon.website: "javascript:alert(1)" is not an http(s) URL',
    ]);
  });

  it("duplicate key in a mapping", () => {
    expect(where(parsePolicyText(withLine(5, "  summary: a\n  summary: b"), "p.yaml"))).toEqual([
      'error 6:3 addon.summary: "summary" appears twice in the same mapping',
    ]);
  });

  it("YAML syntax error", () => {
    const result = parsePolicyText(withLine(11, "  groups: [base.group_user"), "p.yaml");
    expect(result.ok).toBe(false);
    const issues = issuesOf(result);
    expect(issues.length).toBeGreaterThan(0);
    expect(issues[0]!.message).toMatch(/^YAML syntax error: /);
    expect(issues[0]!.line).toBeGreaterThanOrEqual(11);
  });

  it("YAML tags, a second document and merge keys are refused", () => {
    expect(where(parsePolicyText(withLine(4, "  title: !!binary QUNNRQ=="), "p.yaml"))).toEqual([
      "error 4:10 addon.title: the YAML tag !!binary is not supported in a policy",
    ]);
    expect(parsePolicyText(withLine(4, "  title: !!str ACME"), "p.yaml").ok).toBe(true);
    expect(where(parsePolicyText(`${VALID}---\nschema: 1\n`, "p.yaml"))).toEqual([
      "error 28:1 : a second YAML document (after ---)",
    ]);
    const merged = parsePolicyText(`defaults: &d {grace_days: 3}\n${withLine(13, "  <<: *d")}`, "p.yaml");
    expect(where(merged)).toEqual(['error 1:1 defaults: unknown key "defaults"', 'error 14:3 enforce["<<"]: unknown key "<<"']);
    expect(issuesOf(merged)[1]!.hint).toContain("merge keys");
  });

  it("a document that is not a mapping", () => {
    expect(where(parsePolicyText("- a\n- b\n", "p.yaml"))).toEqual(["error 1:1 : found a list"]);
  });

  it("unquoted text in a JSON file", () => {
    expect(where(parsePolicyText('{"schema": 1, "addon": nope}', "p.json"))).toEqual([
      "error 1:24 addon: found unquoted text nope",
    ]);
  });
});

describe("warnings", () => {
  it("an exemption without networks is exempt from anywhere (a warning, the policy loads)", () => {
    const result = parsePolicyText(withLine(20, "    networks: []"), "p.yaml");
    expect(result.ok).toBe(true);
    expect(where(result)).toEqual([
      'warning 20:15 exemptions[0].networks: exemption "warehouse-scanners" has no networks: its logins are exempt from 2FA from anywhere',
    ]);
  });

  it("an exemption whose networks key is left out", () => {
    const result = parsePolicyText(withLine(20, null), "p.yaml");
    expect(result.ok).toBe(true);
    expect(where(result)).toEqual([
      'warning 18:5 exemptions[0]: exemption "warehouse-scanners" has no networks: its logins are exempt from 2FA from anywhere',
    ]);
  });
});

describe("all errors of a file at once", () => {
  it("reports five different located mistakes together", () => {
    let text = VALID;
    text = withLine(3, "  name: account", text); // a core module
    text = withLine(9, "  version: v1", text); // not x.y.z
    text = withLine(13, "  grace_dayz: 3", text); // unknown key
    text = withLine(20, "    networks: [10.20.1.0/16]", text); // host bits set
    text = withLine(23, "  password_rpc: never", text); // not deny/allow
    const result = parsePolicyText(text, "five.yaml");
    expect(result.ok).toBe(false);
    expect(where(result)).toEqual([
      'error 3:9 addon.name: "account" is the name of an Odoo core module',
      'error 9:12 addon.version: "v1" is not an x.y.z version',
      'error 13:3 enforce.grace_dayz: unknown key "grace_dayz"',
      "error 20:16 exemptions[0].networks[0]: 10.20.1.0/16 has host bits set",
      "error 23:17 api.password_rpc: found never (text)",
    ]);
    for (const issue of issuesOf(result)) expect(issue.expected, issue.path).not.toBe("");
  });
});

describe("file-level problems", () => {
  it("empty file", () => {
    expect(only(parsePolicyText("  \n\n", "p.yaml"))).toMatchObject({ line: 1, col: 1, path: "", message: "is empty" });
    expect(only(parsePolicyBytes(new Uint8Array(), "p.yaml")).message).toBe("is empty");
  });

  it("only comments", () => {
    expect(only(parsePolicyText("# nothing yet\n", "p.yaml")).message).toBe("has no content (only comments)");
  });

  it("binary file", () => {
    const issue = only(parsePolicyBytes(new Uint8Array([0x73, 0x63, 0x0a, 0x00, 0x01]), "p.yaml"));
    expect(issue).toMatchObject({ line: 2, col: 1, message: "is a binary file (it contains a NUL byte)" });
  });

  it("invalid UTF-8, located", () => {
    const bytes = Buffer.concat([Buffer.from("schema: 1\naddon:\n  title: caf"), Buffer.from([0xe9]), Buffer.from("\n")]);
    const issue = only(parsePolicyBytes(bytes, "p.yaml"));
    expect(issue).toMatchObject({ line: 3, col: 13, message: "is not valid UTF-8 (byte 0xe9 at offset 29)" });
  });

  it("a UTF-8 byte-order mark is accepted", () => {
    expect(parsePolicyBytes(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(VALID)]), "p.yaml").ok).toBe(true);
  });

  it("too large", () => {
    const issue = only(parsePolicyBytes(new Uint8Array(1024 * 1024 + 1).fill(0x20), "p.yaml"));
    expect(issue.message).toBe("is 1048577 bytes, over the limit of 1048576 bytes");
  });

  it("alias bomb", () => {
    const bomb = ["a: &a [x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i < 9; i++)
      bomb.push(
        `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9)
          .fill(`*${String.fromCharCode(96 + i)}`)
          .join(", ")}]`,
      );
    const started = Date.now();
    const issue = only(parsePolicyText(`${bomb.join("\n")}\n`, "bomb.yaml"));
    expect(issue.message).toMatch(/^expands too many aliases/);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("deep nesting is refused before the parser sees it", () => {
    const deep = `schema: 1\naddon: ${"[".repeat(100_000)}${"]".repeat(100_000)}\n`;
    expect(only(parsePolicyText(deep, "deep.yaml"))).toMatchObject({
      line: 2,
      col: 72,
      message: "nests lists or mappings too deeply",
    });
    const block = `a:\n${Array.from({ length: 400 }, (_, i) => `${" ".repeat(i + 1)}- `).join("\n")}x\n`;
    expect(only(parsePolicyText(block, "deep.yaml")).message).toBe("nests lists or mappings too deeply");
    // Brackets inside quotes and comments do not count.
    expect(parsePolicyText(withLine(4, `  title: "${"[".repeat(100)}" # ${"{".repeat(100)}`), "p.yaml").ok).toBe(true);
  });

  it("missing file, directory, too large file on disk", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "odoo-2fa-policy-"));
    expect(only(await loadPolicy(path.join(dir, "nope.yaml")))).toMatchObject({
      line: 0,
      col: 0,
      path: "",
      message: "no such file",
    });
    await mkdir(path.join(dir, "policy.yaml"));
    expect(only(await loadPolicy(path.join(dir, "policy.yaml"))).message).toBe("is a directory");
    await writeFile(path.join(dir, "big.yaml"), Buffer.alloc(2 * 1024 * 1024, 0x20));
    expect(only(await loadPolicy(path.join(dir, "big.yaml"))).message).toBe(`is ${2 * 1024 * 1024} bytes, over the limit of 1048576 bytes`);
    await rm(dir, { recursive: true, force: true });
  });
});

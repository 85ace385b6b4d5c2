/**
 * Validation that knows Odoo: groups and modules checked against the catalog of each series
 * (src/policy/groups/<series>.json), `addon.depends` for the user's own modules, and the warnings
 * about policies that are valid but most likely not what their author meant.
 */
import { describe, expect, it } from "vitest";
import {
  addedDependencies,
  COMMUNITY_MODULES,
  groupName,
  odooCatalog,
  parsePolicyText,
  SERIES,
  type LoadOptions,
  type LoadResult,
  type PolicyIssue,
} from "../../src/policy/index.js";
import { impliedGroups } from "../../src/policy/odoo-groups.js";
import { profileFor } from "../../src/profiles/index.js";
import { buildContext } from "../../src/render/context.js";

/** A valid policy; `groups` and the rest are spliced in. Line 4 is `  groups: ...`. */
function policy(groups: string, extra: { except?: string; addon?: string; rest?: string } = {}): string {
  return `schema: 1
addon: {name: acme_2fa_policy, title: T, summary: S, author: A${extra.addon ?? ""}}
enforce:
  groups: ${groups}
  except_groups: ${extra.except ?? "[]"}
${extra.rest ?? ""}`;
}

const parse = (text: string, options?: LoadOptions) => parsePolicyText(text, "p.yaml", options);
const issuesOf = (result: LoadResult): PolicyIssue[] => (result.ok ? result.warnings : result.issues);
const where = (result: LoadResult) => issuesOf(result).map((i) => `${i.severity} ${i.line}:${i.col} ${i.path}: ${i.message}`);

function only(result: LoadResult): PolicyIssue {
  const issues = issuesOf(result);
  expect(issues, JSON.stringify(issues, null, 2)).toHaveLength(1);
  return issues[0]!;
}

describe("groups checked against Odoo's", () => {
  it("an unknown group is a located error with a did-you-mean, in every series", () => {
    const result = parse(policy("[base.group_user, base.group_usr]"));
    expect(result.ok).toBe(false);
    const issue = only(result);
    expect(issue).toMatchObject({
      severity: "error",
      line: 4,
      col: 29,
      path: "enforce.groups[1]",
      message: 'group "base.group_usr" does not exist in Odoo 16.0, 17.0, 18.0 and 19.0',
      hint: 'did you mean "base.group_user"?',
    });
    expect(issue.expected).toBe("an existing group, e.g. base.group_user (User types / Internal User)");
  });

  it("a module that does not exist is an error naming the nearest module", () => {
    const issue = only(parse(policy("[acount.group_account_manager]"), { series: ["17.0"] }));
    expect(issue).toMatchObject({ severity: "error", line: 4, col: 12, path: "enforce.groups[0]" });
    expect(issue.message).toBe(
      'module "acount" of "acount.group_account_manager" does not exist in Odoo 17.0; the nearest module is "account"',
    );
    expect(issue.expected).toBe("a group of an existing module, e.g. account.group_account_manager");
    expect(issue.hint).toContain('did you mean "account"?');
    expect(issue.hint).toContain("addon.depends");
  });

  it("a module far from every real one is still an error, pointing at addon.depends", () => {
    const issue = only(parse(policy("[zzqqxx_warehouse.group_scanner]")));
    expect(issue.message).toBe('module "zzqqxx_warehouse" of "zzqqxx_warehouse.group_scanner" does not exist in Odoo 16.0, 17.0, 18.0 and 19.0');
    expect(issue.hint).toBe("a group of your own (or an Enterprise) module: list the module in addon.depends");
  });

  it("checks except_groups the same way", () => {
    expect(where(parse(policy("[base.group_user]", { except: "[base.group_sytem]" })))).toEqual([
      'error 5:19 enforce.except_groups[0]: group "base.group_sytem" does not exist in Odoo 16.0, 17.0, 18.0 and 19.0',
    ]);
    expect(only(parse(policy("[base.group_user]", { except: "[base.group_sytem]" }))).hint).toBe('did you mean "base.group_system"?');
  });

  it("accepts a known group of a module outside the addon's base dependencies", () => {
    const result = parse(policy("[hr.group_hr_manager, account.group_account_manager]"));
    expect(result.ok, JSON.stringify(issuesOf(result))).toBe(true);
    expect(issuesOf(result)).toEqual([]);
  });

  it("checks only the series asked for, and says in which series a group exists", () => {
    // base.group_private_addresses is a group of 16.0 only.
    const text = policy("[base.group_private_addresses]");
    expect(parse(text, { series: ["16.0"] }).ok).toBe(true);
    const issue = only(parse(text, { series: ["16.0", "19.0"] }));
    expect(issue.message).toBe(
      'group "base.group_private_addresses" does not exist in Odoo 19.0 (it does in 16.0: generate only for those with --odoo)',
    );
    expect(only(parse(text)).message).toMatch(/does not exist in Odoo 17\.0, 18\.0 and 19\.0 \(it does in 16\.0:/);
  });

  it("leaves ids of the wrong form to the schema: one error, not two", () => {
    expect(where(parse(policy("[group_user]")))).toEqual(['error 4:12 enforce.groups[0]: "group_user" is not an xml id']);
  });
});

describe("addon.depends: the user's own modules", () => {
  it("allows their groups (form only) and puts them into the model", () => {
    const result = parse(policy("[acme_warehouse.group_scanner, base.group_user]", { addon: ", depends: [acme_warehouse]" }));
    expect(result.ok, JSON.stringify(issuesOf(result))).toBe(true);
    if (!result.ok) return;
    expect(result.warnings).toEqual([]);
    expect(result.policy.addon.depends).toEqual(["acme_warehouse"]);
  });

  it("is absent from the model when empty, so a policy without it keeps its digest", () => {
    const result = parse(policy("[base.group_user]", { addon: ", depends: []" }));
    expect(result.ok && Object.hasOwn(result.policy.addon, "depends")).toBe(false);
  });

  it("adds the modules to the manifest's depends, next to the groups' modules", () => {
    const result = parse(policy("[acme_warehouse.group_scanner, hr.group_hr_user]", { addon: ", depends: [acme_warehouse]" }));
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    for (const series of SERIES) {
      const { depends } = buildContext(result.policy, series);
      expect(depends).toEqual([...new Set([...profileFor(series).addonDepends, "acme_warehouse", "hr"])].sort());
    }
  });

  it("still checks groups of Odoo's modules listed there", () => {
    const issue = only(parse(policy("[hr.group_hr_managr]", { addon: ", depends: [hr]" })));
    expect(issue.message).toMatch(/^group "hr.group_hr_managr" does not exist/);
    expect(issue.hint).toBe('did you mean "hr.group_hr_manager"?');
  });

  it("rejects a bad module name, a duplicate and the addon itself", () => {
    expect(where(parse(policy("[base.group_user]", { addon: ", depends: [Acme-WH, acme_wh, acme_wh, acme_2fa_policy]" })))).toEqual([
      'error 2:75 addon.depends[0]: "Acme-WH" is not a technical module name',
      'error 2:93 addon.depends[2]: module "acme_wh" is listed twice (first at addon.depends[1])',
      'error 2:102 addon.depends[3]: "acme_2fa_policy" is the addon itself: an addon cannot depend on itself',
    ]);
  });

  it("warns when an entry is one letter away from an Odoo module", () => {
    const issue = only(parse(policy("[acount.group_x]", { addon: ", depends: [acount]" })));
    expect(issue).toMatchObject({ severity: "warning", path: "addon.depends[0]" });
    expect(issue.message).toBe('"acount" is not an Odoo Community module of 16.0, 17.0, 18.0 and 19.0; "account" is');
  });
});

describe("the catalog as the rest of the tool uses it", () => {
  it("knows every community module: an addon may not take the name of one", () => {
    for (const name of ["base", "account", "hr", "auth_totp", "website_sale"]) expect(COMMUNITY_MODULES.has(name), name).toBe(true);
    const issue = only(parse(policy("[base.group_user]").replace("acme_2fa_policy", "hr")));
    expect(issue.message).toBe('"hr" is the name of an Odoo core module');
  });

  it("gives display names per series", () => {
    expect(groupName("16.0", "base.group_user")).toBe("User types / Internal User");
    expect(groupName("19.0", "base.group_user")).toBe("Role / User");
    expect(groupName("17.0", "acme.group_x")).toBeUndefined();
    expect(groupName("17.0", "constructor")).toBeUndefined();
  });

  it("follows implied groups transitively", () => {
    const catalog = odooCatalog("17.0");
    const implied = impliedGroups(catalog, "account.group_account_manager");
    expect(implied).toContain("account.group_account_invoice");
    expect(implied).toContain("base.group_user");
    expect(implied.has("account.group_account_manager")).toBe(false);
  });

  it("says what a dependency installs beyond the series' own", () => {
    const [hr] = addedDependencies("17.0", profileFor("17.0").addonDepends, new Map([["hr", ["hr.group_hr_manager"]]]));
    expect(hr).toMatchObject({ module: "hr", title: "Employees", application: true, community: true, apps: ["Employees"] });
    expect(hr!.installs).toContain("hr");
    expect(hr!.installs).not.toContain("mail"); // auth_totp_mail_enforce already needs it
    const [mail] = addedDependencies("17.0", profileFor("17.0").addonDepends, new Map([["mail", ["mail.group_mail_template_editor"]]]));
    expect(mail).toMatchObject({ module: "mail", installs: [], apps: [] });
    const [own] = addedDependencies("17.0", profileFor("17.0").addonDepends, new Map([["acme_wh", ["addon.depends"]]]));
    expect(own).toMatchObject({ module: "acme_wh", community: false, needsOtherModules: true });
  });

  it("exposes display names to the templates, the xml id beside each", () => {
    const result = parse(policy("[base.group_user, acme_wh.group_x]", { addon: ", depends: [acme_wh]", except: "[base.group_system]" }));
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    expect(buildContext(result.policy, "17.0").groupLabels).toEqual({
      groups: ["User types / Internal User (base.group_user)", "acme_wh.group_x"],
      exceptGroups: ["Administration / Settings (base.group_system)"],
      passkeysRequiredFor: [],
    });
    expect(buildContext(result.policy, "19.0").groupLabels.groups[0]).toBe("Role / User (base.group_user)");
  });
});

describe("warnings: valid, but most likely a mistake", () => {
  const exemption = (logins: string, networks = "[10.20.0.0/16]") =>
    `exemptions:\n  - name: scanners\n    logins: ${logins}\n    networks: ${networks}\n    reason: shared\n`;

  it("an except_groups entry that every member of an enforced group has", () => {
    const result = parse(policy("[account.group_account_manager]", { except: "[account.group_account_invoice]" }));
    expect(result.ok).toBe(true);
    const issue = only(result);
    expect(issue).toMatchObject({ severity: "warning", line: 5, col: 19, path: "enforce.except_groups[0]" });
    expect(issue.message).toMatch(
      /^every member of the enforced group "account.group_account_manager" \(enforce.groups\[0\]\) is in "account.group_account_invoice" too: ".+" implies ".+", so nobody in it is enforced$/,
    );
    // Through several steps: the internal user group is implied by every internal role.
    expect(only(parse(policy("[hr.group_hr_manager]", { except: "[base.group_user]" }))).path).toBe("enforce.except_groups[0]");
  });

  it("the same group enforced and excepted stays an error, reported once", () => {
    expect(where(parse(policy("[base.group_system]", { except: "[base.group_system]" })))).toEqual([
      'error 5:19 enforce.except_groups[0]: group "base.group_system" is both enforced (enforce.groups[0]) and excepted',
    ]);
  });

  it("an excepted group that only some members have is fine", () => {
    expect(issuesOf(parse(policy("[base.group_user]", { except: "[base.group_system]" })))).toEqual([]);
  });

  it("base.group_portal or base.group_public in enforce.groups: use portal.enforce", () => {
    const result = parse(policy("[base.group_user, base.group_portal, base.group_public]"));
    expect(result.ok).toBe(true);
    expect(issuesOf(result).map((i) => [i.severity, i.path, i.hint])).toEqual([
      ["warning", "enforce.groups[1]", 'remove "base.group_portal" and use portal.enforce'],
      ["warning", "enforce.groups[2]", 'remove "base.group_public" and use portal.enforce'],
    ]);
    expect(issuesOf(result)[0]!.message).toContain("portal.enforce: true");
  });

  it("an exemption for admin, admin@..., or the superuser __system__", () => {
    const result = parse(policy("[base.group_user]", { rest: exemption("[scanner-01, admin, Admin@acme.example, __system__]") }));
    expect(result.ok).toBe(true);
    expect(issuesOf(result).map((i) => `${i.line}:${i.col} ${i.path}`)).toEqual([
      "8:26 exemptions[0].logins[1]",
      "8:33 exemptions[0].logins[2]",
      "8:53 exemptions[0].logins[3]",
    ]);
    expect(issuesOf(result)[0]!.message).toBe(
      'login "admin" is an administrator\'s (Odoo\'s default administrator): exempting it lets the most powerful account sign in without a second factor',
    );
    expect(issuesOf(result)[2]!.message).toContain("superuser");
    expect(issuesOf(parse(policy("[base.group_user]", { rest: exemption("[admins-scanner, sysadmin]") })))).toEqual([]);
  });

  it("0.0.0.0/0 or ::/0 in an exemption's networks, and in api.networks", () => {
    const result = parse(
      policy("[base.group_user]", { rest: `${exemption('[scanner-01]', '[0.0.0.0/0, "::/0"]')}api:\n  networks: [0.0.0.0/0]\n` }),
    );
    expect(result.ok).toBe(true);
    expect(issuesOf(result).map((i) => `${i.severity} ${i.path}: ${i.message}`)).toEqual([
      'warning exemptions[0].networks[0]: "0.0.0.0/0" admits every IPv4 address: exemption "scanners" is not limited for IPv4',
      'warning exemptions[0].networks[1]: "::/0" admits every IPv6 address: exemption "scanners" is not limited for IPv6',
      'warning api.networks[0]: "0.0.0.0/0" admits every IPv4 address: RPC access is not limited for IPv4',
    ]);
  });

  it("password_rpc: allow with api_keys: deny", () => {
    const issue = only(parse(policy("[base.group_user]", { rest: "api:\n  password_rpc: allow\n  api_keys: deny\n" })));
    expect(issue).toMatchObject({ severity: "warning", line: 7, col: 17, path: "api.password_rpc" });
    expect(issue.expected).toBe("password_rpc: deny with api_keys: allow (integrations use API keys)");
    expect(issuesOf(parse(policy("[base.group_user]", { rest: "api:\n  password_rpc: allow\n" })))).toEqual([]);
    expect(issuesOf(parse(policy("[base.group_user]", { rest: "api:\n  api_keys: deny\n" })))).toEqual([]);
  });

  it("strict: every warning is an error, and the policy is not valid", () => {
    const text = policy("[base.group_user, base.group_portal]", { rest: "api:\n  password_rpc: allow\n  api_keys: deny\n" });
    const lenient = parse(text);
    expect(lenient.ok).toBe(true);
    const strict = parse(text, { strict: true });
    expect(strict.ok).toBe(false);
    expect(issuesOf(strict).map((i) => [i.severity, i.path])).toEqual([
      ["error", "enforce.groups[1]"],
      ["error", "api.password_rpc"],
    ]);
    expect(issuesOf(strict).map((i) => i.message)).toEqual(issuesOf(lenient).map((i) => i.message));
  });
});

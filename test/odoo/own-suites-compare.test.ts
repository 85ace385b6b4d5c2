/**
 * How the own-suites tier (own-suites.test.ts) tells that a test ended otherwise with the addon
 * than on the bare tree. Pure: runs in `npm test` in milliseconds, trees or not.
 */
import { describe, expect, it } from "vitest";
import { confirmedDifferences, differingTests, ending, parseExpected, parseSuiteLog, testTag } from "../support/own-suites.js";

const TOUR = "odoo.addons.auth_totp.tests.test_totp:TestTOTP.test_totp";
const step = (name: string, port: number) =>
  `FAIL: TestTOTP.test_totp\n  File "/odoo/tests/common.py", line 1837, in browser_js\nAssertionError: The test code failed on port ${port}\n\nTour totp_tour_setup failed at step ${name}`;

describe("own-suites: a test's ending", () => {
  it("a test that fails on both runs, but at another step, differs", () => {
    // The bare run timed out at a later step on a loaded machine; the addon sent the tour away.
    const bare = { results: { [TOUR]: "fail" as const }, failures: { [TOUR]: step("expect totp screen", 41000) } };
    const addon = { results: { [TOUR]: "fail" as const }, failures: { [TOUR]: step("Open user account menu", 42000) } };
    expect(differingTests(bare, addon)).toEqual([TOUR]);
  });

  it("the same failure on both runs is alike, whatever ports or timings it names", () => {
    const bare = { results: { [TOUR]: "fail" as const }, failures: { [TOUR]: step("Open user account menu", 41000) } };
    const addon = { results: { [TOUR]: "fail" as const }, failures: { [TOUR]: step("Open user account menu", 42000) } };
    expect(ending(bare, TOUR)).toBe("fail (Tour totp_tour_setup failed at step Open user account menu)");
    expect(differingTests(bare, addon)).toEqual([]);
  });

  it("18.0+: two tours timing out at other steps differ, though both end with the same TIMEOUT line", () => {
    // web_tour's failure on 18.0 and 19.0: the step, then what went wrong (the same for any step).
    const timeout = (at: number, name: string, port: number) =>
      `FAIL: TestTOTP.test_totp_administration\n    self.fail('%s\\n\\n%s' % (message, error))\nAssertionError: The test code "odoo.startTour('totp_admin_disables', {})" failed on port ${port}\n\nFAILED: [${at}/15] Tour totp_admin_disables → Step ${name} (trigger: ${name}).\nElement (${name}) has not been found.\nTIMEOUT step failed to complete within 10000 ms.`;
    const id = "odoo.addons.auth_totp.tests.test_totp:TestTOTP.test_totp_administration";
    const bare = { results: { [id]: "fail" as const }, failures: { [id]: timeout(14, "go to Account security Tab", 41000) } };
    const addon = { results: { [id]: "fail" as const }, failures: { [id]: timeout(5, "Find test_user User", 42000) } };
    const again = { results: { [id]: "fail" as const }, failures: { [id]: timeout(14, "go to Account security Tab", 43000) } };
    expect(ending(bare, id)).toBe("fail (FAILED: [N/N] Tour totp_admin_disables → Step go to Account security Tab (trigger: go to Account security Tab).)");
    expect(differingTests(bare, addon)).toEqual([id]);
    expect(differingTests(bare, again)).toEqual([]);
  });

  it("run again: a test still differs only if none of the addon's endings is one the bare tree had", () => {
    const id = TOUR;
    const passed = { results: { [id]: "pass" as const }, failures: {} };
    const failed = (name: string) => ({ results: { [id]: "fail" as const }, failures: { [id]: step(name, 41000) } });
    // 18.0's totp_admin_disables on a loaded machine: the bare tree passed, the addon's run lost
    // the click; run again, the bare tree lost it and the addon's passed.
    expect(confirmedDifferences([id], [passed, failed("go to Account security Tab")], [failed("go to Account security Tab"), passed])).toEqual([]);
    expect(confirmedDifferences([id], [passed, passed], [failed("go to Account security Tab"), passed])).toEqual([]);
    // The addon breaks it every time: counted, even when the bare tree fails elsewhere once.
    expect(confirmedDifferences([id], [passed, passed], [failed("Open user account menu"), failed("Open user account menu")])).toEqual([id]);
    expect(confirmedDifferences([id], [passed, failed("go to Account security Tab")], [failed("Open user account menu"), failed("Open user account menu")])).toEqual([id]);
    // 19.0's passkeys_tour_registration on a loaded machine: the addon's run timed out at one
    // step; run again, the bare tree timed out at another and the addon's passed.
    expect(confirmedDifferences([id], [passed, failed("Ensure there is one passkey")], [failed("Ready to create Passkey"), passed])).toEqual([]);
    // The bare tree once failed as the addon did (the addon then failing elsewhere): flaky here.
    expect(confirmedDifferences([id], [passed, failed("Open user account menu")], [failed("Open user account menu"), failed("check 2FA button")])).toEqual([]);
  });

  it("a test run only once, or passing once and failing once, differs", () => {
    const other = "odoo.addons.portal.tests.test_login:TestWebLoginPortal.test_web_login_external";
    const bare = { results: { [TOUR]: "pass" as const, [other]: "pass" as const }, failures: {} };
    const addon = { results: { [TOUR]: "error" as const }, failures: { [TOUR]: "ERROR: TestTOTP.test_totp\nValueError: Compute method failed" } };
    expect(differingTests(bare, addon)).toEqual([TOUR, other]);
    expect(ending(addon, other)).toBe("not run");
  });

  it("a test counts as changed by the addon only if no run with the addon ended as a bare run did", () => {
    const pass = { results: { [TOUR]: "pass" as const }, failures: {} };
    const race = { results: { [TOUR]: "error" as const }, failures: { [TOUR]: "ERROR: TestTOTP.test_totp\npsycopg2.errors.InFailedSqlTransaction: current transaction is aborted" } };
    const denied = { results: { [TOUR]: "error" as const }, failures: { [TOUR]: "ERROR: TestTOTP.test_totp\nodoo.exceptions.AccessDenied: Access Denied" } };
    // The addon refuses the login both times; the bare tree passes, or fails otherwise: changed.
    expect(confirmedDifferences([TOUR], [pass, pass], [denied, denied])).toEqual([TOUR]);
    expect(confirmedDifferences([TOUR], [pass, race], [denied, denied])).toEqual([TOUR]);
    // 16.0: the bare tree's own race hit the rerun, the addon's first run: flaky, not changed.
    expect(confirmedDifferences([TOUR], [pass, race], [race, pass])).toEqual([]);
    expect(confirmedDifferences([TOUR], [race, race], [pass, race])).toEqual([]);
  });

  it("reads outcomes and failures from Odoo's log, and names a test by its tag", () => {
    const log = [
      "2026-12-01 22:51:12,956 6331 INFO db odoo.addons.auth_totp.tests.test_totp: Starting TestTOTP.test_totp ... ",
      "2026-12-01 22:51:35,094 6331 ERROR db odoo.addons.auth_totp.tests.test_totp: FAIL: TestTOTP.test_totp",
      "Traceback (most recent call last):",
      "AssertionError: Tour totp_tour_setup failed at step Open user account menu (trigger: .o_user_menu .dropdown-toggle)",
      "2026-12-01 22:56:16,589 6331 ERROR db odoo.tests.result: 1 failed, 0 error(s) of 1 tests when loading database 'db' ",
    ].join("\n");
    const run = parseSuiteLog(log);
    expect(run.results).toEqual({ [TOUR]: "fail" });
    expect(ending(run, TOUR)).toBe("fail (AssertionError: Tour totp_tour_setup failed at step Open user account menu (trigger: .o_user_menu .dropdown-toggle))");
    expect(testTag(TOUR)).toBe("/auth_totp:TestTOTP.test_totp");
  });

  it("a subtest's failure counts against its test (19.0's query-count tests fail as subtests)", () => {
    const id = "odoo.addons.base.tests.test_res_users:TestUsers2.test_write_group_ids_performance";
    const log = [
      "2026-12-02 02:56:52,393 8594 INFO db odoo.addons.base.tests.test_res_users: Starting TestUsers2.test_write_group_ids_performance ... ",
      "2026-12-02 02:56:52,871 8594 ERROR db odoo.addons.base.tests.test_res_users: FAIL: Subtest TestUsers2.test_write_group_ids_performance (<subtest>)",
      "Traceback (most recent call last):",
      "AssertionError: Query count more than expected for user __system__: 38 > 24 in test_write_group_ids_performance at base/tests/test_res_users.py:528",
    ].join("\n");
    const run = parseSuiteLog(log);
    expect(run.results).toEqual({ [id]: "fail" });
    expect(testTag(Object.keys(run.results)[0]!)).toBe("/base:TestUsers2.test_write_group_ids_performance");
  });

  it("the expected-failure list parses, each entry with why", () => {
    expect(parseExpected("# comment\n17.0,18.0 a.b:C.d -- because\n* e.f:G.h -- always\n")).toEqual([
      { series: ["17.0", "18.0"], test: "a.b:C.d", why: "because" },
      { series: ["16.0", "17.0", "18.0", "19.0"], test: "e.f:G.h", why: "always" },
    ]);
    expect(() => parseExpected("17.0 a.b:C.d no reason\n")).toThrow(/own-suites.expected.txt:1/);
  });
});

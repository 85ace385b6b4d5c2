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

  it("the expected-failure list parses, each entry with why", () => {
    expect(parseExpected("# comment\n17.0,18.0 a.b:C.d -- because\n* any e.f:G.h -- always\n")).toEqual([
      { series: ["17.0", "18.0"], test: "a.b:C.d", why: "because", anyPolicy: false },
      { series: ["16.0", "17.0", "18.0", "19.0"], test: "e.f:G.h", why: "always", anyPolicy: true },
    ]);
    expect(() => parseExpected("17.0 a.b:C.d no reason\n")).toThrow(/own-suites.expected.txt:1/);
  });
});

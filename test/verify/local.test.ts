/**
 * `verify`'s local backend against a real Odoo, on every series whose source tree is present:
 * a passing fixture addon exits 0; one with a failing assertion exits 1 and names the test and
 * its message; a broken view fails the install naming the file; a logged warning fails the run.
 * Series without a tree are skipped LOUDLY (what is missing, how to provide it).
 */
import path from "node:path";
import { describe, expect, it } from "vitest";
import { formatReport, verifyAddon } from "../../src/verify/index.js";
import { missingTree, tierSeries } from "../support/real-odoo.js";

const FIXTURES = path.join(import.meta.dirname, "fixtures");
const seriesList = tierSeries();
const TIMEOUT = 30 * 60_000;


const present = seriesList.filter((series) => !missingTree(series));

for (const series of seriesList) {
  const missing = missingTree(series);
  if (missing) {
    console.warn(`\n!!!!!!!! verify integration ${series}: SKIPPED (not run, not passed): ${missing}\n`);
    describe(`verify, local backend, Odoo ${series}`, () => {
      it.skip(`SKIPPED: no Odoo ${series} source tree (see the warning above for how to provide one)`, () => {});
    });
    continue;
  }

  describe(`verify, local backend, Odoo ${series}`, () => {
    it("a passing addon: exit 0, its test ran", { timeout: TIMEOUT }, async () => {
      const report = await verifyAddon({ addonDir: path.join(FIXTURES, "verify_ok"), series });
      expect(report.ok, formatReport(report)).toBe(true);
      expect(report.exitCode).toBe(0);
      expect(report.install.ok).toBe(true);
      expect(report.tests).toMatchObject({ total: 1, failed: 0, errors: 0, passed: 1, reported: true });
      expect(report.warnings).toEqual([]);
      expect(report.steps.map((s) => s.step)).toEqual(["postgres", "dependencies", "database", "addon", "tests", "cleanup"]);
    });

    it("a failing assertion: exit 1, names the test and its message", { timeout: TIMEOUT }, async () => {
      const report = await verifyAddon({ addonDir: path.join(FIXTURES, "verify_fail"), series });
      expect(report.exitCode, formatReport(report)).toBe(1);
      expect(report.install.ok).toBe(true);
      expect(report.tests).toMatchObject({ total: 2, failed: 1, errors: 0 });
      expect(report.tests.failures).toHaveLength(1);
      const [failure] = report.tests.failures;
      expect(failure).toMatchObject({ kind: "FAIL", test: "TestLoginPage.test_login_page_has_no_password", location: { file: "tests/test_login_page.py", line: 12 } });
      expect(failure!.message).toMatch(/^AssertionError: 'password' unexpectedly found in/);
      expect(failure!.message).toContain("verify fixture: deliberate failure");
      const text = formatReport(report);
      expect(text).toContain("FAIL TestLoginPage.test_login_page_has_no_password (tests/test_login_page.py:12)");
      expect(text).toContain("verify fixture: deliberate failure");
    });
  });
}

// One series is enough for the install-error and warning paths (the log format is the same on all four).
const one = present.includes("17.0") ? "17.0" : present[0];
describe.runIf(one !== undefined)(`verify, local backend, failures that are not tests (Odoo ${one})`, () => {
  it("a view naming a missing field: install fails, naming the file and Odoo's error", { timeout: TIMEOUT }, async () => {
    const report = await verifyAddon({ addonDir: path.join(FIXTURES, "verify_broken"), series: one! });
    expect(report.exitCode, formatReport(report)).toBe(1);
    expect(report.install.ok).toBe(false);
    expect(report.install.error?.file).toBe("views/res_users_views.xml");
    expect(report.install.error?.message).toContain("verify_no_such_field");
    expect(formatReport(report)).toContain("install error in views/res_users_views.xml");
  });

  it("a warning logged by the addon fails the run although its test passes", { timeout: TIMEOUT }, async () => {
    const report = await verifyAddon({ addonDir: path.join(FIXTURES, "verify_warn"), series: one! });
    expect(report.exitCode, formatReport(report)).toBe(1);
    expect(report.tests).toMatchObject({ total: 1, failed: 0, errors: 0 });
    expect(report.warnings).toHaveLength(1);
    expect(report.warnings[0]).toMatchObject({ level: "WARNING", logger: "odoo.addons.verify_warn.tests.test_warning", aboutAddon: true });
    expect(report.problems).toContain("log: 1 warning(s) logged");
  });
});

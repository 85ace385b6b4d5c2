/**
 * The Odoo log reader, on real logs captured from verify runs of the fixture addons
 * (test/verify/fixtures/logs/<series>-<case>.log), plus small hand-made excerpts for the
 * cases that are hard to provoke.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { analyzeLog, exceptionMessage, parseLogRecords } from "../../src/verify/index.js";
import { essentials } from "../../src/verify/log.js";

const LOGS = path.join(import.meta.dirname, "fixtures", "logs");
const read = (name: string) => readFileSync(path.join(LOGS, name), "utf8");

/** The folder the addon was linked into for that run, as the log names it. */
function linkedPath(log: string, addon: string): string {
  const match = new RegExp(`/tmp/odoo-2fa-verify-[^/]+/addons/${addon}`).exec(log);
  if (!match) throw new Error(`no linked path for ${addon}`);
  return match[0];
}

describe("parseLogRecords", () => {
  it("splits headers, keeps tracebacks with their record, and keeps stderr noise apart", () => {
    const records = parseLogRecords(read("17.0-fail.log"));
    expect(records[0]).toMatchObject({ level: "RAW", message: "Running as user 'root' is a security risk." });
    const fail = records.find((r) => r.message.startsWith("FAIL: "))!;
    expect(fail).toMatchObject({ level: "ERROR", db: "verify_verify_fail", logger: "odoo.addons.verify_fail.tests.test_login_page" });
    expect(fail.details[0]).toBe("Traceback (most recent call last):");
    expect(fail.details.at(-1)).toMatch(/^AssertionError: /);
    expect(records.some((r) => r.level === "RAW" && r.message.startsWith("Warn: Can't find .pfb"))).toBe(true);
  });
});

for (const series of ["16.0", "17.0", "18.0", "19.0"]) {
  describe(`a failing test (${series} log)`, () => {
    const log = read(`${series}-fail.log`);
    const analysis = analyzeLog(log, { addon: "verify_fail", addonPaths: [linkedPath(log, "verify_fail")], series, lacksDependencies: (m) => TREE_ONLY.has(m) });

    it("reads the result line", () => {
      expect(analysis.result).toMatchObject({ failed: 1, errors: 0, total: 2, level: "ERROR" });
    });

    it("names the failing test, its assertion message (head and tail) and where it failed", () => {
      expect(analysis.failures).toHaveLength(1);
      const [failure] = analysis.failures;
      expect(failure).toMatchObject({ kind: "FAIL", test: "TestLoginPage.test_login_page_has_no_password", location: { file: "tests/test_login_page.py", line: 12 } });
      expect(failure!.message).toMatch(/^AssertionError: 'password' unexpectedly found in '<!DOCTYPE html>/);
      expect(failure!.message).toMatch(/ : verify fixture: deliberate failure$/);
      expect(failure!.message.length).toBeLessThanOrEqual(1500);
    });

    it("installed, and a failed test is not counted again as a log error", () => {
      expect(analysis.installed).toBe(true);
      expect(analysis.installError).toBeUndefined();
      expect(analysis.issues).toEqual([]);
    });
  });
}

/** Modules of the 18.0/19.0 trees whose dependencies are proprietary, named by those trees' logs. */
const TREE_ONLY = new Set(["account_online_payment", "l10n_ee_rounding", "spreadsheet_dashboard_marketing_automation", "ai_fields", "ai_server_actions", "web_studio_ai_fields"]);

describe("modules of the tree whose dependencies the tree lacks (18.0 log)", () => {
  const log = read("18.0-ok.log");

  it("Odoo's 'inconsistent states' ERROR about them is ignored, with the reason", () => {
    const analysis = analyzeLog(log, { addon: "verify_ok", series: "18.0", lacksDependencies: (m) => TREE_ONLY.has(m) });
    expect(analysis).toMatchObject({ installed: true, issues: [], result: { failed: 0, errors: 0, total: 1 } });
    expect(analysis.ignored).toEqual([expect.objectContaining({ level: "ERROR", logger: "odoo.modules.loading", reason: expect.stringContaining("dependencies the tree lacks") })]);
  });

  it("without that knowledge (or when the addon is among them) it is an install error", () => {
    expect(analyzeLog(log, { addon: "verify_ok", series: "18.0" }).installError?.message).toMatch(/^Some modules have inconsistent states/);
    expect(analyzeLog(log, { addon: "verify_ok", series: "18.0", lacksDependencies: (m) => m !== "l10n_ee_rounding" && TREE_ONLY.has(m) }).installed).toBe(false);
  });
});

describe("a clean run (16.0 log)", () => {
  it("installed, 1 of 1 passed, nothing to report", () => {
    const analysis = analyzeLog(read("16.0-ok.log"), { addon: "verify_ok", series: "16.0" });
    expect(analysis).toMatchObject({ installed: true, failures: [], issues: [], result: { failed: 0, errors: 0, total: 1, level: "INFO" } });
  });
});

describe("a view naming a missing field (17.0 log)", () => {
  const log = read("17.0-broken-view.log");
  const analysis = analyzeLog(log, { addon: "verify_broken", addonPaths: [linkedPath(log, "verify_broken")], series: "17.0" });

  it("fails the install, names the file and Odoo's error", () => {
    expect(analysis.installed).toBe(false);
    expect(analysis.installError).toMatchObject({ file: "views/res_users_views.xml", fileLine: 3, logger: "odoo.modules.registry" });
    expect(analysis.installError!.message).toContain("odoo.tools.convert.ParseError: while parsing");
    expect(analysis.installError!.message).toContain('Field "verify_no_such_field" does not exist in model "res.users"');
    expect(analysis.installError!.message).not.toContain("<form");
  });

  it("does not report the follow-up lines of the same failure again", () => {
    expect(analysis.issues).toEqual([]);
    expect(analysis.ignored.map((i) => i.message)).toContain("Transient module states were reset");
    expect(analysis.result).toBeUndefined();
  });
});

describe("a warning logged by the addon (17.0 log)", () => {
  it("is an issue although every test passed", () => {
    const analysis = analyzeLog(read("17.0-warning.log"), { addon: "verify_warn", series: "17.0" });
    expect(analysis.result).toMatchObject({ failed: 0, errors: 0, total: 1 });
    expect(analysis.issues).toEqual([
      expect.objectContaining({ level: "WARNING", logger: "odoo.addons.verify_warn.tests.test_warning", message: "verify fixture: a warning the run must not ignore", aboutAddon: true }),
    ]);
  });
});

const line = (level: string, logger: string, message: string, db = "db1") => `2026-11-27 19:34:03,215 4823 ${level} ${db} ${logger}: ${message} `;

describe("hand-made excerpts", () => {
  it("an ERROR (not FAIL) test, with a chained traceback: the last exception is the message", () => {
    const log = [
      line("INFO", "odoo.modules.loading", "loading 1 modules..."),
      line("INFO", "odoo.modules.loading", "Module acme loaded in 0.05s, 12 queries (+12 other)"),
      line("INFO", "odoo.addons.acme.tests.test_x", "Starting TestX.test_boom ..."),
      line("ERROR", "odoo.addons.acme.tests.test_x", "ERROR: TestX.test_boom"),
      "Traceback (most recent call last):",
      '  File "/src/acme/tests/test_x.py", line 9, in test_boom',
      "    {}['x']",
      "KeyError: 'x'",
      "",
      "During handling of the above exception, another exception occurred:",
      "",
      "Traceback (most recent call last):",
      '  File "/src/acme/tests/test_x.py", line 11, in test_boom',
      "    raise ValueError('wrapped')",
      "ValueError: wrapped",
      line("ERROR", "odoo.tests.result", "0 failed, 1 error(s) of 3 tests when loading database 'db1'"),
    ].join("\n");
    const analysis = analyzeLog(log, { addon: "acme", addonPaths: ["/src/acme"] });
    expect(analysis.result).toMatchObject({ failed: 0, errors: 1, total: 3 });
    expect(analysis.failures).toEqual([expect.objectContaining({ kind: "ERROR", test: "TestX.test_boom", message: "ValueError: wrapped", location: { file: "tests/test_x.py", line: 11 } })]);
    expect(analysis.installed).toBe(true);
  });

  it("a multi-line assertion message (assertEqual diff) is kept whole", () => {
    expect(exceptionMessage(["Traceback (most recent call last):", '  File "t.py", line 1, in t', "AssertionError: Lists differ: [1] != [2]", "", "First differing element 0:", "1", "2"])).toBe(
      "AssertionError: Lists differ: [1] != [2]\n\nFirst differing element 0:\n1\n2",
    );
  });

  it("known harmless lines are ignored with a reason; unknown warnings after loading starts are issues", () => {
    const log = [
      "Running as user 'root' is a security risk.",
      line("WARNING", "odoo.addons.base.models.ir_asset", "IrAsset 'web_map/static/lib/**/*' did not resolve to any file", "?"),
      line("INFO", "odoo.modules.loading", "loading 1 modules..."),
      line("WARNING", "py.warnings", "/src/odoo/addons/x/controllers/main.py:3: DeprecationWarning: web.controllers.main is deprecated"),
      line("WARNING", "odoo.models", "res.users.x: inconsistent 'compute_sudo' for computed fields"),
      line("INFO", "odoo.modules.loading", "Module acme loaded in 0.05s, 12 queries (+12 other)"),
      line("INFO", "odoo.tests.result", "0 failed, 0 error(s) of 2 tests when loading database 'db1'"),
    ].join("\n");
    const analysis = analyzeLog(log, { addon: "acme" });
    expect(analysis.issues.map((i) => i.logger)).toEqual(["odoo.models"]);
    expect(analysis.issues[0]!.aboutAddon).toBe(false);
    expect(analysis.ignored.map((i) => i.logger)).toEqual(["odoo.addons.base.models.ir_asset", "py.warnings"]);
    expect(analysis.ignored.every((i) => i.reason.length > 0)).toBe(true);
  });

  it("19.0's deprecation notice on every XML-RPC call (also the addon tests' own) is ignored", () => {
    const log = [
      line("INFO", "odoo.modules.loading", "loading 1 modules..."),
      line("WARNING", "odoo.addons.rpc.controllers.xmlrpc", "The /xmlrpc, /xmlrpc/2 and /jsonrpc endpoints are deprecated in Odoo 19 and scheduled for removal in Odoo 22. Please report the problem to the client making the request."),
      "Mute this logger: --log-handler odoo.addons.rpc.controllers.xmlrpc:ERROR",
    ].join("\n");
    const analysis = analyzeLog(log, { addon: "acme", series: "19.0" });
    expect(analysis.issues).toEqual([]);
    expect(analysis.ignored).toHaveLength(1);
  });

  it("a warning before the database is loaded that does not concern the addon is environment noise", () => {
    const log = [line("WARNING", "odoo.tools.config", "something about the config file", "?"), line("INFO", "odoo.modules.loading", "loading 1 modules...")].join("\n");
    const analysis = analyzeLog(log, { addon: "acme" });
    expect(analysis.issues).toEqual([]);
    expect(analysis.ignored).toHaveLength(1);
  });

  it("no result line and no 'Module loaded' line: not installed", () => {
    const analysis = analyzeLog(line("INFO", "odoo", "Odoo version 17.0"), { addon: "acme" });
    expect(analysis.installed).toBe(false);
    expect(analysis.result).toBeUndefined();
  });

  it("essentials keeps the prose of a ParseError and drops the arch and the context", () => {
    expect(essentials("odoo.tools.convert.ParseError: while parsing /a/v.xml:3\nError while validating view near:\n\n<form>\n    <field/>\n\nField \"x\" does not exist\n\nView error context:\n{'file': 1}")).toBe(
      'odoo.tools.convert.ParseError: while parsing /a/v.xml:3\nError while validating view near:\nField "x" does not exist',
    );
  });
});

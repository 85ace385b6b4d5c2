/**
 * The real-Odoo tier: every example policy × every series whose Odoo source tree is present is
 * rendered, written to a temporary folder, and proven by `verify`'s local backend (install +
 * the addon's own tests on a real Odoo and PostgreSQL). A series without a tree is skipped
 * LOUDLY, never reported as a pass; there is no mock Odoo.
 *
 * `npm run test:odoo -- --odoo 17.0` runs only this tier for one series (ODOO_2FA_TIER_SERIES).
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadPolicy } from "../../src/generate/policy-file.js";
import { renderAddon } from "../../src/render/index.js";
import { loadTemplateSet } from "../../src/generate/templates.js";
import { formatReport, verifyAddon, type VerifyReport } from "../../src/verify/index.js";
import { writeTreesAtomically } from "../../src/write/atomic.js";
import { examplePolicies } from "../support/examples.js";
import { missingTree, tierSeries } from "../support/real-odoo.js";

const seriesList = tierSeries();
const examples = examplePolicies();
const scratch = mkdtempSync(path.join(os.tmpdir(), "odoo-2fa-tier-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Why a series cannot run, or undefined when its tree is there. */

for (const series of seriesList) {
  const missing = missingTree(series);
  if (missing) {
    const line = `real-Odoo tier ${series}: SKIPPED (not run, not passed): ${missing}`;
    console.warn(`\n${"!".repeat(8)} ${line}\n`);
    describe(`real Odoo ${series}`, () => {
      it.skip(`SKIPPED: no Odoo ${series} source tree (see the warning above for how to provide one)`, () => {});
    });
    continue;
  }

  describe(`real Odoo ${series}`, () => {
    const reports: VerifyReport[] = [];
    afterAll(() => {
      const passed = reports.filter((r) => r.ok).length;
      const tests = reports.reduce((n, r) => n + r.tests.total, 0);
      const failed = reports.reduce((n, r) => n + r.tests.failed + r.tests.errors, 0);
      console.log(
        `real-Odoo tier ${series}: ran ${reports.length}/${examples.length} example(s): ${passed} verified, ` +
          `${reports.length - passed} failed; ${tests} tests, ${failed} failed or errored`,
      );
    });

    for (const example of examples) {
      it(`${example.stem} installs and its tests pass`, { timeout: 30 * 60_000 }, async () => {
        const loaded = await loadPolicy(example.file);
        if (!loaded.ok) throw new Error(`${example.file} does not load: ${JSON.stringify(loaded.issues, null, 2)}`);
        const tree = renderAddon(loaded.policy, series, await loadTemplateSet());
        const dir = path.join(scratch, example.stem, series, loaded.policy.addon.name);
        await writeTreesAtomically([{ dir, tree }]);
        const report = await verifyAddon({ addonDir: dir, series });
        reports.push(report);
        const text = formatReport(report);
        if (!report.ok) console.error(`[${example.stem}] ${text}`);
        expect(report.ok, `${example.stem} on Odoo ${series}:\n${text}`).toBe(true);
        expect(report.tests.total, `${example.stem} on Odoo ${series}: the addon's tests must run`).toBeGreaterThan(0);
      });
    }
  });
}

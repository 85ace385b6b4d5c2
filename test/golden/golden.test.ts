/**
 * The committed golden addons are exactly what the examples generate (checked the way users
 * check their own repositories: plan + drift, i.e. `odoo-2fa check`), and every file is
 * canonical: ruff format/check and prettier-xml leave it unchanged, Python compiles, XML parses.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadPolicy } from "../../src/policy/index.js";
import { SERIES } from "../../src/policy/model.js";
import { describeDrift } from "../../src/plan/drift.js";
import { driftOf, planAddons } from "../../src/plan/addons.js";
import { loadTemplateSet } from "../../src/render/index.js";
import { prettierXml, ruffCheck, ruffFormat } from "../support/canonical.js";
import { examplePolicies, goldenOutDir } from "../support/examples.js";

function filesBelow(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .map((name) => path.join(dir, name))
    .filter((file) => statSync(file).isFile())
    .sort();
}

describe.each(examplePolicies())("golden addons of $stem", ({ stem, file }) => {
  it("match what the example generates for every series (odoo-2fa check is clean)", async () => {
    const loaded = await loadPolicy(file);
    expect(loaded.ok).toBe(true);
    if (!loaded.ok) return;
    const templates = await loadTemplateSet();
    const plans = await planAddons(loaded.policy, SERIES, goldenOutDir(stem), templates);
    for (const addon of plans) {
      const drift = driftOf(addon, loaded.policy, templates);
      expect(describeDrift(drift), `${addon.dir} (run: npx tsx scripts/update-golden.ts, then read the diff)`).toEqual([]);
    }
  });

  const files = filesBelow(goldenOutDir(stem));
  const python = files.filter((f) => f.endsWith(".py"));
  const xml = files.filter((f) => f.endsWith(".xml"));

  it("has Python that ruff leaves as it is and finds clean", () => {
    expect(python.length).toBeGreaterThan(0);
    for (const f of python) {
      const source = readFileSync(f, "utf8");
      expect(ruffFormat(source), `ruff format would change ${f}`).toBe(source);
      expect(ruffCheck(source, f).map((d) => `${d.code} ${d.start_location.row}: ${d.message}`), f).toEqual([]);
    }
  });

  it("has Python that compiles and XML that parses", () => {
    const script =
      "import sys,xml.etree.ElementTree as ET\n" +
      "for f in sys.argv[1:]:\n" +
      "    (compile(open(f, encoding='utf-8').read(), f, 'exec') if f.endswith('.py') else ET.parse(f))\n";
    expect(() => execFileSync("python3", ["-c", script, ...python, ...xml], { stdio: "pipe" })).not.toThrow();
  });

  it("has XML that prettier's XML formatter leaves as it is", async () => {
    expect(xml.length).toBeGreaterThan(0);
    for (const f of xml) {
      const source = readFileSync(f, "utf8");
      expect(await prettierXml(source), `prettier would change ${f}`).toBe(source);
    }
  });
});

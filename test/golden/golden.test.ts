/**
 * The committed golden addons (test/golden/<example>/<series>/<addon>/) are, byte for byte,
 * what each example generates: every file is a vitest file snapshot of the render (lock file
 * included). `npm run golden:update` (vitest -u on this file) rewrites them, deletes the files
 * a render no longer has; read `git diff test/golden` before committing.
 *
 * The canonical-format checks run here, once per tree: ruff format/check and prettier-xml leave
 * every file unchanged, the Python compiles, the XML parses.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parsePolicyText, type Policy } from "../../src/policy/index.js";
import { SERIES } from "../../src/profiles/series.js";
import { withLock } from "../../src/plan/lock.js";
import { renderAddon, type TemplateSet, type VirtualTree } from "../../src/render/index.js";
import { loadTemplateSet } from "../../src/generate/templates.js";
import { prettierXml, ruffCheck, ruffFormat } from "../support/canonical.js";
import { examplePolicies, goldenOutDir } from "../support/examples.js";

function filesBelow(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((name) => statSync(path.join(dir, name)).isFile())
    .map((name) => name.split(path.sep).join("/"))
    .sort();
}

function examplePolicy(file: string): Policy {
  const result = parsePolicyText(readFileSync(file, "utf8"), file);
  if (!result.ok) throw new Error(`${file} is not a valid policy: ${JSON.stringify(result.issues)}`);
  return result.policy;
}

/** `vitest -u`: snapshots are being rewritten, so stale golden files go too. */
function updating(): boolean {
  return expect.getState().snapshotState.snapshotUpdateState === "all";
}

let templates: TemplateSet;
beforeAll(async () => {
  templates = await loadTemplateSet();
});

describe.each(examplePolicies())("golden addons of $stem", ({ stem, file }) => {
  const policy = examplePolicy(file);

  describe.each([...SERIES])("on %s", (series) => {
    const dir = path.join(goldenOutDir(stem), series, policy.addon.name);
    let tree: VirtualTree;
    beforeAll(() => {
      tree = withLock(policy, series, templates, renderAddon(policy, series, templates));
    });

    it("is byte for byte what the example generates (npm run golden:update rewrites it)", async () => {
      for (const [name, content] of [...tree].sort(([a], [b]) => (a < b ? -1 : 1))) {
        const target = path.join(dir, name);
        if (typeof content === "string") {
          await expect(content, name).toMatchFileSnapshot(target);
        } else if (updating()) {
          mkdirSync(path.dirname(target), { recursive: true });
          writeFileSync(target, content);
        } else {
          expect(Buffer.from(readFileSync(target)).equals(Buffer.from(content)), `${target} differs (binary)`).toBe(true);
        }
      }
      const stale = filesBelow(dir).filter((name) => !tree.has(name));
      if (updating()) for (const name of stale) rmSync(path.join(dir, name));
      else expect(stale, `files the render no longer has, in ${dir}`).toEqual([]);
    });

    it("has Python that ruff leaves as it is and finds clean", () => {
      const python = [...tree].filter(([name]) => name.endsWith(".py"));
      expect(python.length).toBeGreaterThan(0);
      for (const [name, content] of python) {
        const source = String(content);
        expect(ruffFormat(source), `ruff format would change ${name}`).toBe(source);
        expect(ruffCheck(source, name).map((d) => `${d.code} ${d.start_location.row}: ${d.message}`), name).toEqual([]);
      }
    });

    it("has XML that prettier's XML formatter leaves as it is", async () => {
      const xml = [...tree].filter(([name]) => name.endsWith(".xml"));
      expect(xml.length).toBeGreaterThan(0);
      for (const [name, content] of xml) {
        const source = String(content);
        expect(await prettierXml(source), `prettier would change ${name}`).toBe(source);
      }
    });
  });

  it("has Python that compiles and XML that parses, in every series", () => {
    const files = SERIES.flatMap((series) =>
      filesBelow(path.join(goldenOutDir(stem), series)).map((name) => path.join(goldenOutDir(stem), series, name)),
    ).filter((name) => name.endsWith(".py") || name.endsWith(".xml"));
    const script =
      "import sys,xml.etree.ElementTree as ET\n" +
      "for f in sys.argv[1:]:\n" +
      "    (compile(open(f, encoding='utf-8').read(), f, 'exec') if f.endswith('.py') else ET.parse(f))\n";
    expect(() => execFileSync("python3", ["-c", script, ...files], { stdio: "pipe" })).not.toThrow();
  });
});

import { EXIT_CODE_OF } from "../../src/cli/exit-codes.js";
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { lacksDependencies } from "../../src/verify/environment.js";
import { locateTree, manifestDepends, readAddon, readTreeSeries, VerifyError, verifyAddon } from "../../src/verify/index.js";

const FIXTURES = path.join(import.meta.dirname, "fixtures");
const scratch = mkdtempSync(path.join(os.tmpdir(), "odoo-2fa-verify-env-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function fakeTree(series: string): string {
  const root = path.join(scratch, `tree-${series}-${Math.random().toString(36).slice(2)}`);
  mkdirSync(path.join(root, "odoo", "addons"), { recursive: true });
  const [major, minor] = series.split(".");
  writeFileSync(
    path.join(root, "odoo", "release.py"),
    `RELEASE_LEVELS = [ALPHA, BETA, RELEASE_CANDIDATE, FINAL] = ['alpha', 'beta', 'candidate', 'final']\n` +
      `version_info = (${major}, ${minor}, 0, FINAL, 0, '')\n`,
  );
  return root;
}

function caught(fn: () => unknown): VerifyError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(VerifyError);
    return error as VerifyError;
  }
  throw new Error("expected a VerifyError");
}

describe("readAddon", () => {
  it("reads the name and depends of an addon folder", () => {
    const addon = readAddon(path.join(FIXTURES, "verify_ok"));
    expect(addon.name).toBe("verify_ok");
    expect(addon.depends).toEqual(["auth_totp"]);
  });

  it("rejects a folder without __manifest__.py with a one-line message (exit 2)", () => {
    const error = caught(() => readAddon(FIXTURES));
    expect(error.code).toBe("not-an-addon");
    expect(EXIT_CODE_OF[error.kind]).toBe(2);
    expect(error.message).toContain("has no __manifest__.py");
    expect(error.oneLine()).not.toContain("\n");
  });

  it("rejects a missing folder and a file", () => {
    expect(caught(() => readAddon(path.join(scratch, "nope"))).message).toContain("no such folder");
    const file = path.join(scratch, "a-file");
    writeFileSync(file, "");
    expect(caught(() => readAddon(file)).message).toContain("not a folder");
  });
});

describe("manifestDepends", () => {
  it("reads single- and double-quoted lists over several lines", () => {
    expect(manifestDepends(`{'name': 'x', 'depends': ['base',\n "auth_totp_mail_enforce", ],}`)).toEqual(["base", "auth_totp_mail_enforce"]);
    expect(manifestDepends(`{"name": "x"}`)).toEqual([]);
  });
});

describe("locateTree", () => {
  it("says where it looked and how to provide a tree when there is none", () => {
    const env = { ODOO_2FA_SOURCES: path.join(scratch, "no-sources"), HOME: scratch };
    const error = caught(() => locateTree("17.0", undefined, env));
    expect(error.code).toBe("no-source-tree");
    expect(error.message).toContain(path.join(scratch, "no-sources", "17.0"));
    expect(error.hint).toContain("--odoo-src");
    expect(error.hint).toContain("$ODOO_2FA_SOURCES/17.0");
  });

  it("names --odoo-src when that is what was given", () => {
    const error = caught(() => locateTree("18.0", path.join(scratch, "missing-tree"), {}));
    expect(error.message).toContain("--odoo-src");
  });

  it("rejects a tree of another series", () => {
    const tree = fakeTree("16.0");
    const error = caught(() => locateTree("17.0", tree, {}));
    expect(error.code).toBe("wrong-series");
    expect(error.message).toContain("holds Odoo 16.0, not 17.0");
  });

  it("rejects a folder that is not an Odoo tree", () => {
    const error = caught(() => locateTree("17.0", scratch, {}));
    expect(error.code).toBe("no-source-tree");
    expect(error.message).toContain("odoo/release.py");
  });

  it("finds a tree of the right series under $ODOO_2FA_SOURCES", () => {
    const root = path.join(scratch, "sources");
    mkdirSync(root, { recursive: true });
    const tree = fakeTree("19.0");
    rmSync(path.join(root, "19.0"), { force: true, recursive: true });
    renameSync(tree, path.join(root, "19.0"));
    const found = locateTree("19.0", undefined, { ODOO_2FA_SOURCES: root });
    expect(found.series).toBe("19.0");
    expect(found.addonsPaths).toEqual([path.join(root, "19.0", "odoo", "addons")]);
  });
});

describe("readTreeSeries", () => {
  it("reads version_info", () => {
    expect(readTreeSeries(fakeTree("18.0"))?.series).toBe("18.0");
    expect(readTreeSeries(scratch)).toBeUndefined();
  });
});

describe("verifyAddon input errors (exit 2, before anything starts)", () => {
  it("a folder that is not an addon", async () => {
    const error = (await verifyAddon({ addonDir: FIXTURES, series: "17.0" }).catch((e: unknown) => e)) as VerifyError;
    expect(error).toMatchObject({ code: "not-an-addon" });
    expect(EXIT_CODE_OF[error.kind]).toBe(2);
  });

  it("an unknown series", async () => {
    await expect(verifyAddon({ addonDir: path.join(FIXTURES, "verify_ok"), series: "15.0" })).rejects.toMatchObject({ code: "bad-series" });
  });

  it("no tree for the series", async () => {
    const env = { ...process.env, ODOO_2FA_SOURCES: path.join(scratch, "empty-sources") };
    const error = (await verifyAddon({ addonDir: path.join(FIXTURES, "verify_ok"), series: "17.0", env }).catch((e: unknown) => e)) as VerifyError;
    expect(error).toMatchObject({ code: "no-source-tree" });
    expect(EXIT_CODE_OF[error.kind]).toBe(2);
  });
});

describe("lacksDependencies", () => {
  // A tree of its own: the real trees hold proprietary modules whose dependencies may or may not
  // be there (they are never read), so no test can rest on which of them a copy has.
  it("tells modules whose dependencies are missing from installable ones, through every level", () => {
    const root = path.join(scratch, "deps-tree");
    const module = (name: string, depends: string[]) => {
      mkdirSync(path.join(root, name), { recursive: true });
      writeFileSync(path.join(root, name, "__manifest__.py"), `{"name": "${name}", "depends": ${JSON.stringify(depends)}}\n`);
    };
    module("base_like", []);
    module("installable", ["base_like"]);
    module("needs_missing", ["base_like", "not_in_this_tree"]);
    module("needs_needs_missing", ["installable", "needs_missing"]);
    const tree = { root, source: root, series: "18.0", version: "18.0", addonsPaths: [root], release: "", leftOut: [] };
    expect(lacksDependencies(tree, "installable")).toBe(false);
    expect(lacksDependencies(tree, "needs_missing")).toBe(true);
    expect(lacksDependencies(tree, "needs_needs_missing")).toBe(true);
    expect(lacksDependencies(tree, "no_such_module_anywhere")).toBe(true);
  });
});

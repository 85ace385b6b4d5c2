/**
 * The tree the local backend runs Odoo from leaves out proprietary modules (and modules depending
 * on a module the tree lacks), while the source tree stays exactly as it was. Run on a small tree
 * laid out like Odoo's, with Python resolving paths the way `odoo/tools/config.py` does.
 */
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { execa } from "execa";
import { afterAll, describe, expect, it } from "vitest";
import { communityTree, installedProprietary } from "../../src/verify/community.js";
import { locateTree } from "../../src/verify/environment.js";

const scratch = mkdtempSync(path.join(os.tmpdir(), "odoo-2fa-community-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const python = existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3";

function write(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

function module(root: string, name: string, manifest: string): void {
  write(path.join(root, name, "__manifest__.py"), manifest);
  write(path.join(root, name, "__init__.py"), "");
  write(path.join(root, name, "static", "src", "app.js"), `// ${name}\n`);
}

function fakeTree(): string {
  const root = path.join(scratch, "sources", "18.0");
  write(path.join(root, "odoo", "release.py"), "version_info = (18, 0, 0, FINAL, 0, '')\n");
  write(path.join(root, "odoo", "__init__.py"), "");
  write(path.join(root, "odoo", "addons", "__init__.py"), "");
  // What odoo/tools/config.py does for root_path: realpath of the package's folder.
  write(path.join(root, "odoo", "tools", "__init__.py"), "");
  write(path.join(root, "odoo", "tools", "config.py"), "import os\nroot_path = os.path.realpath(os.path.join(os.path.dirname(__file__), '..'))\n");
  write(path.join(root, "odoo-bin"), "#!/usr/bin/env python3\nimport odoo\nprint('ODOO=' + odoo.__file__)\n");
  write(path.join(root, ".git", "HEAD"), "0123456789abcdef0123456789abcdef01234567\n");
  const addons = path.join(root, "odoo", "addons");
  module(addons, "base", "{'name': 'Base', 'license': 'LGPL-3', 'depends': []}");
  module(addons, "web", "{'name': 'Web', 'depends': ['base']}"); // no licence key: LGPL-3, Odoo's default
  module(addons, "web_enterprise", "{'name': 'Web Enterprise', 'license': 'OEEL-1', 'depends': ['web'], 'auto_install': True}");
  module(addons, "studio_like", "{'name': 'Paid app', 'license': 'OPL-1', 'depends': ['base']}");
  module(addons, "bridge", "{'name': 'Bridge', 'license': 'LGPL-3', 'depends': ['web_enterprise'], 'auto_install': True}");
  module(addons, "orphan", "{'name': 'Orphan', 'license': 'LGPL-3', 'depends': ['missing_module']}");
  module(path.join(root, "addons"), "crm_like", "{'name': 'CRM', 'license': 'LGPL-3', 'depends': ['base']}");
  module(path.join(root, "addons"), "crm_enterprise", "{'name': 'CRM EE', 'license': 'OEEL-1', 'depends': ['crm_like']}");
  return root;
}

describe("the community tree the local backend runs Odoo from", () => {
  const root = fakeTree();
  const env = { ...process.env, ODOO_2FA_SOURCES: path.join(scratch, "sources"), ODOO_2FA_CACHE: path.join(scratch, "cache") };
  const snapshot = () => execa("find", [root, "-printf", "%p %y %s\n"]).then((r) => r.stdout.split("\n").sort().join("\n"));

  it("leaves out proprietary modules and modules depending on what the tree lacks, and nothing else", async () => {
    const before = await snapshot();
    const tree = await communityTree(locateTree("18.0", undefined, env), python, env);
    expect(tree.source).toBe(realpathSync(root));
    expect(tree.root).not.toBe(tree.source);
    expect(Object.fromEntries(tree.leftOut.map((m) => [m.module, m.reason]))).toEqual({
      web_enterprise: "proprietary licence OEEL-1",
      studio_like: "proprietary licence OPL-1",
      crm_enterprise: "proprietary licence OEEL-1",
      bridge: "depends on web_enterprise, which the tree lacks",
      orphan: "depends on missing_module, which the tree lacks",
    });
    expect(tree.addonsPaths).toEqual([path.join(tree.root, "odoo", "addons"), path.join(tree.root, "addons")]);
    expect(readdirSync(tree.addonsPaths[0]!).sort()).toEqual(["__init__.py", "base", "web"]);
    expect(readdirSync(tree.addonsPaths[1]!).sort()).toEqual(["crm_like"]);
    expect(existsSync(path.join(tree.root, ".git"))).toBe(false);
    // The source tree is exactly as it was.
    expect(await snapshot()).toBe(before);
  });

  it("is a mirror Python runs from: real folders, linked files, the package's root inside the mirror", async () => {
    const tree = await communityTree(locateTree("18.0", undefined, env), python, env);
    expect(lstatSync(path.join(tree.root, "odoo", "tools")).isDirectory()).toBe(true);
    expect(lstatSync(path.join(tree.root, "odoo", "addons", "web", "static", "src")).isDirectory()).toBe(true);
    expect(lstatSync(path.join(tree.root, "odoo", "addons", "web", "static", "src", "app.js")).isSymbolicLink()).toBe(true);
    expect(lstatSync(path.join(tree.root, "odoo-bin")).isFile()).toBe(true);
    const config = await execa(python, ["-c", "import odoo.tools.config as c; print(c.root_path)"], { env: { PYTHONPATH: tree.root }, extendEnv: false });
    expect(config.stdout).toBe(path.join(tree.root, "odoo"));
    const bin = await execa(python, [path.join(tree.root, "odoo-bin")], { env: {}, extendEnv: false, cwd: scratch });
    expect(bin.stdout).toBe(`ODOO=${path.join(tree.root, "odoo", "__init__.py")}`);
    // A file edited in the source tree is seen in the mirror at once.
    write(path.join(root, "odoo", "addons", "web", "static", "src", "app.js"), "// edited\n");
    expect(readFileSync(path.join(tree.root, "odoo", "addons", "web", "static", "src", "app.js"), "utf8")).toBe("// edited\n");
  });

  it("is rebuilt when the tree's left-out list changes, and reused otherwise", async () => {
    const first = await communityTree(locateTree("18.0", undefined, env), python, env);
    expect((await communityTree(locateTree("18.0", undefined, env), python, env)).root).toBe(first.root);
    module(path.join(root, "odoo", "addons"), "helpdesk_like", "{'name': 'Helpdesk', 'license': 'OEEL-1', 'depends': ['base']}");
    const second = await communityTree(locateTree("18.0", undefined, env), python, env);
    expect(second.root).not.toBe(first.root);
    expect(second.leftOut.map((m) => m.module)).toContain("helpdesk_like");
    expect(existsSync(path.join(second.root, "odoo", "addons", "helpdesk_like"))).toBe(false);
  });

  it("reads the licence check printed by odoo shell", () => {
    expect(installedProprietary("noise\nPROPRIETARY=\nmore")).toEqual([]);
    expect(installedProprietary("PROPRIETARY=web_enterprise,web_gantt\n")).toEqual(["web_enterprise", "web_gantt"]);
    expect(installedProprietary("the shell crashed")).toBeUndefined();
  });
});

/**
 * The tree the local backend runs Odoo from: the source tree as found, without the modules
 * odoo-2fa never runs (proprietary licences, and modules depending on a module the tree lacks;
 * the rule is scripts/left-out-modules.py, which the Docker image's build uses too).
 *
 * Why a second tree: Odoo always adds its own `odoo/addons` folder to the addons path, so a
 * source tree that also carries proprietary modules there (some public copies do) would have
 * them installed by `-i web` through `auto_install`. Leaving them out of `--addons-path` cannot
 * help; leaving them out of the folder Odoo runs from does, and the source tree stays exactly
 * as extracted.
 *
 * The tree is a mirror in the cache (`<cache>/trees/<series>-<key>`): real folders, a symbolic
 * link per file (`cp -as`), none for a left-out module. Folders are real because Odoo resolves
 * the folders it runs from (`config._normalize` calls `realpath`): through a linked folder its
 * root would be the source tree again. `odoo-bin` is a copy, because Python puts the resolved
 * folder of the script it runs on `sys.path`. Built once per key (source path, release.py, git
 * HEAD, the left-out list), atomically. A file edited in the source tree is seen at once; a file
 * added to it appears once the key changes, or once `<cache>/trees` is removed.
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync } from "node:fs";
import { copyFile, mkdir, rename, rm, unlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { type LeftOutModule, type OdooTree, cacheRoot, gitHead } from "./environment.js";
import { VerifyError } from "./errors.js";

/** Shipped with the package (`files` in package.json), one folder above dist/ and src/. */
export const LEFT_OUT_SCRIPT = fileURLToPath(new URL("../../scripts/left-out-modules.py", import.meta.url));

/**
 * A Python line for `odoo shell` printing `PROPRIETARY=<installed modules under a licence that is
 * not open>`: empty unless the mirror failed. Read with `installedProprietary`.
 */
export const PRINT_INSTALLED_PROPRIETARY =
  "env.cr.execute(\"SELECT name FROM ir_module_module WHERE state = 'installed' AND license !~ '^(GPL|AGPL|LGPL|Other OSI)' ORDER BY name\"); print('PROPRIETARY=' + ','.join(name for (name,) in env.cr.fetchall()))\n";

export function installedProprietary(log: string): string[] | undefined {
  const line = /^PROPRIETARY=(.*)$/m.exec(log);
  return line ? line[1]!.split(",").filter(Boolean) : undefined;
}

/** Bumped when the mirror's layout changes, so older mirrors are not reused. */
const MIRROR_FORMAT = 1;

/** The folders holding modules, relative to a tree's root, in Odoo's order. */
const MODULE_FOLDERS = [path.join("odoo", "addons"), "addons"] as const;

/** What scripts/left-out-modules.py prints for a tree's module folders. */
export async function leftOutModules(tree: OdooTree, python: string): Promise<LeftOutModule[]> {
  const folders = MODULE_FOLDERS.map((folder) => path.join(tree.source, folder));
  const run = await execa(python, [LEFT_OUT_SCRIPT, ...folders], { reject: false, timeout: 120_000 });
  if (run.exitCode !== 0) {
    throw new VerifyError("backend-failed", `Could not list the modules of ${tree.source} (exit ${run.exitCode}).`, undefined, String(run.stderr).slice(-2000));
  }
  return String(run.stdout)
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const [module, reason] = line.split("\t");
      return { module: module!, reason: reason ?? "" };
    });
}

/** `tree` as Odoo runs it: its mirror without the left-out modules (built when missing). */
export async function communityTree(tree: OdooTree, python: string, env: NodeJS.ProcessEnv = process.env): Promise<OdooTree> {
  const leftOut = await leftOutModules(tree, python);
  const identity = { format: MIRROR_FORMAT, source: tree.source, release: tree.release, git: gitHead(tree.source) ?? null, leftOut: leftOut.map((m) => m.module) };
  const key = createHash("sha256").update(JSON.stringify(identity)).digest("hex").slice(0, 16);
  const mirror = path.join(cacheRoot(env), "trees", `${tree.series}-${key}`);
  if (!existsSync(path.join(mirror, "meta.json"))) await buildMirror(tree.source, mirror, new Set(leftOut.map((m) => m.module)), identity);
  const addonsPaths = MODULE_FOLDERS.map((folder) => path.join(mirror, folder)).filter((dir) => existsSync(dir));
  return { ...tree, root: mirror, addonsPaths, leftOut };
}

async function buildMirror(source: string, mirror: string, leftOut: ReadonlySet<string>, identity: object): Promise<void> {
  await mkdir(path.dirname(mirror), { recursive: true });
  const staging = `${mirror}.tmp-${process.pid}-${Date.now()}`;
  try {
    await linkFolder(source, staging, "", leftOut);
    // Python puts the resolved folder of the script it runs first on sys.path.
    const bin = path.join(staging, "odoo-bin");
    if (existsSync(path.join(source, "odoo-bin"))) {
      await unlink(bin);
      await copyFile(path.join(source, "odoo-bin"), bin);
    }
    await writeFile(path.join(staging, "meta.json"), `${JSON.stringify({ ...identity, created: new Date().toISOString() }, null, 2)}\n`);
    try {
      await rename(staging, mirror);
    } catch (error) {
      if (!existsSync(path.join(mirror, "meta.json"))) throw error;
      // another run built the same mirror first: keep theirs
    }
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** Mirrors `source/relative` into `target/relative`: folders on the way to a module folder are made, the rest linked by `cp -as`. */
async function linkFolder(source: string, target: string, relative: string, leftOut: ReadonlySet<string>): Promise<void> {
  const here = path.join(target, relative);
  await mkdir(here, { recursive: true });
  const isModuleFolder = MODULE_FOLDERS.includes(relative as never);
  const linked: string[] = [];
  for (const entry of readdirSync(path.join(source, relative), { withFileTypes: true })) {
    const child = path.join(relative, entry.name);
    if (relative === "" && entry.name === ".git") continue;
    if (isModuleFolder && leftOut.has(entry.name)) continue;
    if (entry.isDirectory() && MODULE_FOLDERS.some((folder) => folder === child || folder.startsWith(child + path.sep))) {
      await linkFolder(source, target, child, leftOut);
    } else {
      linked.push(path.join(source, child));
    }
  }
  // cp -as: real folders, a symbolic link (absolute) per file. Batched to stay under ARG_MAX.
  for (let i = 0; i < linked.length; i += 500) {
    const run = await execa("cp", ["-as", "--", ...linked.slice(i, i + 500), `${here}/`], { reject: false });
    if (run.exitCode !== 0) throw new VerifyError("backend-failed", `Could not mirror ${source} into ${target}: ${String(run.stderr).trim().split("\n")[0]}`);
  }
}

/**
 * Finding what the local backend runs with: the addon, the Odoo source tree of a series, a
 * Python with Odoo's dependencies, and PostgreSQL's server binaries. Each failure is a
 * `VerifyError` that says where it looked and what to provide.
 */
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { execa } from "execa";
import { VerifyError } from "./errors.js";

export interface AddonInfo {
  /** Technical name: the folder's name. */
  name: string;
  /** Absolute, symlinks resolved. */
  dir: string;
  depends: string[];
}

/** Reads `ADDON_DIR/__manifest__.py`. A folder without one is not an addon (exit 2). */
export function readAddon(addonDir: string): AddonInfo {
  const absolute = path.resolve(addonDir);
  if (!existsSync(absolute)) {
    throw new VerifyError("not-an-addon", `${addonDir}: no such folder.`, "Pass the folder of an Odoo addon (the one holding __manifest__.py).");
  }
  if (!statSync(absolute).isDirectory()) {
    throw new VerifyError("not-an-addon", `${addonDir}: not a folder.`, "Pass the folder of an Odoo addon (the one holding __manifest__.py).");
  }
  const dir = realpathSync(absolute);
  const manifestFile = path.join(dir, "__manifest__.py");
  if (!existsSync(manifestFile)) {
    throw new VerifyError(
      "not-an-addon",
      `${addonDir} is not an Odoo addon: it has no __manifest__.py.`,
      "Pass the addon folder itself (e.g. addons/17.0/<name>), not its parent.",
    );
  }
  const name = path.basename(dir);
  if (!/^[A-Za-z0-9_]+$/.test(name)) {
    throw new VerifyError("not-an-addon", `${addonDir}: "${name}" is not a valid addon name (letters, digits, underscores).`, "Rename the folder to the addon's technical name.");
  }
  return { name, dir, depends: manifestDepends(readFileSync(manifestFile, "utf8")) };
}

/** The `depends` list of a manifest (a Python dict literal). */
export function manifestDepends(manifest: string): string[] {
  const match = /["']depends["']\s*:\s*[[(]([^\])]*)[\])]/.exec(manifest);
  if (!match) return [];
  return [...match[1]!.matchAll(/["']([^"']+)["']/g)].map((m) => m[1]!);
}

export function sourcesRoot(env: NodeJS.ProcessEnv = process.env): string {
  return env.ODOO_2FA_SOURCES || path.join(os.homedir(), ".cache", "odoo-2fa", "sources");
}

export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.ODOO_2FA_CACHE) return env.ODOO_2FA_CACHE;
  return path.join(env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache"), "odoo-2fa");
}

/** A module of a source tree that Odoo is never run with (src/verify/community.ts). */
export interface LeftOutModule {
  module: string;
  reason: string;
}

export interface OdooTree {
  /** Where Odoo runs from: `source` as found, or its mirror without the left-out modules (`communityTree`). */
  root: string;
  /** The source tree as found (symlinks resolved); never changed. */
  source: string;
  series: string;
  /** e.g. `17.0`, `17.0+e`, from release.py's version_info. */
  version: string;
  /** The folders for Odoo's `--addons-path` (`odoo/addons`, plus `addons` in a git checkout). */
  addonsPaths: string[];
  /** Contents of odoo/release.py: part of the tree's identity. */
  release: string;
  /** The modules `root` leaves out of `source` (empty until `communityTree`). */
  leftOut: readonly LeftOutModule[];
}

/** The series a tree holds, from `odoo/release.py` (`version_info = (17, 0, 0, FINAL, 0, '')`). */
export function readTreeSeries(root: string): { series: string; version: string; release: string } | undefined {
  const file = path.join(root, "odoo", "release.py");
  if (!existsSync(file)) return undefined;
  const release = readFileSync(file, "utf8");
  const match = /^version_info\s*=\s*\(\s*(?:['"]?saas~)?(\d+)['"]?\s*,\s*(\d+)\s*,\s*(\d+)\s*,\s*(\w+)\s*,\s*(\d+)\s*,\s*'([^']*)'/m.exec(release);
  if (!match) return undefined;
  const series = `${match[1]}.${match[2]}`;
  return { series, version: `${series}${match[6] ? match[6] : ""}`, release };
}

/**
 * The Odoo source tree for a series: `odooSrc` when given, else `$ODOO_2FA_SOURCES/<series>`
 * (default `~/.cache/odoo-2fa/sources/<series>`).
 */
export function locateTree(series: string, odooSrc?: string, env: NodeJS.ProcessEnv = process.env): OdooTree {
  const how = `Pass --odoo-src /path/to/odoo-${series} (a checkout of https://github.com/odoo/odoo at branch ${series}), or put the tree at $ODOO_2FA_SOURCES/${series} (default ~/.cache/odoo-2fa/sources/${series}).`;
  const root = path.resolve(odooSrc ?? path.join(sourcesRoot(env), series));
  const where = odooSrc ? `--odoo-src ${odooSrc}` : `${root} ($ODOO_2FA_SOURCES/${series}${env.ODOO_2FA_SOURCES ? "" : ", ODOO_2FA_SOURCES unset"})`;
  if (!existsSync(root)) {
    throw new VerifyError("no-source-tree", `No Odoo ${series} source tree: looked at ${where}, which does not exist.`, how);
  }
  const found = readTreeSeries(root);
  if (!found) {
    throw new VerifyError("no-source-tree", `${root} is not an Odoo source tree: it has no odoo/release.py with a version_info.`, how);
  }
  if (found.series !== series) {
    throw new VerifyError(
      "wrong-series",
      `${root} holds Odoo ${found.series}, not ${series} (from odoo/release.py).`,
      odooSrc ? `Pass the ${series} tree with --odoo-src, or ask for --odoo ${found.series}.` : how,
    );
  }
  const addonsPaths = [path.join(root, "odoo", "addons"), path.join(root, "addons")].filter((dir) => existsSync(dir));
  const source = realpathSync(root);
  return { root: source, source, series, version: found.version, addonsPaths: addonsPaths.map((d) => realpathSync(d)), release: found.release, leftOut: [] };
}

/** The commit a git checkout is at, when `root` is one. */
export function gitHead(root: string): string | undefined {
  try {
    const head = readFileSync(path.join(root, ".git", "HEAD"), "utf8").trim();
    const ref = /^ref: (.+)$/.exec(head)?.[1];
    if (!ref) return head;
    const file = path.join(root, ".git", ref);
    return existsSync(file) ? readFileSync(file, "utf8").trim() : head;
  } catch {
    return undefined;
  }
}

/** Is `module` a module of this tree (a folder with a manifest on its addons paths)? */
export function treeHasModule(tree: OdooTree, module: string): boolean {
  return tree.addonsPaths.some((dir) => existsSync(path.join(dir, module, "__manifest__.py")));
}

export function treeModuleManifest(tree: OdooTree, module: string): string | undefined {
  for (const dir of tree.addonsPaths) {
    const file = path.join(dir, module, "__manifest__.py");
    if (existsSync(file)) return file;
  }
  return undefined;
}

const PYTHON_PROBE = "import werkzeug, psycopg2, lxml, passlib, babel, PIL, dateutil, decorator, docutils, jinja2, polib, psutil, reportlab, requests, rjsmin";

/** A Python that can import Odoo's dependencies: `--python`, else /usr/bin/python3, else python3 on PATH. */
export async function findPython(explicit?: string): Promise<string> {
  const candidates = explicit ? [explicit] : ["/usr/bin/python3", "python3"];
  const tried: string[] = [];
  for (const python of candidates) {
    const probe = await execa(python, ["-c", `${PYTHON_PROBE}; import sys; print(sys.executable)`], { reject: false, timeout: 30_000 });
    if (probe.exitCode === 0) return explicit ?? (probe.stdout.trim() || python);
    const missing = /No module named '([^']+)'/.exec(probe.stderr)?.[1];
    tried.push(`${python} (${probe.failed && probe.code === "ENOENT" ? "not found" : missing ? `no module ${missing}` : "fails to start"})`);
  }
  throw new VerifyError(
    "no-python",
    `No Python with Odoo's dependencies: tried ${tried.join(", ")}.`,
    explicit
      ? "Install Odoo's requirements into that Python, or drop --python to use Debian's /usr/bin/python3."
      : "Run `odoo-2fa setup local-odoo` (installs them from Debian, root or sudo; `odoo-2fa doctor` shows what verify finds) or pass --python /path/to/python with Odoo's requirements installed.",
  );
}

export interface PostgresBinaries {
  bindir: string;
  /** Major version, e.g. 15. */
  major: number;
}

/** PostgreSQL server binaries (initdb, pg_ctl, createdb): Debian's /usr/lib/postgresql/<v>/bin, newest first, else PATH. */
export function findPostgres(env: NodeJS.ProcessEnv = process.env): PostgresBinaries {
  const looked: string[] = [];
  const candidates: string[] = [];
  if (env.ODOO_2FA_PG_BIN) candidates.push(env.ODOO_2FA_PG_BIN);
  const debian = "/usr/lib/postgresql";
  if (existsSync(debian)) {
    const versions = readdirSync(debian).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
    candidates.push(...versions.map((v) => path.join(debian, v, "bin")));
  } else looked.push(`${debian}/<version>/bin`);
  for (const dir of (env.PATH ?? "").split(path.delimiter)) if (dir) candidates.push(dir);
  for (const bindir of candidates) {
    if (["initdb", "pg_ctl", "createdb", "postgres"].every((bin) => existsSync(path.join(bindir, bin)))) {
      const major = Number(/postgresql\/(\d+)\//.exec(`${bindir}/`)?.[1] ?? NaN);
      return { bindir, major: Number.isNaN(major) ? 0 : major };
    }
    looked.push(bindir);
  }
  throw new VerifyError(
    "no-postgres",
    `No PostgreSQL server binaries (initdb, pg_ctl, createdb): looked in /usr/lib/postgresql/*/bin and on PATH.`,
    "Install Debian's `postgresql` package (`odoo-2fa setup local-odoo` does it), or set ODOO_2FA_PG_BIN to the folder that holds initdb.",
  );
}

/**
 * Does `module` (of this tree) depend, directly or not, on a module the tree does not have?
 * Such a module can never be installed from this tree.
 */
export function lacksDependencies(tree: OdooTree, module: string, seen = new Map<string, boolean>()): boolean {
  const known = seen.get(module);
  if (known !== undefined) return known;
  seen.set(module, false); // cycles: assume fine while walking
  const manifest = treeModuleManifest(tree, module);
  let missing = manifest === undefined;
  if (manifest) {
    for (const dep of manifestDepends(readFileSync(manifest, "utf8"))) {
      if (lacksDependencies(tree, dep, seen)) {
        missing = true;
        break;
      }
    }
  }
  seen.set(module, missing);
  return missing;
}

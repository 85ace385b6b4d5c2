import { randomBytes } from "node:crypto";
import { link, mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import type { VirtualTree } from "../render/index.js";

export interface WriteTarget {
  /** The addon folder to (re)place, e.g. `addons/17.0/acme_2fa_policy`. */
  dir: string;
  tree: VirtualTree;
}

/** Another run holds the lock of an output folder. */
export class OutputBusyError extends Error {
  readonly kind = "busy" as const;
  constructor(readonly dir: string, readonly holderPid: number) {
    super(`${dir} is being written by another odoo-2fa process (pid ${holderPid}); wait for it to finish`);
  }
}

const TEMP_MARK = ".odoo-2fa-tmp-";
const OLD_MARK = ".odoo-2fa-old-";
const LOCK_MARK = ".odoo-2fa.lock";

function sibling(dir: string, mark: string, suffix = ""): string {
  return path.join(path.dirname(dir), `.${path.basename(dir)}${mark}${suffix}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Locks this process holds (lock file paths), so that a held lock is not taken again nor released early. */
const held = new Set<string>();

/**
 * Creates every missing folder of `dir`, one at a time (Node's recursive mkdir never returns on
 * some pseudo file systems, e.g. under /proc); the first failure is thrown as is.
 */
async function ensureDir(dir: string): Promise<void> {
  const info = await stat(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return undefined;
    throw error;
  });
  if (info?.isDirectory()) return;
  if (info) throw Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${dir}'`), { code: "ENOTDIR", path: dir, syscall: "mkdir" });
  if (path.dirname(dir) !== dir) await ensureDir(path.dirname(dir));
  await mkdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== "EEXIST") throw error;
  });
}

/** Takes the lock of `dir` (an absolute addon folder); returns its path, or undefined when this process holds it already. */
async function acquireLock(dir: string): Promise<string | undefined> {
  const lock = sibling(dir, LOCK_MARK);
  if (held.has(lock)) return undefined;
  await ensureDir(path.dirname(dir));
  // The lock appears with its holder's pid already in it (written aside, then linked into
  // place), so another run never reads an empty lock and takes it for a dead one.
  const pending = `${lock}.${process.pid}-${randomBytes(4).toString("hex")}`;
  await writeFile(pending, String(process.pid), { flag: "wx" });
  try {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await link(pending, lock).catch((error: NodeJS.ErrnoException) => {
          if (error.code === "EEXIST") throw error;
          // No hard links on this file system (e.g. FAT, some network shares): create it in place.
          return writeFile(lock, String(process.pid), { flag: "wx" });
        });
        held.add(lock);
        return lock;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
        const holder = Number.parseInt(await readFile(lock, "utf8").catch(() => ""), 10);
        if (Number.isInteger(holder) && holder !== process.pid && isAlive(holder)) {
          throw new OutputBusyError(dir, holder);
        }
        await rm(lock, { force: true }); // left by a process that died
      }
    }
    throw new OutputBusyError(dir, -1);
  } finally {
    await rm(pending, { force: true });
  }
}

async function releaseLock(lock: string): Promise<void> {
  held.delete(lock);
  await rm(lock, { force: true });
}

/**
 * Locks the addon folders for this process until the returned function is called: `generate`
 * holds them from before it reads the folders to plan until it has written them, so two runs
 * never plan from, or write, the same folder at once. Another holder: OutputBusyError.
 */
export async function lockOutputs(dirs: readonly string[]): Promise<() => Promise<void>> {
  const taken: string[] = [];
  const release = async () => {
    for (const lock of taken.splice(0)) await releaseLock(lock);
  };
  try {
    for (const dir of dirs) {
      const lock = await acquireLock(path.resolve(dir));
      if (lock) taken.push(lock);
    }
  } catch (error) {
    await release();
    throw error;
  }
  return release;
}

/**
 * Cleans up after an earlier run that was killed: temporaries are removed; a previous folder
 * that was moved aside but never replaced (killed between the two renames) is put back.
 */
async function sweepLeftovers(dir: string): Promise<void> {
  const parent = path.dirname(dir);
  const prefix = `.${path.basename(dir)}`;
  const names = await readdir(parent).catch(() => [] as string[]);
  for (const name of names.filter((n) => n.startsWith(prefix + OLD_MARK))) {
    const restored = await rename(path.join(parent, name), dir).then(
      () => true,
      () => false,
    );
    if (!restored) await rm(path.join(parent, name), { recursive: true, force: true });
  }
  for (const name of names.filter((n) => n.startsWith(prefix + TEMP_MARK))) {
    await rm(path.join(parent, name), { recursive: true, force: true });
  }
  // A lock being taken (`<lock>.<pid>-<random>`) by a process killed at that moment.
  for (const name of names.filter((n) => n.startsWith(`${prefix}${LOCK_MARK}.`))) {
    if (!isAlive(Number.parseInt(name.slice(prefix.length + LOCK_MARK.length + 1), 10))) await rm(path.join(parent, name), { force: true });
  }
}

async function writeTree(root: string, tree: VirtualTree): Promise<void> {
  await mkdir(root, { recursive: true });
  for (const [relative, content] of tree) {
    const file = path.join(root, ...relative.split("/"));
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, content);
  }
}

/**
 * Replaces each target folder by its tree, all or nothing: every tree is first written to a
 * temporary sibling folder; only when all are complete are they renamed into place. A failure
 * or a signal before that leaves every previous folder untouched and removes the temporaries.
 */
export async function writeTreesAtomically(targets: readonly WriteTarget[]): Promise<void> {
  const locks: string[] = [];
  const staged: { target: string; temp: string; old: string }[] = [];
  let interrupted: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupted = signal;
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const checkSignal = () => {
    if (interrupted) throw new Error(`interrupted by ${interrupted}`);
  };
  try {
    for (const { dir } of targets) {
      const lock = await acquireLock(path.resolve(dir));
      if (lock) locks.push(lock);
      await sweepLeftovers(path.resolve(dir));
    }
    for (const { dir, tree } of targets) {
      const target = path.resolve(dir);
      const token = `${process.pid}-${randomBytes(4).toString("hex")}`;
      const entry = { target, temp: sibling(target, TEMP_MARK, token), old: sibling(target, OLD_MARK, token) };
      staged.push(entry);
      await writeTree(entry.temp, tree);
      checkSignal();
    }
    // Commit: from here on a failure rolls the already-swapped folders back.
    const swapped: typeof staged = [];
    try {
      for (const entry of staged) {
        await rename(entry.target, entry.old).catch((error: NodeJS.ErrnoException) => {
          if (error.code !== "ENOENT") throw error;
        });
        await rename(entry.temp, entry.target);
        swapped.push(entry);
      }
    } catch (error) {
      for (const entry of swapped.reverse()) {
        await rename(entry.target, entry.temp).catch(() => undefined);
        await rename(entry.old, entry.target).catch(() => undefined);
      }
      throw error;
    }
    for (const entry of staged) await rm(entry.old, { recursive: true, force: true });
  } finally {
    for (const entry of staged) await rm(entry.temp, { recursive: true, force: true });
    // On a signal the process ends right here: the locks taken by lockOutputs go too.
    for (const lock of interrupted ? [...held] : locks) await releaseLock(lock);
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    if (interrupted) process.kill(process.pid, interrupted);
  }
}

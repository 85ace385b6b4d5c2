import { randomBytes } from "node:crypto";
import { mkdir, open, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { VirtualTree } from "../render/index.js";

export interface WriteTarget {
  /** The addon folder to (re)place, e.g. `addons/17.0/acme_2fa_policy`. */
  dir: string;
  tree: VirtualTree;
}

/** Another run holds the lock of an output folder. */
export class OutputBusyError extends Error {
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

async function acquireLock(dir: string): Promise<string> {
  const lock = sibling(dir, LOCK_MARK);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(lock, "wx");
      await handle.writeFile(String(process.pid));
      await handle.close();
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
      await mkdir(path.dirname(path.resolve(dir)), { recursive: true });
      locks.push(await acquireLock(path.resolve(dir)));
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
    for (const lock of locks) await rm(lock, { force: true });
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    if (interrupted) process.kill(process.pid, interrupted);
  }
}

import type { VirtualTree } from "../render/index.js";
import { sha256 } from "../digest.js";
import { LOCK_FILE, type Lock, parseLock, withKept } from "./lock.js";

export type Content = string | Uint8Array;

/** The files of an addon folder as found on disk (relative POSIX path → bytes). */
export type DiskSnapshot = ReadonlyMap<string, Uint8Array>;

/**
 * - `create` / `update` / `delete`: the generator owns the file and changes it.
 * - `unchanged`: disk already holds what the render gives.
 * - `kept`: a hand edit recorded in the lock as kept (`generate --on-conflict keep`), and the render
 *   is what it was when the edit was kept: the file stays as the user wrote it, and that is no drift.
 * - `edited`: a hand edit the new render does not touch (the render is what it was), not recorded;
 *   left on disk, reported by `check` until it is kept (recorded) or overwritten.
 * - `conflict`: a hand edit (or a file this tool did not write) that the render would change or
 *   delete; also a kept edit whose generated file has changed since it was kept.
 */
export type FileAction = "create" | "update" | "unchanged" | "delete" | "kept" | "edited" | "conflict";

export interface PlannedFile {
  path: string;
  action: FileAction;
  /** What is on disk now (undefined: nothing). */
  current?: Uint8Array;
  /** What the render gives (undefined: the render no longer has this file). */
  next?: Content;
}

export interface Plan {
  files: PlannedFile[];
  /** Files on disk that this tool never wrote: left alone, reported by `check` as extra. */
  untracked: string[];
  /** The lock found on disk, if any. */
  previousLock?: Lock;
}

/**
 * How a hand edit is settled: `keep` leaves it and records it in the lock (so `check` passes and
 * `diff` shows it as kept), `overwrite` restores the generated file, `leave` leaves it on disk
 * unrecorded (what a generate that was not asked about it does with an `edited` file).
 */
export type ConflictResolution = "keep" | "overwrite" | "leave";

function bytes(content: Content): Uint8Array {
  return typeof content === "string" ? Buffer.from(content, "utf8") : content;
}

function sameBytes(a: Uint8Array, b: Content): boolean {
  return Buffer.compare(Buffer.from(a), Buffer.from(bytes(b))) === 0;
}

const byPath = (a: { path: string }, b: { path: string }) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

/**
 * Compares a fresh render (lock file included) with what is on disk and what the last
 * generation recorded. Pure: `generate`, `--dry-run`, `diff` and `check` all start here.
 */
export function planChanges(rendered: VirtualTree, disk: DiskSnapshot): Plan {
  const lockText = disk.get(LOCK_FILE);
  const previousLock = lockText ? parseLock(Buffer.from(lockText).toString("utf8")) : undefined;
  const recorded = previousLock?.files ?? {};
  const keptBefore = previousLock?.kept ?? {};
  const files: PlannedFile[] = [];

  for (const [path, next] of rendered) {
    if (path === LOCK_FILE) continue;
    const current = disk.get(path);
    let action: FileAction;
    if (current === undefined) action = "create";
    else if (sameBytes(current, next)) action = "unchanged";
    else {
      const wasGenerated = recorded[path];
      const renderAsBefore = wasGenerated !== undefined && sha256(next) === wasGenerated;
      if (keptBefore[path] === sha256(current) && renderAsBefore) action = "kept";
      else if (wasGenerated !== undefined && sha256(current) === wasGenerated) action = "update";
      else action = renderAsBefore ? "edited" : "conflict";
    }
    files.push({ path, action, current, next });
  }

  const untracked: string[] = [];
  for (const [path, current] of disk) {
    if (rendered.has(path)) continue;
    const wasGenerated = recorded[path];
    if (keptBefore[path] !== undefined && keptBefore[path] === sha256(current) && wasGenerated === undefined)
      files.push({ path, action: "kept", current });
    else if (wasGenerated === undefined) untracked.push(path);
    else files.push({ path, action: sha256(current) === wasGenerated ? "delete" : "conflict", current });
  }

  const lockNext = rendered.get(LOCK_FILE);
  if (lockNext !== undefined) {
    // The lock carries the kept edits that stay kept, so that a folder with kept edits is current.
    const next = withKept(asText(lockNext), keptOf(files, () => "leave"));
    const action: FileAction = lockText === undefined ? "create" : sameBytes(lockText, next) ? "unchanged" : "update";
    files.push({ path: LOCK_FILE, action, current: lockText, next });
  }
  return { files: files.sort(byPath), untracked: untracked.sort(), previousLock };
}

function asText(content: Content): string {
  return typeof content === "string" ? content : Buffer.from(content).toString("utf8");
}

/** The kept edits after settling: those kept before, and the hand edits resolved "keep". */
function keptOf(files: readonly PlannedFile[], resolve: (file: PlannedFile) => ConflictResolution): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const file of files) {
    if (file.current === undefined) continue;
    const resolution = isHandEdit(file) ? resolve(file) : "overwrite";
    if (resolution === "keep" || (file.action === "kept" && resolution === "leave")) kept[file.path] = sha256(file.current);
  }
  return kept;
}

/** The lock file's content after settling the hand edits this way. */
function settledLock(plan: Plan, resolve: (file: PlannedFile) => ConflictResolution): Content | undefined {
  const lock = plan.files.find((file) => file.path === LOCK_FILE);
  if (lock?.next === undefined) return lock?.next;
  return withKept(asText(lock.next), keptOf(plan.files, resolve));
}

/** A file whose disk content is a hand edit (kept before or not): settled as the resolution says. */
function isHandEdit(file: PlannedFile): boolean {
  return file.action === "conflict" || file.action === "edited" || file.action === "kept";
}

export function conflictsOf(plan: Plan): PlannedFile[] {
  return plan.files.filter((file) => file.action === "conflict");
}

/** True when applying the plan would change nothing on disk. */
export function isNoop(plan: Plan, resolve: (file: PlannedFile) => ConflictResolution = () => "leave"): boolean {
  return plan.files.every((file) => {
    if (file.path === LOCK_FILE) {
      const next = settledLock(plan, resolve);
      return file.current !== undefined && next !== undefined && sameBytes(file.current, next);
    }
    return file.action === "unchanged" || (isHandEdit(file) && resolve(file) !== "overwrite");
  });
}

/**
 * The complete folder after applying the plan: generated files, kept hand edits, and the
 * untracked files the user put there. Hand edits (conflicts, and edits the render does not
 * touch) are settled by `resolve`: "overwrite" restores the generated content, "keep" keeps the
 * edit and records it in the lock, "leave" keeps it as it is (recorded if it was kept before).
 */
export function applyPlan(
  plan: Plan,
  disk: DiskSnapshot,
  resolve: (file: PlannedFile) => ConflictResolution,
): VirtualTree {
  const result: VirtualTree = new Map();
  for (const path of plan.untracked) result.set(path, disk.get(path)!);
  for (const file of plan.files) {
    if (file.path === LOCK_FILE) {
      const next = settledLock(plan, resolve);
      if (next !== undefined) result.set(file.path, next);
      continue;
    }
    const keepDisk = isHandEdit(file) && resolve(file) !== "overwrite";
    if (keepDisk) {
      if (file.current !== undefined) result.set(file.path, file.current);
    } else if (file.next !== undefined) {
      result.set(file.path, file.next);
    }
  }
  return new Map([...result.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

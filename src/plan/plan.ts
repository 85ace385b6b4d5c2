import type { VirtualTree } from "../render/index.js";
import { sha256 } from "../digest.js";
import { LOCK_FILE, type Lock, parseLock } from "./lock.js";

export type Content = string | Uint8Array;

/** The files of an addon folder as found on disk (relative POSIX path → bytes). */
export type DiskSnapshot = ReadonlyMap<string, Uint8Array>;

/**
 * - `create` / `update` / `delete`: the generator owns the file and changes it.
 * - `unchanged`: disk already holds what the render gives.
 * - `edited`: a hand edit the new render does not touch (the render is what it was); kept.
 * - `conflict`: a hand edit (or a file this tool did not write) that the render would change or delete.
 */
export type FileAction = "create" | "update" | "unchanged" | "delete" | "edited" | "conflict";

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

export type ConflictResolution = "keep" | "overwrite";

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
  const files: PlannedFile[] = [];

  for (const [path, next] of rendered) {
    const current = disk.get(path);
    let action: FileAction;
    if (current === undefined) action = "create";
    else if (sameBytes(current, next)) action = "unchanged";
    else if (path === LOCK_FILE) action = "update";
    else {
      const wasGenerated = recorded[path];
      const handEdited = wasGenerated === undefined || sha256(current) !== wasGenerated;
      if (!handEdited) action = "update";
      else action = wasGenerated !== undefined && sha256(next) === wasGenerated ? "edited" : "conflict";
    }
    files.push({ path, action, current, next });
  }

  const untracked: string[] = [];
  for (const [path, current] of disk) {
    if (rendered.has(path)) continue;
    const wasGenerated = recorded[path];
    if (wasGenerated === undefined) untracked.push(path);
    else files.push({ path, action: sha256(current) === wasGenerated ? "delete" : "conflict", current });
  }
  return { files: files.sort(byPath), untracked: untracked.sort(), previousLock };
}

/** A file whose disk content is a hand edit: kept or overwritten as the resolution says. */
function isHandEdit(file: PlannedFile): boolean {
  return file.action === "conflict" || file.action === "edited";
}

export function conflictsOf(plan: Plan): PlannedFile[] {
  return plan.files.filter((file) => file.action === "conflict");
}

/** True when applying the plan would change nothing on disk. */
export function isNoop(plan: Plan, resolve: (file: PlannedFile) => ConflictResolution = () => "keep"): boolean {
  return plan.files.every((file) => file.action === "unchanged" || (isHandEdit(file) && resolve(file) === "keep"));
}

/**
 * The complete folder after applying the plan: generated files, kept hand edits, and the
 * untracked files the user put there. Hand edits (conflicts, and edits the render does not
 * touch) are settled by `resolve`: "overwrite" restores the generated content.
 */
export function applyPlan(
  plan: Plan,
  disk: DiskSnapshot,
  resolve: (file: PlannedFile) => ConflictResolution,
): VirtualTree {
  const result: VirtualTree = new Map();
  for (const path of plan.untracked) result.set(path, disk.get(path)!);
  for (const file of plan.files) {
    const keepDisk = isHandEdit(file) && resolve(file) === "keep";
    if (keepDisk) {
      if (file.current !== undefined) result.set(file.path, file.current);
    } else if (file.next !== undefined) {
      result.set(file.path, file.next);
    }
  }
  return new Map([...result.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

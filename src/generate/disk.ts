import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import type { DiskSnapshot } from "../plan/plan.js";

/** Reads every file below an addon folder; an absent folder is an empty snapshot. */
export async function readAddonDir(dir: string): Promise<DiskSnapshot> {
  const snapshot = new Map<string, Uint8Array>();
  const info = await stat(dir).catch(() => undefined);
  if (!info) return snapshot;
  if (!info.isDirectory()) throw new Error(`${dir} exists and is not a folder`);
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const absolute = path.join(entry.parentPath, entry.name);
    const relative = path.relative(dir, absolute).split(path.sep).join("/");
    if (relative.split("/").some((part) => part === "__pycache__")) continue;
    snapshot.set(relative, new Uint8Array(await readFile(absolute)));
  }
  return snapshot;
}

import type { Policy, Series } from "../policy/model.js";
import type { TemplateSet, VirtualTree } from "../render/index.js";
import { templatesFor } from "../render/index.js";
import { TOOL_VERSION } from "../version.js";
import { canonicalJson, sha256 } from "../digest.js";

/** Name of the lock file inside each generated addon. */
export const LOCK_FILE = ".odoo-2fa.lock.json";

/**
 * What a generation recorded: enough to tell, later, whether the policy, the tool or the
 * templates changed, and which files were edited by hand since (disk hash ≠ recorded hash).
 * No timestamps: the same inputs give the same lock.
 */
export interface Lock {
  lockVersion: 1;
  toolVersion: string;
  templatesSha256: string;
  series: Series;
  addon: string;
  policySha256: string;
  /** Relative path → sha256 of the content as generated. */
  files: Record<string, string>;
  /**
   * Hand edits the user chose to keep (`generate --on-conflict keep`, or "keep" at the prompt):
   * relative path → sha256 of the kept content. `files` still records what was generated, so a
   * later render that changes the file is told apart from one that does not. Absent when empty.
   */
  kept?: Record<string, string>;
}

/**
 * The digest of what the addon is generated from: the whole normalised policy but `proxy`. The
 * reverse-proxy rules are no part of the addon, so a change only to `proxy.*` leaves the addons
 * current; the proxy snippet records its own digest, which covers them (`policySha256` in
 * src/proxy/model.ts).
 */
export function policyDigest(policy: Policy): string {
  const { proxy: _proxy, ...addon } = policy;
  return sha256(canonicalJson(addon));
}

/**
 * Digest of the templates that apply to one series (shared files with its overlays): of their
 * sources, so it is the same whether the templates were precompiled by the build or compiled at load.
 */
export function templatesDigest(templates: TemplateSet, series: Series): string {
  const files = [...templatesFor(templates, series).entries()].sort(([a], [b]) => (a < b ? -1 : 1));
  const parts = files.map(([name, file]) => `${name}\0${file.sha256}`);
  return sha256(parts.join("\n"));
}

export function buildLock(policy: Policy, series: Series, templates: TemplateSet, tree: VirtualTree): Lock {
  const files: Record<string, string> = {};
  for (const [path, content] of [...tree.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (path !== LOCK_FILE) files[path] = sha256(content);
  }
  return {
    lockVersion: 1,
    toolVersion: TOOL_VERSION,
    templatesSha256: templatesDigest(templates, series),
    series,
    addon: policy.addon.name,
    policySha256: policyDigest(policy),
    files,
  };
}

export function serializeLock(lock: Lock): string {
  const { kept, ...rest } = lock;
  const entries = Object.entries(kept ?? {}).sort(([a], [b]) => (a < b ? -1 : 1));
  return `${JSON.stringify(entries.length ? { ...rest, kept: Object.fromEntries(entries) } : rest, null, 2)}\n`;
}

/** A rendered lock file's text with these kept edits recorded (none: the text as rendered). */
export function withKept(lockText: string, kept: Readonly<Record<string, string>>): string {
  const lock = parseLock(lockText);
  if (!lock) return lockText;
  return serializeLock({ ...lock, kept: { ...kept } });
}

/** Reads a lock file's text; undefined when it is not a lock this tool wrote. */
export function parseLock(text: string): Lock | undefined {
  try {
    const value = JSON.parse(text) as Partial<Lock>;
    if (value.lockVersion !== 1 || typeof value.files !== "object" || value.files === null) return undefined;
    if (value.kept !== undefined && (typeof value.kept !== "object" || value.kept === null)) return undefined;
    return value as Lock;
  } catch {
    return undefined;
  }
}

/** The rendered addon plus its lock file: everything one generation writes. */
export function withLock(policy: Policy, series: Series, templates: TemplateSet, tree: VirtualTree): VirtualTree {
  const lock = buildLock(policy, series, templates, tree);
  const result: VirtualTree = new Map(tree);
  result.set(LOCK_FILE, serializeLock(lock));
  return result;
}

/**
 * A hand edit kept on purpose is recorded in the lock, so that generate, check and diff give one
 * answer: after keeping, the folder is current (check passes and names the edit), a regeneration
 * leaves it, a render that changes the file makes it a conflict again, and overwrite drops the
 * record. An edit never kept stays drift. Translations a user adds are no drift; other files are.
 */
import { describe, expect, it } from "vitest";
import { sha256 } from "../../src/digest.js";
import { describeKept, detectDrift } from "../../src/plan/drift.js";
import { keptDiff } from "../../src/plan/diff.js";
import { LOCK_FILE, parseLock, serializeLock, type Lock } from "../../src/plan/lock.js";
import { applyPlan, isNoop, planChanges, type ConflictResolution, type DiskSnapshot, type PlannedFile } from "../../src/plan/plan.js";
import type { VirtualTree } from "../../src/render/index.js";

const enc = (text: string) => new Uint8Array(Buffer.from(text));
const inputs = { policySha256: "p", toolVersion: "1.0.0", templatesSha256: "t" };

/** A render as withLock makes it: the files and a lock recording their hashes. */
function render(files: Record<string, string>): VirtualTree {
  const lock: Lock = {
    lockVersion: 1,
    toolVersion: "1.0.0",
    templatesSha256: "t",
    series: "17.0",
    addon: "acme",
    policySha256: "p",
    files: Object.fromEntries(Object.entries(files).map(([path, text]) => [path, sha256(text)])),
  };
  return new Map([...Object.entries(files), [LOCK_FILE, serializeLock(lock)]]);
}

const asDisk = (tree: VirtualTree): Map<string, Uint8Array> =>
  new Map([...tree].map(([path, content]) => [path, typeof content === "string" ? enc(content) : content]));

function edit(disk: Map<string, Uint8Array>, changes: Record<string, string | null>): Map<string, Uint8Array> {
  const next = new Map(disk);
  for (const [path, text] of Object.entries(changes)) {
    if (text === null) next.delete(path);
    else next.set(path, enc(text));
  }
  return next;
}

/** One generate: plan, settle, and the folder it leaves. */
function generate(rendered: VirtualTree, disk: DiskSnapshot, resolution: ConflictResolution | ((file: PlannedFile) => ConflictResolution)) {
  const plan = planChanges(rendered, disk);
  const resolve = typeof resolution === "function" ? resolution : () => resolution;
  return { plan, noop: isNoop(plan, resolve), disk: asDisk(applyPlan(plan, disk, resolve)) };
}

const check = (rendered: VirtualTree, disk: DiskSnapshot) => detectDrift(planChanges(rendered, disk), inputs);
const keptIn = (disk: DiskSnapshot) => parseLock(Buffer.from(disk.get(LOCK_FILE)!).toString("utf8"))!.kept;

const v1 = { "a.py": "a1\n", "b.py": "b1\n" };

describe("a kept hand edit", () => {
  const generated = asDisk(render(v1));
  const edited = edit(generated, { "b.py": "b1\n# ours\n" });

  it("is drift until kept; a generate not asked about it leaves it, unrecorded", () => {
    expect(check(render(v1), edited)).toMatchObject({ clean: false, editedByHand: ["b.py"], kept: [] });
    const left = generate(render(v1), edited, "leave");
    expect(left.noop).toBe(true);
    expect(keptIn(left.disk)).toBeUndefined();
    expect(check(render(v1), left.disk)).toMatchObject({ clean: false, editedByHand: ["b.py"] });
  });

  it("kept: recorded with its hash, then check passes and names it, and the next generate changes nothing", () => {
    const kept = generate(render(v1), edited, "keep");
    expect(kept.noop, "recording the edit writes the lock").toBe(false);
    expect(keptIn(kept.disk)).toEqual({ "b.py": sha256("b1\n# ours\n") });
    expect(Buffer.from(kept.disk.get("b.py")!).toString()).toBe("b1\n# ours\n");
    const report = check(render(v1), kept.disk);
    expect(report).toMatchObject({ clean: true, editedByHand: [], kept: ["b.py"] });
    expect(describeKept(report)).toEqual(["kept edits (recorded in .odoo-2fa.lock.json): b.py"]);
    for (const resolution of ["leave", "keep"] as const) {
      const again = generate(render(v1), kept.disk, resolution);
      expect(again.noop, resolution).toBe(true);
      expect(again.plan.files.find((file) => file.path === "b.py")!.action).toBe("kept");
    }
    const file = planChanges(render(v1), kept.disk).files.find((f) => f.path === "b.py")!;
    expect(keptDiff(file, "x/")).toMatch(/^--- a\/x\/b\.py\n\+\+\+ b\/x\/b\.py\n@@ .*\n b1\n\+# ours\n?$/);
  });

  it("stays kept when another file changes, and is a conflict when its own generated file changes", () => {
    const kept = generate(render(v1), edited, "keep").disk;
    const other = generate(render({ ...v1, "a.py": "a2\n" }), kept, "leave");
    expect(Buffer.from(other.disk.get("a.py")!).toString()).toBe("a2\n");
    expect(check(render({ ...v1, "a.py": "a2\n" }), other.disk)).toMatchObject({ clean: true, kept: ["b.py"] });
    const v2 = { ...v1, "b.py": "b2\n" };
    expect(planChanges(render(v2), kept).files.find((f) => f.path === "b.py")!.action).toBe("conflict");
    expect(check(render(v2), kept).clean).toBe(false);
  });

  it("edited again after keeping: drift again; overwrite restores the generated file and drops the record", () => {
    const kept = generate(render(v1), edited, "keep").disk;
    const further = edit(kept, { "b.py": "b1\n# ours, changed\n" });
    expect(check(render(v1), further)).toMatchObject({ clean: false, editedByHand: ["b.py"], kept: [] });
    const restored = generate(render(v1), kept, "overwrite").disk;
    expect(Buffer.from(restored.get("b.py")!).toString()).toBe("b1\n");
    expect(keptIn(restored)).toBeUndefined();
    expect(check(render(v1), restored)).toMatchObject({ clean: true, kept: [] });
  });

  it("a kept file the policy no longer needs stays, recorded, and is not extra", () => {
    const kept = generate(render(v1), edited, "keep").disk;
    const without = generate(render({ "a.py": "a1\n" }), kept, "keep").disk;
    expect(Buffer.from(without.get("b.py")!).toString()).toBe("b1\n# ours\n");
    expect(check(render({ "a.py": "a1\n" }), without)).toMatchObject({ clean: true, kept: ["b.py"], extra: [] });
  });
});

describe("files a user adds", () => {
  it("translations (i18n/<lang>.po) are no drift, and stay; other files are extra", () => {
    const disk = edit(asDisk(render(v1)), { "i18n/fr.po": 'msgid ""\n', "i18n/pt_BR.po": 'msgid ""\n' });
    expect(check(render(v1), disk)).toMatchObject({ clean: true, added: ["i18n/fr.po", "i18n/pt_BR.po"], extra: [] });
    expect(generate(render(v1), disk, "leave").disk.get("i18n/fr.po")).toBeDefined();
    const notes = edit(disk, { "NOTES.txt": "mine\n", "i18n/sub/x.po": "x\n" });
    expect(check(render(v1), notes)).toMatchObject({ clean: false, extra: ["NOTES.txt", "i18n/sub/x.po"] });
  });
});

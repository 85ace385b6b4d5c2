import { describe, expect, it } from "vitest";
import { sha256 } from "../../src/digest.js";
import { describeDrift, detectDrift } from "../../src/plan/drift.js";
import { unifiedDiff } from "../../src/plan/diff.js";
import { LOCK_FILE, serializeLock, type Lock } from "../../src/plan/lock.js";
import { applyPlan, isNoop, planChanges, type DiskSnapshot } from "../../src/plan/plan.js";
import type { VirtualTree } from "../../src/render/index.js";

const enc = (text: string) => new Uint8Array(Buffer.from(text));

function lockFor(files: Record<string, string>, overrides: Partial<Lock> = {}): string {
  const lock: Lock = {
    lockVersion: 1,
    toolVersion: "1.0.0",
    templatesSha256: "t",
    series: "17.0",
    addon: "acme",
    policySha256: "p",
    files: Object.fromEntries(Object.entries(files).map(([path, text]) => [path, sha256(text)])),
    ...overrides,
  };
  return serializeLock(lock);
}

/** Disk as the last generation left it (with its lock), plus optional changes. */
function generatedDisk(files: Record<string, string>, edits: Record<string, string | null> = {}): Map<string, Uint8Array> {
  const disk = new Map(Object.entries(files).map(([path, text]) => [path, enc(text)]));
  disk.set(LOCK_FILE, enc(lockFor(files)));
  for (const [path, text] of Object.entries(edits)) {
    if (text === null) disk.delete(path);
    else disk.set(path, enc(text));
  }
  return disk;
}

function render(files: Record<string, string>, lock = "new lock\n"): VirtualTree {
  return new Map([...Object.entries(files), [LOCK_FILE, lock]]);
}

const actions = (disk: DiskSnapshot, rendered: VirtualTree) =>
  Object.fromEntries(planChanges(rendered, disk).files.map((file) => [file.path, file.action]));

describe("planChanges", () => {
  const before = { "a.py": "a1\n", "b.py": "b1\n", "c.xml": "c1\n" };

  it("creates, updates, keeps and deletes files the last generation wrote and nobody touched", () => {
    const disk = generatedDisk(before);
    const rendered = render({ "a.py": "a1\n", "b.py": "b2\n", "d.py": "d1\n" });
    expect(actions(disk, rendered)).toEqual({
      [LOCK_FILE]: "update",
      "a.py": "unchanged",
      "b.py": "update",
      "c.xml": "delete",
      "d.py": "create",
    });
  });

  it("reports a hand edit the new render would change as a conflict", () => {
    const disk = generatedDisk(before, { "b.py": "b1 edited\n" });
    expect(actions(disk, render({ ...before, "b.py": "b2\n" }))["b.py"]).toBe("conflict");
  });

  it("keeps a hand edit the new render does not touch, without a conflict", () => {
    const disk = generatedDisk(before, { "b.py": "b1 edited\n" });
    expect(actions(disk, render(before))["b.py"]).toBe("edited");
  });

  it("deletes a stale file only when unmodified, and reports a hand-edited stale file", () => {
    const untouched = generatedDisk(before);
    const edited = generatedDisk(before, { "c.xml": "c1 edited\n" });
    const rendered = render({ "a.py": "a1\n", "b.py": "b1\n" });
    expect(actions(untouched, rendered)["c.xml"]).toBe("delete");
    expect(actions(edited, rendered)["c.xml"]).toBe("conflict");
  });

  it("treats a differing file this tool never wrote (no lock) as a conflict and leaves strangers alone", () => {
    const disk = new Map([["a.py", enc("mine\n")], ["notes.txt", enc("x")]]);
    const plan = planChanges(render({ "a.py": "a1\n" }), disk);
    expect(plan.files.find((file) => file.path === "a.py")?.action).toBe("conflict");
    expect(plan.untracked).toEqual(["notes.txt"]);
  });
});

describe("applyPlan", () => {
  const before = { "a.py": "a1\n", "b.py": "b1\n" };
  const disk = generatedDisk(before, { "b.py": "b1 edited\n" });
  disk.set("extra.md", enc("user file\n"));
  const rendered = render({ "a.py": "a2\n", "b.py": "b2\n" });
  const plan = planChanges(rendered, disk);
  const text = (tree: VirtualTree, path: string) => Buffer.from(tree.get(path) as Uint8Array | string).toString();

  it("keep: leaves the hand edit, updates the rest, keeps untracked files", () => {
    const tree = applyPlan(plan, disk, () => "keep");
    expect(text(tree, "b.py")).toBe("b1 edited\n");
    expect(text(tree, "a.py")).toBe("a2\n");
    expect(text(tree, "extra.md")).toBe("user file\n");
  });

  it("overwrite: replaces the hand edit", () => {
    expect(text(applyPlan(plan, disk, () => "overwrite"), "b.py")).toBe("b2\n");
  });

  it("knows when nothing would change", () => {
    const same = generatedDisk(before);
    const lockText = Buffer.from(same.get(LOCK_FILE)!).toString();
    expect(isNoop(planChanges(render(before, lockText), same))).toBe(true);
    expect(isNoop(plan)).toBe(false);
  });
});

describe("detectDrift", () => {
  const files = { "a.py": "a1\n", "b.py": "b1\n" };
  const current = { policySha256: "p", toolVersion: "1.0.0", templatesSha256: "t" };

  function drift(disk: Map<string, Uint8Array>, inputs = current, rendered = files) {
    const lockText = Buffer.from(generatedDisk(rendered).get(LOCK_FILE)!).toString();
    return detectDrift(planChanges(render(rendered, lockText), disk), inputs);
  }

  it("is clean when the disk is exactly the generation", () => {
    expect(drift(generatedDisk(files)).clean).toBe(true);
  });

  it("tells the four reasons apart", () => {
    const policy = drift(generatedDisk(files), { ...current, policySha256: "p2" });
    expect(policy).toMatchObject({ clean: false, policyChanged: true, toolChanged: false });
    const tool = drift(generatedDisk(files), { ...current, templatesSha256: "t2" });
    expect(tool).toMatchObject({ clean: false, policyChanged: false, toolChanged: true });
    const edited = drift(generatedDisk(files, { "a.py": "hand\n" }));
    expect(edited).toMatchObject({ clean: false, editedByHand: ["a.py"], missing: [], extra: [] });
    const missingExtra = drift(generatedDisk(files, { "b.py": null, "new.txt": "x" }));
    expect(missingExtra).toMatchObject({ clean: false, missing: ["b.py"], extra: ["new.txt"] });
    expect(describeDrift(missingExtra)).toEqual(["files missing: b.py", "files extra (not generated): new.txt"]);
  });
});

describe("unifiedDiff", () => {
  it("shows a change as a git-style unified diff", () => {
    const patch = unifiedDiff({ path: "a.py", action: "update", current: enc("x\ny\n"), next: "x\nz\n" }, "acme/");
    expect(patch).toBe("--- a/acme/a.py\n+++ b/acme/a.py\n@@ -1,2 +1,2 @@\n x\n-y\n+z\n");
  });
});

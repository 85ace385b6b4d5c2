/**
 * Issue 8's bad-input matrix, the rows that need the real CLI and a real file system: a huge
 * policy file, an --out that cannot be written, and two generate runs into one folder. Each:
 * one clear message, exit 2, nothing written, nothing left behind.
 */
import { execFile, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_POLICY_BYTES } from "../../src/policy/load.js";
import { lockOutputs } from "../../src/write/atomic.js";
import { EXAMPLES_DIR } from "../support/examples.js";
import { buildCli, removeCli, runCli, type Run } from "./run-cli.js";

let main: string;
let work: string;
const cli = (...args: string[]): Promise<Run> => runCli(main, work, args);

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), "odoo-2fa-bad-input-"));
  main = await buildCli();
  writeFileSync(path.join(work, "policy.yaml"), readFileSync(path.join(EXAMPLES_DIR, "warehouse-scanners.yaml")));
});
afterAll(async () => {
  if (work) {
    for (const dir of readOnlyDirs) chmodSync(dir, 0o755);
    await rm(work, { recursive: true, force: true });
  }
  if (main) await removeCli(main);
});

/** Every file below `dir` (dot files included), relative, with its bytes in base64. */
function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(dir, { recursive: true, encoding: "utf8" })
      .filter((name) => statSync(path.join(dir, name)).isFile())
      .sort()
      .map((name) => [name.split(path.sep).join("/"), readFileSync(path.join(dir, name), "base64")]),
  );
}

/** What a run may leave behind when it goes wrong: temporary and set-aside folders, locks (not the addons' .odoo-2fa.lock.json). */
function leftovers(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((name) =>
    /\.odoo-2fa-(tmp|old)-|\.odoo-2fa\.lock(?!\.json$)/.test(path.basename(name)),
  );
}

const noStackTrace = (run: Run) => expect(run.stdout + run.stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);

/** The addon folders one clean generate writes into a fresh folder: what every other outcome is compared with. */
async function cleanGeneration(...odoo: string[]): Promise<Record<string, string>> {
  const fresh = path.join(work, `reference-${odoo.join("-")}`);
  if (!existsSync(fresh)) {
    const run = await cli("generate", "policy.yaml", "--odoo", ...odoo, "--out", fresh);
    expect(run.code, run.stderr).toBe(0);
  }
  return snapshot(fresh);
}

describe("a 20 MB policy file", () => {
  it("is refused by its size, naming the limit: exit 2, nothing written", async () => {
    const policy = readFileSync(path.join(work, "policy.yaml"));
    const padding = Buffer.alloc(20 * 1024 * 1024 - policy.length, "# padding\n");
    writeFileSync(path.join(work, "big.yaml"), Buffer.concat([policy, padding]));
    const size = 20 * 1024 * 1024;

    const run = await cli("generate", "big.yaml", "--odoo", "all", "--out", "out-big");
    expect(run.code).toBe(2);
    expect(run.stderr.split("\n").slice(0, 2)).toEqual([
      `big.yaml: error: is ${size} bytes, over the limit of ${MAX_POLICY_BYTES} bytes`,
      `    expected: a policy file of at most ${MAX_POLICY_BYTES} bytes`,
    ]);
    expect(run.stderr).toContain("nothing written");
    expect(existsSync(path.join(work, "out-big"))).toBe(false);
    noStackTrace(run);

    const json = await cli("validate", "big.yaml", "--json");
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout).issues).toEqual([
      expect.objectContaining({ file: "big.yaml", line: 0, message: `is ${size} bytes, over the limit of ${MAX_POLICY_BYTES} bytes` }),
    ]);
  });

  it("is refused before it is read: a 4 GiB (sparse) file gets the same answer, not a read error", async () => {
    // Node cannot read a file over 2 GiB into memory (ERR_FS_FILE_TOO_LARGE): had the tool read it
    // before checking the size, the message would be "cannot be read (...)". Sparse: no disk used.
    const huge = path.join(work, "huge.yaml");
    writeFileSync(huge, "schema: 1\n");
    truncateSync(huge, 4 * 1024 ** 3);
    const run = await cli("validate", "huge.yaml");
    expect(run.code).toBe(2);
    expect(run.stdout.split("\n")[0]).toBe(`huge.yaml: error: is ${4 * 1024 ** 3} bytes, over the limit of ${MAX_POLICY_BYTES} bytes`);
  });
});

/**
 * As root, a 0555 folder does not stop writes (CAP_DAC_OVERRIDE). Then the CLI is run under
 * `setpriv` without that capability, so the permissions are enforced as for any user. The probe
 * decides, once, whether a read-only folder can be made to refuse a write here at all.
 */
const readOnlyDirs: string[] = [];
const DROP_DAC = ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--"];
const readOnlyRunner: { prefix: string[] } | { skip: string } = (() => {
  const probe = path.join(tmpdir(), `odoo-2fa-ro-probe-${process.pid}`);
  mkdirSync(probe, { recursive: true });
  chmodSync(probe, 0o555);
  const refuses = (prefix: string[]) => {
    const file = path.join(probe, `x${prefix.length}`); // a new file each time: an existing one stays writable
    const [command, ...args] = [...prefix, process.execPath, "-e", `require("fs").writeFileSync(${JSON.stringify(file)}, "")`];
    return spawnSync(command!, args, { stdio: "ignore" }).status === 1;
  };
  try {
    if (refuses([])) return { prefix: [] };
    if (process.getuid?.() === 0 && refuses(DROP_DAC)) return { prefix: DROP_DAC };
    return { skip: "running as root, and setpriv cannot drop CAP_DAC_OVERRIDE here, so no folder is read-only to this process" };
  } finally {
    chmodSync(probe, 0o755);
    spawnSync("rm", ["-rf", probe]);
  }
})();
if ("skip" in readOnlyRunner) console.warn(`SKIPPED: the read-only --out cases: ${readOnlyRunner.skip}`);

function runWithout(prefix: string[], args: string[]): Promise<Run> {
  const [command, ...rest] = [...prefix, process.execPath, main, ...args];
  return new Promise((resolve) => {
    execFile(command!, rest, { cwd: work, env: { ...process.env, NO_COLOR: "1", ODOO_2FA_DEBUG: "" } }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe("an unwritable --out", () => {
  it("a path below a regular file: exit 2, names the file in the way, nothing created", async () => {
    writeFileSync(path.join(work, "a-file"), "not a folder\n");
    for (const [odoo, out] of [
      ["17.0", "a-file/out"],
      ["all", "a-file/deeper/out"],
    ] as const) {
      const before = readdirSync(work).sort();
      const run = await cli("generate", "policy.yaml", "--odoo", odoo, "--out", out);
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr.split("\n")[0]).toBe(
        `odoo-2fa generate: error: cannot write to --out ${out}: ${path.join(work, "a-file")} is a file, not a folder`,
      );
      noStackTrace(run);
      expect(readFileSync(path.join(work, "a-file"), "utf8")).toBe("not a folder\n");
      expect(readdirSync(work).sort()).toEqual(before);
      expect(leftovers(work)).toEqual([]);
    }
    const json = await cli("generate", "policy.yaml", "--odoo", "17.0", "--out", "a-file/out", "--json");
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toMatchObject({
      ok: false,
      command: "generate",
      error: { kind: "unwritable", path: path.join(work, "a-file") },
    });
  });

  it.skipIf("skip" in readOnlyRunner)("a read-only folder (0555): exit 2, names the folder, nothing written, the previous output intact", async () => {
    const prefix = "prefix" in readOnlyRunner ? readOnlyRunner.prefix : [];
    const ro = path.join(work, "read-only");
    mkdirSync(ro);
    chmodSync(ro, 0o555);
    readOnlyDirs.push(ro);

    const into = await runWithout(prefix, ["generate", "policy.yaml", "--odoo", "17.0", "--out", "read-only"]);
    expect(into.code, into.stderr).toBe(2);
    expect(into.stderr.split("\n")[0]).toBe(`odoo-2fa generate: error: cannot write to --out read-only: permission denied (writing in ${ro})`);
    noStackTrace(into);

    const below = await runWithout(prefix, ["generate", "policy.yaml", "--odoo", "all", "--out", "read-only/new", "--json"]);
    expect(below.code).toBe(2);
    expect(JSON.parse(below.stdout).error).toMatchObject({
      kind: "unwritable",
      message: `cannot write to --out read-only/new: permission denied (creating ${path.join(ro, "new")})`,
    });
    expect(readdirSync(ro)).toEqual([]);

    // A folder generated earlier, then made read-only: a regeneration fails and leaves it as it was.
    const previous = path.join(work, "previous");
    expect((await cli("generate", "policy.yaml", "--odoo", "17.0", "--out", "previous")).code).toBe(0);
    const before = snapshot(previous);
    writeFileSync(path.join(work, "changed.yaml"), readFileSync(path.join(work, "policy.yaml"), "utf8").replace("grace_days: 7", "grace_days: 9"));
    chmodSync(previous, 0o555);
    readOnlyDirs.push(previous);
    const again = await runWithout(prefix, ["generate", "changed.yaml", "--odoo", "17.0", "--out", "previous"]);
    expect(again.code, again.stderr).toBe(2);
    expect(again.stderr).toContain(`cannot write to --out previous: permission denied (writing in ${previous})`);
    expect(snapshot(previous)).toEqual(before);
    expect(leftovers(work)).toEqual([]);
  });
});

describe("two generate runs into the same --out", () => {
  it("while another run holds the folder: the second fails busy (exit 2), writes nothing, and works once it is free", async () => {
    const out = path.join(work, "busy");
    const addon = path.join(out, "18.0", "acme_2fa_policy");
    // This test process takes the lock exactly as a running generate does, on one of the four folders.
    const release = await lockOutputs([addon]);
    try {
      const run = await cli("generate", "policy.yaml", "--odoo", "all", "--out", "busy");
      expect(run.code).toBe(2);
      expect(run.stderr.split("\n")[0]).toBe(
        `odoo-2fa generate: error: ${addon} is being written by another odoo-2fa process (pid ${process.pid}); wait for it to finish`,
      );
      noStackTrace(run);
      const json = await cli("generate", "policy.yaml", "--odoo", "all", "--out", "busy", "--json");
      expect(json.code).toBe(2);
      expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, error: { kind: "busy", dir: addon, pid: process.pid } });
      // All or nothing: not one of the four addon folders was written.
      expect(Object.keys(snapshot(out))).toEqual(["18.0/.acme_2fa_policy.odoo-2fa.lock"]);
    } finally {
      await release();
    }
    const free = await cli("generate", "policy.yaml", "--odoo", "all", "--out", "busy");
    expect(free.code, free.stderr).toBe(0);
    expect(snapshot(out)).toEqual(await cleanGeneration("all"));
    expect(leftovers(out)).toEqual([]);
  });

  it("started at once: each succeeds or fails busy, never anything else; the result is one clean generation", async () => {
    const reference = await cleanGeneration("all");
    for (let round = 0; round < 3; round++) {
      const out = `race-${round}`;
      const runs = await Promise.all(Array.from({ length: 4 }, () => cli("generate", "policy.yaml", "--odoo", "all", "--out", out)));
      const outcomes = runs.map((run) => (run.code === 0 ? "ok" : run.code === 2 && /is being written by another odoo-2fa process/.test(run.stderr) ? "busy" : run.stderr));
      expect(outcomes.filter((outcome) => outcome !== "ok" && outcome !== "busy")).toEqual([]);
      expect(outcomes).toContain("ok");
      expect(snapshot(path.join(work, out))).toEqual(reference);
      expect(leftovers(path.join(work, out))).toEqual([]);
    }
  });
});

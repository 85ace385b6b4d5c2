/**
 * `odoo-2fa verify` as users run it, for the paths that need no Odoo: exit 2 with a message that
 * says exactly what to provide. (The runs on a real Odoo are in local.test.ts.)
 */
import { execFile } from "node:child_process";
import { cp, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { buildCli, type Run } from "../cli/run-cli.js";

const FIXTURES = path.join(import.meta.dirname, "fixtures");
let main: string;
let empty: string;

function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [main, ...args], { env: { ...process.env, NO_COLOR: "1", ODOO_2FA_DEBUG: "", ...env } }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

beforeAll(async () => {
  main = await buildCli();
  empty = await mkdtemp(path.join(tmpdir(), "odoo-2fa-no-sources-"));
}, 120_000);

describe("odoo-2fa verify without Odoo", () => {
  it("a folder that is not an addon: exit 2, one line", async () => {
    const run = await cli(["verify", FIXTURES, "--odoo", "17.0"]);
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
    expect(run.stderr).toContain("is not an Odoo addon: it has no __manifest__.py");
  });

  it("the layout generate writes for several series (DIR/<series>/<addon>): each series gets its own addon", async () => {
    const layout = await mkdtemp(path.join(tmpdir(), "odoo-2fa-layout-"));
    for (const series of ["16.0", "19.0"]) await cp(path.join(FIXTURES, "verify_ok"), path.join(layout, series, "verify_ok"), { recursive: true });
    const run = await cli(["verify", layout, "--odoo", "16.0,19.0", "--json"], { ODOO_2FA_SOURCES: empty });
    const out = JSON.parse(run.stdout);
    // Both resolved to an addon (the runs fail only for want of an Odoo tree).
    expect(out.runs.map((r: { series: string; error: { code: string } }) => [r.series, r.error.code])).toEqual([
      ["16.0", "no-source-tree"],
      ["19.0", "no-source-tree"],
    ]);
    const missing = await cli(["verify", layout, "--odoo", "16.0,17.0"], { ODOO_2FA_SOURCES: empty });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`${path.join(layout, "17.0")} holds no addon`);
    await rm(layout, { recursive: true, force: true });
  });

  it("an unknown series: exit 2", async () => {
    const run = await cli(["verify", path.join(FIXTURES, "verify_ok"), "--odoo", "15.0"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--odoo: unknown Odoo series "15.0"');
    expect(run.stderr).toContain("hint: odoo-2fa supports Odoo 16.0 to 19.0");
  });

  it("no source tree: exit 2, says where it looked and what to provide", async () => {
    const run = await cli(["verify", path.join(FIXTURES, "verify_ok"), "--odoo", "18.0"], { ODOO_2FA_SOURCES: empty });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`No Odoo 18.0 source tree: looked at ${path.join(empty, "18.0")}`);
    expect(run.stderr).toContain("--odoo-src");
    expect(run.stderr).toContain("$ODOO_2FA_SOURCES/18.0");
  });

  it("--json: one object with a run per series and the reason", async () => {
    const run = await cli(["verify", path.join(FIXTURES, "verify_ok"), "--odoo", "16.0,19.0", "--json"], { ODOO_2FA_SOURCES: empty });
    expect(run.code).toBe(2);
    const out = JSON.parse(run.stdout);
    expect(out).toMatchObject({ ok: false, command: "verify", exitCode: 2 });
    expect(out.runs.map((r: { series: string; error: { code: string } }) => [r.series, r.error.code])).toEqual([
      ["16.0", "no-source-tree"],
      ["19.0", "no-source-tree"],
    ]);
  });

  it("--docker with a local-backend option: exit 2", async () => {
    const run = await cli(["verify", path.join(FIXTURES, "verify_ok"), "--odoo", "17.0", "--docker", "--odoo-src", empty]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--odoo-src and --python are options of the local backend");
  });
});

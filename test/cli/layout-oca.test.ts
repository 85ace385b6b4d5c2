/**
 * `generate --layout oca`: OCA's branch-per-series repositories, one series per branch with the
 * addon at the repository root and its pyproject.toml (whool). Followed as the README says: the
 * 17.0 branch, then an 18.0 branch made from it with the same policy file. check and diff find
 * the layout from the lock; several series with --layout oca are refused.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildCli, removeCli, runCli } from "./run-cli.js";

let cli = "";
const repo = mkdtempSync(path.join(tmpdir(), "odoo-2fa-oca-"));
beforeAll(async () => {
  cli = await buildCli();
}, 120_000);
afterAll(async () => {
  await removeCli(cli);
  rmSync(repo, { recursive: true, force: true });
});

const git = (...args: string[]) => execFileSync("git", ["-c", "user.email=ci@example.invalid", "-c", "user.name=ci", ...args], { cwd: repo, encoding: "utf8" });
const run = (...args: string[]) => runCli(cli, repo, args);

describe("--layout oca", { timeout: 120_000 }, () => {
  it("writes the addon at the root of a series branch with its pyproject.toml, branch after branch", async () => {
    git("init", "-q", "-b", "17.0");
    expect((await run("init", "--out", "policy.yaml")).code).toBe(0);
    const generated = await run("generate", "policy.yaml", "--odoo", "17.0", "--layout", "oca", "--out", ".");
    expect(generated.code, generated.stderr).toBe(0);
    expect(readFileSync(path.join(repo, "acme_2fa_policy", "pyproject.toml"), "utf8")).toBe(
      '[build-system]\nrequires = ["whool"]\nbuild-backend = "whool.buildapi"\n',
    );
    expect(readFileSync(path.join(repo, "acme_2fa_policy", "__manifest__.py"), "utf8")).toContain('"17.0.1.0.0"');
    // check and diff take the layout from the lock.
    expect((await run("check", "policy.yaml", "--odoo", "17.0", "--out", ".")).stdout).toBe("acme_2fa_policy/ (17.0): up to date\n");
    expect((await run("diff", "policy.yaml", "--odoo", "17.0", "--out", ".")).stdout.trim()).toBe("no changes");
    // From 17.0 every addon carries that pyproject.toml (as OCA's branches do): the layouts agree.
    const asDefault = await run("check", "policy.yaml", "--odoo", "17.0", "--out", ".", "--layout", "default", "--json");
    expect(asDefault.code, asDefault.stdout).toBe(0);
    git("add", "policy.yaml", "acme_2fa_policy");
    git("commit", "-qm", "17.0");

    // The next series' branch, from this one: the same policy file, the addon regenerated for 18.0.
    git("checkout", "-q", "-b", "18.0");
    git("checkout", "17.0", "--", "policy.yaml");
    const next = await run("generate", "policy.yaml", "--odoo", "18.0", "--out", ".");
    expect(next.code, next.stderr).toBe(0);
    expect(readFileSync(path.join(repo, "acme_2fa_policy", "__manifest__.py"), "utf8")).toContain('"18.0.1.0.0"');
    expect(existsSync(path.join(repo, "acme_2fa_policy", "pyproject.toml"))).toBe(true);
    expect((await run("check", "policy.yaml", "--odoo", "18.0", "--out", ".")).code).toBe(0);
    expect((await run("check", "policy.yaml", "--odoo", "17.0", "--out", ".")).code, "the branch now holds 18.0").toBe(1);
  });

  it("refuses several series", async () => {
    const result = await run("generate", "policy.yaml", "--odoo", "17.0,18.0", "--layout", "oca", "--out", "elsewhere");
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--layout oca takes one series");
    expect(existsSync(path.join(repo, "elsewhere"))).toBe(false);
  });
});

/**
 * The shipped pre-commit hook, run by the real `pre-commit` tool in a throwaway addons
 * repository: it passes when the addon matches the policy and fails naming the reason when the
 * policy changed without regeneration. pre-commit installs the hook from this repository's
 * committed HEAD (as users install it from a tag).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { EXAMPLES_DIR, REPO_ROOT } from "../support/examples.js";
import { buildCli, removeCli, runCli } from "./run-cli.js";

const hasPreCommit = spawnSync("pre-commit", ["--version"]).status === 0;
if (!hasPreCommit)
  console.warn("\n!!!!!!!! pre-commit hook test SKIPPED: the pre-commit tool is not installed (apt-get install pre-commit; scripts/install.sh does it)\n");

describe.skipIf(!hasPreCommit)("the odoo-2fa-check pre-commit hook", () => {
  it("passes on an up-to-date addon and fails when the policy changed without regeneration", { timeout: 600_000 }, async () => {
    const repo = mkdtempSync(path.join(tmpdir(), "odoo-2fa-hook-"));
    const cli = await buildCli();
    try {
      const git = (...args: string[]) => execFileSync("git", ["-c", "user.email=ci@example.invalid", "-c", "user.name=ci", ...args], { cwd: repo });
      git("init", "-q");
      writeFileSync(path.join(repo, "policy.yaml"), readFileSync(path.join(EXAMPLES_DIR, "warehouse-scanners.yaml")));
      expect((await runCli(cli, repo, ["generate", "policy.yaml", "--odoo", "all", "--out", "addons"])).code).toBe(0);
      // The README's example as written, but for where the repository is and which commit (the
      // tag it pins is made at release: test/release/changelog.test.ts checks the pin itself).
      const rev = execFileSync("git", ["rev-parse", "HEAD"], { cwd: REPO_ROOT }).toString().trim();
      const readme = readFileSync(path.join(REPO_ROOT, "README.md"), "utf8");
      const example = /```yaml\n([\s\S]*?)```/.exec(readme.slice(readme.indexOf("As a pre-commit hook")))![1]!;
      expect(example).toMatch(/^ {4}rev: v\S+/m);
      writeFileSync(
        path.join(repo, ".pre-commit-config.yaml"),
        example.replace(/^( {2}- repo: )\S+/m, `$1${REPO_ROOT}`).replace(/^( {4}rev: )\S+/m, `$1${rev}`),
      );
      git("add", "-A");
      git("commit", "-qm", "addons");
      const env = { ...process.env, PRE_COMMIT_HOME: path.join(repo, ".pre-commit-home") };
      const run = () => spawnSync("pre-commit", ["run", "--all-files"], { cwd: repo, env, encoding: "utf8" });

      const clean = run();
      expect(clean.status, clean.stdout + clean.stderr).toBe(0);
      expect(clean.stdout).toMatch(/odoo-2fa check.*Passed/);

      const policy = path.join(repo, "policy.yaml");
      writeFileSync(policy, readFileSync(policy, "utf8").replace("grace_days: 7", "grace_days: 3"));
      const drift = run();
      expect(drift.status).toBe(1);
      expect(drift.stdout).toMatch(/odoo-2fa check.*Failed/);
      expect(drift.stdout).toContain("policy changed since generation");
    } finally {
      await removeCli(cli);
      rmSync(repo, { recursive: true, force: true });
    }
  });
});

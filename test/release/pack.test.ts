/**
 * The release a user installs: the package `npm pack` makes is installed into a scratch addons
 * repository outside this checkout (`npm install --save-dev <tarball>`, dependencies from npm's
 * registry), and the README's Quickstart runs there with `npx odoo-2fa`, as a user runs it:
 * init, validate, generate, check, diff (verify, which needs a real Odoo, is the real-Odoo
 * tier's). Then the workflow of a kept hand edit and an added translation, `doctor` and
 * `setup local-odoo --dry-run`, all from the installed package. Nothing may be written outside
 * the scratch repository (HOME is a fresh folder that must stay empty).
 */
import { execFile } from "node:child_process";
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildCli } from "../../scripts/build-cli.js";
import { REPO_ROOT } from "../support/examples.js";

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd, env, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** The Quickstart's `npx odoo-2fa <command> …` lines for these commands, comments dropped, in order. */
export function quickstartCommands(readme: string, commands: readonly string[]): string[][] {
  const section = readme.slice(readme.indexOf("## Quickstart"));
  const block = /```sh\n([\s\S]*?)```/.exec(section)![1]!;
  return block
    .split("\n")
    .map((line) => line.replace(/\s+#.*$/, "").trim())
    .filter((line) => line.startsWith("npx odoo-2fa "))
    .map((line) => line.split(/\s+/).slice(1))
    .filter((argv) => commands.includes(argv[1]!));
}

const work = mkdtempSync(path.join(tmpdir(), "odoo-2fa-release-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("the packed release, installed into an addons repository", () => {
  it("runs the README's Quickstart there, keeps a recorded edit and a translation, and ships doctor and setup", { timeout: 300_000 }, async () => {
    const started = Date.now();
    const manifest = JSON.parse(readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as { version: string; files: string[] };
    // The package as `npm pack` in a built checkout makes it, staged so the checkout's dist/ is not touched.
    const stage = path.join(work, "package");
    await buildCli({ outDir: path.join(stage, "dist") });
    for (const entry of ["package.json", "README.md", ...manifest.files.filter((file) => file !== "dist")])
      cpSync(path.join(REPO_ROOT, entry), path.join(stage, entry), { recursive: true });
    const npmCache = (await run("npm", ["config", "get", "cache"], REPO_ROOT, process.env)).stdout.trim();
    const home = path.join(work, "home");
    mkdirSync(home);
    // A fresh HOME (npm's cache stays where it is: the registry's packages come from it or the network).
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, npm_config_cache: npmCache, NO_COLOR: "1", ODOO_2FA_DEBUG: "" };
    for (const name of Object.keys(env)) if (/^(npm_(?!config_cache)|INIT_CWD)/i.test(name)) delete env[name];

    const pack = await run("npm", ["pack", "--json", "--pack-destination", work], stage, env);
    expect(pack.code, pack.stderr).toBe(0);
    const [packed] = JSON.parse(pack.stdout) as { filename: string; files: { path: string }[] }[];
    const shipped = packed!.files.map((file) => file.path);
    expect(packed!.filename).toBe(`odoo-2fa-${manifest.version}.tgz`);
    expect(shipped).toEqual(expect.arrayContaining(["dist/cli/main.js", "dist/templates.precompiled.js", "policy.schema.json", "templates/base/__manifest__.py.hbs"]));
    // verify's local backend runs scripts/left-out-modules.py (src/verify/community.ts): shipped.
    expect(shipped.filter((file) => file.startsWith("scripts/")).sort()).toEqual(["scripts/left-out-modules.py", "scripts/postinstall.mjs"]);
    expect(shipped.filter((file) => /^(src|test)\//.test(file))).toEqual([]);

    const repo = path.join(work, "my-odoo-addons");
    mkdirSync(repo);
    writeFileSync(path.join(repo, "package.json"), `${JSON.stringify({ name: "my-odoo-addons", private: true }, null, 2)}\n`);
    const install = await run(
      "npm",
      ["install", "--save-dev", "--no-audit", "--no-fund", "--prefer-offline", path.join(work, packed!.filename)],
      repo,
      env,
    );
    expect(install.code, install.stderr).toBe(0);
    expect(JSON.parse(readFileSync(path.join(repo, "package.json"), "utf8")).devDependencies).toHaveProperty("odoo-2fa");
    const installed = Date.now();

    const npx = (...args: string[]) => run("npx", ["--no-install", ...args], repo, env);
    const quickstart = quickstartCommands(readFileSync(path.join(REPO_ROOT, "README.md"), "utf8"), ["init", "validate", "generate", "check", "diff"]);
    expect(quickstart.map((argv) => argv[1])).toEqual(["init", "validate", "generate", "check", "diff"]);
    for (const argv of quickstart) {
      const result = await npx(...argv);
      expect(result.code, `${argv.join(" ")}\n${result.stdout}${result.stderr}`).toBe(0);
      if (argv[1] === "check") expect(result.stdout).toMatch(/^addons\/17\.0\/acme_2fa_policy\/ \(17\.0\): up to date$/m);
      if (argv[1] === "diff") expect(result.stdout.trim()).toBe("no changes");
    }

    // The rest runs the installed bin directly (what npx resolves to), which saves npx's start-up per call.
    const cli = (...args: string[]) => run(path.join(repo, "node_modules", ".bin", "odoo-2fa"), args, repo, env);

    // One workflow, one answer: a kept edit is recorded; a translation is the user's.
    const addon = path.join(repo, "addons", "17.0", "acme_2fa_policy");
    appendFileSync(path.join(addon, "models", "res_users.py"), "# ours: reviewed 2026-12-01\n");
    mkdirSync(path.join(addon, "i18n"), { recursive: true });
    writeFileSync(path.join(addon, "i18n", "fr.po"), 'msgid ""\nmsgstr ""\n');
    const planning = ["policy.yaml", "--odoo", "17.0", "--out", "addons/17.0"];
    const before = await cli("check", ...planning);
    expect(before.code).toBe(1);
    expect(before.stdout).toContain("files edited by hand: models/res_users.py");
    expect(before.stdout).toContain("--on-conflict keep");
    expect(before.stdout).not.toContain("i18n/fr.po (not generated)");
    expect((await cli("generate", ...planning, "--on-conflict", "keep")).stdout).toContain(
      "kept your edit: addons/17.0/acme_2fa_policy/models/res_users.py",
    );
    const after = await cli("check", ...planning);
    expect(after.code, after.stdout).toBe(0);
    expect(after.stdout).toContain("kept edits (recorded in .odoo-2fa.lock.json): models/res_users.py");
    expect(after.stdout).toContain("files you added (not drift): i18n/fr.po");
    const diff = await cli("diff", ...planning);
    expect(diff.stdout).toMatch(/^\+# ours: reviewed 2026-12-01$/m);
    // The series' folder of a multi-series tree, asked for with one series at the tree's root.
    const wrongOut = await cli("check", "policy.yaml", "--odoo", "17.0", "--out", "addons");
    expect(wrongOut.code).toBe(2);
    expect(wrongOut.stderr).toContain("rerun with --out addons/17.0");

    // Set-up that ships with the package.
    const doctor = await cli("doctor", "--odoo", "17.0", "--json");
    expect([0, 1], doctor.stderr).toContain(doctor.code);
    expect(JSON.parse(doctor.stdout).findings.map((f: { what: string }) => f.what)).toEqual(
      expect.arrayContaining(["Odoo 17.0 source tree", "Python with Odoo's dependencies", "PostgreSQL server binaries"]),
    );
    const setup = await cli("setup", "local-odoo", "--dry-run");
    expect(setup.code, setup.stderr).toBe(0);
    expect(setup.stdout).toMatch(/already installed|dry run: nothing installed/);

    expect(readdirSync(repo).sort()).toEqual(["addons", "node_modules", "package-lock.json", "package.json", "policy.yaml"]);
    expect(readdirSync(home), "nothing written outside the repository").toEqual([]);
    console.log(`release test: pack ${((installed - started) / 1000).toFixed(1)} s (build, pack, install), commands ${((Date.now() - installed) / 1000).toFixed(1)} s`);
  });
});

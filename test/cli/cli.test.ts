/**
 * The CLI as users run it: a subprocess, its exit code, stdout/stderr and --json objects.
 * The sources are transpiled once (see run-cli.ts); no `npm run build` needed.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../support/examples.js";
import { buildCli, removeCli, runCli, type Run } from "./run-cli.js";

let main: string;
const cli = (...args: string[]): Promise<Run> => runCli(main, work, args);

function filesBelow(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((name) => statSync(path.join(dir, name)).isFile())
    .map((name) => name.split(path.sep).join("/"))
    .sort();
}

function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(filesBelow(dir).map((name) => [name, readFileSync(path.join(dir, name), "base64")]));
}

const EXAMPLE = path.join(REPO_ROOT, "examples/warehouse-scanners.yaml");
const FIVE_MISTAKES = `schema: 1
addon:
  name: account
  title: ACME two-factor policy
  summary: Every employee must use an authenticator app
  author: ACME IT
  version: v1
enforce:
  groups: [base.group_user]
  grace_dayz: 3
exemptions:
  - name: scanners
    logins: [scanner-01]
    networks: [10.20.1.0/16]
    reason: Shared scanners
api:
  password_rpc: never
`;

let work: string;
beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), "odoo-2fa-cli-"));
  main = await buildCli();
  await writeFile(path.join(work, "five.yaml"), FIVE_MISTAKES);
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
  if (main) await removeCli(main);
});

const noStackTrace = (run: Run) => {
  expect(run.stdout + run.stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
};

describe.concurrent("usage", () => {
  it("--help lists the commands and exits 0", async () => {
    const run = await cli("--help");
    expect(run.code).toBe(0);
    for (const command of ["init", "validate", "schema", "generate"]) expect(run.stdout).toContain(`odoo-2fa ${command}`);
  });

  it("usage errors exit 2, not 1, without a stack trace", async () => {
    for (const args of [
      [],
      ["frobnicate"],
      ["validate"],
      ["validate", EXAMPLE, "--bogus"],
      ["generate", EXAMPLE, "--out", "x"],
    ]) {
      const run = await cli(...args);
      expect(run.code, args.join(" ")).toBe(2);
      expect(run.stderr).toMatch(/^odoo-2fa: error: /);
      noStackTrace(run);
    }
  });

  it("usage errors with --json give a JSON object", async () => {
    const run = await cli("generate", EXAMPLE, "--json");
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: false, error: { kind: "usage" } });
  });

  it("an unknown series is a usage error with a suggestion", async () => {
    const run = await cli("generate", EXAMPLE, "--odoo", "17", "--out", path.join(work, "never"));
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('unknown Odoo series "17"');
    expect(run.stderr).toContain("did you mean 17.0?");
    expect(existsSync(path.join(work, "never"))).toBe(false);
  });
});

describe.concurrent("validate", () => {
  it("a valid policy exits 0", async () => {
    const run = await cli("validate", EXAMPLE);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("valid");
  });

  it("a policy with five different mistakes: five located errors at once, exit 2", async () => {
    const run = await cli("validate", "five.yaml");
    expect(run.code).toBe(2);
    const errors = run.stdout.split("\n").filter((line) => /^five\.yaml:\d+:\d+: error: /.test(line));
    expect(errors).toEqual([
      'five.yaml:3:9: error: addon.name: "account" is the name of an Odoo core module',
      'five.yaml:7:12: error: addon.version: "v1" is not an x.y.z version',
      'five.yaml:10:3: error: enforce.grace_dayz: unknown key "grace_dayz"',
      "five.yaml:14:16: error: exemptions[0].networks[0]: 10.20.1.0/16 has host bits set",
      "five.yaml:17:17: error: api.password_rpc: found never (text)",
    ]);
    expect(run.stdout).toContain("    expected: 10.20.0.0/16");
    expect(run.stdout).toContain('    hint: did you mean "grace_days"?');
    expect(run.stdout.trimEnd().split("\n").at(-1)).toBe("5 errors, 0 warnings in five.yaml");
    noStackTrace(run);
  });

  it("--json gives every issue with its location", async () => {
    const run = await cli("validate", "five.yaml", "--json");
    expect(run.code).toBe(2);
    const out = JSON.parse(run.stdout);
    expect(out).toMatchObject({ ok: false, command: "validate", file: "five.yaml", errors: 5, warnings: 0 });
    expect(out.issues).toHaveLength(5);
    expect(out.issues[3]).toEqual({
      severity: "error",
      file: "five.yaml",
      line: 14,
      col: 16,
      path: "exemptions[0].networks[0]",
      message: "10.20.1.0/16 has host bits set",
      expected: "10.20.0.0/16",
      hint: "a network is written with its first address; write 10.20.0.0/16, or 10.20.1.0/32 for that one host",
    });
  });

  it("--json on a valid policy includes the normalised policy", async () => {
    const run = await cli("validate", EXAMPLE, "--json");
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out).toMatchObject({ ok: true, errors: 0, warnings: 0, issues: [] });
    expect(out.policy.exemptions[0].networks).toEqual(["10.20.0.0/16", "2001:db8::/48"]);
  });

  it("a missing file or a directory is one line, exit 2", async () => {
    for (const target of ["nope.yaml", "."]) {
      const run = await cli("validate", target);
      expect(run.code).toBe(2);
      expect(run.stdout.split("\n")[0]).toMatch(
        new RegExp(`^${target.replace(".", "\\.")}: error: (no such file|is a directory)$`),
      );
      noStackTrace(run);
    }
  });
});

describe.concurrent("schema", () => {
  it("prints policy.schema.json", async () => {
    const run = await cli("schema");
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(readFileSync(path.join(REPO_ROOT, "policy.schema.json"), "utf8"));
  });
});

describe.concurrent("init", () => {
  it("offers the optional switches commented out; uncommented, they validate without a warning", async () => {
    expect((await cli("init", "--out", "switches.yaml")).code).toBe(0);
    const lines = (await readFile(path.join(work, "switches.yaml"), "utf8")).split("\n");
    const start = lines.findIndex((line) => line.startsWith("# Optional switches"));
    expect(start).toBeGreaterThan(0);
    const uncommented = [...lines.slice(0, start), ...lines.slice(start + 1).map((line) => line.replace(/^# /, ""))];
    for (const key of ["recovery_codes:", "report:", "notifications:", "audit:"])
      expect(uncommented.some((line) => line.startsWith(key)), key).toBe(true);
    await writeFile(path.join(work, "switches.yaml"), uncommented.join("\n"));
    const run = await cli("validate", "switches.yaml", "--json");
    expect(run.code, run.stdout).toBe(0);
    expect(JSON.parse(run.stdout).issues).toEqual([]);
  });

  it("writes a starter policy that validates, and refuses to overwrite it without --force", async () => {
    const first = await cli("init", "--out", "starter.yaml");
    expect(first.code).toBe(0);
    expect(await readFile(path.join(work, "starter.yaml"), "utf8")).toContain("# yaml-language-server: $schema=");
    expect((await cli("validate", "starter.yaml")).code).toBe(0);

    await writeFile(path.join(work, "starter.yaml"), "# mine\n");
    const again = await cli("init", "--out", "starter.yaml", "--json");
    expect(again.code).toBe(2);
    expect(JSON.parse(again.stdout)).toMatchObject({
      ok: false,
      command: "init",
      error: { message: "starter.yaml already exists" },
    });
    expect(await readFile(path.join(work, "starter.yaml"), "utf8")).toBe("# mine\n");

    const forced = await cli("init", "--out", "starter.yaml", "--force", "--json");
    expect(forced.code).toBe(0);
    expect(JSON.parse(forced.stdout)).toEqual({ ok: true, command: "init", file: "starter.yaml" });
  });
});

describe.concurrent("generate", () => {
  it("one series writes DIR/<addon>/", async () => {
    const out = path.join(work, "one");
    const run = await cli("generate", EXAMPLE, "--odoo", "17.0", "--out", out);
    expect(run.code, run.stderr).toBe(0);
    expect(readdirSync(out)).toEqual(["acme_2fa_policy"]);
    expect(filesBelow(path.join(out, "acme_2fa_policy"))).toContain("__manifest__.py");
  });

  it("several series write DIR/<series>/<addon>/, byte-identical when run twice, with --json", async () => {
    const out = path.join(work, "all");
    const run = await cli("generate", EXAMPLE, "--odoo", "all", "--out", out, "--json");
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report).toMatchObject({
      ok: true,
      command: "generate",
      dryRun: false,
      series: ["16.0", "17.0", "18.0", "19.0"],
      conflicts: [],
    });
    expect(report.written).toEqual(["16.0", "17.0", "18.0", "19.0"].map((s) => path.join(out, s, "acme_2fa_policy")));
    expect(report.addons[0].files.every((f: { action: string }) => f.action === "create")).toBe(true);
    expect(readdirSync(out).sort()).toEqual(["16.0", "17.0", "18.0", "19.0"]);
    const before = snapshot(out);

    const again = await cli("generate", EXAMPLE, "--odoo", "16.0,17.0,18.0,19.0", "--out", out, "--json");
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout).written).toEqual([]);
    expect(snapshot(out)).toEqual(before);
  });

  it("--dry-run lists the files and writes nothing", async () => {
    const out = path.join(work, "dry");
    const run = await cli("generate", EXAMPLE, "--odoo", "16.0,18.0", "--out", out, "--dry-run");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`${path.join(out, "16.0", "acme_2fa_policy")}/`);
    expect(run.stdout).toMatch(/^ {2}create {4}__manifest__\.py$/m);
    expect(existsSync(out)).toBe(false);
  });

  it("an invalid policy exits 2 with its located errors and writes nothing", async () => {
    const out = path.join(work, "invalid");
    const run = await cli("generate", "five.yaml", "--odoo", "all", "--out", out);
    expect(run.code).toBe(2);
    expect(run.stderr.split("\n").filter((line) => /^five\.yaml:\d+:\d+: error: /.test(line))).toHaveLength(5);
    expect(existsSync(out)).toBe(false);
  });

  it("refuses to overwrite a hand edit (exit 1, nothing written) unless --on-conflict overwrite", async () => {
    const out = path.join(work, "edited");
    const policy = path.join(work, "edited.yaml");
    await writeFile(policy, readFileSync(EXAMPLE, "utf8"));
    expect((await cli("generate", policy, "--odoo", "17.0", "--out", out)).code).toBe(0);
    const manifest = path.join(out, "acme_2fa_policy", "__manifest__.py");
    await writeFile(manifest, `${readFileSync(manifest, "utf8")}# my edit\n`);
    await writeFile(policy, readFileSync(EXAMPLE, "utf8").replace("version: 1.0.0", "version: 1.0.1"));
    const before = snapshot(out);

    const refused = await cli("generate", policy, "--odoo", "17.0", "--out", out, "--json");
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.stdout)).toMatchObject({
      ok: false,
      conflicts: [`${path.join(out, "acme_2fa_policy")}/__manifest__.py`],
    });
    expect(snapshot(out)).toEqual(before);

    const forced = await cli("generate", policy, "--odoo", "17.0", "--out", out, "--on-conflict", "overwrite");
    expect(forced.code).toBe(0);
    expect(readFileSync(manifest, "utf8")).toContain('"17.0.1.0.1"');
    expect(readFileSync(manifest, "utf8")).not.toContain("# my edit");
  });

  it("--out that is a file is bad input", async () => {
    const run = await cli("generate", EXAMPLE, "--odoo", "17.0", "--out", "five.yaml");
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("exists and is not a folder");
  });
});

/**
 * `odoo-2fa setup local-odoo` and `odoo-2fa doctor`. setup runs against stand-ins for dpkg-query,
 * apt-cache and apt-get placed first on PATH (they keep a list of "installed" packages and log
 * every apt-get call), so that what it installs, when it asks and that it is idempotent can be
 * asserted without changing this machine; one run uses the real dpkg-query, read-only. doctor
 * runs for real, once with this machine's trees and once with a sources folder that holds none.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOCAL_ODOO_PACKAGES } from "../../src/cli/local-odoo.js";
import { buildCli, removeCli, runCli } from "./run-cli.js";

let cli = "";
const work = mkdtempSync(path.join(tmpdir(), "odoo-2fa-setup-"));
beforeAll(async () => {
  cli = await buildCli();
}, 120_000);
afterAll(async () => {
  await removeCli(cli);
  rmSync(work, { recursive: true, force: true });
});

/** A PATH whose dpkg-query/apt-cache/apt-get keep their state in `dir`. */
function fakeApt(dir: string, installed: string[], unavailable: string[] = []): NodeJS.ProcessEnv {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "installed"), installed.map((name) => `${name}\n`).join(""));
  writeFileSync(path.join(dir, "unavailable"), unavailable.map((name) => `${name}\n`).join(""));
  const script = (name: string, body: string) => {
    writeFileSync(path.join(dir, name), `#!/bin/sh\nSTATE=${JSON.stringify(dir)}\n${body}\n`);
    chmodSync(path.join(dir, name), 0o755);
  };
  script("dpkg-query", 'shift 2\nfor p in "$@"; do grep -qxF "$p" "$STATE/installed" && echo "$p installed"; done\nexit 0');
  script(
    "apt-cache",
    'shift\nfor p in "$@"; do echo "$p:"; echo "  Installed: (none)"; if grep -qxF "$p" "$STATE/unavailable"; then echo "  Candidate: (none)"; else echo "  Candidate: 1.0"; fi; done',
  );
  script(
    "apt-get",
    'echo "$*" >> "$STATE/apt.log"\n[ "$1" = install ] || exit 0\nshift\nfor p in "$@"; do case "$p" in -*) ;; *) echo "$p" >> "$STATE/installed";; esac; done',
  );
  return { ...process.env, PATH: `${dir}:${process.env.PATH}` };
}

const aptLog = (dir: string) => (existsSync(path.join(dir, "apt.log")) ? readFileSync(path.join(dir, "apt.log"), "utf8") : "");
const all = LOCAL_ODOO_PACKAGES.map((entry) => entry.split("|")[0]!);

describe.skipIf(process.getuid?.() !== 0)("setup local-odoo (as root: no sudo)", { timeout: 90_000 }, () => {
  it("lists what it would install and, with no terminal and no --yes, installs nothing (exit 2)", async () => {
    const dir = path.join(work, "ask");
    const env = fakeApt(dir, all.filter((name) => name !== "postgresql" && name !== "python3-zeep"));
    const run = await runCli(cli, work, ["setup", "local-odoo"], env);
    expect(run.code).toBe(2);
    expect(run.stdout).toContain("2 package(s) to install from Debian with apt-get: postgresql, python3-zeep");
    expect(run.stderr).toContain("pass --yes");
    expect(aptLog(dir)).toBe("");
    const dry = await runCli(cli, work, ["setup", "local-odoo", "--dry-run"], env);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain("dry run: nothing installed");
    expect(aptLog(dir)).toBe("");
  });

  it("--yes installs the missing ones (an alternative where apt knows only it), then has nothing to do", async () => {
    const dir = path.join(work, "yes");
    const env = fakeApt(dir, all.filter((name) => !["postgresql", "python3-pypdf2"].includes(name)), ["python3-pypdf2"]);
    const run = await runCli(cli, work, ["setup", "local-odoo", "--yes"], env);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("python3-pypdf2 (or python3-pypdf)");
    expect(aptLog(dir).trim().split("\n")).toEqual(["update -qq", "install -y -qq --no-install-recommends postgresql python3-pypdf"]);
    const again = await runCli(cli, work, ["setup", "local-odoo", "--yes"], env);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`all ${LOCAL_ODOO_PACKAGES.length} packages already installed`);
    expect(aptLog(dir).trim().split("\n"), "no apt-get call, not even update").toHaveLength(2);
  });

  it("fails (exit 1) when a package is still missing after apt-get", async () => {
    const dir = path.join(work, "broken");
    const env = fakeApt(dir, all.filter((name) => name !== "postgresql"), ["postgresql"]);
    const run = await runCli(cli, work, ["setup", "local-odoo", "--yes", "--json"], env);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout).error).toMatchObject({ kind: "apt", message: "still missing after apt-get install: postgresql" });
  });
});

describe("setup local-odoo and doctor for real", { timeout: 90_000 }, () => {
  it("setup on a machine without dpkg/apt-get: exit 2, saying what to install by hand", async () => {
    const bin = path.join(work, "no-debian");
    mkdirSync(bin);
    symlinkSync("/bin/sh", path.join(bin, "sh"));
    const run = await runCli(cli, work, ["setup", "local-odoo"], { ...process.env, PATH: bin });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("dpkg/apt-get are not here");
  });

  it("setup --dry-run with this machine's dpkg: names exactly the packages dpkg lacks", async () => {
    const run = await runCli(cli, work, ["setup", "local-odoo", "--dry-run", "--json"], process.env);
    if (!existsSync("/usr/bin/dpkg-query")) return expect(run.code).toBe(2);
    expect(run.code, run.stderr).toBe(0);
    const { missing } = JSON.parse(run.stdout) as { missing: string[] };
    for (const entry of missing) expect(LOCAL_ODOO_PACKAGES).toContain(entry);
  });

  it("doctor names each thing verify needs and where it looked; no tree for a series: exit 1 with the way to get one", async () => {
    const empty = path.join(work, "no-sources");
    mkdirSync(empty);
    const run = await runCli(cli, work, ["doctor", "--odoo", "17.0"], { ...process.env, ODOO_2FA_SOURCES: empty });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`missing Odoo 17.0 source tree: No Odoo 17.0 source tree: looked at ${path.join(empty, "17.0")}`);
    expect(run.stdout).toMatch(/^(ok     |missing) Python with Odoo's dependencies: /m);
    expect(run.stdout).toMatch(/^(ok     |missing) PostgreSQL server binaries: /m);
    expect(run.stdout).toMatch(/^(ok     |missing) Docker daemon \(verify --docker only\): /m);
    expect(run.stdout).toContain("verify's local backend cannot run yet");
  });

  it("doctor lists the missing Debian packages as setup does: an entry with alternatives reads `a (or b)`", async () => {
    const dir = path.join(work, "doctor-packages");
    const env = fakeApt(dir, all.filter((name) => !["postgresql", "python3-pypdf2"].includes(name)));
    const doctor = await runCli(cli, work, ["doctor", "--odoo", "17.0"], env);
    expect(doctor.stdout).toContain(`missing Debian packages (setup local-odoo): 2 of ${LOCAL_ODOO_PACKAGES.length} missing: postgresql, python3-pypdf2 (or python3-pypdf)`);
    expect(doctor.stdout).toContain("hint: Run `odoo-2fa setup local-odoo`");
    const setup = await runCli(cli, work, ["setup", "local-odoo", "--dry-run"], env);
    expect(setup.stdout).toContain("2 package(s) to install from Debian with apt-get: postgresql, python3-pypdf2 (or python3-pypdf)");
    expect(aptLog(dir), "neither installs anything").toBe("");
  });
});

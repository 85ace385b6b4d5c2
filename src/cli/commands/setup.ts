import type { Argv, CommandModule } from "yargs";
import { CliError, command, EXIT_CHECK_FAILED, EXIT_OK, writeErr, writeJson, writeOut, type GlobalOptions } from "../output.js";

interface SetupArgs extends GlobalOptions {
  yes: boolean;
  dryRun: boolean;
}

const NAME = "setup local-odoo";

/**
 * `odoo-2fa setup local-odoo`: installs from Debian what the local backend of `verify` runs Odoo
 * with (PostgreSQL's server, Odoo's Python dependencies for /usr/bin/python3). Idempotent: with
 * everything installed it says so and touches nothing (no apt-get update). Otherwise it lists
 * what it will install and asks, unless --yes; root, or sudo, does the install.
 */
const localOdooCommand: CommandModule<GlobalOptions, SetupArgs> = {
  command: "local-odoo",
  describe: "Install PostgreSQL and Odoo's Python dependencies from Debian (apt), for verify's local backend",
  builder: (yargs: Argv<GlobalOptions>) =>
    yargs
      .option("yes", { alias: "y", type: "boolean", default: false, describe: "Install without asking" })
      .option("dry-run", { type: "boolean", default: false, describe: "Say what would be installed; install nothing" })
      .example("$0 setup local-odoo", "lists the missing packages, asks, installs them")
      .example("$0 setup local-odoo --yes", "in a script or CI")
      .epilogue(
        "Needs Debian or Ubuntu (dpkg, apt-get) and root or sudo. The Odoo source tree itself is not a package: " +
          "`odoo-2fa doctor` says where verify looks for it.\n\nExit codes: 0 installed (or nothing to do); 1 declined, or apt-get failed; " +
          "2 not Debian, or no root/sudo, or not asked (no terminal and no --yes).",
      ) as unknown as Argv<SetupArgs>,
  handler: command<SetupArgs>(NAME, async (args) => {
    const { LOCAL_ODOO_PACKAGES, choosePackages, describeEntry, hasCommand, missingEntries } = await import("../local-odoo.js");
    if (!(await hasCommand("dpkg-query")) || !(await hasCommand("apt-get")))
      throw new CliError("this installs Debian packages, and dpkg/apt-get are not here", "unavailable", {
        kind: "not-debian",
        expected: "Debian or Ubuntu",
        hint: "install PostgreSQL's server (initdb, pg_ctl) and the Python packages of the Odoo tree's requirements.txt yourself; verify takes --python PY and ODOO_2FA_PG_BIN",
      });
    const missing = await missingEntries();
    if (missing.length === 0) {
      if (args.json) writeJson({ ok: true, command: NAME, missing: [], installed: [] });
      else writeOut(`setup local-odoo: all ${LOCAL_ODOO_PACKAGES.length} packages already installed (PostgreSQL and Odoo's Python dependencies); nothing to do`);
      return EXIT_OK;
    }
    const root = process.getuid?.() === 0;
    const sudo = root ? [] : (await hasCommand("sudo")) ? ["sudo"] : undefined;
    const display = missing.map(describeEntry);
    const say = args.json ? writeErr : writeOut;
    say(`setup local-odoo: ${missing.length} package(s) to install from Debian with apt-get${sudo?.length ? " (through sudo)" : ""}: ${display.join(", ")}`);
    if (args.dryRun) {
      if (args.json) writeJson({ ok: true, command: NAME, dryRun: true, missing, installed: [] });
      else writeOut("dry run: nothing installed");
      return EXIT_OK;
    }
    if (!sudo)
      throw new CliError(`need root (or sudo) to install ${missing.length} package(s)`, "unavailable", {
        kind: "not-root",
        hint: "rerun as root, or install sudo; --dry-run lists the packages",
      });
    if (!args.yes) {
      if (!process.stdin.isTTY || args.json)
        throw new CliError("not installing without asking: no terminal to ask on", "usage", {
          kind: "usage",
          hint: "pass --yes to install the packages listed above",
        });
      const { createInterface } = await import("node:readline/promises");
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      const answer = (await rl.question("Install them? [y/N] ")).trim().toLowerCase();
      rl.close();
      if (answer !== "y" && answer !== "yes") {
        writeOut("nothing installed");
        return EXIT_CHECK_FAILED;
      }
    }
    const { execa } = await import("execa");
    const run = (argv: string[]) =>
      execa(sudo[0] ?? argv[0]!, sudo.length ? argv : argv.slice(1), {
        stdout: process.stderr,
        stderr: "inherit",
        stdin: "ignore",
        reject: false,
        env: { DEBIAN_FRONTEND: "noninteractive" },
      });
    const update = await run(["apt-get", "update", "-qq"]);
    if (update.exitCode !== 0) throw new CliError(`apt-get update failed (exit ${update.exitCode})`, "external", { kind: "apt" });
    const { install, unavailable } = await choosePackages(missing);
    if (unavailable.length)
      writeErr(`setup local-odoo: warning: apt knows no package for ${unavailable.join(", ")}; installing the others`);
    // Installing postgresql may create and start Debian's default cluster: harmless, verify never uses it.
    const result = install.length ? await run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", ...install]) : undefined;
    const still = await missingEntries(missing);
    if ((result && result.exitCode !== 0) || still.length) {
      throw new CliError(`still missing after apt-get install: ${still.join(", ") || "(apt-get failed)"}`, "external", {
        kind: "apt",
        hint: "read apt-get's messages above; `odoo-2fa doctor` shows what verify finds",
      });
    }
    if (args.json) writeJson({ ok: true, command: NAME, missing, installed: install });
    else writeOut(`setup local-odoo: installed ${install.length} package(s); \`odoo-2fa doctor\` shows what verify finds`);
    return EXIT_OK;
  }),
};

export const setupCommand: CommandModule<GlobalOptions, GlobalOptions> = {
  command: "setup",
  describe: "Install what a command needs on this machine (local-odoo: verify's local backend, from Debian)",
  builder: (yargs: Argv<GlobalOptions>) =>
    yargs.command(localOdooCommand).demandCommand(1, "name what to set up: local-odoo") as unknown as Argv<GlobalOptions>,
  handler: () => {},
};

import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import type { Argv, CommandModule } from "yargs";
import type { DockerVerifyReport } from "../../verify/docker/verify.js";
import type { ProgressEvent, VerifyReport } from "../../verify/index.js";
import { SERIES } from "../../profiles/series.js";
import { parseSeriesList } from "../series.js";
import { command, CliError, EXIT_BAD_INPUT, EXIT_CHECK_FAILED, EXIT_OK, writeErr, writeJson, writeOut, type ExitCode, type GlobalOptions } from "../output.js";

interface VerifyArgs extends GlobalOptions {
  addonDir: string;
  odoo: string;
  odooSrc?: string;
  python?: string;
  keepDb: boolean;
  jobs: number;
  docker: boolean;
  odooImage?: string;
  postgresImage?: string;
}

/**
 * `--odoo-src` names a tree (one series) or, with several series, a folder of trees named
 * `<series>` (like $ODOO_2FA_SOURCES).
 */
function treeFor(series: string, odooSrc: string | undefined, many: boolean): string | undefined {
  if (!odooSrc) return undefined;
  const isTree = existsSync(path.join(odooSrc, "odoo", "release.py"));
  if (isTree && many) {
    throw new CliError(`--odoo-src ${odooSrc} is one Odoo tree, but several series were asked for`, "input", {
      kind: "input",
      hint: "pass a single --odoo series with a tree, or a folder that holds one tree per series (<folder>/<series>)",
    });
  }
  return isTree || !many ? odooSrc : path.join(odooSrc, series);
}

/** Progress on a terminal: one status line per step, rewritten in place when it finishes. */
function terminalProgress(parallel: boolean): (event: ProgressEvent) => void {
  let open = false;
  return (event) => {
    const { formatDuration } = durationModule!;
    const label = `${event.series} ${event.step.padEnd(12)}`;
    if (parallel) {
      if (event.state !== "start") process.stderr.write(`  ${event.state === "done" ? "✔" : "✘"} ${label} ${formatDuration(event.ms ?? 0).padStart(8)}  ${event.detail ?? ""}\n`);
      return;
    }
    if (event.state === "start") {
      // One terminal row, so that `\r` can rewrite it.
      const width = (process.stderr.columns || 100) - 1;
      const text = `  … ${label} ${event.detail ?? ""}`;
      process.stderr.write(text.length > width ? `${text.slice(0, width - 1)}…` : text);
      open = true;
    } else {
      if (open) process.stderr.write("\r\x1b[2K");
      process.stderr.write(`  ${event.state === "done" ? "✔" : "✘"} ${label} ${formatDuration(event.ms ?? 0).padStart(8)}  ${event.detail ?? ""}\n`);
      open = false;
    }
  };
}

let durationModule: { formatDuration: (ms: number) => string } | undefined;

interface Run {
  series: string;
  report?: VerifyReport | DockerVerifyReport;
  error?: { code: string; message: string; hint?: string; excerpt?: string };
  exitCode: ExitCode;
}

/**
 * The addon folder to verify on one series: ADDON_DIR itself when it is an addon, otherwise the one
 * addon in ADDON_DIR/<series>/ (the layout `generate --odoo 16.0,17.0 --out ADDON_DIR` writes).
 */
function addonDirFor(dir: string, series: string): string {
  if (existsSync(path.join(dir, "__manifest__.py"))) return dir;
  const seriesDir = path.join(dir, series);
  const addons = existsSync(seriesDir)
    ? readdirSync(seriesDir, { withFileTypes: true })
        .filter((entry) => entry.isDirectory() && existsSync(path.join(seriesDir, entry.name, "__manifest__.py")))
        .map((entry) => path.join(seriesDir, entry.name))
    : [];
  if (addons.length === 1) return addons[0]!;
  throw new CliError(
    addons.length === 0
      ? `${dir} is not an Odoo addon, and ${seriesDir} holds no addon`
      : `${seriesDir} holds ${addons.length} addons (${addons.map((a) => path.basename(a)).join(", ")}); name one`,
    "input",
    {
      kind: "not_an_addon",
      hint: "pass an addon folder (with __manifest__.py), or the folder generate --odoo 16.0,17.0 wrote: DIR/<series>/<addon>",
    },
  );
}

/** The Docker backend (src/verify/docker), loaded only when asked for. Its report has the local report's shape. */
async function verifyWithDocker(args: VerifyArgs, series: string, onProgress: ((event: ProgressEvent) => void) | undefined): Promise<DockerVerifyReport> {
  if (args.odooSrc || args.python) {
    throw new CliError("--odoo-src and --python are options of the local backend; --docker runs Odoo from an image", "input", {
      kind: "input",
      hint: "drop --docker to use a source tree, or drop --odoo-src/--python and pick the image with --odoo-image",
    });
  }
  const docker = await import("../../verify/docker/index.js");
  const report = await docker.verifyAddonDocker({
    addonDir: addonDirFor(args.addonDir, series),
    series,
    odooImage: args.odooImage,
    postgresImage: args.postgresImage,
    keepDb: args.keepDb,
    onProgress,
  });
  return report;
}

async function pool<T>(items: readonly T[], jobs: number, work: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  const workers = Array.from({ length: Math.max(1, Math.min(jobs, queue.length)) }, async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await work(item);
  });
  await Promise.all(workers);
}

export const verifyCommand: CommandModule<GlobalOptions, VerifyArgs> = {
  command: "verify <addon-dir>",
  describe: "Install an addon into a throwaway database of a real Odoo and run its tests",
  builder: (yargs: Argv<GlobalOptions>) =>
    yargs
      .positional("addon-dir", { type: "string", describe: "The addon folder (holding __manifest__.py), or the folder generate wrote for several series (<series>/<addon>)", demandOption: true })
      .option("odoo", { type: "string", demandOption: true, describe: `Odoo series: ${SERIES.join(", ")}, several separated by commas, or all` })
      .option("odoo-src", { type: "string", describe: "Odoo source tree (default $ODOO_2FA_SOURCES/<series>, i.e. ~/.cache/odoo-2fa/sources/<series>); with several series, a folder of <series> trees" })
      .option("python", { type: "string", describe: "Python with Odoo's dependencies (default: /usr/bin/python3, else python3, the first that has them)" })
      .option("keep-db", { type: "boolean", default: false, describe: "Keep the throwaway cluster and database (stopped) and print how to start them" })
      .option("jobs", { type: "number", default: 1, describe: "Series verified in parallel" })
      .option("docker", { type: "boolean", default: false, describe: "Use the Docker backend (official odoo/postgres images)" })
      .option("odoo-image", { type: "string", describe: "Docker backend: Odoo image (default odoo:<major>)" })
      .option("postgres-image", { type: "string", describe: "Docker backend: PostgreSQL image (default postgres:16)" })
      .example("$0 verify addons/17.0/acme_2fa_policy --odoo 17.0", "install and test on Odoo 17.0")
      .example("$0 verify addons --odoo all --jobs 2 --json", "addons/<series>/<addon>, two series at a time, one JSON object") as unknown as Argv<VerifyArgs>,
  handler: command<VerifyArgs>("verify", async (args) => {
    const verify = await import("../../verify/index.js");
    durationModule = verify;
    const seriesList: string[] = parseSeriesList([args.odoo]);
    const many = seriesList.length > 1;
    const jobs = Number.isFinite(args.jobs) && args.jobs >= 1 ? Math.floor(args.jobs) : 1;

    // Input errors first and once, whatever the series: not an addon → exit 2, one line.
    try {
      if (!existsSync(path.join(args.addonDir, "__manifest__.py")) && seriesList.some((series) => existsSync(path.join(args.addonDir, series))))
        for (const series of seriesList) verify.readAddon(addonDirFor(args.addonDir, series));
      else verify.readAddon(args.addonDir);
    } catch (error) {
      // One line: the message and what to pass instead.
      if (error instanceof verify.VerifyError) throw new CliError(error.oneLine(), "unavailable", { kind: error.code });
      throw error;
    }

    const tty = Boolean(process.stderr.isTTY);
    const progress = args.json
      ? tty
        ? (event: ProgressEvent) => writeErr(verify.formatProgress(event))
        : undefined
      : tty
        ? terminalProgress(many && jobs > 1)
        : (event: ProgressEvent) => writeErr(verify.formatProgress(event));

    const runs: Run[] = [];
    await pool(seriesList, jobs, async (series) => {
      try {
        const report = args.docker
          ? await verifyWithDocker(args, series, progress)
          : await verify.verifyAddon({
              addonDir: addonDirFor(args.addonDir, series),
              series,
              odooSrc: treeFor(series, args.odooSrc, many),
              python: args.python,
              keepDb: args.keepDb,
              onProgress: progress,
            });
        runs.push({ series, report, exitCode: report.exitCode });
        if (!args.json) writeOut(verify.formatReport(report));
      } catch (error) {
        if (!(error instanceof verify.VerifyError)) throw error;
        runs.push({ series, error: error.toJSON(), exitCode: EXIT_BAD_INPUT });
        if (!args.json) {
          writeErr(`odoo-2fa verify: ${series}: ${error.message}`);
          if (error.hint) writeErr(`    hint: ${error.hint}`);
          if (error.excerpt) writeErr(error.excerpt.split("\n").map((line) => `    | ${line}`).join("\n"));
        }
      }
    });
    runs.sort((a, b) => seriesList.indexOf(a.series) - seriesList.indexOf(b.series));
    const exitCode = runs.reduce<ExitCode>((worst, run) => (run.exitCode > worst ? run.exitCode : worst), EXIT_OK);
    if (args.json) {
      writeJson({ ok: exitCode === EXIT_OK, command: "verify", exitCode, addonDir: args.addonDir, runs });
    } else if (many) {
      const summary = runs.map((run) => `${run.series} ${run.report ? (run.report.ok ? "ok" : "FAILED") : "not run"}`).join(", ");
      writeOut(`verify: ${summary}`);
    }
    return exitCode === EXIT_CHECK_FAILED ? EXIT_CHECK_FAILED : exitCode;
  }),
};

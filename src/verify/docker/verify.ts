/**
 * The Docker backend of `verify`: the addon is installed, with its tests, by an Odoo container
 * (the official `odoo:<major>` image, or any image with its interface) against a PostgreSQL
 * container (`postgres:<ver>`) on a private network of their own. The addon is mounted
 * read-only at /mnt/extra-addons/<addon>. Containers, their anonymous volumes and the network
 * are always removed afterwards: on success, on failure and on SIGINT/SIGTERM/SIGHUP.
 *
 * Odoo's log is read by the shared parser (`../log.ts`) and the report has the local backend's
 * shape, with `backend: "docker"` and a `docker` section instead of a source tree.
 */
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { execa, type ResultPromise } from "execa";
import { onInterrupt } from "../cleanup.js";
import { cacheRoot, readAddon } from "../environment.js";
import { VerifyError } from "../errors.js";
import { checkedSeries, runOutcome, Steps, verdict } from "../run.js";
import { analyzeLog } from "../log.js";
import type { ProgressEvent, VerifyReport } from "../types.js";
import { type Docker, docker, dockerOk, dockerSync, findDocker, inspectImage } from "./daemon.js";

/** Label on everything a run creates: `odoo-2fa.verify=<run id>`. */
export const RUN_LABEL = "odoo-2fa.verify";
/** Labels naming the process that owns a run, so that a later run can sweep what a killed one left. */
export const OWNER_PID_LABEL = "odoo-2fa.pid";
export const OWNER_HOST_LABEL = "odoo-2fa.host";
/** Where the addon is mounted in the Odoo container (the official image's addons volume). */
export const EXTRA_ADDONS = "/mnt/extra-addons";
const DB_ALIAS = "db";
const DB_USER = "odoo";
const DB_PASSWORD = "odoo";

export interface DockerVerifyOptions {
  addonDir: string;
  /** `16.0` … `19.0`. */
  series: string;
  /** Default `odoo:<major>` (the official image). */
  odooImage?: string;
  /** Default `postgres:16` (the official image). */
  postgresImage?: string;
  /** Keep the (stopped) PostgreSQL container, its volume and the network, and say how to use them. */
  keepDb?: boolean;
  onProgress?: (event: ProgressEvent) => void;
  /** Pull an image that the daemon lacks (`missing`, like `docker run`), or fail at once (`never`). */
  pull?: "missing" | "never";
  /** Default `$DOCKER_HOST`, else the CLI's default, else the private daemon of scripts/docker/dockerd.sh. */
  dockerHost?: string;
  /** More addon folders (non-core `depends`): each is mounted read-only next to the addon. */
  extraAddonsPaths?: string[];
  /** Kill the Odoo container after this long (default 30 min). */
  timeoutMs?: number;
  /** ODOO_2FA_CACHE, HOME, DOCKER_HOST…; default process.env. */
  env?: NodeJS.ProcessEnv;
}

export interface DockerVerifyReport extends Omit<VerifyReport, "backend" | "kept"> {
  backend: "docker";
  docker: {
    host: string;
    serverVersion: string;
    odooImage: string;
    odooImageId: string;
    postgresImage: string;
    postgresImageId: string;
    /** The run's id: names of its network (`<id>`) and containers (`<id>-db`, `<id>-odoo`). */
    runId: string;
    /** The volumes the run's containers had (anonymous ones of the images' VOLUMEs). */
    volumes: string[];
    /** Everything was removed afterwards (false only with keepDb, or when a removal failed). */
    removed: boolean;
  };
  kept?: { network: string; container: string; database: string; startPostgres: string; odooArgs: string };
}

export function defaultOdooImage(series: string): string {
  return `odoo:${Number.parseInt(series, 10)}`;
}
export const DEFAULT_POSTGRES_IMAGE = "postgres:16";

/** The arguments after the image: what the official entrypoint passes on to `odoo`. */
export function odooArgs(addon: string, series: string, database: string, extraMounts: string[] = []): string[] {
  const major = Number.parseInt(series, 10);
  return [
    "--",
    "-d",
    database,
    "-i",
    addon,
    ...(extraMounts.length ? [`--addons-path=${[EXTRA_ADDONS, ...extraMounts].join(",")}`] : []),
    "--test-enable",
    `--test-tags=/${addon}`,
    // 16–18 need it with tests; 19 implies it when test tags are given (harmless there).
    "--stop-after-init",
    // 16–18 load demo data unless told not to; 19 loads none by default and warns on `=all`.
    ...(major >= 19 ? [] : ["--without-demo=all"]),
    "--workers=0",
    "--max-cron-threads=0",
    "--log-level=info",
  ];
}

async function ensureImage(d: Docker, image: string, role: "odoo" | "postgres", pull: "missing" | "never", steps: Steps) {
  let info = await inspectImage(d, image);
  if (info) return info;
  const build =
    role === "odoo"
      ? "`docker pull odoo:<major>` (the official image), or on a machine without Docker Hub `bash scripts/docker/build-images.sh` and --odoo-image odoo-2fa/odoo:<series>"
      : "`docker pull postgres:16` (the official image), or on a machine without Docker Hub `bash scripts/docker/build-images.sh --postgres-only` and --postgres-image odoo-2fa/postgres:15";
  if (pull === "never") {
    throw new VerifyError("no-docker", `The Docker image ${image} (${role}) is not on the daemon.`, `Provide it: ${build}.`);
  }
  steps.start("postgres", `pulling ${image}`);
  const pulled = await docker(d, ["pull", image], { timeoutMs: 20 * 60_000 });
  info = pulled.exitCode === 0 ? await inspectImage(d, image) : undefined;
  if (!info) {
    steps.end("failed", `could not pull ${image}`);
    throw new VerifyError(
      "no-docker",
      `The Docker image ${image} (${role}) is not on the daemon, and pulling it failed: ${(pulled.stderr || pulled.stdout).split("\n").filter(Boolean).pop() ?? "no answer"}.`,
      `Provide it: ${build}.`,
    );
  }
  return info;
}

/** Docker names: [a-zA-Z0-9][a-zA-Z0-9_.-]*. */
function runIdFor(addon: string, series: string): string {
  return `odoo2fa-${addon.replace(/[^a-zA-Z0-9_.-]/g, "_").slice(0, 40)}-${series.replace(/\W/g, "")}-${randomBytes(4).toString("hex")}`;
}

/** The names of the volumes mounted into a container (its anonymous ones included). */
async function volumesOf(d: Docker, container: string): Promise<string[]> {
  const run = await docker(d, ["container", "inspect", "--format", '{{range .Mounts}}{{if eq .Type "volume"}}{{.Name}} {{end}}{{end}}', container]);
  return run.exitCode === 0 ? run.stdout.split(/\s+/).filter(Boolean) : [];
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Runs kept with keepDb are marked by a file, so the sweep leaves them alone. */
function keptMarker(env: NodeJS.ProcessEnv, runId: string): string {
  return path.join(cacheRoot(env), "docker-kept", runId);
}

/**
 * Removes what earlier runs on this host left behind when they could not clean up (killed with
 * SIGKILL, or a parent that died first): containers and networks labelled with an owner process
 * that no longer exists, with their anonymous volumes. Runs kept with keepDb are left alone.
 */
export async function sweepStaleRuns(d: Docker, env: NodeJS.ProcessEnv = process.env): Promise<string[]> {
  const host = os.hostname();
  const format = `{{.Label "${RUN_LABEL}"}}\t{{.Label "${OWNER_PID_LABEL}"}}\t{{.Label "${OWNER_HOST_LABEL}"}}\t{{.Names}}`;
  const stale = (line: string): [string, string] | undefined => {
    const [runId, pid, owner, name] = line.split("\t");
    if (!runId || !name || owner !== host || !/^\d+$/.test(pid ?? "")) return undefined;
    if (processAlive(Number(pid)) || existsSync(keptMarker(env, runId))) return undefined;
    return [runId, name];
  };
  const containers = (await docker(d, ["ps", "-a", "--filter", `label=${RUN_LABEL}`, "--format", format])).stdout.split("\n").map(stale).filter((x) => x !== undefined);
  const networks = (await docker(d, ["network", "ls", "--filter", `label=${RUN_LABEL}`, "--format", format.replace("{{.Names}}", "{{.Name}}")])).stdout
    .split("\n")
    .map(stale)
    .filter((x) => x !== undefined);
  if (containers.length) await docker(d, ["rm", "-f", "-v", ...containers.map(([, name]) => name)], { timeoutMs: 5 * 60_000 });
  for (const [, name] of networks) await docker(d, ["network", "rm", name]);
  return [...new Set([...containers, ...networks].map(([runId]) => runId))];
}

/**
 * Installs the addon with its tests in a throwaway Odoo + PostgreSQL pair of containers and
 * reports like the local backend. Resolves whatever the addon does (exitCode 0 or 1); rejects
 * with a `VerifyError` (exit 2) when it cannot run: not an addon, no daemon, an image missing.
 */
export async function verifyAddonDocker(options: DockerVerifyOptions): Promise<DockerVerifyReport> {
  const started = performance.now();
  const env = options.env ?? process.env;
  const series = checkedSeries(options.series);
  const addon = readAddon(options.addonDir);
  const extraDirs = (options.extraAddonsPaths ?? []).map((dir) => path.resolve(dir));
  const odooImage = options.odooImage ?? defaultOdooImage(series);
  const postgresImage = options.postgresImage ?? DEFAULT_POSTGRES_IMAGE;
  const steps = new Steps(series, options.onProgress);
  const d = await findDocker({ dockerHost: options.dockerHost, env });
  const pull = options.pull ?? "missing";

  const postgresInfo = await ensureImage(d, postgresImage, "postgres", pull, steps);
  const odooInfo = await ensureImage(d, odooImage, "odoo", pull, steps);
  const imageSeries = odooInfo.env.ODOO_VERSION;
  if (imageSeries && imageSeries !== series) {
    throw new VerifyError("wrong-series", `The image ${odooImage} holds Odoo ${imageSeries} (its ODOO_VERSION), not ${series}.`, `Pass --odoo-image for ${series} (e.g. ${defaultOdooImage(series)}), or ask for --odoo ${imageSeries}.`);
  }

  const runId = runIdFor(addon.name, series);
  const network = runId;
  const dbContainer = `${runId}-db`;
  const odooContainer = `${runId}-odoo`;
  const database = `verify_${addon.name}`.slice(0, 63);
  const logDir = path.join(cacheRoot(env), "logs");
  const logFile = path.join(logDir, `docker-${addon.name}-${series}.log`);
  const label = `${RUN_LABEL}=${runId}`;
  const labels = ["--label", label, "--label", `${OWNER_PID_LABEL}=${process.pid}`, "--label", `${OWNER_HOST_LABEL}=${os.hostname()}`];
  const created = { network: false, containers: [] as string[], volumes: new Set<string>() };
  const children = new Set<ResultPromise>();
  let keep = false;
  let removed = false;

  /** Removes what the run created; synchronous so that it also works in a signal handler. */
  const removeAllSync = (): boolean => {
    for (const child of children) child.kill("SIGKILL");
    let ok = true;
    const containers = keep ? created.containers.filter((c) => c !== dbContainer) : created.containers;
    if (containers.length) {
      // With the vfs storage driver removing an Odoo container deletes a full copy of the image: slow.
      const rm = dockerSync(d, ["rm", "-f", "-v", ...containers], 5 * 60_000);
      if (rm.exitCode !== 0 && !/No such container/i.test(rm.stderr)) ok = false;
    }
    // Any volume still there (e.g. one that a container created but `rm -v` missed).
    if (!keep) {
      const leftovers = dockerSync(d, ["volume", "ls", "-q", "--filter", `label=${label}`]).stdout.split("\n").filter(Boolean);
      const volumes = [...new Set([...created.volumes, ...leftovers])];
      if (volumes.length) {
        const existing = dockerSync(d, ["volume", "ls", "-q"]).stdout.split("\n");
        const still = volumes.filter((v) => existing.includes(v));
        if (still.length && dockerSync(d, ["volume", "rm", "-f", ...still]).exitCode !== 0) ok = false;
      }
      if (created.network) {
        const rm = dockerSync(d, ["network", "rm", network]);
        if (rm.exitCode !== 0 && !/not found|No such network/i.test(rm.stderr)) ok = false;
      }
    }
    return ok;
  };
  const unregister = onInterrupt(() => {
    removeAllSync();
  });

  try {
    steps.start("postgres", `${postgresImage} on network ${network}`);
    created.network = true; // before the call: an interrupt during it must still remove the network
    await sweepStaleRuns(d, env);
    await dockerOk(d, ["network", "create", ...labels, network], `create the network ${network}`);
    created.containers.push(dbContainer);
    await dockerOk(
      d,
      [
        "run",
        "-d",
        "--name",
        dbContainer,
        ...labels,
        "--network",
        network,
        "--network-alias",
        DB_ALIAS,
        "-e",
        `POSTGRES_USER=${DB_USER}`,
        "-e",
        `POSTGRES_PASSWORD=${DB_PASSWORD}`,
        "-e",
        "POSTGRES_DB=postgres",
        postgresImage,
        "postgres",
        // A throwaway database: durability buys nothing here.
        "-c",
        "fsync=off",
        "-c",
        "synchronous_commit=off",
        "-c",
        "full_page_writes=off",
      ],
      `start the PostgreSQL container from ${postgresImage}`,
    );
    for (const v of await volumesOf(d, dbContainer)) created.volumes.add(v);
    await waitForPostgres(d, dbContainer);
    steps.end("done", `${postgresImage} as ${dbContainer}`);

    const mounts = ["-v", `${addon.dir}:${EXTRA_ADDONS}/${addon.name}:ro`];
    const extraMounts = extraDirs.map((_, index) => `/mnt/odoo-2fa-extra-${index}`);
    extraDirs.forEach((dir, index) => mounts.push("-v", `${dir}:${extraMounts[index]}:ro`));
    steps.start("dependencies", `${odooImage}: creating ${database} and installing ${addon.name}'s dependencies`);
    created.containers.push(odooContainer);
    await dockerOk(
      d,
      [
        "create",
        "--name",
        odooContainer,
        ...labels,
        "--network",
        network,
        "-e",
        `HOST=${DB_ALIAS}`,
        "-e",
        `USER=${DB_USER}`,
        "-e",
        `PASSWORD=${DB_PASSWORD}`,
        ...mounts,
        odooImage,
        ...odooArgs(addon.name, series, database, extraMounts),
      ],
      `create the Odoo container from ${odooImage}`,
    );
    for (const v of await volumesOf(d, odooContainer)) created.volumes.add(v);

    const timeoutMs = options.timeoutMs ?? 30 * 60_000;
    const lines: string[] = [];
    const child = execa("docker", ["start", "-a", odooContainer], {
      env: d.host ? { ...process.env, DOCKER_HOST: d.host } : process.env,
      extendEnv: false,
      all: true,
      reject: false,
      timeout: timeoutMs,
      forceKillAfterDelay: 5_000,
    });
    children.add(child);
    const reader = createInterface({ input: child.all! });
    const closed = new Promise<void>((resolve) => reader.once("close", () => resolve()));
    const addonLogger = new RegExp(` odoo\\.addons\\.${addon.name}\\.tests\\.\\S+: Starting \\S+ \\.\\.\\.| odoo\\.service\\.server: Starting post tests`);
    reader.on("line", (line) => {
      lines.push(line);
      if (steps.active === "dependencies" && line.includes(`Loading module ${addon.name} (`)) steps.start("addon", `installing ${addon.name}`);
      if ((steps.active === "addon" || steps.active === "dependencies") && addonLogger.test(line)) steps.start("tests", "running the addon's tests");
    });
    const attached = await child;
    await closed;
    children.delete(child);
    let exitCode: number | undefined;
    if (attached.timedOut) {
      dockerSync(d, ["kill", odooContainer]);
      lines.push(`odoo-2fa verify: Odoo did not finish within ${Math.round(timeoutMs / 1000)} s and was stopped.`);
    } else {
      const state = await docker(d, ["container", "inspect", "--format", "{{.State.ExitCode}}", odooContainer]);
      exitCode = state.exitCode === 0 ? Number(state.stdout.trim()) : attached.exitCode;
    }
    const log = lines.join("\n");
    await mkdir(logDir, { recursive: true });
    await writeFile(logFile, `${log}\n`);

    const analysis = analyzeLog(log, { addon: addon.name, addonPaths: [`${EXTRA_ADDONS}/${addon.name}`, addon.dir], series });
    const found = verdict(analysis, exitCode);
    if (/Database connection failure/.test(log) && !analysis.installed) found.problems.push(`Odoo could not reach PostgreSQL at ${DB_ALIAS}:5432 (see the log)`);
    const outcome = runOutcome(analysis, found);
    steps.finishTests(analysis, outcome.ok);

    let kept: DockerVerifyReport["kept"];
    steps.start("cleanup", options.keepDb ? "removing the Odoo container, keeping PostgreSQL (stopped)" : "removing containers, volumes and the network");
    if (options.keepDb) {
      keep = true;
      await mkdir(path.dirname(keptMarker(env, runId)), { recursive: true });
      await writeFile(keptMarker(env, runId), `${dbContainer}\n`);
      await docker(d, ["stop", dbContainer]);
      kept = {
        network,
        container: dbContainer,
        database,
        startPostgres: `docker start ${dbContainer}`,
        odooArgs: `docker run --rm --network ${network} -e HOST=${DB_ALIAS} -e USER=${DB_USER} -e PASSWORD=${DB_PASSWORD} -v ${addon.dir}:${EXTRA_ADDONS}/${addon.name}:ro ${odooImage} -- -d ${database}`,
      };
    }
    removed = removeAllSync() && !keep;
    steps.end("done");

    return {
      backend: "docker",
      addon: addon.name,
      addonDir: addon.dir,
      series,
      ...outcome,
      odoo: { tree: odooImage, version: odooInfo.env.ODOO_VERSION ?? series, python: "python3 (in the image)", postgres: postgresImage, exitCode: exitCode ?? null },
      template: { reused: false, key: "", dir: "", modules: [], ms: 0 },
      database,
      steps: steps.timings,
      durationMs: Math.round(performance.now() - started),
      logFile,
      docker: {
        host: d.host ?? "(docker's default)",
        serverVersion: d.serverVersion,
        odooImage,
        odooImageId: odooInfo.id,
        postgresImage,
        postgresImageId: postgresInfo.id,
        runId,
        volumes: [...created.volumes],
        removed,
      },
      kept,
    };
  } catch (error) {
    steps.end("failed", error instanceof Error ? error.message : String(error));
    throw error;
  } finally {
    unregister();
    removeAllSync();
  }
}

/** Waits until PostgreSQL in the container accepts TCP connections (after the image's init). */
async function waitForPostgres(d: Docker, container: string, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ready = await docker(d, ["exec", container, "pg_isready", "-q", "-h", "127.0.0.1", "-p", "5432", "-U", DB_USER], { timeoutMs: 15_000 });
    if (ready.exitCode === 0) return;
    const state = await docker(d, ["container", "inspect", "--format", "{{.State.Running}}", container]);
    if (state.stdout.trim() !== "true" || Date.now() > deadline) {
      const logs = await docker(d, ["logs", "--tail", "30", container]);
      throw new VerifyError(
        "backend-failed",
        state.stdout.trim() !== "true" ? `The PostgreSQL container ${container} stopped before accepting connections.` : `PostgreSQL in ${container} did not accept connections within ${timeoutMs / 1000} s.`,
        "Check the image given with --postgres-image (it must follow the official postgres image's POSTGRES_* interface).",
        `${logs.stdout}\n${logs.stderr}`.trim(),
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

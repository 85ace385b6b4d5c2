/**
 * The dockerized tier's set-up: a Docker daemon (the one DOCKER_HOST names, else a private one
 * started by scripts/docker/dockerd.sh) and the local stand-ins of the official images, built
 * (cached) by scripts/docker/build-images.sh from the Odoo source trees that are present.
 * Everything that is missing becomes a skip reason that says what to provide.
 */
import path from "node:path";
import { execa } from "execa";
import { locateTree, VerifyError } from "../../src/verify/index.js";
import { tierSeries } from "../support/real-odoo.js";
import { docker, type Docker, findDocker, privateDockerHost, RUN_LABEL } from "../../src/verify/docker/index.js";

const ROOT = path.resolve(import.meta.dirname, "..", "..");
const SCRIPTS = path.join(ROOT, "scripts", "docker");

export interface DockerTier {
  /** Why the whole tier cannot run (no daemon…); undefined when it can. */
  skip?: string;
  docker?: Docker;
  /** We started the private daemon: stop it afterwards. */
  startedDaemon: boolean;
  postgresImage?: string;
  /** Per series: the Odoo image to use, or why that series is skipped. */
  series: Record<string, { image?: string; skip?: string }>;
  /** Seconds spent building images (0 when all came from the cache). */
  buildSeconds: number;
  buildLog: string;
}

const HOW_DAEMON =
  "The tier starts a private daemon itself when run as root with Debian's docker.io package installed (`apt-get install docker.io debootstrap`, or `bash scripts/docker/setup.sh`); or point DOCKER_HOST at a running daemon.";

/**
 * The series the tier runs: ODOO_2FA_DOCKER_SERIES or ODOO_2FA_TIER_SERIES (a list, e.g.
 * `16.0,17.0,18.0,19.0`), else 17.0 alone. What the backend does is the same on every series
 * (each series' Odoo arguments are checked without a daemon), while each further series costs CI
 * an image build (minutes on a cold machine) and two more runs; the local tier proves every
 * series.
 */
export function wantedSeries(): string[] {
  return tierSeries(["17.0"], "ODOO_2FA_DOCKER_SERIES");
}

function treeMissing(series: string): string | undefined {
  try {
    locateTree(series);
    return undefined;
  } catch (error) {
    if (error instanceof VerifyError) return error.oneLine();
    throw error;
  }
}

/**
 * Gets the tier ready: finds or starts a daemon, then builds (or reuses) the images.
 * ODOO_2FA_DOCKER_ODOO_IMAGE (with `{series}`/`{major}`, e.g. `odoo:{major}`) and
 * ODOO_2FA_DOCKER_POSTGRES_IMAGE use existing images (e.g. the official ones) instead of building.
 */
export async function prepareDockerTier(): Promise<DockerTier> {
  const tier: DockerTier = { startedDaemon: false, series: {}, buildSeconds: 0, buildLog: "" };
  const series = wantedSeries();
  if (process.env.ODOO_2FA_DOCKER_TIER === "0") {
    tier.skip = "disabled by ODOO_2FA_DOCKER_TIER=0.";
    return tier;
  }
  const withTree = series.filter((s) => {
    const missing = treeMissing(s);
    if (missing) tier.series[s] = { skip: missing };
    return !missing;
  });
  const odooTemplate = process.env.ODOO_2FA_DOCKER_ODOO_IMAGE;
  if (withTree.length === 0 && !odooTemplate) {
    tier.skip = "no Odoo source tree is present to build an image from (see the per-series reasons).";
    return tier;
  }

  // A daemon: DOCKER_HOST or the default socket, else our private one (started if need be).
  try {
    tier.docker = await findDocker();
  } catch (error) {
    if (!(error instanceof VerifyError)) throw error;
    if (process.env.DOCKER_HOST) {
      tier.skip = `${error.message} ${HOW_DAEMON}`;
      return tier;
    }
    const start = await execa("bash", [path.join(SCRIPTS, "dockerd.sh"), "start"], { reject: false, timeout: 180_000 });
    if (start.exitCode !== 0) {
      tier.skip = `no Docker daemon, and starting a private one failed: ${(start.stderr || start.stdout).trim().split("\n").pop()}. ${HOW_DAEMON}`;
      return tier;
    }
    tier.startedDaemon = true;
    try {
      tier.docker = await findDocker({ dockerHost: privateDockerHost() });
    } catch (again) {
      tier.skip = `${(again as Error).message} ${HOW_DAEMON}`;
      return tier;
    }
  }

  const postgresOverride = process.env.ODOO_2FA_DOCKER_POSTGRES_IMAGE;
  const toBuild = odooTemplate ? [] : withTree;
  if (odooTemplate) {
    for (const s of series) tier.series[s] = { image: odooTemplate.replace("{series}", s).replace("{major}", String(Number.parseInt(s, 10))) };
  }
  if (toBuild.length > 0 || !postgresOverride) {
    const started = performance.now();
    const args = [path.join(SCRIPTS, "build-images.sh"), ...(toBuild.length ? ["--series", toBuild.join(",")] : ["--postgres-only"])];
    const build = await execa("bash", args, {
      reject: false,
      timeout: 60 * 60_000,
      env: tier.docker.host ? { DOCKER_HOST: tier.docker.host } : {},
      all: true,
    });
    tier.buildSeconds = Math.round((performance.now() - started) / 100) / 10;
    tier.buildLog = build.all ?? "";
    if (build.exitCode !== 0) {
      tier.skip = `building the local images failed (scripts/docker/build-images.sh, exit ${build.exitCode}): ${(build.stderr || "").trim().split("\n").slice(-3).join(" | ")}. It needs root, debootstrap (apt-get install debootstrap) and Debian's mirror.`;
      return tier;
    }
    for (const line of build.stdout.split("\n")) {
      const odoo = /^odoo-image (\S+) (\S+)$/.exec(line);
      if (odoo) tier.series[odoo[1]!] = { image: odoo[2]! };
      const pg = /^postgres-image (\S+)$/.exec(line);
      if (pg) tier.postgresImage = pg[1]!;
    }
  }
  if (postgresOverride) tier.postgresImage = postgresOverride;
  for (const s of series) if (!tier.series[s]) tier.series[s] = { skip: "build-images.sh produced no image for it" };
  return tier;
}

/**
 * Stops the private daemon when this run started it and runs in CI (CI=true). Elsewhere it is
 * left running for the next run: another test run on the same machine may be using it.
 */
export async function stopPrivateDaemon(tier: DockerTier): Promise<void> {
  if (!tier.startedDaemon || !process.env.CI) return;
  await execa("bash", [path.join(SCRIPTS, "dockerd.sh"), "stop"], { reject: false, timeout: 60_000 });
}

export interface DaemonObjects {
  containers: string[];
  networks: string[];
  volumes: string[];
}

/** The names of the containers and networks a verify run labels, and of all volumes. */
export async function snapshot(d: Docker): Promise<DaemonObjects> {
  const list = async (args: string[]) => (await docker(d, args)).stdout.split("\n").map((s) => s.trim()).filter(Boolean);
  return {
    containers: await list(["ps", "-a", "--filter", `label=${RUN_LABEL}`, "--format", "{{.Names}}"]),
    networks: await list(["network", "ls", "--filter", `label=${RUN_LABEL}`, "--format", "{{.Name}}"]),
    volumes: await list(["volume", "ls", "-q"]),
  };
}

/**
 * What appeared on the daemon since `before` (and, with `runId`, only what that run named):
 * the containers, networks and volumes a verify run could have left behind. With `runVolumes`,
 * only those volumes count (other runs on the same daemon create anonymous volumes too).
 */
export async function leftovers(d: Docker, before: DaemonObjects, runId?: string, runVolumes?: readonly string[]): Promise<DaemonObjects> {
  const now = await snapshot(d);
  const mine = (name: string) => !runId || name.startsWith(runId);
  return {
    containers: now.containers.filter((c) => !before.containers.includes(c) && mine(c)),
    networks: now.networks.filter((n) => !before.networks.includes(n) && mine(n)),
    volumes: now.volumes.filter((v) => !before.volumes.includes(v) && (!runVolumes || runVolumes.includes(v))),
  };
}

/** The volumes mounted into these containers. */
export async function volumesOf(d: Docker, containers: readonly string[]): Promise<string[]> {
  if (containers.length === 0) return [];
  const run = await docker(d, ["container", "inspect", "--format", '{{range .Mounts}}{{if eq .Type "volume"}}{{.Name}} {{end}}{{end}}', ...containers]);
  return run.stdout.split(/\s+/).filter(Boolean);
}

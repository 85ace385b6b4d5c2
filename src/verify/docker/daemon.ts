/**
 * Talking to a Docker daemon through the `docker` CLI: finding one that answers, and small
 * typed wrappers for the few commands the Docker backend of `verify` needs.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { execa } from "execa";
import { cacheRoot } from "../environment.js";
import { VerifyError } from "../errors.js";

export interface Docker {
  /** The `DOCKER_HOST` the CLI is run with (`undefined`: the CLI's own default). */
  host: string | undefined;
  /** Server version, e.g. `20.10.24+dfsg1`. */
  serverVersion: string;
}

/** The socket of the private daemon that `scripts/docker/dockerd.sh start` runs. */
export function privateDockerHost(env: NodeJS.ProcessEnv = process.env): string {
  const dir = env.ODOO_2FA_DOCKER_DIR || path.join(cacheRoot(env), "docker");
  return `unix://${path.join(dir, "docker.sock")}`;
}

function dockerEnv(docker: Pick<Docker, "host">): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (docker.host) env.DOCKER_HOST = docker.host;
  else delete env.DOCKER_HOST;
  return env;
}

async function serverVersion(host: string | undefined): Promise<{ version?: string; error: string }> {
  const run = await execa("docker", ["version", "--format", "{{.Server.Version}}"], {
    env: dockerEnv({ host }),
    extendEnv: false,
    reject: false,
    timeout: 15_000,
  });
  if (run.failed && run.code === "ENOENT") return { error: "the docker command is not installed" };
  if (run.exitCode === 0 && run.stdout.trim()) return { version: run.stdout.trim(), error: "" };
  const message = String(run.stderr || run.stdout || run.shortMessage || "")
    .split("\n")
    .find((line) => line.trim());
  return { error: (message ?? "no answer").trim() };
}

/**
 * A daemon that answers: `dockerHost` when given, else `$DOCKER_HOST`, else the CLI's default
 * and then the private daemon of `scripts/docker/dockerd.sh`. Rejects with a `VerifyError`
 * (`no-docker`, exit 2) that says how to get one.
 */
export async function findDocker(options: { dockerHost?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Docker> {
  const env = options.env ?? process.env;
  const explicit = options.dockerHost ?? env.DOCKER_HOST;
  const candidates: (string | undefined)[] = explicit ? [explicit] : [undefined];
  const privateHost = privateDockerHost(env);
  if (!explicit && existsSync(privateHost.slice("unix://".length))) candidates.push(privateHost);
  const tried: string[] = [];
  for (const host of candidates) {
    const answer = await serverVersion(host);
    if (answer.version) return { host, serverVersion: answer.version };
    tried.push(`${host ?? "the default socket"} (${answer.error})`);
    if (answer.error.startsWith("the docker command")) break;
  }
  throw new VerifyError(
    "no-docker",
    `verify --docker needs a running Docker daemon, and none answered: tried ${tried.join("; ")}.`,
    "Start Docker (e.g. `sudo systemctl start docker`) or point DOCKER_HOST at a daemon; on Debian without one, install `docker.io` (in a checkout of odoo-2fa, `sudo bash scripts/docker/dockerd.sh start` runs a private daemon). Without Docker, drop --docker to use the local backend (--odoo-src).",
  );
}

export interface DockerRun {
  exitCode: number | undefined;
  stdout: string;
  stderr: string;
}

/** Runs `docker ARGS` against the daemon; never rejects. */
export async function docker(d: Pick<Docker, "host">, args: string[], options: { timeoutMs?: number; input?: string } = {}): Promise<DockerRun> {
  const run = await execa("docker", args, {
    env: dockerEnv(d),
    extendEnv: false,
    reject: false,
    timeout: options.timeoutMs ?? 120_000,
    input: options.input ?? "",
    stripFinalNewline: true,
  });
  return { exitCode: run.exitCode, stdout: String(run.stdout ?? ""), stderr: String(run.stderr ?? "") };
}

/** Like `docker`, but synchronous: for cleanup inside a signal handler. */
export function dockerSync(d: Pick<Docker, "host">, args: string[], timeoutMs = 60_000): DockerRun {
  const run = spawnSync("docker", args, { env: dockerEnv(d), encoding: "utf8", timeout: timeoutMs, stdio: ["ignore", "pipe", "pipe"] });
  return { exitCode: run.status ?? undefined, stdout: (run.stdout ?? "").trim(), stderr: (run.stderr ?? "").trim() };
}

/** Runs `docker ARGS` and returns stdout, or rejects with a `VerifyError` (`backend-failed`). */
export async function dockerOk(d: Pick<Docker, "host">, args: string[], what: string, options: { timeoutMs?: number } = {}): Promise<string> {
  const run = await docker(d, args, options);
  if (run.exitCode !== 0) {
    throw new VerifyError("backend-failed", `Docker could not ${what}: ${(run.stderr || run.stdout || `exit ${run.exitCode ?? "timeout"}`).split("\n")[0]}`, undefined, run.stderr || undefined);
  }
  return run.stdout;
}

export interface ImageInfo {
  id: string;
  /** `Config.Env` as a map (e.g. ODOO_VERSION of the official odoo image). */
  env: Record<string, string>;
  labels: Record<string, string>;
}

export async function inspectImage(d: Pick<Docker, "host">, image: string): Promise<ImageInfo | undefined> {
  const run = await docker(d, ["image", "inspect", "--format", "{{json .}}", image]);
  if (run.exitCode !== 0) return undefined;
  try {
    const data = JSON.parse(run.stdout) as { Id: string; Config?: { Env?: string[] | null; Labels?: Record<string, string> | null } };
    const env: Record<string, string> = {};
    for (const entry of data.Config?.Env ?? []) {
      const at = entry.indexOf("=");
      if (at > 0) env[entry.slice(0, at)] = entry.slice(at + 1);
    }
    return { id: data.Id, env, labels: data.Config?.Labels ?? {} };
  } catch {
    return undefined;
  }
}

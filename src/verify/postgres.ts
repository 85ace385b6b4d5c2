/**
 * A throwaway PostgreSQL cluster in a folder of its own: unix socket in that folder, no TCP
 * listener, fsync off. Run as the `postgres` user when this process is root (PostgreSQL refuses
 * root). Nothing of the machine's own PostgreSQL is touched.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { appendFile, chmod, chown, mkdir } from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import { execa } from "execa";
import type { PostgresBinaries } from "./environment.js";
import { VerifyError } from "./errors.js";

export const DB_USER = "odoo";

export interface Cluster {
  bin: PostgresBinaries;
  dataDir: string;
  socketDir: string;
  port: number;
  logFile: string;
  /** Run PostgreSQL's commands as this OS user (root → `postgres`), or as ourselves. */
  runAs?: { user: string; uid: number; gid: number };
}

const isRoot = () => typeof process.getuid === "function" && process.getuid() === 0;

/** uid/gid of the `postgres` user when we are root; undefined otherwise. */
export function postgresUser(): Cluster["runAs"] {
  if (!isRoot()) return undefined;
  const id = spawnSync("id", ["-u", "postgres"], { encoding: "utf8" });
  const gid = spawnSync("id", ["-g", "postgres"], { encoding: "utf8" });
  if (id.status !== 0 || gid.status !== 0) {
    throw new VerifyError(
      "no-postgres",
      "Running as root, but there is no `postgres` user to run PostgreSQL as (PostgreSQL refuses to run as root).",
      "Install Debian's `postgresql` package (`odoo-2fa setup local-odoo`), which creates it, or run verify as an ordinary user.",
    );
  }
  return { user: "postgres", uid: Number(id.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

const RUNUSER = ["/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser"].find((file) => existsSync(file));

function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** The argv that runs a PostgreSQL binary as the cluster's user. */
export function pgCommand(cluster: Pick<Cluster, "bin" | "runAs">, bin: string, args: string[]): [string, string[]] {
  const file = path.join(cluster.bin.bindir, bin);
  if (!cluster.runAs) return [file, args];
  if (RUNUSER) return [RUNUSER, ["-u", cluster.runAs.user, "--", file, ...args]];
  return ["su", ["-s", "/bin/sh", cluster.runAs.user, "-c", [file, ...args].map(shellQuote).join(" ")]];
}

async function pg(cluster: Pick<Cluster, "bin" | "runAs">, bin: string, args: string[], what: string): Promise<string> {
  const [file, argv] = pgCommand(cluster, bin, args);
  const run = await execa(file, argv, { reject: false, all: true, timeout: 120_000, cwd: "/" });
  if (run.exitCode !== 0) {
    throw new VerifyError("backend-failed", `PostgreSQL: ${what} failed (${bin} exit ${run.exitCode ?? run.signal}).`, undefined, (run.all ?? "").trim().split("\n").slice(-15).join("\n"));
  }
  return run.all ?? "";
}

/** A TCP port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

/** Makes `dir` (and its contents, recursively for new folders) owned by the cluster's user. */
export async function giveToClusterUser(cluster: Pick<Cluster, "runAs">, ...dirs: string[]): Promise<void> {
  if (!cluster.runAs) return;
  for (const dir of dirs) {
    await mkdir(dir, { recursive: true });
    await chown(dir, cluster.runAs.uid, cluster.runAs.gid);
    await chmod(dir, 0o700);
  }
}

/** Prepares a cluster description in `root` (a temp folder): `root/pg/data`, `root/pg/sock`. */
export async function clusterIn(root: string, bin: PostgresBinaries): Promise<Cluster> {
  const runAs = postgresUser();
  if (runAs) await chmod(root, 0o755);
  const base = path.join(root, "pg");
  await mkdir(base, { recursive: true });
  if (runAs) await chown(base, runAs.uid, runAs.gid);
  const socketDir = path.join(base, "sock");
  await mkdir(socketDir, { recursive: true });
  if (runAs) await chown(socketDir, runAs.uid, runAs.gid);
  return { bin, dataDir: path.join(base, "data"), socketDir, port: await freePort(), logFile: path.join(base, "postgres.log"), runAs };
}

/** `initdb` a new cluster: trust auth, superuser `odoo`, UTF8, C locale, durability off (throwaway). */
export async function initCluster(cluster: Cluster): Promise<void> {
  await pg(cluster, "initdb", ["-D", cluster.dataDir, "-A", "trust", "-U", DB_USER, "-E", "UTF8", "--locale=C", "--no-sync"], "initdb");
  const conf = [
    "",
    "# odoo-2fa verify: a throwaway cluster",
    "listen_addresses = ''",
    "fsync = off",
    "synchronous_commit = off",
    "full_page_writes = off",
    "max_connections = 100",
    "",
  ].join("\n");
  const confFile = path.join(cluster.dataDir, "postgresql.conf");
  await appendFile(confFile, conf);
}

export async function startCluster(cluster: Cluster): Promise<void> {
  const options = `-p ${cluster.port} -k ${shellQuote(cluster.socketDir)}`;
  await pg(cluster, "pg_ctl", ["-D", cluster.dataDir, "-o", options, "-l", cluster.logFile, "-w", "-t", "60", "start"], "starting the throwaway cluster");
}

export async function stopCluster(cluster: Cluster): Promise<void> {
  if (!existsSync(path.join(cluster.dataDir, "postmaster.pid"))) return;
  await pg(cluster, "pg_ctl", ["-D", cluster.dataDir, "-m", "fast", "-w", "-t", "60", "stop"], "stopping the throwaway cluster");
}

/** For signal handlers and `finally` after a crash: stop now, synchronously, without waiting for clients. */
export function stopClusterNow(cluster: Cluster): void {
  if (!existsSync(path.join(cluster.dataDir, "postmaster.pid"))) return;
  const [file, argv] = pgCommand(cluster, "pg_ctl", ["-D", cluster.dataDir, "-m", "immediate", "-w", "-t", "20", "stop"]);
  spawnSync(file, argv, { stdio: "ignore", cwd: "/" });
}

export async function createDatabase(cluster: Cluster, name: string, template?: string): Promise<void> {
  const args = ["-h", cluster.socketDir, "-p", String(cluster.port), "-U", DB_USER];
  if (template) args.push("-T", template);
  args.push(name);
  // createdb is a client: it runs as ourselves, over the socket.
  const run = await execa(path.join(cluster.bin.bindir, "createdb"), args, { reject: false, all: true, timeout: 120_000 });
  if (run.exitCode !== 0) {
    throw new VerifyError("backend-failed", `PostgreSQL: createdb ${name}${template ? ` -T ${template}` : ""} failed.`, undefined, run.all);
  }
}

/** Odoo's command-line options that point it at this cluster. */
export function odooDbArgs(cluster: Cluster): string[] {
  return [`--db_host=${cluster.socketDir}`, `--db_port=${cluster.port}`, `--db_user=${DB_USER}`];
}

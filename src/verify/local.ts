/**
 * The local backend of `verify`: an Odoo source tree, a Python with Odoo's dependencies and a
 * throwaway PostgreSQL cluster in a temporary folder.
 *
 * Speed: the dependencies (base, web, auth_totp, portal, auth_totp_portal and the addon's core
 * `depends`) are installed once into a template database, with the web asset bundles
 * pre-generated, and the whole stopped cluster is cached under
 * `~/.cache/odoo-2fa/pg/<series>-<key>` (key: the tree's identity and the module list). A run
 * copies that cluster (`cp -a`, well under a second) into its temp folder, starts it, and
 * `createdb -T`s the run's database from the template, so it spends its time on the addon.
 */
import { createHash } from "node:crypto";
import { existsSync, rmSync, statSync } from "node:fs";
import { mkdir, mkdtemp, readdir, rename, rm, stat, symlink, utimes, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { execa, type ResultPromise } from "execa";
import { onInterrupt } from "./cleanup.js";
import {
  type AddonInfo,
  cacheRoot,
  findPostgres,
  gitHead,
  findPython,
  lacksDependencies,
  locateTree,
  type OdooTree,
  type PostgresBinaries,
  readAddon,
  treeHasModule,
  treeModuleManifest,
} from "./environment.js";
import { communityTree, installedProprietary, PRINT_INSTALLED_PROPRIETARY } from "./community.js";
import { VerifyError } from "./errors.js";
import { checkedSeries, runOutcome, Steps, verdict } from "./run.js";
import { analyzeLog, parseLogRecords, recordText } from "./log.js";
import {
  type Cluster,
  clusterIn,
  createDatabase,
  freePort,
  initCluster,
  odooDbArgs,
  pgCommand,
  startCluster,
  stopCluster,
  stopClusterNow,
} from "./postgres.js";
import type { VerifyOptions, VerifyReport } from "./types.js";

/** Modules every template database holds, before the addon's own core `depends`. */
export const TEMPLATE_BASE_MODULES = ["base", "web", "auth_totp", "portal", "auth_totp_portal"] as const;
export const TEMPLATE_DB = "odoo2fa_template";
/** Bump when the layout of a cached cluster changes: old entries are then ignored. */
const CACHE_FORMAT = 2;

export const ODOO_BOOT = "import odoo.cli,sys; sys.argv[0]='odoo'; odoo.cli.main()";

/** The modules of the template database for an addon: the base set plus its `depends` that the tree ships. */
export function templateModules(addon: AddonInfo, tree: OdooTree): string[] {
  const extra = addon.depends.filter((module) => treeHasModule(tree, module) && !TEMPLATE_BASE_MODULES.includes(module as never));
  return [...TEMPLATE_BASE_MODULES, ...[...new Set(extra)].sort()];
}

/** The cache key of a template: tree identity (path, release.py, git HEAD, left-out modules, manifests of the modules), modules, PostgreSQL major. */
export function templateKey(tree: OdooTree, modules: readonly string[], pg: PostgresBinaries): string {
  const manifests = modules.map((module) => {
    const file = treeModuleManifest(tree, module);
    if (!file) return [module, null];
    const stat = statSync(file);
    return [module, stat.size, Math.trunc(stat.mtimeMs)];
  });
  const identity = { format: CACHE_FORMAT, source: tree.source, leftOut: tree.leftOut.map((m) => m.module), release: tree.release, git: gitHead(tree.source) ?? null, modules, manifests, pg: pg.major };
  return createHash("sha256").update(JSON.stringify(identity)).digest("hex").slice(0, 16);
}

interface RunContext {
  tree: OdooTree;
  python: string;
  tmp: string;
  cluster: Cluster;
  dataDir: string;
  children: Set<ResultPromise>;
}

interface OdooRun {
  exitCode: number | undefined;
  log: string;
}

async function runOdoo(ctx: RunContext, args: string[], options: { logFile: string; input?: string; timeoutMs: number; onLine?: (line: string) => void }): Promise<OdooRun> {
  const child = execa(ctx.python, ["-c", ODOO_BOOT, ...args], {
    env: { PYTHONPATH: ctx.tree.root, PYTHONUNBUFFERED: "1", PYTHONDONTWRITEBYTECODE: "1" },
    extendEnv: true,
    cwd: ctx.tmp,
    all: true,
    reject: false,
    input: options.input ?? "",
    timeout: options.timeoutMs,
    forceKillAfterDelay: 5_000,
  });
  ctx.children.add(child);
  const lines: string[] = [];
  const reader = createInterface({ input: child.all! });
  const closed = new Promise<void>((resolve) => reader.once("close", () => resolve()));
  reader.on("line", (line) => {
    lines.push(line);
    options.onLine?.(line);
  });
  const done = await child;
  await closed;
  ctx.children.delete(child);
  if (done.timedOut) lines.push(`odoo-2fa verify: Odoo did not finish within ${Math.round(options.timeoutMs / 1000)} s and was stopped.`);
  const log = lines.join("\n");
  await mkdir(path.dirname(options.logFile), { recursive: true });
  // Whole file at once: concurrent runs of the same addon and series leave one complete log.
  const partial = `${options.logFile}.${process.pid}-${Math.random().toString(36).slice(2)}`;
  await writeFile(partial, `${log}\n`);
  await rename(partial, options.logFile);
  return { exitCode: done.exitCode, log };
}

function demoArgs(series: string): string[] {
  // 16–18 load demo data unless told not to; 19 loads none by default and warns on `=all`.
  return Number.parseInt(series, 10) >= 19 ? [] : ["--without-demo=all"];
}

function firstError(log: string): string {
  const records = parseLogRecords(log).filter((r) => r.level === "ERROR" || r.level === "CRITICAL");
  const record = records[0];
  if (record) return recordText(record).split("\n").slice(0, 40).join("\n");
  return log.split("\n").slice(-30).join("\n");
}

/** Builds the template database in the running cluster, then stores the stopped cluster in the cache. */
async function buildTemplate(ctx: RunContext, modules: string[], cacheDir: string, logDir: string): Promise<void> {
  const common = [...odooDbArgs(ctx.cluster), `--data-dir=${ctx.dataDir}`, `--addons-path=${ctx.tree.addonsPaths.join(",")}`, "-d", TEMPLATE_DB, "--no-http", "--workers=0", "--max-cron-threads=0"];
  const install = await runOdoo(ctx, [...common, "-i", modules.join(","), ...demoArgs(ctx.tree.series), "--stop-after-init"], {
    logFile: path.join(logDir, `template-${ctx.tree.series}.log`),
    timeoutMs: 20 * 60_000,
  });
  if (install.exitCode !== 0 || /Failed to (load registry|initialize database)/.test(install.log)) {
    throw new VerifyError(
      "backend-failed",
      `Odoo ${ctx.tree.series} could not install its own modules (${modules.join(", ")}) into a fresh database (exit ${install.exitCode}); the tree or its Python dependencies are broken.`,
      `See ${path.join(logDir, `template-${ctx.tree.series}.log`)}; \`odoo-2fa setup local-odoo\` installs the dependencies.`,
      firstError(install.log),
    );
  }
  // What Odoo itself does before HTTP tests (odoo/service/server.py, preload_registries): done
  // once here, so no run pays for it.
  const assets = await runOdoo(ctx, ["shell", ...common], {
    input: `${PRINT_INSTALLED_PROPRIETARY}env['ir.qweb']._pregenerate_assets_bundles()\nenv.cr.commit()\n`,
    logFile: path.join(logDir, `template-${ctx.tree.series}-assets.log`),
    timeoutMs: 10 * 60_000,
  });
  if (assets.exitCode !== 0) {
    throw new VerifyError("backend-failed", `Odoo ${ctx.tree.series}: generating the web assets of the template database failed.`, undefined, firstError(assets.log));
  }
  const proprietary = installedProprietary(assets.log);
  if (proprietary === undefined || proprietary.length) {
    throw new VerifyError(
      "backend-failed",
      `Odoo ${ctx.tree.series}: the template database holds modules under a licence that is not open (${proprietary?.join(", ") ?? "could not be listed"}); odoo-2fa never installs them.`,
      `The tree ${ctx.tree.source} is run from ${ctx.tree.root}, which should leave them out (scripts/left-out-modules.py); report this.`,
    );
  }
  await stopCluster(ctx.cluster);
  // Stage next to the final place, then rename: concurrent builds of the same key do not collide.
  await mkdir(path.dirname(cacheDir), { recursive: true });
  const staging = `${cacheDir}.tmp-${process.pid}-${Date.now()}`;
  await mkdir(staging, { recursive: true });
  try {
    await execa("cp", ["-a", ctx.cluster.dataDir, path.join(staging, "data")]);
    const filestore = path.join(ctx.dataDir, "filestore", TEMPLATE_DB);
    if (existsSync(filestore)) await execa("cp", ["-a", filestore, path.join(staging, "filestore")]);
    else await mkdir(path.join(staging, "filestore"));
    await writeFile(
      path.join(staging, "meta.json"),
      `${JSON.stringify({ format: CACHE_FORMAT, series: ctx.tree.series, tree: ctx.tree.root, modules, database: TEMPLATE_DB, created: new Date().toISOString() }, null, 2)}\n`,
    );
    try {
      await rename(staging, cacheDir);
    } catch (error) {
      if (!existsSync(path.join(cacheDir, "meta.json"))) throw error;
      // another run finished the same template first: keep theirs
    }
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  await startCluster(ctx.cluster);
}

/** Templates unused for this long are removed when another one is built. */
const TEMPLATE_MAX_IDLE_MS = 14 * 24 * 3600 * 1000;

async function markUsed(cacheDir: string): Promise<void> {
  const now = new Date();
  await utimes(path.join(cacheDir, "meta.json"), now, now).catch(() => undefined);
}

/** Removes cached templates nobody used for two weeks (each is ~100 MB). */
async function pruneTemplates(pgCacheDir: string, keep: string): Promise<void> {
  let entries: string[];
  try {
    entries = await readdir(pgCacheDir);
  } catch {
    return;
  }
  for (const entry of entries) {
    const dir = path.join(pgCacheDir, entry);
    if (dir === keep) continue;
    try {
      if (entry.includes(".tmp-")) {
        // a build interrupted while it stored its result
        if (Date.now() - (await stat(dir)).mtimeMs > 24 * 3600 * 1000) await rm(dir, { recursive: true, force: true });
        continue;
      }
      const meta = await stat(path.join(dir, "meta.json"));
      if (Date.now() - meta.mtimeMs > TEMPLATE_MAX_IDLE_MS) await rm(dir, { recursive: true, force: true });
    } catch {
      // not a template entry, or removed meanwhile
    }
  }
}

function nowMs(): number {
  return performance.now();
}

/**
 * Installs the addon at `options.addonDir` into a throwaway database of a real Odoo (local
 * backend) and runs its tests. Resolves to a report whatever the addon does (exitCode 0 or 1);
 * rejects with a `VerifyError` (exit 2) when it cannot run: not an addon, no tree, no Python,
 * no PostgreSQL, a broken tree.
 */
export async function verifyAddon(options: VerifyOptions): Promise<VerifyReport> {
  const started = nowMs();
  const env = options.env ?? process.env;
  checkedSeries(options.series);
  const addon = readAddon(options.addonDir);
  const found = locateTree(options.series, options.odooSrc, env);
  const bin = findPostgres(env);
  const python = await findPython(options.python);
  const tree = await communityTree(found, python, env);
  const modules = templateModules(addon, tree);
  const key = templateKey(tree, modules, bin);
  const root = cacheRoot(env);
  const cacheDir = path.join(root, "pg", `${tree.series}-${key}`);
  const logDir = path.join(root, "logs");
  const logFile = path.join(logDir, `${addon.name}-${tree.series}.log`);
  const database = `verify_${addon.name}`.slice(0, 63);
  const steps = new Steps(tree.series, options.onProgress);

  const tmp = await mkdtemp(path.join(os.tmpdir(), `odoo-2fa-verify-${tree.series}-`));
  const cluster = await clusterIn(tmp, bin);
  const ctx: RunContext = { tree, python, tmp, cluster, dataDir: path.join(tmp, "odoo-data"), children: new Set() };
  let keep = false;
  const cleanupNow = () => {
    for (const child of ctx.children) child.kill("SIGKILL");
    stopClusterNow(cluster);
    if (!keep) rmSync(tmp, { recursive: true, force: true });
  };
  const unregister = onInterrupt(cleanupNow);
  let reused = existsSync(path.join(cacheDir, "meta.json"));

  try {
    steps.start("postgres", reused ? "copying the cached cluster" : "initdb");
    if (reused) {
      try {
        await execa("cp", ["-a", path.join(cacheDir, "data"), cluster.dataDir]);
        await markUsed(cacheDir);
      } catch {
        reused = false; // a cache entry being removed under us: build a fresh one
        await rm(cluster.dataDir, { recursive: true, force: true });
      }
    }
    if (!reused) await initCluster(cluster);
    await startCluster(cluster);
    steps.end("done", `PostgreSQL ${bin.major || ""} on ${cluster.socketDir}:${cluster.port}`.replace("  ", " "));

    steps.start("dependencies", reused ? "template database from the cache" : `installing ${modules.join(", ")} into a template database (once per series)`);
    const templateStart = nowMs();
    if (!reused) {
      await buildTemplate(ctx, modules, cacheDir, logDir);
      await pruneTemplates(path.dirname(cacheDir), cacheDir);
    }
    const templateMs = Math.round(nowMs() - templateStart);
    steps.end("done", reused ? `reused template ${path.basename(cacheDir)}` : `built template ${path.basename(cacheDir)}`);

    steps.start("database", `createdb -T ${TEMPLATE_DB} ${database}`);
    await createDatabase(cluster, database, TEMPLATE_DB);
    const filestore = path.join(ctx.dataDir, "filestore");
    await mkdir(filestore, { recursive: true });
    const templateFilestore = reused ? path.join(cacheDir, "filestore") : path.join(ctx.dataDir, "filestore", TEMPLATE_DB);
    if (existsSync(templateFilestore)) await execa("cp", ["-a", templateFilestore, path.join(filestore, database)]);
    steps.end("done", database);

    // The addon alone on its own addons path (a link), so nothing else next to it is picked up.
    const linkDir = path.join(tmp, "addons");
    await mkdir(linkDir);
    const linked = path.join(linkDir, addon.name);
    await symlink(addon.dir, linked, "dir");
    const addonsPaths = [...tree.addonsPaths, linkDir, ...(options.extraAddonsPaths ?? []).map((p) => path.resolve(p))];
    const httpPort = await freePort();

    steps.start("addon", `installing ${addon.name}`);
    const run = await runOdoo(
      ctx,
      [
        ...odooDbArgs(cluster),
        `--data-dir=${ctx.dataDir}`,
        `--addons-path=${addonsPaths.join(",")}`,
        "-d",
        database,
        "-i",
        addon.name,
        ...(options.runTests === false ? [] : ["--test-enable", `--test-tags=/${addon.name}`]),
        "--stop-after-init",
        ...demoArgs(tree.series),
        `--http-port=${httpPort}`,
        "--http-interface=127.0.0.1",
        "--workers=0",
        "--max-cron-threads=0",
        "--log-level=info",
      ],
      {
        logFile,
        timeoutMs: 30 * 60_000,
        onLine: (line) => {
          if (steps.active === "addon" && / (odoo\.addons\.\S+\.tests\.\S+: Starting \S+ \.\.\.|odoo\.service\.server: Starting post tests)/.test(line)) {
            steps.start("tests", "running the addon's tests");
          }
        },
      },
    );
    // Tracebacks name the linked folder; the user knows the real one.
    const log = run.log.split(`${linked}/`).join(`${addon.dir}/`);
    const seen = new Map<string, boolean>();
    const analysis = analyzeLog(log, {
      addon: addon.name,
      addonPaths: [addon.dir, linked],
      series: tree.series,
      lacksDependencies: (module) => treeModuleManifest(tree, module) !== undefined && lacksDependencies(tree, module, seen),
    });
    const outcome = runOutcome(analysis, verdict(analysis, run.exitCode, options.runTests !== false));
    steps.finishTests(analysis, outcome.ok);

    steps.start("cleanup", options.keepDb ? "stopping PostgreSQL, keeping the database" : "stopping PostgreSQL, removing the temporary folder");
    await stopCluster(cluster);
    let kept: VerifyReport["kept"];
    if (options.keepDb) {
      keep = true;
      const [runner, argv] = pgCommand(cluster, "pg_ctl", ["-D", cluster.dataDir, "-o", `-p ${cluster.port} -k ${cluster.socketDir}`, "-l", cluster.logFile, "start"]);
      kept = {
        dir: tmp,
        database,
        startPostgres: [runner, ...argv.map((a) => (/\s/.test(a) ? `'${a}'` : a))].join(" "),
        odooArgs: [...odooDbArgs(cluster), `--data-dir=${ctx.dataDir}`, `--addons-path=${addonsPaths.join(",")}`, "-d", database].join(" "),
      };
    } else await rm(tmp, { recursive: true, force: true });
    steps.end("done");

    return {
      backend: "local",
      addon: addon.name,
      addonDir: addon.dir,
      series: tree.series,
      ...outcome,
      odoo: { tree: tree.root, version: tree.version, python, postgres: bin.bindir, exitCode: run.exitCode ?? null },
      template: { reused, key, dir: cacheDir, modules, ms: templateMs },
      database,
      steps: steps.timings,
      durationMs: Math.round(nowMs() - started),
      logFile,
      kept,
    };
  } catch (error) {
    steps.end("failed", error instanceof Error ? error.message : String(error));
    throw error;
  } finally {
    unregister();
    for (const child of ctx.children) child.kill("SIGKILL");
    if (!keep) {
      stopClusterNow(cluster);
      await rm(tmp, { recursive: true, force: true }).catch(() => undefined);
    }
  }
}

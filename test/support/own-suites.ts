/**
 * Issue 14: Odoo's own test suites (two-factor, sign-up, portal, passkeys, base's users / API
 * keys / XML-RPC tests) run on a real Odoo with demo data, bare and with a generated addon.
 *
 * Cost, per series:
 * - one demo-data cluster (the suites' modules and what the addon depends on, installed once,
 *   web assets pre-generated), cached under `~/.cache/odoo-2fa/pg/<series>-suites-<key>` like
 *   verify's templates (key: the tree's identity and the module list);
 * - the bare run's per-test results cached under `~/.cache/odoo-2fa/own-suites/` (key: the
 *   cluster's key and the test tags): a bare run of the same tree is the same comparison;
 * - one database for both policies: `-i` the addon generated from the first, run the suites;
 *   regenerate the addon from the second, `-u` it, run the suites again.
 *
 * Re-running tests of installed modules (odoo/modules/loading.py, odoo/service/server.py, all
 * four series): without `-i`/`-u`, `--test-enable` runs the `at_install` tests of every loaded
 * module while the registry loads, then the `post_install` tests of every installed module,
 * both filtered by `--test-tags`. With `-u X`, `at_install` tests run only for the modules
 * being updated; so the addon is installed / upgraded in a run of its own, and the suites run
 * in a run without `-u`. `--test-tags` is `[-][tag][/module][:Class][.method]` in every series;
 * `/base/tests/test_res_users.py` selects one file (module path ending in `.py`, 16.0+).
 */
import { createHash } from "node:crypto";
import { appendFileSync, existsSync, rmSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { execa } from "execa";
import type { Policy, Series } from "../../src/policy/model.js";
import { renderAddon, type TemplateSet } from "../../src/render/index.js";
import { loadTemplateSet } from "../../src/generate/templates.js";
import { cacheRoot, findPostgres, findPython, locateTree, manifestDepends, type OdooTree, readAddon, treeHasModule, treeModuleManifest } from "../../src/verify/environment.js";
import { onInterrupt } from "../../src/verify/cleanup.js";
import { communityTree, installedProprietary, PRINT_INSTALLED_PROPRIETARY } from "../../src/verify/community.js";
import { parseLogRecords } from "../../src/verify/log.js";
import { ODOO_BOOT, templateKey } from "../../src/verify/local.js";
import { type Cluster, clusterIn, createDatabase, freePort, initCluster, odooDbArgs, startCluster, stopCluster, stopClusterNow } from "../../src/verify/postgres.js";
import { writeTreesAtomically } from "../../src/write/atomic.js";

const ADDON = { name: "suites_2fa_policy", title: "Suites two-factor policy", summary: "Runs under Odoo's own test suites", author: "odoo-2fa tests", website: "https://example.com", license: "LGPL-3" as const, version: "1.0.0" };
const SWITCHES = {
  settings: { editable: true },
  proxy: { adminNetworks: [] },
  recoveryCodes: { enabled: true, count: 10 },
  report: true,
  notifications: { announce: true, remindDaysBeforeDeadline: [7, 1], notifyAdminsWeekly: true },
  audit: true,
};

/**
 * Enforces none of the tests' users: administrators are enforced but every internal user is
 * excepted (so the enforcement code runs and decides "not required" for all), portal not
 * enforced, password RPC allowed. Every optional switch on: all the addon's code is there.
 */
export const NONE_ENFORCED: Policy = {
  schema: 1,
  addon: ADDON,
  enforce: { groups: ["base.group_system"], exceptGroups: ["base.group_user"], graceDays: 0 },
  portal: { enforce: false, graceDays: 0 },
  exemptions: [],
  api: { passwordRpc: "allow", apiKeys: "allow", networks: [] },
  ...SWITCHES,
};

/** Enforces everyone, at once: every internal and portal user, no grace, password RPC denied. */
export const ALL_ENFORCED: Policy = {
  ...NONE_ENFORCED,
  enforce: { groups: ["base.group_user"], exceptGroups: [], graceDays: 0 },
  portal: { enforce: true, graceDays: 0 },
  api: { passwordRpc: "deny", apiKeys: "allow", networks: [] },
};

/** Bump when what a cached cluster holds changes. */
const TEMPLATE_FORMAT = 1;
/**
 * Bump when how the suites run (and so a cached bare result) changes. 3: a bare failure is
 * kept only if it recurs (results cached before held tours that failed on a loaded machine),
 * and the tours of 16.0 and 17.0 get the window size Odoo asks for.
 */
const RESULTS_FORMAT = 3;
const TEMPLATE_DB = "suites_template";

/** The modules whose suites run, as the tree ships them, and the test tags that select them. */
export function suitesOf(tree: OdooTree): { modules: string[]; tags: string[] } {
  const wanted = ["auth_totp", "auth_totp_portal", "auth_totp_mail", "auth_totp_mail_enforce", "auth_signup", "portal", "auth_passkey"];
  const modules = wanted.filter((module) => treeHasModule(tree, module));
  // A module that ships no tests is installed (its code runs under the others' tests) but not
  // tagged: 16.0's auth_totp_mail_enforce has none.
  const tags = modules.filter((module) => existsSync(path.join(path.dirname(treeModuleManifest(tree, module)!), "tests"))).map((module) => `/${module}`);
  // base's users, API keys and XML-RPC tests (API keys are TestAPIKeys of test_xmlrpc.py; 19.0
  // moved XML-RPC and its tests into the `rpc` module).
  const baseTests = path.join(tree.root, "odoo", "addons", "base", "tests");
  for (const file of ["test_res_users.py", "test_xmlrpc.py"]) {
    if (existsSync(path.join(baseTests, file))) tags.push(`/base/tests/${file}`);
  }
  if (treeHasModule(tree, "rpc")) {
    modules.push("rpc");
    tags.push("/rpc");
  }
  return { modules, tags };
}

export function chromiumMissing(): string | undefined {
  for (const bin of ["google-chrome", "chromium", "chromium-browser", "google-chrome-stable"]) {
    for (const dir of (process.env.PATH ?? "").split(":")) if (dir && existsSync(path.join(dir, bin))) return undefined;
  }
  return "no Chromium on PATH (Odoo's tours would be skipped): `bash scripts/install.sh` installs Debian's chromium and python3-websocket";
}

export type Outcome = "pass" | "fail" | "error" | "skip";
/** Per test (`odoo.addons.<module>.tests.<file>:Class.test_method`): its outcome. */
export type Results = Record<string, Outcome>;

export interface SuiteRun {
  results: Results;
  /** Odoo's own summary line (`N failed, N error(s) of N tests`), when it logged one. */
  summary?: string;
  /** The first lines of each failure, by test id. */
  failures: Record<string, string>;
  ms: number;
  log: string;
}

const START = /^Starting (\S+) \.\.\.\s*$/;
/** `FAIL: Class.method`, or for a subtest `FAIL: Subtest Class.method (<params>)` (odoo/tests/result.py). */
const FAILURE = /^(FAIL|ERROR): (?:Subtest )?(\S+)/;
const SKIPPED = /^skipped (\S+) : /;

/** Per-test outcomes from an Odoo log at level info. */
export function parseSuiteLog(log: string): Omit<SuiteRun, "ms" | "log"> {
  const results: Results = {};
  const failures: Record<string, string> = {};
  let summary: string | undefined;
  for (const record of parseLogRecords(log)) {
    if (/odoo\.tests\.result$/.test(record.logger) && /tests/.test(record.message)) summary = record.message;
    if (!/\.tests(\.|$)/.test(record.logger)) continue;
    const start = START.exec(record.message);
    if (start && record.level === "INFO") {
      results[`${record.logger}:${start[1]}`] ??= "pass";
      continue;
    }
    const skipped = SKIPPED.exec(record.message);
    if (skipped && record.level === "INFO") {
      results[`${record.logger}:${skipped[1]}`] = "skip";
      continue;
    }
    const failure = record.level === "ERROR" ? FAILURE.exec(record.message) : null;
    if (failure) {
      // A subtest's failure is counted against its test.
      const id = `${record.logger}:${failure[2]!.replace(/\(.*$/, "")}`;
      results[id] = results[id] === "fail" || failure[1] === "FAIL" ? "fail" : "error";
      failures[id] ??= [record.message, ...record.details.slice(-6)].join("\n");
    }
  }
  return { results, summary, failures };
}

/** The `--test-tags` spec of one test id (`odoo.addons.<module>.tests.<file>:Class.method`). */
export function testTag(id: string): string {
  const match = /^odoo\.addons\.(\w+)\.tests\.[\w.]+:(\w+)\.(\w+)$/.exec(id);
  if (!match) throw new Error(`not a test id: ${id}`);
  return `/${match[1]}:${match[2]}.${match[3]}`;
}

/**
 * How a test ended: its outcome, and for a failure or an error the last line Odoo logged of it
 * (the assertion, the exception, the tour step that failed: on 18.0+ the line naming the step,
 * not the last), numbers blanked (ports, pids, timings). Two runs that both fail a test but at
 * another step did not end alike: a bare run that failed a tour on a loaded machine must not
 * hide the addon breaking the same tour.
 */
export function ending(run: Pick<SuiteRun, "results" | "failures">, id: string): string {
  const outcome = run.results[id];
  if (outcome === undefined) return "not run";
  if (outcome !== "fail" && outcome !== "error") return outcome;
  const lines = (run.failures[id] ?? "").split("\n").map((line) => line.trim()).filter(Boolean);
  // 18.0+ tours end with what went wrong ("TIMEOUT step failed ...", the same whatever the
  // step): the line before names the step (web_tour's "FAILED: [n/m] Tour t → Step s (...)").
  const step = [...lines].reverse().find((line) => /^FAILED: .*\bTour\b/.test(line));
  const last = (step ?? lines.at(-1) ?? "").replace(/\d+/g, "N");
  return last ? `${outcome} (${last})` : outcome;
}

/** The tests that ended otherwise in two runs (tests only in one run included), by id. */
export function differingTests(bare: Pick<SuiteRun, "results" | "failures">, other: Pick<SuiteRun, "results" | "failures">): string[] {
  const ids = [...new Set([...Object.keys(bare.results), ...Object.keys(other.results)])].sort();
  return ids.filter((id) => ending(bare, id) !== ending(other, id));
}

/**
 * Of the tests that ended otherwise once (`ids`), those that ended otherwise every time: none of
 * the addon's endings (first run, run again) is one the bare tree had (cached, run again). A
 * test that ended with the addon as on the bare tree once is flaky here, not changed by the
 * addon, whichever side failed when: on 16.0 the bare tree itself fails TestTOTP's tests now and
 * then (they run twice, auth_totp_mail's tests import the class, and the second run's setUp
 * meets the savepoint a lingering /websocket request of the previous test released).
 */
export function confirmedDifferences(ids: readonly string[], bare: readonly Pick<SuiteRun, "results" | "failures">[], addon: readonly Pick<SuiteRun, "results" | "failures">[]): string[] {
  return ids.filter((id) => {
    const bareEndings = new Set(bare.map((run) => ending(run, id)));
    return !addon.some((run) => bareEndings.has(ending(run, id)));
  });
}

export interface ExpectedFailure {
  series: string[];
  test: string;
  why: string;
}

/** `own-suites.expected.txt`: `<series,...|*> <test id> -- <why>`; `#` comments. */
export function parseExpected(text: string): ExpectedFailure[] {
  const entries: ExpectedFailure[] = [];
  for (const [index, raw] of text.split("\n").entries()) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const match = /^(\S+)\s+(\S+)\s+--\s+(.+)$/.exec(line);
    if (!match) throw new Error(`own-suites.expected.txt:${index + 1}: expected "<series|*> <test id> -- <why>", got: ${line}`);
    entries.push({ series: match[1] === "*" ? ["16.0", "17.0", "18.0", "19.0"] : match[1]!.split(","), test: match[2]!, why: match[3]! });
  }
  return entries;
}

export interface SuitesSession {
  tree: OdooTree;
  tags: string[];
  modules: string[];
  /** The bare run (from the cache or run now; empty with `bare: false`). */
  bare: SuiteRun & { cached: boolean };
  /** Installs (first call) or regenerates and upgrades the addon from `policy` in the addon database. */
  deploy(policy: Policy): Promise<{ ms: number; log: string; ok: boolean }>;
  /** Runs the suites in the addon database. */
  run(): Promise<SuiteRun>;
  /**
   * Runs only the tests `ids` again, on a bare database and on the addon database: a test that
   * ended otherwise than on the bare tree counts only if it does so again (a loaded machine
   * makes tours and HTTP tests time out now and then, with or without the addon).
   */
  rerun(ids: readonly string[]): Promise<{ bare: SuiteRun; addon: SuiteRun }>;
  /** Runs a script in `odoo shell` on the addon database; returns its output. */
  shell(script: string): Promise<string>;
  timings: Record<string, number>;
  close(): Promise<void>;
}

interface Ctx {
  tree: OdooTree;
  python: string;
  tmp: string;
  cluster: Cluster;
  dataDir: string;
  addonsPaths: string[];
  linkDir: string;
  addon: string;
}

/**
 * Odoo, with every selected test run once the registry is complete. At its own position an
 * `at_install` test of an installed module runs while the registry loads, before the modules
 * after it (the addon among them, which depends on these suites' modules) are loaded: it would
 * never meet the addon, and base's fail on bare Odoo too (their models miss the columns the
 * later modules added). So `at_install` tests run with the `post_install` ones, after loading.
 *
 * The tours' window: 16.0 and 17.0 start Chromium with `--window-size=1366x768` (HttpCase.
 * browser_size), which today's Chromium does not parse (it wants `1366,768`, as 18.0 writes it),
 * so the tours ran in the 800x600 default where desktop-only elements are hidden: the bare run
 * failed them (16.0 at the user menu's name, 17.0 at the portal's "Edit" link), and a tour that
 * fails on the bare tree proves nothing about the addon. The size is given as Odoo means it.
 */
export const SUITES_BOOT = [
  "import odoo.tests.loader as loader",
  "make_suite = loader.make_suite",
  "loader.make_suite = lambda names, position='at_install': make_suite(names, 'at_install,post_install') if position == 'post_install' else make_suite([], position)",
  "import odoo.tests.common as tests_common",
  "tests_common.HttpCase.browser_size = tests_common.HttpCase.browser_size.replace('x', ',')",
  ODOO_BOOT,
].join("; ");

async function odoo(ctx: Ctx, args: string[], input = "", timeoutMs = 40 * 60_000, boot = ODOO_BOOT): Promise<{ exitCode?: number; log: string }> {
  const child = execa(ctx.python, ["-c", boot, ...args], {
    env: { PYTHONPATH: ctx.tree.root, PYTHONUNBUFFERED: "1", PYTHONDONTWRITEBYTECODE: "1" },
    extendEnv: true,
    cwd: ctx.tmp,
    all: true,
    reject: false,
    input,
    timeout: timeoutMs,
    forceKillAfterDelay: 5_000,
  });
  // Followable while it runs: ODOO_2FA_SUITES_LOG=<file>.
  const follow = process.env.ODOO_2FA_SUITES_LOG;
  if (follow) child.all?.on("data", (chunk: Buffer) => appendFileSync(follow, chunk));
  const run = await child;
  return { exitCode: run.exitCode, log: run.all ?? "" };
}

function common(ctx: Ctx, database: string): string[] {
  // Odoo refuses an addons folder without any module in it: the addon's only once it is written.
  const paths = ctx.addonsPaths.filter((dir) => dir !== ctx.linkDir || existsSync(path.join(dir, ctx.addon)));
  return [...odooDbArgs(ctx.cluster), `--data-dir=${ctx.dataDir}`, `--addons-path=${paths.join(",")}`, "-d", database, "--workers=0", "--max-cron-threads=0"];
}

async function copyDatabase(ctx: Ctx, database: string): Promise<void> {
  await createDatabase(ctx.cluster, database, TEMPLATE_DB);
  const from = path.join(ctx.dataDir, "filestore", TEMPLATE_DB);
  if (existsSync(from)) await execa("cp", ["-a", from, path.join(ctx.dataDir, "filestore", database)]);
}

async function runSuites(ctx: Ctx, database: string, tags: string[]): Promise<SuiteRun> {
  const started = performance.now();
  const port = await freePort();
  const run = await odoo(ctx, [
    ...common(ctx, database),
    "--test-enable",
    `--test-tags=${tags.join(",")}`,
    "--stop-after-init",
    `--http-port=${port}`,
    "--http-interface=127.0.0.1",
    "--log-level=info",
  ], "", 40 * 60_000, SUITES_BOOT);
  return { ...parseSuiteLog(run.log), ms: Math.round(performance.now() - started), log: run.log };
}

/**
 * Sets up a series: the demo-data cluster (cached), the bare results (cached) and an empty
 * addon database. The cluster holds what the addons of `policies` depend on (one addon name).
 */
export async function openSuites(series: Series, policies: readonly Policy[], options: { templates?: TemplateSet; bare?: boolean } = {}): Promise<SuitesSession> {
  const { templates, bare: runBare = true } = options;
  const timings: Record<string, number> = {};
  const python = await findPython();
  const tree = await communityTree(locateTree(series), python);
  const loaded = templates ?? (await loadTemplateSet());
  const addon = { name: policies[0]!.addon.name, depends: [] as string[] };
  for (const policy of policies) {
    const manifest = renderAddon(policy, series, loaded).get("__manifest__.py");
    if (typeof manifest !== "string") throw new Error("the rendered addon has no __manifest__.py");
    addon.depends.push(...manifestDepends(manifest));
  }
  const bin = findPostgres();
  const { modules: suiteModules, tags } = suitesOf(tree);
  const extra = addon.depends.filter((m) => treeHasModule(tree, m) && !suiteModules.includes(m));
  const modules = ["base", "web", ...suiteModules, ...[...new Set(extra)].sort()];
  const key = createHash("sha256").update(`own-suites ${TEMPLATE_FORMAT} ${templateKey(tree, modules, bin)}`).digest("hex").slice(0, 16);
  const root = cacheRoot();
  const cacheDir = path.join(root, "pg", `${series}-suites-${key}`);
  const resultsFile = path.join(root, "own-suites", `${series}-${key}-${createHash("sha256").update(`${RESULTS_FORMAT} ${tags.join(",")}`).digest("hex").slice(0, 12)}.json`);

  const tmp = await mkdtemp(path.join(os.tmpdir(), `odoo-2fa-suites-${series}-`));
  const cluster = await clusterIn(tmp, bin);
  const linkDir = path.join(tmp, "addons");
  await mkdir(linkDir, { recursive: true });
  const ctx: Ctx = { tree, python, tmp, cluster, dataDir: path.join(tmp, "odoo-data"), addonsPaths: [...tree.addonsPaths, linkDir], linkDir, addon: addon.name };
  // Ctrl-C or a killed run: the throwaway cluster goes too.
  const unregister = onInterrupt(() => {
    stopClusterNow(cluster);
    rmSync(tmp, { recursive: true, force: true });
  });
  const close = async () => {
    unregister();
    stopClusterNow(cluster);
    await rm(tmp, { recursive: true, force: true });
  };
  try {
    let t = performance.now();
    if (existsSync(path.join(cacheDir, "meta.json"))) {
      await execa("cp", ["-a", path.join(cacheDir, "data"), cluster.dataDir]);
      await mkdir(path.join(ctx.dataDir, "filestore"), { recursive: true });
      await execa("cp", ["-a", path.join(cacheDir, "filestore"), path.join(ctx.dataDir, "filestore", TEMPLATE_DB)]);
      await startCluster(cluster);
      timings.template = Math.round(performance.now() - t);
    } else {
      await initCluster(cluster);
      await startCluster(cluster);
      const demo = Number.parseInt(series, 10) >= 19 ? ["--with-demo"] : [];
      const install = await odoo(ctx, [...common(ctx, TEMPLATE_DB), "--no-http", "-i", modules.join(","), ...demo, "--stop-after-init", "--log-level=warn"]);
      if (install.exitCode !== 0) throw new Error(`Odoo ${series}: installing ${modules.join(",")} with demo data failed:\n${install.log.slice(-4000)}`);
      const assets = await odoo(ctx, ["shell", ...common(ctx, TEMPLATE_DB), "--no-http", "--log-level=warn"], `${PRINT_INSTALLED_PROPRIETARY}env['ir.qweb']._pregenerate_assets_bundles()\nenv.cr.commit()\n`);
      if (assets.exitCode !== 0) throw new Error(`Odoo ${series}: generating web assets failed:\n${assets.log.slice(-4000)}`);
      // Never a proprietary module: the tree runs from its mirror without them.
      const proprietary = installedProprietary(assets.log);
      if (proprietary?.length !== 0) throw new Error(`Odoo ${series}: modules under a licence that is not open were installed: ${proprietary?.join(", ") ?? "(not listed)"}`);
      await stopCluster(cluster);
      const staging = `${cacheDir}.tmp-${process.pid}`;
      await rm(staging, { recursive: true, force: true });
      await mkdir(staging, { recursive: true });
      await execa("cp", ["-a", cluster.dataDir, path.join(staging, "data")]);
      const filestore = path.join(ctx.dataDir, "filestore", TEMPLATE_DB);
      if (existsSync(filestore)) await execa("cp", ["-a", filestore, path.join(staging, "filestore")]);
      else await mkdir(path.join(staging, "filestore"));
      await writeFile(path.join(staging, "meta.json"), `${JSON.stringify({ format: TEMPLATE_FORMAT, series, tree: tree.root, modules, database: TEMPLATE_DB, demo: true }, null, 2)}\n`);
      await rename(staging, cacheDir).catch(async () => rm(staging, { recursive: true, force: true }));
      await startCluster(cluster);
      timings.templateBuilt = Math.round(performance.now() - t);
    }

    let bare: SuitesSession["bare"];
    let bareDb = false;
    if (!runBare) {
      bare = { results: {}, failures: {}, ms: 0, log: "", cached: false };
    } else if (existsSync(resultsFile)) {
      const saved = JSON.parse(await readFile(resultsFile, "utf8")) as Omit<SuiteRun, "log">;
      bare = { ...saved, log: "", cached: true };
      timings.bareCached = 0;
    } else {
      await copyDatabase(ctx, "suites_bare");
      bareDb = true;
      const run = await runSuites(ctx, "suites_bare", tags);
      // A bare test that failed on a loaded machine (a tour step or an HTTP read timing out)
      // would be cached as the bare tree's own failure and hide the addon failing it: those
      // run once more, on a fresh copy, and a test counts as failing on the bare tree only if
      // it fails again.
      const failed = Object.keys(run.results).filter((id) => run.results[id] === "fail" || run.results[id] === "error");
      if (failed.length > 0) {
        await copyDatabase(ctx, "suites_bare_again");
        const again = await runSuites(ctx, "suites_bare_again", failed.map(testTag));
        for (const id of failed) {
          if (again.results[id] !== "pass") continue;
          run.results[id] = "pass";
          delete run.failures[id];
        }
        run.ms += again.ms;
        run.log += `\n---- the bare run's failures, run again ----\n${again.log}`;
      }
      bare = { ...run, cached: false };
      timings.bare = run.ms;
      // Only a complete run is worth keeping.
      if (run.summary && Object.keys(run.results).length > 0) {
        await mkdir(path.dirname(resultsFile), { recursive: true });
        const { log: _log, ...kept } = run;
        await writeFile(`${resultsFile}.tmp-${process.pid}`, `${JSON.stringify({ ...kept, tree: tree.root, tags }, null, 1)}\n`);
        await rename(`${resultsFile}.tmp-${process.pid}`, resultsFile);
      }
    }

    t = performance.now();
    await copyDatabase(ctx, "suites_addon");
    timings.database = Math.round(performance.now() - t);
    let installed = false;
    const addonDir = path.join(linkDir, addon.name);
    return {
      tree,
      tags,
      modules,
      bare,
      timings,
      close,
      async deploy(policy) {
        const started = performance.now();
        await rm(addonDir, { recursive: true, force: true });
        await writeTreesAtomically([{ dir: addonDir, tree: renderAddon(policy, series, loaded) }]);
        const depends = readAddon(addonDir).depends.filter((m) => treeHasModule(tree, m) && !modules.includes(m));
        if (depends.length > 0) throw new Error(`the addon depends on ${depends.join(", ")}, not in the suites' database`);
        const run = await odoo(ctx, [...common(ctx, "suites_addon"), "--no-http", installed ? "-u" : "-i", addon.name, "--stop-after-init", "--log-level=warn"]);
        const ok = run.exitCode === 0 && !/ (ERROR|CRITICAL) /.test(run.log);
        installed = true;
        return { ms: Math.round(performance.now() - started), log: run.log, ok };
      },
      run: () => runSuites(ctx, "suites_addon", tags),
      async rerun(ids) {
        const only = ids.map(testTag);
        if (!bareDb) {
          await copyDatabase(ctx, "suites_bare");
          bareDb = true;
        }
        return { bare: await runSuites(ctx, "suites_bare", only), addon: await runSuites(ctx, "suites_addon", only) };
      },
      async shell(script) {
        const run = await odoo(ctx, ["shell", ...common(ctx, "suites_addon"), "--no-http", "--log-level=warn"], script, 10 * 60_000);
        return run.log;
      },
    };
  } catch (error) {
    await close();
    throw error;
  }
}

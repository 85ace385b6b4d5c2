// Benchmark 4 (issue 18): what the generated addon costs as the number of users grows.
//
// `npm run bench:scale`. Needs the local verify backend (an Odoo source tree, /usr/bin/python3
// with Odoo's dependencies, PostgreSQL's binaries).
//
// 1. Renders the customer-portal example (portal enforced, report, notifications) for one series
//    and installs it with verify's local backend, keeping the throwaway cluster; its template
//    database (`odoo2fa_template`: the addon's dependencies, not the addon) is the starting point.
// 2. Per size (portal users : internal users), a database with that many users made in bulk
//    (bench/scale_driver.py `populate`: SQL copies of one user made with the ORM; every fifth
//    portal user and every second internal user enrolled), dumped once into
//    <cache>/scale/<key>.dump and restored from there on later runs.
// 3. Per size: requests without the addon (that database as it is), then the addon installed
//    into a copy (wall time and SQL queries), requests with it, then the report, the status
//    filter and one cron run (bench/scale_driver.py `measure`).
//    Requests: Odoo `--workers=0` on loopback; a compliant user (internal, enrolled; password and
//    TOTP code) sends `res.partner.read` over JSON-RPC; a held user (portal, logged in while
//    in grace, whose grace is then moved into the past with SQL) sends `GET /my` and is sent
//    to the setup page. Without the addon the same users send the same requests (the portal
//    user is then simply served). One request at a time; warm-up requests are not counted.
//
// Then it replaces section "## 4." of bench/RESULTS.md.
//   BENCH_SERIES=17.0  BENCH_SIZES=1000:1000,10000:5000,100000:5000  BENCH_REQUESTS=200
//   BENCH_STEP_TIMEOUT=600 (seconds; a step that takes longer is stopped and reported as such)
//   BENCH_LABEL=after (the column this run fills; "before" keeps the after column and vice versa)
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createHmac } from "node:crypto";
import { execa } from "execa";
import { loadPolicy } from "../src/generate/policy-file.js";
import type { Series } from "../src/policy/model.js";
import { renderAddon } from "../src/render/index.js";
import { loadTemplateSet } from "../src/generate/templates.js";
import { cacheRoot } from "../src/verify/environment.js";
import { findPostgres, TEMPLATE_DB, verifyAddon } from "../src/verify/index.js";
import { freePort } from "../src/verify/postgres.js";
import { writeTreesAtomically } from "../src/write/atomic.js";
import { REPO_ROOT } from "../test/support/examples.js";
import { gitRevision, isoNow, load, machineLine, percentile, readSection, resultsFile, writeSection } from "./machine.js";

const SERIES = (process.env.BENCH_SERIES ?? "17.0") as Series;
const SIZES = (process.env.BENCH_SIZES ?? "1000:1000,10000:5000,100000:5000").split(",").map((pair) => {
  const [portal, internal] = pair.split(":").map(Number);
  return { portal: portal!, internal: internal! };
});
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 200);
const WARMUP = 20;
const STEP_TIMEOUT_S = Number(process.env.BENCH_STEP_TIMEOUT ?? 600);
const LABEL = process.env.BENCH_LABEL ?? "after";
const EXAMPLE = "customer-portal";
const PASSWORD = "bench-password-7431";
const TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
const DRIVER = path.join(REPO_ROOT, "bench", "scale_driver.py");
/** Bump when what scale_driver.py's `populate` makes changes: the cached databases are made again. */
const POPULATE_FORMAT = 1;
/** Issue 18's targets on this 2-core machine. */
const TARGET = { installOn100k: 60, report: 2, filter: 2 };

const say = (text: string) => process.stderr.write(`${text}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const cleanups: (() => Promise<unknown> | unknown)[] = [];
async function cleanup() {
  for (const step of cleanups.reverse()) await Promise.resolve(step()).catch(() => undefined);
  cleanups.length = 0;
}
for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => void cleanup().then(() => process.exit(130)));

// ---------------------------------------------------------------- TOTP, HTTP

function base32Decode(text: string): Buffer {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const char of text.replace(/\s|=/g, "")) bits += alphabet.indexOf(char).toString(2).padStart(5, "0");
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}
function totp(secret: string): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 30_000)));
  const mac = createHmac("sha1", base32Decode(secret)).update(counter).digest();
  const at = mac[mac.length - 1]! & 0xf;
  return String((mac.readUInt32BE(at) & 0x7fffffff) % 1_000_000).padStart(6, "0");
}

class Client {
  cookies = new Map<string, string>();
  constructor(readonly base: string) {}
  async send(pathname: string, body?: string, type = "application/x-www-form-urlencoded") {
    const headers: Record<string, string> = { Cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ") };
    if (body !== undefined) headers["Content-Type"] = type;
    const response = await fetch(this.base + pathname, { method: body === undefined ? "GET" : "POST", headers, body, redirect: "manual" });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(";");
      const eq = pair!.indexOf("=");
      this.cookies.set(pair!.slice(0, eq).trim(), pair!.slice(eq + 1));
    }
    return { status: response.status, location: response.headers.get("location") ?? "", text: await response.text() };
  }
  async csrf(pathname: string) {
    const page = await this.send(pathname);
    const token = /name="csrf_token"\s+value="([^"]+)"/.exec(page.text)?.[1];
    if (!token) throw new Error(`no CSRF token at ${pathname}: ${page.status}`);
    return token;
  }
  async login(login: string, code?: string) {
    const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
    const step = await this.send("/web/login", form({ login, password: PASSWORD, csrf_token: await this.csrf("/web/login") }));
    if (step.status !== 303) throw new Error(`${login}: password step answered ${step.status}`);
    if (!step.location.includes("/web/login/totp")) return;
    if (!code) throw new Error(`${login}: asked for a TOTP code (${step.location})`);
    const done = await this.send("/web/login/totp", form({ totp_token: code, csrf_token: await this.csrf("/web/login/totp") }));
    if (done.status !== 303 || done.location.includes("/web/login")) throw new Error(`${login}: TOTP step answered ${done.status} ${done.location}`);
  }
}

/** Latencies (ms) of `REQUESTS` sequential requests after `WARMUP` uncounted ones; each answer checked. */
async function latencies(run: () => Promise<string | undefined>): Promise<{ ms: number[]; error?: string }> {
  const ms: number[] = [];
  for (let i = 0; i < WARMUP + REQUESTS; i++) {
    const sent = performance.now();
    const error = await run();
    if (error) return { ms, error };
    if (i >= WARMUP) ms.push(performance.now() - sent);
  }
  return { ms };
}

// ---------------------------------------------------------------- Odoo

interface Ctx {
  dir: string;
  python: string;
  tree: string;
  baseArgs: string[];
  pgArgs: string[];
  bindir: string;
  addon: string;
}

async function driver(ctx: Ctx, command: string, args: Record<string, unknown>, timeoutS = STEP_TIMEOUT_S): Promise<Record<string, any> | { timedOut: true }> {
  const run = await execa(ctx.python, [DRIVER, command, JSON.stringify(args), "--", ...ctx.baseArgs, "--log-level=warn", "--max-cron-threads=0"], {
    cwd: ctx.dir,
    env: { ...process.env, PYTHONPATH: ctx.tree, PYTHONUNBUFFERED: "1", PYTHONDONTWRITEBYTECODE: "1" },
    reject: false,
    all: true,
    timeout: timeoutS * 1000,
  });
  if (run.timedOut) return { timedOut: true };
  const line = run.all?.split("\n").find((l) => l.startsWith("RESULT="));
  if (!line) throw new Error(`scale_driver ${command} failed (${run.exitCode}):\n${run.all?.slice(-4000)}`);
  return JSON.parse(line.slice("RESULT=".length));
}

async function pgClient(ctx: Ctx, tool: string, args: string[], timeout = 1_800_000) {
  const run = await execa(path.join(ctx.bindir, tool), [...ctx.pgArgs, ...args], { reject: false, all: true, timeout });
  if (run.exitCode !== 0) throw new Error(`${tool} ${args.join(" ")}: ${run.all}`);
  return run.stdout;
}
const psql = (ctx: Ctx, db: string, sql: string) => pgClient(ctx, "psql", ["-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", "-d", db, "-c", sql]);

async function startOdoo(ctx: Ctx, db: string): Promise<{ base: string; stop: () => Promise<void> }> {
  const port = await freePort();
  const child = execa(
    ctx.python,
    ["-c", "import odoo.cli,sys; sys.argv[0]='odoo'; odoo.cli.main()", ...ctx.baseArgs, "-d", db, `--db-filter=^${db}$`, `--http-port=${port}`, "--http-interface=127.0.0.1", "--workers=0", "--max-cron-threads=0", "--log-level=warn"],
    { cwd: ctx.dir, env: { ...process.env, PYTHONPATH: ctx.tree, PYTHONUNBUFFERED: "1" }, reject: false, all: true },
  );
  const stop = async () => {
    child.kill("SIGTERM");
    await Promise.race([child, sleep(15_000)]);
    child.kill("SIGKILL");
  };
  cleanups.push(stop);
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 480; i++) {
    if (await fetch(`${base}/web/login`).then((r) => r.status === 200, () => false)) return { base, stop };
    if (child.exitCode !== null) break;
    await sleep(500);
  }
  await stop();
  throw new Error(`Odoo did not start on ${db}: ${(await child).all?.slice(-3000)}`);
}

/** Latencies (ms), or only their percentiles where a run's log kept no more. */
type Latencies = number[] | { p50?: number; p99?: number };

interface RequestFigures {
  compliant: Latencies;
  held: Latencies;
  heldStatus: string;
  error?: string;
}

async function requests(ctx: Ctx, db: string, partner: number, withAddon: boolean): Promise<RequestFigures> {
  const signal = SERIES === "16.0" ? "base_cache_signaling" : "base_cache_signaling_default";
  if (withAddon) {
    // Logged in while in grace; the grace is then over, and the server learns it from the signal.
    await psql(ctx, db, `UPDATE res_users SET totp_policy_grace_start = now() at time zone 'UTC' WHERE login = 'bench-held'`);
  }
  const odoo = await startOdoo(ctx, db);
  try {
    const compliant = new Client(odoo.base);
    await compliant.login("bench-enrolled", totp(TOTP_SECRET));
    const body = JSON.stringify({ jsonrpc: "2.0", method: "call", id: 1, params: { model: "res.partner", method: "read", args: [[partner], ["name"]], kwargs: {} } });
    const a = await latencies(async () => {
      const answer = await compliant.send("/web/dataset/call_kw/res.partner/read", body, "application/json");
      return answer.status === 200 && answer.text.includes('"result"') ? undefined : `compliant: ${answer.status} ${answer.text.slice(0, 300)}`;
    });
    const held = new Client(odoo.base);
    await held.login("bench-held");
    if (withAddon) {
      await psql(ctx, db, `UPDATE res_users SET totp_policy_grace_start = now() at time zone 'UTC' - interval '400 days' WHERE login = 'bench-held'; SELECT nextval('${signal}')`);
    }
    let heldStatus = "";
    const b = await latencies(async () => {
      const answer = await held.send("/my");
      heldStatus = `${answer.status}${answer.location ? ` → ${new URL(answer.location, odoo.base).pathname}` : ""}`;
      if (withAddon && !(answer.status === 303 && answer.location.includes("/web/login"))) return `held user not held: ${heldStatus}`;
      if (!withAddon && answer.status !== 200) return `portal user not served: ${heldStatus}`;
      return undefined;
    });
    return { compliant: a.ms, held: b.ms, heldStatus, error: a.error ?? b.error };
  } finally {
    await odoo.stop();
  }
}

// ---------------------------------------------------------------- set-up

async function prepare(): Promise<Ctx> {
  const loaded = await loadPolicy(path.join(REPO_ROOT, "examples", `${EXAMPLE}.yaml`));
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues));
  const policy = loaded.policy;
  const scratch = mkdtempSync(path.join(os.tmpdir(), "odoo-2fa-bench-scale-"));
  cleanups.push(() => rmSync(scratch, { recursive: true, force: true }));
  const addonDir = path.join(scratch, "addons", policy.addon.name);
  await writeTreesAtomically([{ dir: addonDir, tree: renderAddon(policy, SERIES, await loadTemplateSet()) }]);
  say(`verify ${policy.addon.name} on ${SERIES} (install only), keeping the cluster …`);
  const report = await verifyAddon({ addonDir, series: SERIES, keepDb: true, runTests: false });
  const kept = report.kept;
  if (kept) cleanups.push(() => rmSync(kept.dir, { recursive: true, force: true }));
  if (!report.install.ok || !kept) throw new Error(`the addon did not install: ${report.problems.join("; ")}`);
  const started = await execa("sh", ["-c", kept.startPostgres], { reject: false, all: true, timeout: 120_000 });
  if (started.exitCode !== 0) throw new Error(`starting PostgreSQL failed: ${started.all}`);
  const runner = kept.startPostgres.slice(0, kept.startPostgres.indexOf("pg_ctl") + "pg_ctl".length);
  cleanups.push(() => execa("sh", ["-c", `${runner} -D ${path.join(kept.dir, "pg", "data")} -m immediate -w -t 30 stop`], { reject: false }));
  const args = kept.odooArgs.split(" ");
  const d = args.indexOf("-d");
  const baseArgs = args.filter((_, i) => i !== d && i !== d + 1);
  const opt = (name: string) => baseArgs.find((a) => a.startsWith(`--${name}=`))!.slice(name.length + 3);
  const dataDir = opt("data-dir");
  const templateFiles = path.join(report.template.dir, "filestore");
  const ctx: Ctx = {
    dir: kept.dir,
    python: report.odoo.python,
    tree: report.odoo.tree,
    baseArgs,
    pgArgs: ["-h", opt("db_host"), "-p", opt("db_port"), "-U", opt("db_user")],
    bindir: findPostgres().bindir,
    addon: policy.addon.name,
  };
  // Every database made here starts from the template: its files (web assets) go with it.
  ctx.baseArgs.push(`--data-dir=${dataDir}`);
  (ctx as Ctx & { filestore: (db: string) => void }).filestore = (db: string) => {
    const target = path.join(dataDir, "filestore", db);
    if (existsSync(templateFiles) && !existsSync(target)) cpSync(templateFiles, target, { recursive: true });
  };
  return ctx;
}

const filestore = (ctx: Ctx, db: string) => (ctx as Ctx & { filestore: (db: string) => void }).filestore(db);

/** The database of one size, from the cache or made (and cached). */
async function sizeDatabase(ctx: Ctx, size: { portal: number; internal: number }): Promise<{ db: string; partner: number; cached: boolean; seconds?: number }> {
  const db = `scale_${size.portal}_${size.internal}`;
  const key = createHash("sha256")
    .update(`populate ${POPULATE_FORMAT}`)
    .update(readFileSync(path.join(ctx.tree, "odoo", "release.py")))
    .update(`${SERIES} ${ctx.tree} ${size.portal} ${size.internal}`)
    .digest("hex")
    .slice(0, 16);
  const dir = path.join(cacheRoot(), "scale");
  mkdirSync(dir, { recursive: true });
  const dump = path.join(dir, `${SERIES}-${size.portal}-${size.internal}-${key}.dump`);
  const meta = `${dump}.json`;
  filestore(ctx, db);
  if (existsSync(dump) && existsSync(meta)) {
    await pgClient(ctx, "createdb", [db]);
    await pgClient(ctx, "pg_restore", ["--no-owner", "-d", db, dump]);
    await psql(ctx, db, "ANALYZE");
    return { db, partner: JSON.parse(readFileSync(meta, "utf8")).admin_partner, cached: true };
  }
  await pgClient(ctx, "createdb", ["-T", TEMPLATE_DB, db]);
  // Made once, then cached: not a measured step, no step timeout.
  const made = await driver(ctx, "populate", { db, portal: size.portal - 1, internal: size.internal - 1, password: PASSWORD }, 7200);
  if ("timedOut" in made) throw new Error(`populating ${db} took over 7200 s`);
  await pgClient(ctx, "pg_dump", ["-Fc", "-f", `${dump}.${process.pid}`, db]);
  await execa("mv", [`${dump}.${process.pid}`, dump]);
  writeFileSync(meta, JSON.stringify(made));
  return { db, partner: made.admin_partner, cached: false, seconds: made.seconds };
}

// ---------------------------------------------------------------- run

interface SizeResult {
  portal: number;
  internal: number;
  users: number;
  install?: { seconds: number; queries: number } | "timeout";
  report?: { seconds: number; queries: number } | "timeout";
  filter?: { seconds: number; queries: number } | "timeout";
  /** The users list without the filter (Odoo's own cost of that list). */
  usersList?: { seconds: number; queries: number } | "timeout";
  cron?: { seconds: number; queries: number; value: number } | "timeout";
  without: RequestFigures;
  with?: RequestFigures;
}

async function runSize(ctx: Ctx, size: { portal: number; internal: number }): Promise<SizeResult> {
  const made = await sizeDatabase(ctx, size);
  say(`${made.db}: ${made.cached ? "restored from the cache" : `made in ${made.seconds?.toFixed(1)} s (cached)`}`);
  const users = Number(await psql(ctx, made.db, "SELECT count(*) FROM res_users"));
  const result: SizeResult = { ...size, users, without: await requests(ctx, made.db, made.partner, false) };
  say(`  without the addon: compliant p50 ${p50(result.without.compliant)}, portal p50 ${p50(result.without.held)}`);
  const run = `${made.db}_run`;
  filestore(ctx, run);
  await pgClient(ctx, "createdb", ["-T", made.db, run]);
  try {
    const install = await driver(ctx, "install", { db: run, addon: ctx.addon });
    result.install = "timedOut" in install ? "timeout" : (install as { seconds: number; queries: number });
    say(`  install: ${JSON.stringify(result.install)}`);
    if (result.install === "timeout") return result;
    result.with = await requests(ctx, run, made.partner, true);
    say(`  with the addon: compliant p50 ${p50(result.with.compliant)}, held p50 ${p50(result.with.held)} ${result.with.error ?? ""}`);
    // Each measured on its own (a step that times out does not hide the others).
    for (const step of ["report", "filter", "cron"] as const) {
      const measured = await driver(ctx, "measure", { db: run, only: step });
      result[step] = "timedOut" in measured ? "timeout" : measured[step];
      say(`  ${step}: ${JSON.stringify(result[step])}`);
      if (step === "filter") result.usersList = "timedOut" in measured ? "timeout" : measured.users_list;
    }
  } finally {
    await pgClient(ctx, "dropdb", [run]).catch(() => undefined);
  }
  return result;
}

// ---------------------------------------------------------------- results

const s = (v: { seconds: number } | "timeout" | undefined) => (v === undefined ? "–" : v === "timeout" ? `> ${STEP_TIMEOUT_S} s (stopped)` : `${v.seconds.toFixed(2)} s`);
const q = (v: { queries: number } | "timeout" | undefined) => (v === undefined || v === "timeout" ? "–" : String(v.queries));
const ms = (values: Latencies | undefined, p: 50 | 99) => {
  const value = Array.isArray(values) ? (values.length ? percentile(values, p) : undefined) : values?.[`p${p}`];
  return value === undefined ? "–" : `${value.toFixed(1)} ms`;
};
const p50 = (values: Latencies) => ms(values, 50);

function table(results: SizeResult[]): string {
  const head =
    "| Portal users | Internal users | Install | Install SQL queries | Compliant p50 / p99 (with) | (without) | Held p50 / p99 (with) | Portal user (without) | Report | Report queries | Status filter | Filter queries | Users list, no filter | One cron run | Cron queries |\n" +
    "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|";
  const rows = results.map(
    (r) =>
      `| ${r.portal} | ${r.internal} | ${s(r.install)} | ${q(r.install)} | ${ms(r.with?.compliant, 50)} / ${ms(r.with?.compliant, 99)} | ${ms(r.without.compliant, 50)} / ${ms(r.without.compliant, 99)} | ${ms(r.with?.held, 50)} / ${ms(r.with?.held, 99)} | ${ms(r.without.held, 50)} / ${ms(r.without.held, 99)} | ${s(r.report)} | ${q(r.report)} | ${s(r.filter)} | ${q(r.filter)} | ${s(r.usersList)} | ${s(r.cron)} | ${q(r.cron)} |`,
  );
  return `${head}\n${rows.join("\n")}`;
}

function verdicts(results: SizeResult[]): string[] {
  const out: string[] = [];
  const largest = results.reduce((a, b) => (b.portal + b.internal > a.portal + a.internal ? b : a));
  const check = (name: string, value: { seconds: number } | "timeout" | undefined, target: number) => {
    if (value === undefined) return `${name}: not measured`;
    if (value === "timeout") return `${name}: NOT MET (stopped after ${STEP_TIMEOUT_S} s; target ${target} s)`;
    return value.seconds <= target ? `${name}: MET (${value.seconds.toFixed(2)} s ≤ ${target} s)` : `${name}: NOT MET (${value.seconds.toFixed(2)} s, ${(value.seconds / target).toFixed(1)}× the ${target} s target)`;
  };
  const label = `${largest.portal} portal + ${largest.internal} internal users`;
  out.push(check(`install on ${label}`, largest.install, TARGET.installOn100k));
  out.push(check(`report on ${label}`, largest.report, TARGET.report));
  out.push(check(`status filter on ${label}`, largest.filter, TARGET.filter));
  for (const r of results) if (r.with?.error || r.without.error) out.push(`${r.portal}/${r.internal}: request error: ${r.with?.error ?? r.without.error}`);
  return out;
}

async function main() {
  const startedAt = isoNow();
  const loadStart = load();
  const ctx = await prepare();
  // This label's figures of earlier runs (other sizes) are kept: one size can be run again alone.
  const raw = path.join(REPO_ROOT, "bench", `scale-${LABEL}.json`);
  const results: SizeResult[] = existsSync(raw) ? (JSON.parse(readFileSync(raw, "utf8")) as { results: SizeResult[] }).results : [];
  const save = () => {
    // Another run of this label may have saved sizes of its own meanwhile.
    if (existsSync(raw)) {
      for (const other of (JSON.parse(readFileSync(raw, "utf8")) as { results: SizeResult[] }).results) {
        if (!results.some((r) => r.portal === other.portal && r.internal === other.internal) && !SIZES.some((z) => z.portal === other.portal && z.internal === other.internal)) results.push(other);
      }
    }
    results.sort((x, y) => x.portal + x.internal - (y.portal + y.internal));
    writeFileSync(raw, `${JSON.stringify({ series: SERIES, startedAt, results }, null, 2)}\n`);
  };
  try {
    for (const size of SIZES) {
      const result = await runSize(ctx, size);
      const at = results.findIndex((r) => r.portal === size.portal && r.internal === size.internal);
      if (at >= 0) results.splice(at, 1);
      results.push(result);
      save();
    }
  } finally {
    await cleanup();
  }
  const held = results.find((r) => r.with)?.with?.heldStatus ?? "";
  const run =
    `### ${LABEL} (revision ${gitRevision()})\n\n${machineLine(startedAt, loadStart, load())}\n\n${table(results)}\n\n` +
    `${verdicts(results).map((v) => `- ${v}`).join("\n")}\n\nThe held user's answer with the addon: \`${held}\`. Raw figures: bench/scale-${LABEL}.json.`;
  const previous = existsSync(resultsFile()) ? (readSection(readFileSync(resultsFile(), "utf8"), 4) ?? "") : "";
  const keep = (label: string) => {
    const at = previous.indexOf(`### ${label} (`);
    if (at < 0) return "";
    const rest = previous.slice(at);
    const end = rest.slice(4).search(/^### /m);
    return (end < 0 ? rest : rest.slice(0, end + 4)).replace(/\s+$/, "");
  };
  const other = LABEL === "before" ? keep("after") : keep("before");
  const runs = LABEL === "before" ? [run, other] : [other, run];
  const text = `## 4. At scale: users by the hundred thousand (issue 18)

What: Odoo ${SERIES} (source tree, \`/usr/bin/python3\`), the ${EXAMPLE} example's addon (portal users
enforced with 30 days' grace, internal users with 14, report and notifications on). Per size a
database made in bulk from verify's template database (bench/scale_driver.py \`populate\`: SQL
copies of one user made with the ORM; every fifth portal user and every second internal user
enrolled in TOTP), cached as a dump in \`~/.cache/odoo-2fa/scale/\`. "Install": \`-i\` of the addon
into a copy of that database (wall time, and the SQL queries Odoo ran by \`odoo.sql_db\`'s counter).
Requests: \`--workers=0\`, ${REQUESTS} sequential requests after ${WARMUP} uncounted: a compliant
user (internal, enrolled) reads a partner over JSON-RPC; a held user (portal, logged in during its
grace, the grace then moved into the past by SQL) opens \`/my\` and is sent to the setup page;
"without" is the same database without the addon (the portal user is then served \`/my\`).
Report, status filter and users list each as the web client opens a list (\`web_search_read\`:
the first 80 records and the count): the compliance report (\`totp.policy.compliance\`, a model
over a query); Settings -> Users with the "Needs action" filter (\`totp_policy_status in (grace,
missing)\`); the same list without the filter (what Odoo's own users list costs).
One cron run: \`totp.policy.notification._cron_notify()\` once. Each timed inside Odoo, in a
transaction rolled back afterwards. Targets (issue 18): install on 100k users under
${TARGET.installOn100k} s, report and status filter under ${TARGET.report} s.

Rerun (needs the local verify backend; the first run makes and caches the databases):

\`\`\`sh
npm run bench:scale                                  # BENCH_LABEL=after (default) or before
BENCH_SIZES=1000:1000 BENCH_REQUESTS=100 npm run bench:scale
\`\`\`

${runs.filter(Boolean).join("\n\n")}
`;
  writeSection(4, text);
  say(`wrote section 4 of ${resultsFile()}`);
}

main().catch(async (error) => {
  await cleanup();
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});

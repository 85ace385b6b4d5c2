// Benchmark 2 (issue 8): what the generated addon costs on every request of an enrolled user.
//
// `npx tsx bench/request.ts` (or `npm run bench:request`). Needs the local verify backend (an
// Odoo source tree, /usr/bin/python3 with Odoo's dependencies, PostgreSQL's binaries).
//
// 1. Renders the warehouse-scanners example for one series and installs it with verify's local
//    backend, keeping the throwaway cluster. That cluster holds the addon's database and verify's
//    template database (`odoo2fa_template`: the same modules without the addon), the baseline.
// 2. In each database, an internal user with a password and a known TOTP secret (enrolled).
// 3. For `--workers 0` and `--workers 2`, in turns (with, without, then without, with, …):
//    starts Odoo on loopback on that one database, logs in over HTTP (password, then a TOTP code
//    computed here: RFC 6238, SHA-1, 30 s, 6 digits), and drives the JSON-RPC call
//    `res.partner.read([[admin partner], ["name"]])` at a fixed concurrency from keep-alive
//    connections, first for a warm-up, then for the measured time. Latencies are measured here;
//    the SQL queries per request come from Odoo's request log line
//    (`"POST /web/dataset/call_kw/... HTTP/1.1" 200 - <queries> <query time> <other time>`).
// 4. Once per database, the SQL statements of one request (odoo.sql_db at DEBUG), so that any
//    extra query is named, not only counted.
//
// Then it replaces section "## 2." of bench/RESULTS.md.
//   BENCH_SERIES=17.0  BENCH_CONCURRENCY=4  BENCH_WARMUP=3  BENCH_DURATION=15 (seconds)
//   BENCH_ROUNDS=2 (runs per workers mode and database)  BENCH_WORKERS=0,2  BENCH_OUT=<file>
import { type ChildProcess, spawn } from "node:child_process";
import { createHmac } from "node:crypto";
import { cpSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { execa } from "execa";
import { loadPolicy } from "../src/generate/policy-file.js";
import type { Series } from "../src/policy/model.js";
import { renderAddon } from "../src/render/index.js";
import { loadTemplateSet } from "../src/generate/templates.js";
import { TEMPLATE_DB, verifyAddon, type VerifyReport } from "../src/verify/index.js";
import { freePort } from "../src/verify/postgres.js";
import { writeTreesAtomically } from "../src/write/atomic.js";
import { REPO_ROOT } from "../test/support/examples.js";
import { isoNow, load, machineLine, median, nproc, percentile, writeSection } from "./machine.js";

const SERIES = (process.env.BENCH_SERIES ?? "17.0") as Series;
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
const WARMUP_S = Number(process.env.BENCH_WARMUP ?? 3);
const DURATION_S = Number(process.env.BENCH_DURATION ?? 15);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const WORKERS = (process.env.BENCH_WORKERS ?? "0,2").split(",").map((w) => Number(w.trim()));
const EXAMPLE = "warehouse-scanners";
/** Issue 8: at most this p50 overhead, and no extra SQL query, for an enrolled user. */
const TARGET_P50 = 0.03;

const LOGIN = "bench-user";
const PASSWORD = "bench-password-7431";
/** 20 random-looking bytes in base32 (what Odoo stores in res_users.totp_secret). */
const TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

// ---------------------------------------------------------------- cleanup

const cleanups: (() => Promise<void> | void)[] = [];
let cleaning: Promise<void> | undefined;
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    for (const step of cleanups.reverse()) {
      try {
        await step();
      } catch (error) {
        process.stderr.write(`cleanup: ${error instanceof Error ? error.message : String(error)}\n`);
      }
    }
  })();
  return cleaning;
}
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    process.stderr.write(`\n${signal}: cleaning up …\n`);
    void cleanup().then(() => process.exit(130));
  });
}

const say = (text: string) => process.stderr.write(`${text}\n`);

// ---------------------------------------------------------------- TOTP (RFC 6238)

function base32Decode(text: string): Buffer {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const char of text.replace(/=+$/, "").toUpperCase()) {
    const index = alphabet.indexOf(char);
    if (index < 0) throw new Error(`not base32: ${char}`);
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** The 6-digit TOTP code (SHA-1, 30 s steps) of a base32 secret at time `ms`. */
export function totp(secret: string, ms = Date.now()): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(ms / 1000 / 30)));
  const mac = createHmac("sha1", base32Decode(secret)).update(counter).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  const code = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return String(code).padStart(6, "0");
}

// ---------------------------------------------------------------- HTTP

interface Answer {
  status: number;
  /** Sent on a kept-alive connection of the agent, not a new one. */
  reused: boolean;
  headers: http.IncomingHttpHeaders;
  body: string;
}

class Session {
  readonly cookies = new Map<string, string>();
  constructor(readonly port: number) {}

  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }

  send(method: string, urlPath: string, body?: string, contentType?: string, agent?: http.Agent): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string> = { Host: `127.0.0.1:${this.port}` };
      if (this.cookies.size) headers.Cookie = this.header();
      if (body !== undefined) {
        headers["Content-Type"] = contentType ?? "application/x-www-form-urlencoded";
        headers["Content-Length"] = String(Buffer.byteLength(body));
      }
      const req = http.request({ host: "127.0.0.1", port: this.port, method, path: urlPath, headers, agent: agent ?? false }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => {
          for (const cookie of res.headers["set-cookie"] ?? []) {
            const [pair] = cookie.split(";");
            const eq = pair!.indexOf("=");
            if (eq > 0) this.cookies.set(pair!.slice(0, eq).trim(), pair!.slice(eq + 1).trim());
          }
          resolve({ status: res.statusCode ?? 0, reused: req.reusedSocket, headers: res.headers, body: Buffer.concat(chunks).toString() });
        });
        res.on("error", reject);
      });
      req.setTimeout(120_000, () => req.destroy(new Error(`${method} ${urlPath}: no answer within 120 s`)));
      req.on("error", reject);
      req.end(body);
    });
  }
}

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const csrfOf = (html: string) => /name="csrf_token"\s+value="([^"]+)"/.exec(html)?.[1];

/** Password, then TOTP code: a session cookie of a fully logged-in, enrolled user. */
async function logIn(port: number): Promise<Session> {
  const session = new Session(port);
  const page = await session.send("GET", "/web/login");
  const csrf = csrfOf(page.body);
  if (page.status !== 200 || !csrf) throw new Error(`GET /web/login: ${page.status}, no CSRF token:\n${page.body.slice(0, 500)}`);
  const password = await session.send("POST", "/web/login", form({ csrf_token: csrf, login: LOGIN, password: PASSWORD, redirect: "" }));
  const next = String(password.headers.location ?? "");
  if (password.status !== 303 || !next.includes("/web/login/totp")) {
    throw new Error(`POST /web/login: ${password.status} → ${next || "(no redirect)"}; expected the TOTP step:\n${password.body.slice(0, 800)}`);
  }
  const totpPage = await session.send("GET", "/web/login/totp");
  const csrf2 = csrfOf(totpPage.body);
  if (totpPage.status !== 200 || !csrf2) throw new Error(`GET /web/login/totp: ${totpPage.status}, no CSRF token`);
  const code = await session.send("POST", "/web/login/totp", form({ csrf_token: csrf2, totp_token: totp(TOTP_SECRET) }));
  const done = String(code.headers.location ?? "");
  if (code.status !== 303 || done.includes("/web/login")) {
    throw new Error(`POST /web/login/totp: ${code.status} → ${done || "(no redirect)"}: the TOTP code was refused:\n${code.body.slice(0, 800)}`);
  }
  return session;
}

const RPC_PATH = "/web/dataset/call_kw/res.partner/read";
function rpcBody(partner: number, id: number): string {
  return JSON.stringify({ jsonrpc: "2.0", method: "call", id, params: { model: "res.partner", method: "read", args: [[partner], ["name"]], kwargs: {} } });
}

/** One authenticated read; throws unless Odoo answers with the partner. */
async function readOnce(session: Session, partner: number, agent?: http.Agent): Promise<void> {
  const answer = await session.send("POST", RPC_PATH, rpcBody(partner, 1), "application/json", agent);
  if (answer.status !== 200 || !answer.body.includes('"result"') || answer.body.includes('"error"')) {
    throw new Error(`${RPC_PATH}: ${answer.status} ${answer.body.slice(0, 800)}`);
  }
}

interface Drive {
  latenciesMs: number[];
  /** Measured requests sent on a reused (kept-alive) connection. */
  reused: number;
  errors: number;
  firstError?: string;
  measuredMs: number;
}

/**
 * `concurrency` loops, each sending the next request when the previous one is answered, over
 * keep-alive connections. Latencies of requests sent and answered inside the measured window
 * count; `onMeasure` is called when the warm-up ends.
 */
async function drive(session: Session, partner: number, onMeasure: () => void): Promise<Drive> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const start = performance.now();
  const measureFrom = start + WARMUP_S * 1000;
  const measureTo = measureFrom + DURATION_S * 1000;
  const latenciesMs: number[] = [];
  let errors = 0;
  let reused = 0;
  let firstError: string | undefined;
  let id = 0;
  const timer = setTimeout(onMeasure, WARMUP_S * 1000);
  const loop = async () => {
    while (performance.now() < measureTo) {
      const sent = performance.now();
      let ok = true;
      let again = false;
      try {
        const answer = await session.send("POST", RPC_PATH, rpcBody(partner, ++id), "application/json", agent);
        again = answer.reused;
        if (answer.status !== 200 || answer.body.includes('"error"')) {
          ok = false;
          firstError ??= `${answer.status} ${answer.body.slice(0, 300)}`;
        }
      } catch (error) {
        ok = false;
        firstError ??= error instanceof Error ? error.message : String(error);
      }
      const answered = performance.now();
      if (sent >= measureFrom && answered <= measureTo) {
        if (ok) latenciesMs.push(answered - sent);
        else errors += 1;
        if (again) reused += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, loop));
  clearTimeout(timer);
  agent.destroy();
  return { latenciesMs, reused, errors, firstError, measuredMs: DURATION_S * 1000 };
}

// ---------------------------------------------------------------- Odoo

interface Odoo {
  port: number;
  lines: string[];
  stop: () => Promise<void>;
}

async function connects(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    socket.setTimeout(1_000);
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
    socket.once("timeout", () => (socket.destroy(), resolve(false)));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Odoo on loopback serving `database` only, its log lines collected. */
async function startOdoo(ctx: Context, database: string, workers: number, extra: string[] = []): Promise<Odoo> {
  const port = await freePort();
  const geventPort = await freePort();
  const longpolling = Number.parseInt(SERIES, 10) <= 16 ? "--longpolling-port" : "--gevent-port";
  const args = [
    ctx.odooBin,
    ...ctx.odooArgs(database),
    "--http-interface=127.0.0.1",
    `--http-port=${port}`,
    `${longpolling}=${geventPort}`,
    `--workers=${workers}`,
    "--max-cron-threads=0",
    `--db-filter=^${database}$`,
    "--log-level=info",
    "--limit-time-real=100000",
    "--limit-time-cpu=100000",
    "--limit-request=10000000",
    ...extra,
  ];
  // Its own process group: the prefork workers and the gevent process go with it.
  const child: ChildProcess = spawn(ctx.python, args, { cwd: ctx.dir, env: { ...process.env, PYTHONUNBUFFERED: "1", PYTHONDONTWRITEBYTECODE: "1" }, stdio: ["ignore", "pipe", "pipe"], detached: true });
  const lines: string[] = [];
  let partial = "";
  const collect = (chunk: Buffer) => {
    const text = partial + chunk.toString();
    const parts = text.split("\n");
    partial = parts.pop() ?? "";
    lines.push(...parts);
  };
  child.stdout!.on("data", collect);
  child.stderr!.on("data", collect);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const killGroup = (signal: NodeJS.Signals) => {
    try {
      if (child.pid) process.kill(-child.pid, signal);
    } catch {
      // already gone
    }
  };
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const done = await Promise.race([exited.then(() => true), sleep(20_000).then(() => false)]);
      if (!done) killGroup("SIGKILL");
    }
    killGroup("SIGKILL"); // whatever of its group is left (workers, gevent)
    await Promise.race([exited, sleep(5_000)]);
  };
  cleanups.push(stop);
  const deadline = Date.now() + 240_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`Odoo exited (${child.exitCode}) while starting:\n${lines.slice(-40).join("\n")}`);
    if (Date.now() > deadline) throw new Error(`Odoo did not answer within 240 s:\n${lines.slice(-40).join("\n")}`);
    if (await connects(port)) {
      const page = await new Session(port).send("GET", "/web/login").catch(() => undefined);
      if (page?.status === 200) break;
    }
    await sleep(500);
  }
  return { port, lines, stop };
}

interface RequestLog {
  status: number;
  queries: number;
  queryTime: number;
  otherTime: number;
}

function requestLogs(lines: readonly string[]): RequestLog[] {
  const out: RequestLog[] = [];
  for (const line of lines) {
    const match = /"POST \/web\/dataset\/call_kw[^"]*" (\d{3}) - (\d+) ([\d.]+) ([\d.]+)\s*$/.exec(line);
    if (match) out.push({ status: Number(match[1]), queries: Number(match[2]), queryTime: Number(match[3]), otherTime: Number(match[4]) });
  }
  return out;
}

// ---------------------------------------------------------------- set-up

interface Context {
  dir: string;
  python: string;
  odooBin: string;
  odooArgs: (database: string) => string[];
  report: VerifyReport;
}

interface Variant {
  label: "with the addon" | "without the addon";
  database: string;
  partner: number;
  addonState: string;
}

async function prepare(): Promise<{ ctx: Context; variants: Variant[]; addon: string }> {
  const loaded = await loadPolicy(path.join(REPO_ROOT, "examples", `${EXAMPLE}.yaml`));
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues));
  const policy = loaded.policy;
  const scratch = mkdtempSync(path.join(os.tmpdir(), "odoo-2fa-bench-request-"));
  cleanups.push(() => rmSync(scratch, { recursive: true, force: true }));
  const addonDir = path.join(scratch, "addons", policy.addon.name);
  await writeTreesAtomically([{ dir: addonDir, tree: renderAddon(policy, SERIES, await loadTemplateSet()) }]);

  say(`verify ${policy.addon.name} on ${SERIES}, keeping the database …`);
  const report = await verifyAddon({ addonDir, series: SERIES, keepDb: true });
  const kept = report.kept;
  if (kept) cleanups.push(() => rmSync(kept.dir, { recursive: true, force: true }));
  if (!report.install.ok || !kept) throw new Error(`the addon did not install: ${report.problems.join("; ")}`);
  say(`  installed in ${Math.round(report.durationMs / 1000)} s (template ${report.template.reused ? "reused" : "built"}); ${report.ok ? "verify ok" : `verify problems: ${report.problems.join("; ")}`}`);

  const startPostgres = await execa("sh", ["-c", kept.startPostgres], { reject: false, all: true, timeout: 120_000 });
  if (startPostgres.exitCode !== 0) throw new Error(`starting PostgreSQL failed: ${startPostgres.all}`);
  const dataDir = path.join(kept.dir, "pg", "data");
  cleanups.push(async () => {
    const runner = kept.startPostgres.slice(0, kept.startPostgres.indexOf("pg_ctl") + "pg_ctl".length);
    await execa("sh", ["-c", `${runner} -D ${dataDir} -m immediate -w -t 30 stop`], { reject: false, timeout: 60_000 });
  });

  const args = kept.odooArgs.split(" ");
  const dIndex = args.indexOf("-d");
  const base = args.filter((_, i) => i !== dIndex && i !== dIndex + 1);
  // The template database's files (its pre-generated web assets): verify copied them for the
  // addon's database only.
  const odooData = args.find((a) => a.startsWith("--data-dir="))!.slice("--data-dir=".length);
  const templateFiles = path.join(report.template.dir, "filestore");
  const templateTarget = path.join(odooData, "filestore", TEMPLATE_DB);
  if (existsSync(templateFiles) && !existsSync(templateTarget)) cpSync(templateFiles, templateTarget, { recursive: true });

  const ctx: Context = {
    dir: kept.dir,
    python: report.odoo.python,
    odooBin: path.join(report.odoo.tree, "odoo-bin"),
    odooArgs: (database) => [...base, "-d", database],
    report,
  };

  const variants: Variant[] = [];
  for (const [label, database] of [
    ["with the addon", kept.database],
    ["without the addon", TEMPLATE_DB],
  ] as const) {
    const script = [
      "import json",
      'Users = env["res.users"].sudo()',
      'groups = "group_ids" if "group_ids" in Users._fields else "groups_id"',
      `user = Users.create({"name": "Bench User", "login": ${JSON.stringify(LOGIN)}, "password": ${JSON.stringify(PASSWORD)}, groups: [(6, 0, [env.ref("base.group_user").id])]})`,
      `user.totp_secret = ${JSON.stringify(TOTP_SECRET)}`,
      "env.cr.commit()",
      `module = env["ir.module.module"].search([("name", "=", ${JSON.stringify(policy.addon.name)})])`,
      'print("BENCH_INFO " + json.dumps({"partner": env.ref("base.partner_admin").id, "addon": module.state if module else "absent", "enrolled": bool(user.totp_enabled)}))',
      "",
    ].join("\n");
    const shell = await execa(ctx.python, [ctx.odooBin, "shell", ...ctx.odooArgs(database), "--no-http", "--log-level=warn"], {
      cwd: ctx.dir,
      input: script,
      reject: false,
      all: true,
      timeout: 300_000,
      env: { PYTHONUNBUFFERED: "1", PYTHONDONTWRITEBYTECODE: "1" },
    });
    const info = /BENCH_INFO (\{.*\})/.exec(shell.all ?? "")?.[1];
    if (shell.exitCode !== 0 || !info) throw new Error(`odoo shell on ${database} failed (${shell.exitCode}):\n${(shell.all ?? "").slice(-3000)}`);
    const parsed = JSON.parse(info) as { partner: number; addon: string; enrolled: boolean };
    if (!parsed.enrolled) throw new Error(`${database}: the bench user is not enrolled in TOTP`);
    say(`  ${database}: enrolled user ${LOGIN}, admin partner ${parsed.partner}, addon ${parsed.addon}`);
    variants.push({ label, database, partner: parsed.partner, addonState: parsed.addon });
  }
  if (variants[0]!.addonState !== "installed" || variants[1]!.addonState === "installed") {
    throw new Error(`expected the addon installed in ${variants[0]!.database} only: ${variants.map((v) => `${v.database} ${v.addonState}`).join(", ")}`);
  }
  return { ctx, variants, addon: policy.addon.name };
}

// ---------------------------------------------------------------- runs

interface Run {
  workers: number;
  round: number;
  variant: Variant;
  latenciesMs: number[];
  /** Share of the measured requests sent on a kept-alive connection. */
  reusedShare: number;
  requestsPerSecond: number;
  errors: number;
  firstError?: string;
  logs: RequestLog[];
}

async function measure(ctx: Context, variant: Variant, workers: number, round: number): Promise<Run> {
  const odoo = await startOdoo(ctx, variant.database, workers);
  try {
    const session = await logIn(odoo.port);
    await readOnce(session, variant.partner);
    let from = 0;
    const result = await drive(session, variant.partner, () => (from = odoo.lines.length));
    await sleep(500); // the last log lines
    const logs = requestLogs(odoo.lines.slice(from));
    const run: Run = {
      workers,
      round,
      variant,
      latenciesMs: result.latenciesMs,
      reusedShare: result.reused / Math.max(1, result.latenciesMs.length + result.errors),
      requestsPerSecond: result.latenciesMs.length / (result.measuredMs / 1000),
      errors: result.errors,
      firstError: result.firstError,
      logs,
    };
    say(
      `  workers=${workers} round ${round + 1} ${variant.label.padEnd(17)}: ${run.requestsPerSecond.toFixed(1)} req/s, p50 ${percentile(run.latenciesMs, 50).toFixed(1)} ms, ` +
        `p99 ${percentile(run.latenciesMs, 99).toFixed(1)} ms, ${median(logs.map((l) => l.queries))} queries/request (${logs.length} log lines), ${run.errors} errors, ${Math.round(run.reusedShare * 100)} % on kept-alive connections (load ${load()})`,
    );
    return run;
  } finally {
    await odoo.stop();
  }
}

/** The SQL statements of one read, in one database (Odoo with odoo.sql_db at DEBUG). */
async function sqlOfOneRequest(ctx: Context, variant: Variant): Promise<string[]> {
  const odoo = await startOdoo(ctx, variant.database, 0, ["--log-handler=odoo.sql_db:DEBUG"]);
  try {
    const session = await logIn(odoo.port);
    for (let i = 0; i < 5; i += 1) await readOnce(session, variant.partner);
    await sleep(300);
    const from = odoo.lines.length;
    await readOnce(session, variant.partner);
    await sleep(500);
    // Log records start with a timestamp; a query can span several lines.
    const records: string[] = [];
    for (const line of odoo.lines.slice(from)) {
      if (/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/.test(line)) records.push(line);
      else if (records.length) records[records.length - 1] += `\n${line}`;
    }
    return records
      .filter((r) => / odoo\.sql_db: (\[[\d.]+ ms\] )?query: /.test(r))
      .map((r) => r.slice(r.indexOf("query: ") + "query: ".length).replace(/\s+/g, " ").trim());
  } finally {
    await odoo.stop();
  }
}

// ---------------------------------------------------------------- report

const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : "–");
const f2 = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : "–");
const pct = (n: number) => `${n >= 0 ? "+" : ""}${(n * 100).toFixed(1)} %`;

interface Summary {
  workers: number;
  label: Variant["label"];
  runs: Run[];
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  queries: number;
  queriesMin: number;
  queriesMax: number;
  queryMs: number;
  errors: number;
}

function summarise(runs: Run[], workers: number, label: Variant["label"]): Summary {
  const mine = runs.filter((r) => r.workers === workers && r.variant.label === label);
  const latencies = mine.flatMap((r) => r.latenciesMs);
  const logs = mine.flatMap((r) => r.logs);
  const queries = logs.map((l) => l.queries);
  return {
    workers,
    label,
    runs: mine,
    requests: latencies.length,
    rps: mine.reduce((s, r) => s + r.requestsPerSecond, 0) / Math.max(1, mine.length),
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    queries: median(queries),
    queriesMin: queries.length ? Math.min(...queries) : Number.NaN,
    queriesMax: queries.length ? Math.max(...queries) : Number.NaN,
    // Odoo prints whole milliseconds: the mean of many is finer than their median.
    queryMs: logs.reduce((sum, l) => sum + l.queryTime * 1000, 0) / Math.max(1, logs.length),
    errors: mine.reduce((s, r) => s + r.errors, 0),
  };
}

function section(runs: Run[], sql: Map<string, string[]>, variants: Variant[], addon: string, started: string, loadStart: string, loadEnd: string): { text: string; verdicts: string[] } {
  const rows: string[] = [];
  const pairs: string[] = [];
  const perRun = runs.map(
    (r) =>
      `| ${r.workers} | ${r.round + 1} | ${r.variant.label} | ${r.latenciesMs.length} | ${f1(r.requestsPerSecond)} | ${f1(percentile(r.latenciesMs, 50))} ms | ${f1(percentile(r.latenciesMs, 99))} ms | ${median(r.logs.map((l) => l.queries))} | ${Math.round(r.reusedShare * 100)} % | ${r.errors} |`,
  );
  const verdicts: string[] = [];
  for (const workers of WORKERS) {
    const withAddon = summarise(runs, workers, "with the addon");
    const without = summarise(runs, workers, "without the addon");
    for (const s of [withAddon, without]) {
      rows.push(
        `| ${workers} | ${s.label} | ${s.runs.length} | ${s.requests} | ${f1(s.rps)} | ${f1(s.p50)} ms | ${f1(s.p99)} ms | ${s.queries} (${s.queriesMin}–${s.queriesMax}) | ${f2(s.queryMs)} ms | ${s.errors} |`,
      );
    }
    const overhead = withAddon.p50 / without.p50 - 1;
    const perRound = Array.from({ length: ROUNDS }, (_, round) => {
      const a = withAddon.runs.find((r) => r.round === round);
      const b = without.runs.find((r) => r.round === round);
      return a && b ? pct(percentile(a.latenciesMs, 50) / percentile(b.latenciesMs, 50) - 1) : "–";
    });
    const extra = withAddon.queries - without.queries;
    // The same database, run against run: how far apart are its p50s? (max ÷ min − 1)
    const spreadOf = (sum: Summary) => {
      const p50s = sum.runs.map((r) => percentile(r.latenciesMs, 50));
      return p50s.length > 1 ? Math.max(...p50s) / Math.min(...p50s) - 1 : Number.NaN;
    };
    const spread = Math.max(spreadOf(withAddon), spreadOf(without));
    const noisy = Number.isFinite(spread) && spread > TARGET_P50;
    const rpsChange = withAddon.rps / without.rps - 1;
    pairs.push(
      `| ${workers} | ${f1(withAddon.p50)} ms | ${f1(without.p50)} ms | ${pct(overhead)} | ${perRound.join(", ")} | ${pct(rpsChange)} | ${extra >= 0 ? "+" : ""}${extra} | ${extra <= 0 ? "✔" : "✘"} no extra query, ${overhead <= TARGET_P50 ? "✔" : "✘"} ≤ 3 % p50 |`,
    );
    verdicts.push(
      `--workers ${workers}: ${extra <= 0 ? "MET" : "NOT MET"} zero extra SQL queries (${withAddon.queries} with the addon, ${without.queries} without); ` +
        `${overhead <= TARGET_P50 ? "MET" : "NOT MET"} ≤ 3 % p50 overhead (${pct(overhead)}: ${f1(withAddon.p50)} ms against ${f1(without.p50)} ms; per round ${perRound.join(", ")})` +
        (noisy
          ? `; but the p50 of one database moves by up to ${pct(spread).replace("+", "")} from one run to the next, more than the 3 % target: ` +
            `this shows no overhead above the noise, it does not resolve 3 % (more rounds, BENCH_ROUNDS, narrow it)`
          : ""),
    );
  }
  const errors = runs.filter((r) => r.errors > 0);
  const [sqlWith, sqlWithout] = [sql.get(variants[0]!.database) ?? [], sql.get(variants[1]!.database) ?? []];
  const extraSql = sqlWith.filter((q, i) => q !== sqlWithout[i]);
  const sqlNote =
    sqlWith.length === 0 && sqlWithout.length === 0
      ? "The SQL of one request could not be captured."
      : sqlWith.length === sqlWithout.length && extraSql.length === 0
        ? `One request's SQL, captured with \`--log-handler=odoo.sql_db:DEBUG\` after five warm-up requests: the same ${sqlWith.length} statement(s) in both databases:\n\n${sqlWith.map((q) => `- \`${q.slice(0, 200)}\``).join("\n")}`
        : `One request's SQL, captured with \`--log-handler=odoo.sql_db:DEBUG\` after five warm-up requests: ${sqlWith.length} statement(s) with the addon, ${sqlWithout.length} without. With the addon:\n\n${sqlWith.map((q) => `- ${sqlWithout.includes(q) ? "" : "**extra** "}\`${q.slice(0, 240)}\``).join("\n")}\n\nWithout:\n\n${sqlWithout.map((q) => `- \`${q.slice(0, 240)}\``).join("\n")}`;
  const text = `## 2. Per-request cost of the generated addon

${machineLine(started, loadStart, loadEnd)}

What: Odoo ${SERIES} (source tree, \`/usr/bin/python3\`), the ${EXAMPLE} example's addon (\`${addon}\`)
installed by \`verify --keep-db\`; "without the addon" is verify's template database in the same
cluster (\`${TEMPLATE_DB}\`: the same modules, without the addon). In each, an internal user
enrolled in TOTP logs in over HTTP (password, then a TOTP code) and the load generator
(bench/request.ts: Node, keep-alive connections) sends \`POST ${RPC_PATH}\`
(\`res.partner.read([[${variants[0]!.partner}], ["name"]])\`, the admin's partner) from ${CONCURRENCY} connections, each
sending its next request when the previous one is answered: ${WARMUP_S} s warm-up, then ${DURATION_S} s measured.
Odoo on loopback with \`--db-filter\` on the one database, \`--max-cron-threads=0\`, \`--log-level=info\`,
time limits lifted; ${ROUNDS} run(s) per workers mode and database, alternating with/without (then
without/with), a fresh Odoo each run. Latency: measured by the client. SQL queries and SQL time per
request: Odoo's request log line (\`... 200 - <queries> <SQL s> <other s>\`), median over the measured requests.
The load generator runs on the same ${nproc()}-CPU machine as Odoo and PostgreSQL. Whether Odoo kept the
connections alive (it decides, per server mode) is in the per-run table.

| Workers | Database | Runs | Requests | Req/s (mean of runs) | p50 | p99 | SQL queries/request: median (min–max) | SQL time/request (mean) | Errors |
|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|
${rows.join("\n")}

| Workers | p50 with | p50 without | p50 overhead | p50 overhead per round | Req/s change | Extra SQL queries/request | Targets |
|---:|---:|---:|---:|---|---:|---:|---|
${pairs.join("\n")}

Each run (a fresh Odoo):

| Workers | Round | Database | Requests | Req/s | p50 | p99 | SQL queries/request (median) | On a kept-alive connection | Errors |
|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|
${perRun.join("\n")}

${verdicts.map((v) => `- ${v}`).join("\n")}
${errors.length ? `\n**Errors**: ${errors.map((r) => `workers=${r.workers} ${r.variant.label} round ${r.round + 1}: ${r.errors} (${r.firstError})`).join("; ")}\n` : ""}
${sqlNote}

Rerun (needs the local verify backend: \`npm run setup:local-odoo\`; takes ~${Math.ceil(((WORKERS.length * ROUNDS * 2 * (WARMUP_S + DURATION_S + 15)) + 150) / 60)} min):

\`\`\`sh
npx tsx bench/request.ts          # or: npm run bench:request
# BENCH_SERIES=18.0 BENCH_CONCURRENCY=8 BENCH_DURATION=30 BENCH_ROUNDS=3 BENCH_WORKERS=0,2 npx tsx bench/request.ts
\`\`\``;
  return { text, verdicts };
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  const started = isoNow();
  const loadStart = load();
  say(`benchmark 2: Odoo ${SERIES}, concurrency ${CONCURRENCY}, ${WARMUP_S} s + ${DURATION_S} s per run, ${ROUNDS} round(s), workers ${WORKERS.join(", ")} (load ${loadStart})`);
  const { ctx, variants, addon } = await prepare();
  const runs: Run[] = [];
  for (const workers of WORKERS) {
    for (let round = 0; round < ROUNDS; round += 1) {
      const order = round % 2 === 0 ? variants : [...variants].reverse();
      for (const variant of order) runs.push(await measure(ctx, variant, workers, round));
    }
  }
  const sql = new Map<string, string[]>();
  for (const variant of variants) {
    try {
      sql.set(variant.database, await sqlOfOneRequest(ctx, variant));
    } catch (error) {
      say(`SQL capture on ${variant.database} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  const loadEnd = load();
  const { text, verdicts } = section(runs, sql, variants, addon, started, loadStart, loadEnd);
  const file = writeSection(2, text);
  console.log(verdicts.join("\n"));
  say(`load average at end ${loadEnd}; wrote section 2 of ${path.relative(process.cwd(), file)}`);
}

try {
  await main();
} catch (error) {
  process.exitCode = 1;
  say(`bench/request.ts: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
} finally {
  await cleanup();
}

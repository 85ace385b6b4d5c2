/**
 * Acceptance 2 of the network layer: a real Odoo in --proxy-mode behind the generated nginx
 * snippet. The warehouse example's exempt scanner login works from its exempt network and is
 * refused from another — through the proxy, which is what makes Odoo see the real client — and
 * a client-supplied X-Forwarded-For cannot pass for the exempt network.
 *
 * Needs an Odoo source tree (the real-Odoo tier's, see README) and nginx; skipped LOUDLY
 * otherwise. One series: ODOO_2FA_PROXY_E2E_SERIES (default: the first of 17.0, 18.0, 16.0, 19.0
 * whose tree is present).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { execa } from "execa";
import { afterAll, describe, expect, it } from "vitest";
import { loadPolicy } from "../../src/generate/policy-file.js";
import type { Policy, Series } from "../../src/policy/model.js";
import { policySha256, renderProxySnippet } from "../../src/proxy/index.js";
import { renderAddon } from "../../src/render/index.js";
import { loadTemplateSet } from "../../src/generate/templates.js";
import { TOOL_VERSION } from "../../src/version.js";
import { locateTree, VerifyError, verifyAddon } from "../../src/verify/index.js";
import { writeTreesAtomically } from "../../src/write/atomic.js";
import { REPO_ROOT } from "../support/examples.js";
import { ODOO_BOOT, odooEnv, startKeptPostgres } from "../support/real-odoo.js";
import { request } from "./http.js";
import { freePort, serverBinary, startServer, writeServerConfig, type RunningServer } from "./servers.js";


function pickSeries(): { series?: Series; why?: string } {
  const wanted = process.env.ODOO_2FA_PROXY_E2E_SERIES;
  const candidates = (wanted ? [wanted] : ["17.0", "18.0", "16.0", "19.0"]) as Series[];
  const reasons: string[] = [];
  for (const series of candidates) {
    try {
      locateTree(series);
      return { series };
    } catch (error) {
      if (!(error instanceof VerifyError)) throw error;
      reasons.push(error.oneLine());
    }
  }
  return { why: reasons.join("; ") };
}

const { series, why } = pickSeries();
const nginx = serverBinary("nginx");
const skip = !series ? `no Odoo source tree (${why})` : !nginx ? "nginx is not installed (bash scripts/setup-proxies.sh)" : undefined;
if (skip) process.stderr.write(`\n${"!".repeat(8)} proxy end-to-end with a real Odoo: SKIPPED (not run, not passed): ${skip}\n\n`);

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

async function connects(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    socket.setTimeout(1_000);
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
    socket.once("timeout", () => (socket.destroy(), resolve(false)));
  });
}

/** XML-RPC `common.authenticate` through the proxy: the uid, or false when refused. */
async function authenticate(port: number, from: string, db: string, login: string, password: string, headers: Record<string, string> = {}) {
  const escape = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;");
  const param = (value: string) => `<param><value><string>${escape(value)}</string></value></param>`;
  const body =
    `<?xml version="1.0"?><methodCall><methodName>authenticate</methodName><params>` +
    `${param(db)}${param(login)}${param(password)}<param><value><struct></struct></value></param></params></methodCall>`;
  const answer = await request({
    port,
    from,
    path: "/xmlrpc/2/common",
    method: "POST",
    headers: { Host: "erp.example.test", "Content-Type": "text/xml", ...headers },
    body,
  });
  const uid = /<int>(\d+)<\/int>/.exec(answer.body)?.[1];
  return { status: answer.status, uid: uid ? Number(uid) : false, body: answer.body };
}

describe.skipIf(skip !== undefined)(`nginx in front of a real Odoo ${series ?? ""} in --proxy-mode`, () => {
  it("lets the exempt login in from its network only, through the proxy", { timeout: 900_000 }, async () => {
    const loaded = await loadPolicy(path.join(REPO_ROOT, "examples", "warehouse-scanners.yaml"));
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues));
    // The scanners' floor network is played by 127.0.0.2; 127.0.0.3 is somewhere else.
    const policy: Policy = {
      ...loaded.policy,
      exemptions: loaded.policy.exemptions.map((exemption) => ({ ...exemption, networks: [...exemption.networks, "127.0.0.2/32"] })),
    };
    const scratch = await mkdtemp(path.join(os.tmpdir(), "odoo-2fa-proxy-e2e-"));
    cleanups.push(() => rm(scratch, { recursive: true, force: true }));
    const tree = renderAddon(policy, series!, await loadTemplateSet());
    const addonDir = path.join(scratch, "addons", policy.addon.name);
    await writeTreesAtomically([{ dir: addonDir, tree }]);

    // Install the addon (and run its own tests) with verify's local backend; keep the database.
    const report = await verifyAddon({ addonDir, series: series!, keepDb: true });
    const kept = report.kept;
    if (kept) cleanups.push(() => rm(kept.dir, { recursive: true, force: true }));
    expect(report.install.ok, report.problems.join("\n")).toBe(true);
    expect(kept).toBeDefined();
    const odooArgs = kept!.odooArgs.split(" ");
    cleanups.push(await startKeptPostgres(kept!));

    const env = odooEnv(report);
    // The scanner login, with a password (the example's exemption lists scanner-01).
    const login = policy.exemptions[0]!.logins[0]!;
    const script = [
      `env["res.users"].create({"name": "Scanner", "login": ${JSON.stringify(login)}, "password": "scanner-pass-1"})`,
      "env.cr.commit()",
      "",
    ].join("\n");
    const shell = await execa(report.odoo.python, ["-c", ODOO_BOOT, "shell", ...odooArgs, "--no-http"], {
      env,
      cwd: kept!.dir,
      input: script,
      reject: false,
      all: true,
      timeout: 300_000,
    });
    expect(shell.exitCode, shell.all?.slice(-3000)).toBe(0);

    // Odoo in --proxy-mode on loopback, nginx with the generated snippet in front of it.
    const odooPort = await freePort();
    const odoo: ChildProcess = spawn(
      report.odoo.python,
      ["-c", ODOO_BOOT, ...odooArgs, "--proxy-mode", "--http-interface=127.0.0.1", `--http-port=${odooPort}`, "--workers=0", "--max-cron-threads=0", `--db-filter=^${kept!.database}$`],
      { env, cwd: kept!.dir, stdio: ["ignore", "pipe", "pipe"] },
    );
    let odooLog = "";
    odoo.stdout?.on("data", (chunk: Buffer) => (odooLog += chunk.toString()));
    odoo.stderr?.on("data", (chunk: Buffer) => (odooLog += chunk.toString()));
    const odooExit = new Promise<void>((resolve) => odoo.once("exit", () => resolve()));
    cleanups.push(async () => {
      odoo.kill("SIGTERM");
      const stopped = await Promise.race([odooExit.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 10_000))]);
      if (!stopped) odoo.kill("SIGKILL");
    });
    const deadline = Date.now() + 180_000;
    while (!(await connects(odooPort))) {
      if (Date.now() > deadline || odoo.exitCode !== null) throw new Error(`Odoo did not start:\n${odooLog.slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 500));
    }

    const proxyPort = await freePort();
    const snippet = renderProxySnippet(policy, "nginx", {
      upstream: `127.0.0.1:${odooPort}`,
      longpolling: `127.0.0.1:${odooPort}`,
      policyFile: "examples/warehouse-scanners.yaml",
      policySha256: policySha256(policy),
      toolVersion: TOOL_VERSION,
    });
    const setup = await writeServerConfig("nginx", snippet, path.join(scratch, "nginx"), proxyPort);
    const proxy: RunningServer = await startServer(setup);
    cleanups.push(() => proxy.stop());

    // Odoo (--workers=0) loads the database's registry on its first request: done here, straight
    // to Odoo and unhurried, so that a loaded machine does not time out the requests below.
    await request({ port: odooPort, from: "127.0.0.1", path: "/web/login", timeoutMs: 300_000 });

    const db = kept!.database;
    const inside = await authenticate(proxyPort, "127.0.0.2", db, login, "scanner-pass-1");
    const outside = await authenticate(proxyPort, "127.0.0.3", db, login, "scanner-pass-1");
    const spoofed = await authenticate(proxyPort, "127.0.0.3", db, login, "scanner-pass-1", { "X-Forwarded-For": "127.0.0.2" });
    const context = `\n--- odoo log ---\n${odooLog.slice(-4000)}`;
    expect(inside.status, inside.body + context).toBe(200);
    expect(inside.uid, inside.body + context).not.toBe(false);
    expect(outside.status, outside.body + context).toBe(200);
    expect(outside.uid, outside.body + context).toBe(false);
    expect(spoofed.uid, spoofed.body + context).toBe(false);
    // Odoo saw the real client addresses, forwarded by the proxy.
    expect(odooLog).toMatch(/exempt login .* refused from this address/);
  });
});

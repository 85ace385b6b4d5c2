/**
 * The address Odoo sees behind each server: the upstream here is werkzeug's own WSGI server with
 * the ProxyFix call of odoo/http.py in --proxy-mode (test/proxy/odoo-wsgi.py), so what it answers
 * is what Odoo 16.0–19.0 would take for the client's address, host and scheme.
 *
 * - Every generated snippet makes Odoo see the client connecting to the proxy, whatever the client
 *   sends, underscore spellings of the headers included (werkzeug 2.x folds them in).
 * - With proxy.trusted_upstreams, a balancer's header names the client; anybody else's does not.
 * - The seed's nginx snippet (X-Forwarded-For and X-Real-IP, no X-Forwarded-Host) makes Odoo see
 *   the proxy's own address for every request: the failure the README describes.
 *
 * Needs Python 3 with werkzeug (Debian's python3-werkzeug, as `odoo-2fa setup local-odoo`
 * installs); skipped LOUDLY otherwise.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Policy } from "../../src/policy/model.js";
import { PROXY_FORMATS, policySha256, renderProxySnippet, type ProxyFormat } from "../../src/proxy/index.js";
import { TOOL_VERSION } from "../../src/version.js";
import { request } from "./http.js";
import { loadExamples } from "./policies.js";
import { freePort, serverBinary, startServer, writeServerConfig } from "./servers.js";

const SCRIPT = path.join(import.meta.dirname, "odoo-wsgi.py");
const python = ["/usr/bin/python3", "python3"].find(
  (candidate) => spawnSync(candidate, ["-c", "import werkzeug.serving, werkzeug.middleware.proxy_fix"], { stdio: "ignore" }).status === 0,
);
if (!python) process.stderr.write(`\n${"!".repeat(8)} the address Odoo sees behind the proxies: SKIPPED (no Python 3 with werkzeug; odoo-2fa setup local-odoo)\n\n`);

const examples = await loadExamples();
const HOST = "erp.example.test:8443";
const BALANCER = "127.0.0.5";

interface OdooView {
  remote_addr: string;
  host: string;
  scheme: string;
  proxy_fixed: boolean;
  x_forwarded_for: string | null;
  werkzeug: string;
}

let odoo: ChildProcess | undefined;
let odooPort = 0;
let scratch = "";
beforeAll(async () => {
  if (!python) return;
  scratch = await mkdtemp(path.join(os.tmpdir(), "odoo-2fa-odoo-view-"));
  const child = spawn(python, [SCRIPT], { stdio: ["ignore", "pipe", "pipe"] });
  odoo = child;
  odooPort = await new Promise<number>((resolve, reject) => {
    let out = "";
    let err = "";
    const timer = setTimeout(() => reject(new Error(`odoo-wsgi.py did not start: ${err}`)), 15_000);
    child.stderr?.on("data", (chunk: Buffer) => (err += chunk.toString()));
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split("\n")[0]!;
      if (out.includes("\n")) {
        clearTimeout(timer);
        resolve(Number(line));
      }
    });
    child.once("exit", (code) => reject(new Error(`odoo-wsgi.py exited (${code}): ${err}`)));
  });
});
afterAll(async () => {
  odoo?.kill("SIGTERM");
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

async function withServer<T>(format: ProxyFormat, snippet: string, name: string, run: (port: number) => Promise<T>): Promise<T> {
  const port = await freePort();
  const server = await startServer(await writeServerConfig(format, snippet, path.join(scratch, name), port));
  try {
    return await run(port);
  } finally {
    await server.stop();
  }
}

async function odooSees(port: number, from: string, headers: Record<string, string>): Promise<OdooView> {
  const answer = await request({ port, from, path: "/web/login", headers: { Host: HOST, ...headers } });
  expect(answer.status, answer.body).toBe(200);
  return JSON.parse(answer.body) as OdooView;
}

function snippetFor(policy: Policy, format: ProxyFormat): string {
  return renderProxySnippet(policy, format, {
    upstream: `127.0.0.1:${odooPort}`,
    longpolling: `127.0.0.1:${odooPort}`,
    policyFile: "policy.yaml",
    policySha256: policySha256(policy),
    toolVersion: TOOL_VERSION,
  });
}

const SPOOFED = {
  "X-Forwarded-For": "203.0.113.66",
  "X-Real-IP": "203.0.113.66",
  "X-Forwarded-Host": "evil.example",
  "X-Forwarded-Proto": "https",
  X_Forwarded_For: "203.0.113.67",
  "X-Forwarded_For": "203.0.113.68",
  "X_Forwarded-Host": "evil2.example",
  X_Forwarded_Proto: "https",
};

describe.skipIf(!python).each(PROXY_FORMATS.filter((format) => serverBinary(format)))("Odoo behind %s", (format) => {
  it("sees the client connecting to the proxy, whatever the client sends", { timeout: 60_000 }, async () => {
    await withServer(format, snippetFor(examples[0]!.policy, format), `plain-${format}`, async (port) => {
      for (const from of ["127.0.0.2", "127.0.0.3", "::1"]) {
        const view = await odooSees(port, from, SPOOFED);
        expect({ ...view, werkzeug: undefined, x_forwarded_for: undefined }, `from ${from} (werkzeug ${view.werkzeug})`).toEqual({
          remote_addr: from,
          host: HOST,
          scheme: "http",
          proxy_fixed: true,
          werkzeug: undefined,
          x_forwarded_for: undefined,
        });
      }
    });
  });

  it("sees the client a trusted upstream names, and nobody else's claim", { timeout: 60_000 }, async () => {
    const base = examples[0]!.policy;
    const policy: Policy = {
      ...base,
      proxy: { ...base.proxy, trustedUpstreams: { networks: [`${BALANCER}/32`], header: "X-Forwarded-For" } },
    };
    await withServer(format, snippetFor(policy, format), `trusted-${format}`, async (port) => {
      expect((await odooSees(port, BALANCER, { "X-Forwarded-For": "192.0.2.1, 203.0.113.7" })).remote_addr).toBe("203.0.113.7");
      expect((await odooSees(port, BALANCER, { "X-Forwarded-For": "192.0.2.1", X_Forwarded_For: "203.0.113.8" })).remote_addr).toBe("192.0.2.1");
      expect((await odooSees(port, BALANCER, {})).remote_addr).toBe(BALANCER);
      expect((await odooSees(port, "127.0.0.3", { "X-Forwarded-For": "203.0.113.7" })).remote_addr).toBe("127.0.0.3");
      expect((await odooSees(port, "127.0.0.3", SPOOFED)).remote_addr).toBe("127.0.0.3");
    });
  });
});

describe.skipIf(!python || !serverBinary("nginx"))("the seed's nginx snippet", () => {
  const seed = (extra: string[] = []) =>
    [
      "location / {",
      `    proxy_pass http://127.0.0.1:${odooPort};`,
      "    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
      "    proxy_set_header X-Real-IP $remote_addr;",
      ...extra,
      "}",
      "",
    ].join("\n");

  it("without X-Forwarded-Host: Odoo sees the proxy's address for every client", { timeout: 60_000 }, async () => {
    await withServer("nginx", seed(), "seed", async (port) => {
      for (const from of ["127.0.0.2", "127.0.0.3"]) {
        const view = await odooSees(port, from, { "X-Forwarded-For": "203.0.113.9" });
        expect(view).toMatchObject({ remote_addr: "127.0.0.1", proxy_fixed: false, x_forwarded_for: `203.0.113.9, ${from}` });
      }
    });
  });

  it("with X-Forwarded-Host added: Odoo sees the client (the last X-Forwarded-For entry)", { timeout: 60_000 }, async () => {
    await withServer("nginx", seed(["    proxy_set_header X-Forwarded-Host $http_host;"]), "seed-fixed", async (port) => {
      const view = await odooSees(port, "127.0.0.2", { "X-Forwarded-For": "203.0.113.9" });
      expect(view).toMatchObject({ remote_addr: "127.0.0.2", proxy_fixed: true, host: HOST });
    });
  });
});

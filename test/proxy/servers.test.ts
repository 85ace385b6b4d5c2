/**
 * The generated snippets run in the real servers: every example's snippet passes the server's own
 * config check, and a request matrix through each running server (loopback only) shows that
 * RPC and the database manager are limited to the policy's networks, that denied requests never
 * reach the upstream, and that the forwarding headers Odoo's --proxy-mode reads arrive as set
 * by the proxy, never as sent by the client (nor in a spelling with underscores, which werkzeug
 * 2.x folds into the same WSGI variable).
 *
 * The servers come from Debian (scripts/setup-proxies.sh). A missing one is skipped loudly;
 * with ODOO_2FA_REQUIRE_PROXIES=1 a missing one fails instead.
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Policy } from "../../src/policy/model.js";
import { addressIn, PROXY_FORMATS, policySha256, renderProxySnippet, type ProxyFormat } from "../../src/proxy/index.js";
import { TOOL_VERSION } from "../../src/version.js";
import { forwardingHeaderProblems, request, requestHttp2, requestWithoutHost, startUpstream, upgrade, type Received, type Upstream } from "./http.js";
import { loadExamples } from "./policies.js";
import { checkServerConfig, freePort, serverBinary, startServer, writeServerConfig } from "./servers.js";

const examples = await loadExamples();
const missing = PROXY_FORMATS.filter((format) => !serverBinary(format));
const required = process.env.ODOO_2FA_REQUIRE_PROXIES === "1";
if (missing.length > 0) {
  const banner = "!".repeat(100);
  process.stderr.write(
    `\n${banner}\n!!! PROXY TESTS SKIPPED for ${missing.join(", ")}: not installed. Run: bash scripts/setup-proxies.sh\n${banner}\n\n`,
  );
}

let scratch = "";
beforeAll(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), "odoo-2fa-proxy-"));
});
afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

const DEFAULTS = { upstream: "127.0.0.1:8069", longpolling: "127.0.0.1:8072", toolVersion: TOOL_VERSION };

describe("missing proxy servers", () => {
  it.runIf(required)("are all installed (ODOO_2FA_REQUIRE_PROXIES=1)", () => {
    expect(missing).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// 1. Every example's snippet, as `odoo-2fa proxy` writes it, passes the server's own check.

describe.each(PROXY_FORMATS)("%s config check", (format) => {
  const available = serverBinary(format) !== undefined;
  it.skipIf(!available).each(examples.map((example) => [example.stem, example] as const))(
    "accepts the snippet for examples/%s",
    async (stem, example) => {
      const snippet = renderProxySnippet(example.policy, format, {
        ...DEFAULTS,
        policyFile: example.file,
        policySha256: policySha256(example.policy),
      });
      const setup = await writeServerConfig(format, snippet, path.join(scratch, `check-${format}-${stem}`), 0);
      const result = await checkServerConfig(setup);
      expect(result.ok, `${setup.check.join(" ")}\n${result.output}`).toBe(true);
    },
  );
});

// ---------------------------------------------------------------------------------------------
// 2. The request matrix through the running servers.

/** Loopback clients: 127.0.0.2 plays an allowed network, 127.0.0.3 a denied one, 127.0.0.4 an admin one. */
const CLIENTS = ["127.0.0.2", "127.0.0.3", "127.0.0.4", "::1"] as const;

interface Variant {
  name: string;
  policy: Policy;
}

/** The example as it is, plus variants whose networks include loopback clients. */
function variants(policy: Policy): Variant[] {
  const withNetworks = (api: string[], admin: string[]): Policy => ({
    ...policy,
    api: { ...policy.api, networks: [...policy.api.networks, ...api] },
    proxy: { adminNetworks: [...(policy.proxy?.adminNetworks ?? []), ...admin] },
  });
  return [
    { name: "as written", policy },
    { name: "RPC from 127.0.0.2 and ::1, admin from 127.0.0.4", policy: withNetworks(["127.0.0.2/32", "::1/128"], ["127.0.0.4/32"]) },
    { name: "RPC from 127.0.0.2, admin from ::1 and 127.0.0.0/29", policy: withNetworks(["127.0.0.2/32"], ["::1/128", "127.0.0.0/29"]) },
  ];
}

type Kind = "rpc" | "databaseRpc" | "database" | "bus" | "web";

const PATHS: { path: string; kind: Kind; method?: string }[] = [
  { path: "/xmlrpc/2/common", kind: "rpc", method: "POST" },
  { path: "/xmlrpc/2/object", kind: "rpc", method: "POST" },
  { path: "/xmlrpc/common", kind: "rpc", method: "POST" },
  { path: "/jsonrpc", kind: "rpc", method: "POST" },
  { path: "/json/2/res.partner/search_read", kind: "rpc", method: "POST" },
  { path: "/xmlrpc/2/db", kind: "databaseRpc", method: "POST" },
  { path: "/xmlrpc/db", kind: "databaseRpc", method: "POST" },
  { path: "/web/database/manager", kind: "database" },
  { path: "/web/database/selector", kind: "database" },
  { path: "/web/database/list", kind: "database", method: "POST" },
  { path: "/web/database/backup", kind: "database", method: "POST" },
  { path: "/web/database/restore", kind: "database", method: "POST" },
  { path: "/web/database/drop", kind: "database", method: "POST" },
  { path: "/web/database/create", kind: "database", method: "POST" },
  { path: "/web/database/duplicate", kind: "database", method: "POST" },
  { path: "/web/database/change_password", kind: "database", method: "POST" },
  { path: "/websocket/health", kind: "bus" },
  { path: "/longpolling/poll", kind: "bus", method: "POST" },
  { path: "/web/login", kind: "web" },
  { path: "/web?debug=1", kind: "web" },
  { path: "/", kind: "web" },
];

/** Other spellings of protected paths: from a denied client they must never reach Odoo. */
const EVASIONS: { path: string; kind: Kind }[] = [
  { path: "//xmlrpc/2/common", kind: "rpc" },
  { path: "/%78mlrpc/2/common", kind: "rpc" },
  { path: "/xmlrpc%2F2%2Fcommon", kind: "rpc" },
  { path: "/XMLRPC/2/common", kind: "rpc" },
  { path: "/web/../xmlrpc/2/common", kind: "rpc" },
  { path: "/./jsonrpc", kind: "rpc" },
  { path: "/json//2/res.partner/read", kind: "rpc" },
  { path: "/xmlrpc/2//db", kind: "databaseRpc" },
  { path: "/web//database/manager", kind: "database" },
  { path: "/web/%64atabase/manager", kind: "database" },
  { path: "/Web/Database/Manager", kind: "database" },
  { path: "/web/database/../database/manager", kind: "database" },
  { path: "/web/login/../../web/database/manager", kind: "database" },
];

/** What the policy says about one request: the oracle the servers are held to. */
function allowed(policy: Policy, kind: Kind, client: string): boolean {
  const rpc = policy.api.networks.length === 0 || addressIn(client, policy.api.networks);
  const admin = addressIn(client, policy.proxy?.adminNetworks ?? []);
  switch (kind) {
    case "rpc":
      return rpc;
    case "databaseRpc":
      return rpc && admin;
    case "database":
      return admin;
    default:
      return true;
  }
}

const HOST = "erp.example.test:8443";
/**
 * What a client could send to pass itself off as another address: must not arrive as sent. The
 * spellings with underscores reach the same WSGI variables in werkzeug 2.x (Odoo 16.0, 17.0).
 */
const SPOOFED = {
  "X-Forwarded-For": "203.0.113.66",
  "X-Real-IP": "203.0.113.66",
  "X-Forwarded-Host": "evil.example",
  "X-Forwarded-Proto": "https",
  X_Forwarded_For: "203.0.113.67",
  "X-Forwarded_For": "203.0.113.68",
  X_Real_IP: "203.0.113.67",
  "X_Forwarded-Host": "evil2.example",
  X_Forwarded_Proto: "https",
};

for (const format of PROXY_FORMATS) {
  const available = serverBinary(format) !== undefined;
  describe.skipIf(!available)(`${format} request matrix`, () => {
    let odoo: Upstream;
    let bus: Upstream;
    beforeAll(async () => {
      odoo = await startUpstream("odoo");
      bus = await startUpstream("longpolling");
    });
    afterAll(async () => {
      await odoo?.close();
      await bus?.close();
    });

    for (const example of examples) {
      for (const variant of variants(example.policy)) {
        it(`${example.stem}, ${variant.name}`, { timeout: 120_000 }, async () => {
          const port = await freePort();
          const snippet = renderProxySnippet(variant.policy, format, {
            upstream: `127.0.0.1:${odoo.port}`,
            longpolling: `127.0.0.1:${bus.port}`,
            policyFile: example.file,
            policySha256: policySha256(variant.policy),
            toolVersion: TOOL_VERSION,
          });
          const dir = path.join(scratch, `run-${format}-${example.stem}-${variants(example.policy).indexOf(variant)}`);
          const setup = await writeServerConfig(format, snippet, dir, port);
          const server = await startServer(setup);
          const failures: string[] = [];
          odoo.received.length = 0;
          bus.received.length = 0;
          const run = path.basename(dir);
          let id = 0;
          const seen = (marker: string): Received | undefined =>
            [...odoo.received, ...bus.received].find((item) => item.headers["x-test-id"] === marker);
          try {
            for (const client of CLIENTS) {
              for (const { path: urlPath, kind, method } of PATHS) {
                const marker = `${run}-${++id}`;
                const answer = await request({
                  port,
                  from: client,
                  path: urlPath,
                  method: method ?? "GET",
                  headers: { Host: HOST, "X-Test-Id": marker, ...SPOOFED },
                  body: method === "POST" ? "{}" : undefined,
                });
                const arrived = seen(marker);
                const what = `${method ?? "GET"} ${urlPath} from ${client}`;
                if (allowed(variant.policy, kind, client)) {
                  if (answer.status !== 200) failures.push(`${what}: expected 200, got ${answer.status}`);
                  if (!arrived) {
                    failures.push(`${what}: never reached the upstream`);
                    continue;
                  }
                  const expectedUpstream = kind === "bus" ? "longpolling" : "odoo";
                  if (arrived.upstream !== expectedUpstream) failures.push(`${what}: went to ${arrived.upstream}, not ${expectedUpstream}`);
                  const headers = {
                    "x-forwarded-for": arrived.headers["x-forwarded-for"],
                    "x-real-ip": arrived.headers["x-real-ip"],
                    "x-forwarded-host": arrived.headers["x-forwarded-host"],
                    "x-forwarded-proto": arrived.headers["x-forwarded-proto"],
                  };
                  const expected = { "x-forwarded-for": client, "x-real-ip": client, "x-forwarded-host": HOST, "x-forwarded-proto": "http" };
                  if (JSON.stringify(headers) !== JSON.stringify(expected)) {
                    failures.push(`${what}: forwarded headers ${JSON.stringify(headers)}, expected ${JSON.stringify(expected)}`);
                  }
                  for (const problem of forwardingHeaderProblems(arrived.rawHeaders)) failures.push(`${what}: ${problem}`);
                } else {
                  if (answer.status !== 403) failures.push(`${what}: expected 403, got ${answer.status}`);
                  if (arrived) failures.push(`${what}: reached the upstream although denied`);
                }
              }
              for (const { path: urlPath, kind } of EVASIONS) {
                if (allowed(variant.policy, kind, client)) continue;
                const marker = `${run}-${++id}`;
                const answer = await request({ port, from: client, path: urlPath, method: "POST", headers: { Host: HOST, "X-Test-Id": marker }, body: "{}" });
                const what = `POST ${urlPath} from ${client}`;
                if (answer.status < 400 || answer.status >= 500) failures.push(`${what}: expected a 4xx refusal, got ${answer.status}`);
                if (seen(marker)) failures.push(`${what}: reached the upstream although denied`);
              }
            }
            // Odoo's websocket goes to the longpolling port, as an upgrade.
            const before = bus.received.length;
            const handshake = await upgrade({ port, from: "127.0.0.3", path: "/websocket", host: HOST });
            if (handshake.status !== 101) failures.push(`websocket upgrade: expected 101, got ${handshake.status}`);
            const upgraded = bus.received.slice(before).find((item) => item.upgrade && item.url === "/websocket");
            if (!upgraded) failures.push("websocket upgrade: never reached the longpolling upstream");
            else if (upgraded.headers["x-forwarded-for"] !== "127.0.0.3") {
              failures.push(`websocket upgrade: X-Forwarded-For ${String(upgraded.headers["x-forwarded-for"])}`);
            }
            // Without a Host header Odoo would not apply the forwarded address: refused.
            const countBefore = odoo.received.length;
            const hostless = await requestWithoutHost(port, "/web/login");
            if (hostless < 400 || hostless >= 500) failures.push(`HTTP/1.0 without Host: expected a 4xx refusal, got ${hostless}`);
            if (odoo.received.length !== countBefore) failures.push("HTTP/1.0 without Host: reached the upstream");
          } finally {
            await server.stop();
          }
          expect(failures, `${format} / ${example.stem} / ${variant.name}\n${server.output()}`).toEqual([]);
        });
      }
    }
  });
}

// ---------------------------------------------------------------------------------------------
// 3. HTTP/2 has no Host header, only :authority: the "refuse a request without Host" rule must
//    not refuse it, and X-Forwarded-Host must carry the authority.

describe.each(PROXY_FORMATS)("%s over HTTP/2 (h2c)", (format) => {
  it.skipIf(!serverBinary(format))("forwards :authority as X-Forwarded-Host and keeps the network rules", { timeout: 60_000 }, async () => {
    const odoo = await startUpstream("odoo");
    const bus = await startUpstream("longpolling");
    const example = examples.find((item) => item.policy.api.networks.length > 0) ?? examples[0]!;
    const policy: Policy = { ...example.policy, api: { ...example.policy.api, networks: [...example.policy.api.networks, "127.0.0.2/32"] } };
    const port = await freePort();
    const snippet = renderProxySnippet(policy, format, {
      upstream: `127.0.0.1:${odoo.port}`,
      longpolling: `127.0.0.1:${bus.port}`,
      policyFile: example.file,
      policySha256: policySha256(policy),
      toolVersion: TOOL_VERSION,
    });
    const setup = await writeServerConfig(format, snippet, path.join(scratch, `h2-${format}`), port, { http2: true });
    const server = await startServer(setup);
    try {
      const authority = "erp.example.test:8443";
      expect(await requestHttp2({ port, from: "127.0.0.2", path: "/web/login", authority })).toBe(200);
      expect(odoo.received.at(-1)?.headers["x-forwarded-host"]).toBe(authority);
      expect(odoo.received.at(-1)?.headers["x-forwarded-for"]).toBe("127.0.0.2");
      expect(await requestHttp2({ port, from: "127.0.0.2", path: "/jsonrpc", authority })).toBe(200);
      const count = odoo.received.length;
      expect(await requestHttp2({ port, from: "127.0.0.3", path: "/jsonrpc", authority })).toBe(403);
      expect(await requestHttp2({ port, from: "127.0.0.2", path: "/web/database/manager", authority })).toBe(403);
      expect(odoo.received.length).toBe(count);
    } finally {
      await server.stop();
      await odoo.close();
      await bus.close();
    }
  });
});

// Every format the tests know is a format the renderer knows (and the other way round).
describe("formats", () => {
  it("covers every proxy format", () => {
    const formats: ProxyFormat[] = ["nginx", "apache", "caddy", "haproxy"];
    expect([...PROXY_FORMATS]).toEqual(formats);
  });
});

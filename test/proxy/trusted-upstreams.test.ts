/**
 * `proxy.trusted_upstreams` in the real servers: behind a load balancer, the client address is
 * the one the balancer names in its header, but only for connections that come from the
 * balancer's networks; any other connection keeps its own address whatever it sends. What the
 * upstream (standing in for Odoo) receives is one X-Forwarded-For with that address, and the
 * RPC and admin-network rules use it.
 *
 * Loopback only: 127.0.0.5 plays the balancer; 198.51.100.0/24 (a CDN in front of it) and the
 * 203.0.113.x / 192.0.2.x / 2001:db8:: clients only ever appear inside headers.
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Policy } from "../../src/policy/model.js";
import { addressIn, PROXY_FORMATS, policySha256, renderProxySnippet } from "../../src/proxy/index.js";
import { TOOL_VERSION } from "../../src/version.js";
import { forwardingHeaderProblems, request, startUpstream, upgrade, type Upstream } from "./http.js";
import { loadExamples } from "./policies.js";
import { checkServerConfig, freePort, serverBinary, startServer, writeServerConfig } from "./servers.js";

const examples = await loadExamples();
const BALANCER = "127.0.0.5";
const HOST = "erp.example.test";

let scratch = "";
beforeAll(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), "odoo-2fa-trusted-"));
});
afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

function withTrustedUpstreams(policy: Policy, header: string): Policy {
  return {
    ...policy,
    api: { ...policy.api, networks: ["127.0.0.2/32", "203.0.113.0/25", "2001:db8:1::/48"] },
    proxy: {
      adminNetworks: ["203.0.113.7/32", "127.0.0.4/32", "2001:db8:1::7/128"],
      trustedUpstreams: { networks: [`${BALANCER}/32`, "198.51.100.0/24"], header },
    },
  };
}

type Kind = "web" | "rpc" | "database" | "databaseRpc";
const PATHS: { path: string; kind: Kind; method: string }[] = [
  { path: "/web/login", kind: "web", method: "GET" },
  { path: "/jsonrpc", kind: "rpc", method: "POST" },
  { path: "/xmlrpc/2/object", kind: "rpc", method: "POST" },
  { path: "/web/database/manager", kind: "database", method: "GET" },
  { path: "/xmlrpc/2/db", kind: "databaseRpc", method: "POST" },
];

/** The policy's oracle, on the resolved address. */
function allowed(policy: Policy, kind: Kind, client: string): boolean {
  const rpc = addressIn(client, policy.api.networks);
  const admin = addressIn(client, policy.proxy.adminNetworks);
  if (kind === "rpc") return rpc;
  if (kind === "database") return admin;
  if (kind === "databaseRpc") return rpc && admin;
  return true;
}

interface Case {
  name: string;
  from: string;
  headers: Record<string, string | string[]>;
  /** The client address the proxy must resolve, send to Odoo and apply its rules to. */
  client: string;
}

const XFF_CASES: Case[] = [
  { name: "the balancer names an admin client", from: BALANCER, headers: { "X-Forwarded-For": "203.0.113.7" }, client: "203.0.113.7" },
  {
    name: "the balancer appended the client to what the client sent",
    from: BALANCER,
    headers: { "X-Forwarded-For": "192.0.2.1, 203.0.113.7" },
    client: "203.0.113.7",
  },
  {
    name: "a client behind the balancer claims an admin address",
    from: BALANCER,
    headers: { "X-Forwarded-For": "203.0.113.7, 192.0.2.1" },
    client: "192.0.2.1",
  },
  { name: "a client not behind the balancer sends the header", from: "127.0.0.3", headers: { "X-Forwarded-For": "203.0.113.7" }, client: "127.0.0.3" },
  { name: "an admin network client sends a header", from: "127.0.0.4", headers: { "X-Forwarded-For": "192.0.2.1" }, client: "127.0.0.4" },
  { name: "an RPC network client sends a header", from: "127.0.0.2", headers: { "X-Forwarded-For": "203.0.113.7" }, client: "127.0.0.2" },
  { name: "an IPv6 client not behind the balancer sends the header", from: "::1", headers: { "X-Forwarded-For": "203.0.113.7" }, client: "::1" },
  { name: "the balancer without the header (a health check)", from: BALANCER, headers: {}, client: BALANCER },
  {
    name: "a chain through a trusted CDN",
    from: BALANCER,
    headers: { "X-Forwarded-For": "192.0.2.1, 203.0.113.7, 198.51.100.9" },
    client: "203.0.113.7",
  },
  {
    name: "the header on two lines",
    from: BALANCER,
    headers: { "X-Forwarded-For": ["192.0.2.1", "203.0.113.7"] },
    client: "203.0.113.7",
  },
  { name: "the balancer names an IPv6 client", from: BALANCER, headers: { "X-Forwarded-For": "2001:db8:1::7" }, client: "2001:db8:1::7" },
  {
    name: "the balancer names an IPv6 client outside the networks",
    from: BALANCER,
    headers: { "X-Forwarded-For": "2001:db8:2::7" },
    client: "2001:db8:2::7",
  },
  { name: "the balancer sends no address", from: BALANCER, headers: { "X-Forwarded-For": "unknown" }, client: BALANCER },
  {
    name: "only an underscore spelling of the header",
    from: BALANCER,
    headers: { X_Forwarded_For: "203.0.113.7" },
    client: BALANCER,
  },
];

const CUSTOM_HEADER_CASES: Case[] = [
  {
    name: "the balancer names the client in its own header",
    from: BALANCER,
    headers: { "X-Client-IP": "203.0.113.7", "X-Forwarded-For": "192.0.2.1" },
    client: "203.0.113.7",
  },
  { name: "its header from a client not behind it", from: "127.0.0.3", headers: { "X-Client-IP": "203.0.113.7" }, client: "127.0.0.3" },
  { name: "X-Forwarded-For alone from the balancer", from: BALANCER, headers: { "X-Forwarded-For": "203.0.113.7" }, client: BALANCER },
];

const VARIANTS = [
  { header: "X-Forwarded-For", cases: XFF_CASES },
  { header: "X-Client-IP", cases: CUSTOM_HEADER_CASES },
];

for (const format of PROXY_FORMATS) {
  describe.skipIf(!serverBinary(format))(`${format} behind a trusted upstream`, () => {
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

    it("passes the server's own check for every example", async () => {
      for (const example of examples) {
        const policy = withTrustedUpstreams(example.policy, "X-Forwarded-For");
        const snippet = renderProxySnippet(policy, format, {
          upstream: "127.0.0.1:8069",
          longpolling: "127.0.0.1:8072",
          policyFile: example.file,
          policySha256: policySha256(policy),
          toolVersion: TOOL_VERSION,
        });
        const setup = await writeServerConfig(format, snippet, path.join(scratch, `check-${format}-${example.stem}`), 0);
        const result = await checkServerConfig(setup);
        expect(result.ok, `${example.stem}: ${setup.check.join(" ")}\n${result.output}`).toBe(true);
      }
    });

    for (const { header, cases } of VARIANTS) {
      it(`takes the client from ${header} only from the balancer, and applies the rules to it`, { timeout: 120_000 }, async () => {
        const example = examples[0]!;
        const policy = withTrustedUpstreams(example.policy, header);
        const port = await freePort();
        const snippet = renderProxySnippet(policy, format, {
          upstream: `127.0.0.1:${odoo.port}`,
          longpolling: `127.0.0.1:${bus.port}`,
          policyFile: example.file,
          policySha256: policySha256(policy),
          toolVersion: TOOL_VERSION,
        });
        const dir = path.join(scratch, `run-${format}-${header}`);
        const server = await startServer(await writeServerConfig(format, snippet, dir, port));
        const failures: string[] = [];
        const seen: string[] = [];
        let id = 0;
        try {
          for (const item of cases) {
            for (const { path: urlPath, kind, method } of PATHS) {
              const marker = `${format}-${header}-${++id}`;
              const answer = await request({
                port,
                from: item.from,
                path: urlPath,
                method,
                headers: { Host: HOST, "X-Test-Id": marker, ...item.headers },
                body: method === "POST" ? "{}" : undefined,
              });
              const arrived = odoo.received.find((received) => received.headers["x-test-id"] === marker);
              const what = `${item.name} (from ${item.from}, ${JSON.stringify(item.headers)}): ${method} ${urlPath}`;
              if (allowed(policy, kind, item.client)) {
                if (answer.status !== 200 || !arrived) {
                  failures.push(`${what}: expected to reach Odoo as ${item.client}, got ${answer.status}`);
                  continue;
                }
                const forwarded = {
                  for: arrived.headers["x-forwarded-for"],
                  realIp: arrived.headers["x-real-ip"],
                  host: arrived.headers["x-forwarded-host"],
                  proto: arrived.headers["x-forwarded-proto"],
                };
                const expected = { for: item.client, realIp: item.client, host: HOST, proto: "http" };
                if (JSON.stringify(forwarded) !== JSON.stringify(expected)) {
                  failures.push(`${what}: Odoo got ${JSON.stringify(forwarded)}, expected ${JSON.stringify(expected)}`);
                }
                for (const problem of forwardingHeaderProblems(arrived.rawHeaders)) failures.push(`${what}: ${problem}`);
                if (kind === "web") seen.push(`${item.name}: ${String(arrived.headers["x-forwarded-for"])}`);
              } else {
                if (answer.status !== 403) failures.push(`${what}: expected 403 for ${item.client}, got ${answer.status}`);
                if (arrived) failures.push(`${what}: reached Odoo although ${item.client} is not allowed`);
              }
            }
          }
          if (header === "X-Forwarded-For") {
            // The websocket goes to the bus port with the resolved address too.
            const before = bus.received.length;
            const handshake = await upgrade({ port, from: BALANCER, path: "/websocket", host: HOST, headers: { "X-Forwarded-For": "192.0.2.1, 203.0.113.7" } });
            const upgraded = bus.received.slice(before).find((item) => item.upgrade);
            if (handshake.status !== 101 || upgraded?.headers["x-forwarded-for"] !== "203.0.113.7") {
              failures.push(`websocket from the balancer: ${handshake.status}, X-Forwarded-For ${String(upgraded?.headers["x-forwarded-for"])}`);
            }
          }
        } finally {
          await server.stop();
        }
        expect(failures, `${format}, ${header}\n${server.output()}`).toEqual([]);
        // What Odoo saw, for the record (one line per case).
        expect(seen.length).toBe(cases.length);
      });
    }
  });
}

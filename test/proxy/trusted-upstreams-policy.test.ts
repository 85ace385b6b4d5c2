/**
 * `proxy.trusted_upstreams` in the policy file: what the loader accepts, refuses and warns about,
 * what the renderers write from it, and that `check --proxy` sees a change to it.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import yargs from "yargs";
import { proxyCommand } from "../../src/cli/commands/proxy.js";
import { parsePolicyText, type LoadResult, type PolicyIssue } from "../../src/policy/index.js";
import type { Policy } from "../../src/policy/model.js";
import { PROXY_FORMATS, policySha256, proxySnippetStatus, renderProxySnippet, underscoreSpellings } from "../../src/proxy/index.js";

const BASE = `schema: 1
addon:
  name: acme_2fa_policy
  title: ACME two-factor policy
  summary: Every employee must use an authenticator app
  author: ACME IT
  website: https://it.acme.example
  license: LGPL-3
  version: 1.0.0
enforce:
  groups: [base.group_user]
api:
  networks: [192.0.2.0/24]
`;

const load = (proxy: string): LoadResult => parsePolicyText(`${BASE}proxy:\n${proxy}`, "policy.yaml");
const issuesOf = (result: LoadResult): PolicyIssue[] => (result.ok ? result.warnings : result.issues);
const where = (result: LoadResult) => issuesOf(result).map((issue) => `${issue.severity} ${issue.path}: ${issue.message}`);

function policyOf(result: LoadResult): Policy {
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.policy;
}

function render(policy: Policy, format: (typeof PROXY_FORMATS)[number]): string {
  return renderProxySnippet(policy, format, {
    upstream: "127.0.0.1:8069",
    longpolling: "127.0.0.1:8072",
    policyFile: "policy.yaml",
    policySha256: policySha256(policy),
    toolVersion: "1.2.3",
  });
}

describe("the policy key", () => {
  it("loads networks (normalised) and the header, X-Forwarded-For by default", () => {
    const result = load("  trusted_upstreams:\n    networks: [10.0.0.5, 10.1.0.0/16]\n");
    expect(where(result)).toEqual([]);
    expect(policyOf(result).proxy).toEqual({
      adminNetworks: [],
      trustedUpstreams: { networks: ["10.0.0.5/32", "10.1.0.0/16"], header: "X-Forwarded-For" },
    });
    const custom = load("  trusted_upstreams:\n    networks: [10.0.0.0/24]\n    header: X-Real-IP\n");
    expect(policyOf(custom).proxy.trustedUpstreams).toEqual({ networks: ["10.0.0.0/24"], header: "X-Real-IP" });
  });

  it("is absent from the model when the file does not set it (digests of such policies are unchanged)", () => {
    const result = load("  admin_networks: [192.0.2.7]\n");
    expect(policyOf(result).proxy).toEqual({ adminNetworks: ["192.0.2.7/32"] });
    expect(Object.hasOwn(policyOf(result).proxy, "trustedUpstreams")).toBe(false);
  });

  it("refuses an empty list, a header that cannot carry an address, and unknown keys", () => {
    expect(where(load("  trusted_upstreams:\n    networks: []\n"))).toEqual([
      expect.stringMatching(/^error proxy\.trusted_upstreams\.networks: /),
    ]);
    expect(where(load("  trusted_upstreams: {}\n"))).toEqual([expect.stringMatching(/^error proxy\.trusted_upstreams(\.networks)?: .*networks/)]);
    for (const header of ["X_Forwarded_For", "Host", "x-forwarded-host", "X-Forwarded-For: 1", "-X"]) {
      expect(where(load(`  trusted_upstreams:\n    networks: [10.0.0.0/24]\n    header: "${header}"\n`)), header).toEqual([
        expect.stringMatching(/^error proxy\.trusted_upstreams\.header: .*cannot be the header/),
      ]);
    }
    expect(where(load("  trusted_upstreams:\n    networks: [10.0.0.0/24]\n    headers: X-Real-IP\n"))).toEqual([
      expect.stringMatching(/^error proxy\.trusted_upstreams\.headers: unknown key/),
    ]);
  });

  it("refuses trusting every address, and duplicates", () => {
    expect(where(load("  trusted_upstreams:\n    networks: [0.0.0.0/0]\n"))).toEqual([
      expect.stringMatching(/^error proxy\.trusted_upstreams\.networks\[0\]: "0\.0\.0\.0\/0" trusts every IPv4 address/),
    ]);
    expect(where(load("  trusted_upstreams:\n    networks: [10.0.0.0/24, 10.0.0.0/24]\n"))).toEqual([
      expect.stringMatching(/^error proxy\.trusted_upstreams\.networks\[1\]: network "10\.0\.0\.0\/24" is listed twice/),
    ]);
  });

  it("warns when a balancer's network is allowed elsewhere", () => {
    const result = load("  admin_networks: [10.0.0.0/16]\n  trusted_upstreams:\n    networks: [10.0.0.0/24]\n");
    expect(result.ok).toBe(true);
    expect(where(result)).toEqual([
      expect.stringMatching(/^warning proxy\.trusted_upstreams\.networks\[0\]: trusted upstream "10\.0\.0\.0\/24" overlaps proxy\.admin_networks/),
    ]);
  });
});

describe("the snippets", () => {
  const trusted = policyOf(load("  admin_networks: [192.0.2.7]\n  trusted_upstreams:\n    networks: [10.0.0.0/24, 2001:db8:9::/64]\n    header: X-Real-IP\n"));
  const plain = policyOf(load("  admin_networks: [192.0.2.7]\n"));

  it("nginx: the realip module, recursive, for the trusted networks only", () => {
    const text = render(trusted, "nginx");
    expect(text).toContain("set_real_ip_from 10.0.0.0/24;\nset_real_ip_from 2001:db8:9::/64;\nreal_ip_header X-Real-IP;\nreal_ip_recursive on;\n");
    expect(render(plain, "nginx")).not.toMatch(/real_ip/);
  });

  it("apache: mod_remoteip", () => {
    const text = render(trusted, "apache");
    expect(text).toContain("RemoteIPHeader X-Real-IP\nRemoteIPInternalProxy 10.0.0.0/24 2001:db8:9::/64\n");
    expect(text).toMatch(/mod_remoteip/);
    expect(render(plain, "apache")).not.toMatch(/RemoteIP/);
  });

  it("caddy: the client written into X-Forwarded-For and tested with remote_ip forwarded", () => {
    const text = render(trusted, "caddy");
    expect(text).toContain('vars odoo2fa_chain "{http.request.header.X-Real-IP}"');
    expect(text).toMatch(/not remote_ip forwarded 192\.0\.2\.7\/32/);
    expect(text).toContain("header_up X-Forwarded-For {http.request.header.X-Forwarded-For}");
    expect(render(plain, "caddy")).not.toMatch(/forwarded 1|odoo2fa_chain/);
  });

  it("haproxy: set-src from the header when the connection is trusted", () => {
    const text = render(trusted, "haproxy");
    expect(text).toContain("acl odoo2fa_trusted_upstream src 10.0.0.0/24 2001:db8:9::/64");
    expect(text).toContain("req.hdr_ip(x-real-ip,-1)");
    expect(text).toContain("http-request set-src var(txn.odoo2fa_client) if { var(txn.odoo2fa_hop) -m found }");
    expect(render(plain, "haproxy")).not.toMatch(/set-src/);
  });

  it.each(PROXY_FORMATS)("%s: a header the loader would refuse is refused by the renderer too", (format) => {
    const bad = { ...trusted, proxy: { ...trusted.proxy, trustedUpstreams: { networks: ["10.0.0.0/24"], header: "X-Real-IP;\n}" } } };
    expect(() => render(bad, format)).toThrow(/proxy\.trusted_upstreams\.header/);
    const injected = { ...trusted, proxy: { ...trusted.proxy, trustedUpstreams: { networks: ["10.0.0.0/24;"], header: "X-Real-IP" } } };
    expect(() => render(injected, format)).toThrow(/proxy\.trusted_upstreams\.networks/);
  });

  it.each(PROXY_FORMATS)("%s: a change to trusted_upstreams makes the snippet stale", (format) => {
    const text = render(plain, format);
    expect(proxySnippetStatus(text, { policySha256: policySha256(plain), toolVersion: "1.2.3", policy: plain }).status).toBe("current");
    expect(proxySnippetStatus(text, { policySha256: policySha256(trusted), toolVersion: "1.2.3", policy: trusted }).status).toBe("stale");
  });

  it("names every underscore spelling of the forwarding headers", () => {
    expect(underscoreSpellings("X-Real-IP")).toEqual(["X_Real-IP", "X-Real_IP", "X_Real_IP"]);
    expect(underscoreSpellings("Host")).toEqual([]);
  });
});

describe("odoo-2fa proxy with trusted upstreams", () => {
  let dir = "";
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function run(argv: string[]): Promise<{ stdout: string; stderr: string; exitCode: number }> {
    let stdout = "";
    let stderr = "";
    vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
    vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
    process.exitCode = undefined;
    try {
      await yargs().option("json", { type: "boolean", default: false }).command(proxyCommand as never).strict().exitProcess(false).parseAsync(argv);
    } finally {
      vi.restoreAllMocks();
    }
    const exitCode = Number(process.exitCode ?? 0);
    process.exitCode = undefined;
    return { stdout, stderr, exitCode };
  }

  it("writes the rules from the policy file, and says which Caddy the Caddy rules are for", async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "odoo-2fa-trusted-cli-"));
    const file = path.join(dir, "policy.yaml");
    await writeFile(file, `${BASE}proxy:\n  trusted_upstreams:\n    networks: [10.0.0.0/24]\n`);
    const nginx = await run(["proxy", file, "--format", "nginx"]);
    expect(nginx).toMatchObject({ exitCode: 0, stderr: "" });
    expect(nginx.stdout).toContain("set_real_ip_from 10.0.0.0/24;");
    const caddy = await run(["proxy", file, "--format", "caddy"]);
    expect(caddy.exitCode).toBe(0);
    expect(caddy.stdout).toContain("remote_ip forwarded");
    expect(caddy.stderr).toMatch(/^note: caddy: the proxy\.trusted_upstreams rules are for Caddy 2\.6/m);
    const json = JSON.parse((await run(["proxy", file, "--format", "caddy", "--json"])).stdout) as { notes?: string[] };
    expect(json.notes).toEqual([expect.stringMatching(/Caddy 2\.7 and later refuse/)]);
    const bad = await run(["proxy", file.replace("policy.yaml", "bad.yaml"), "--format", "nginx"]);
    expect(bad.exitCode).toBe(2);
  });

  it("refuses a policy that trusts every address, exit 2", async () => {
    const file = path.join(dir, "open.yaml");
    await writeFile(file, `${BASE}proxy:\n  trusted_upstreams:\n    networks: ["::/0"]\n`);
    const result = await run(["proxy", file, "--format", "haproxy"]);
    expect(result.exitCode).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/trusts every IPv6 address/);
  });
});

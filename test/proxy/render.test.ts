import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import yargs from "yargs";
import { proxyCommand } from "../../src/cli/commands/proxy.js";
import type { Policy } from "../../src/policy/model.js";
import { canonicalJson, sha256 } from "../../src/digest.js";
import {
  addressIn,
  checkHostPort,
  intersectNetworks,
  parseProxySnippetHeader,
  policySha256,
  proxySnippetFileStatus,
  PROXY_FORMATS,
  proxySnippetIsStale,
  proxySnippetStatus,
  renderProxySnippet,
  type ProxyFormat,
} from "../../src/proxy/index.js";
import { TOOL_VERSION } from "../../src/version.js";
import { REPO_ROOT } from "../support/examples.js";
import { samplePolicy } from "../support/policies.js";
import { loadExamples } from "./policies.js";

const restricted = samplePolicy({
  api: { passwordRpc: "deny", apiKeys: "allow", networks: ["192.0.2.0/24", "2001:db8:10::/48"] },
  proxy: { adminNetworks: ["192.0.2.128/25", "198.51.100.7/32", "2001:db8:10:1::/64"] },
});
const open = samplePolicy();

function render(policy: Policy, format: ProxyFormat, extra: Partial<Parameters<typeof renderProxySnippet>[2]> = {}): string {
  return renderProxySnippet(policy, format, {
    upstream: "127.0.0.1:8069",
    longpolling: "127.0.0.1:8072",
    policyFile: "policy.yaml",
    policySha256: policySha256(policy),
    toolVersion: "1.2.3",
    ...extra,
  });
}

describe("renderProxySnippet", () => {
  it.each(PROXY_FORMATS)("%s: is deterministic, ends with a newline, and never uses the client's X-Forwarded-For", (format) => {
    const text = render(restricted, format);
    expect(render(restricted, format)).toBe(text);
    expect(text.endsWith("\n")).toBe(true);
    expect(text).not.toMatch(/proxy_add_x_forwarded_for|option forwardfor|\r/);
    expect(text).toMatch(/X-Forwarded-For/);
    expect(text).toMatch(/X-Forwarded-Host/);
    expect(text).toMatch(/X-Forwarded-Proto/);
    expect(text).toMatch(/X-Real-IP/);
  });

  it.each(PROXY_FORMATS)("%s: limits RPC to api.networks, IPv4 and IPv6", (format) => {
    const text = render(restricted, format);
    expect(text).toContain("192.0.2.0/24");
    expect(text).toContain("2001:db8:10::/48");
    expect(text).toMatch(/xmlrpc\|jsonrpc\|json\/\+2/);
    expect(text).toContain("198.51.100.7/32");
  });

  it.each(PROXY_FORMATS)("%s: generates no RPC rule when api.networks is empty, and says so", (format) => {
    const text = render(open, format);
    expect(text).toContain("api.networks is empty");
    expect(text).not.toMatch(/xmlrpc\|jsonrpc/);
    // The database manager is blocked from everywhere without proxy.admin_networks.
    expect(text).toContain("blocked from every network (proxy.admin_networks is empty)");
  });

  it("nginx: the database manager without admin networks is `deny all` only", () => {
    const text = render(open, "nginx");
    expect(text).toContain("location ~* ^/+web/+database(?:/|$) {\n    deny all;\n}");
  });

  it("nginx: the database service over XML-RPC is limited to networks in both lists", () => {
    const text = render(restricted, "nginx");
    const block = text.slice(text.indexOf("location ~* ^/+xmlrpc(?:/+2)?/+db"), text.indexOf("# Database manager."));
    expect(block.match(/allow \S+;/g)).toEqual(["allow 192.0.2.128/25;", "allow 2001:db8:10:1::/64;"]);
  });

  it("apache: ANDs the database-service rule with the RPC rule", () => {
    expect(render(restricted, "apache")).toMatch(/\+db\(\?:\/\|\$\)">\n {4}AuthMerging And\n {4}Require ip 192\.0\.2\.128\/25/);
    expect(render(restricted, "apache")).toContain("ProxyAddHeaders Off");
  });

  it("refuses values that are not plain CIDRs or host:port (no directive injection)", () => {
    const bad = samplePolicy({ api: { passwordRpc: "deny", apiKeys: "allow", networks: ["10.0.0.0/8; deny all"] } });
    expect(() => render(bad, "nginx")).toThrow(/api\.networks/);
    const badAdmin = samplePolicy({ proxy: { adminNetworks: ["10.0.0.0/8\n}"] } });
    expect(() => render(badAdmin, "haproxy")).toThrow(/admin_networks/);
    expect(() => render(open, "caddy", { upstream: "127.0.0.1:8069 {\n" })).toThrow(/upstream/);
    expect(() => render(open, "caddy", { policySha256: "x" })).toThrow(/sha256/);
    expect(checkHostPort("[::1]:8069")).toBeUndefined();
    expect(checkHostPort("odoo.internal:8069")).toBeUndefined();
    expect(checkHostPort("127.0.0.1")).toMatch(/host:port/);
    expect(checkHostPort("127.0.0.1:70000")).toMatch(/port/);
  });

  it("keeps any policy file name on one quoted comment line", () => {
    const weird = 'dir\\with "quotes"\nand newline/pölicy.yaml\\';
    for (const format of PROXY_FORMATS) {
      const text = render(restricted, format, { policyFile: weird });
      const header = parseProxySnippetHeader(text);
      expect(header?.policyFile).toBe(weird);
      for (const line of text.split("\n").slice(0, 20)) if (line.includes("policy")) expect(line.endsWith("\\")).toBe(false);
      expect(text.split("\n").filter((line) => line.includes("dir\\\\with")).every((line) => line.startsWith("#"))).toBe(true);
    }
  });
});

describe("stale snippets", () => {
  const sha = policySha256(restricted);

  it("digests the whole policy, proxy.* included (the addon lock leaves proxy.* out)", () => {
    expect(sha).toBe(sha256(canonicalJson(restricted)));
    expect(policySha256({ ...restricted, proxy: { adminNetworks: [] } })).not.toBe(sha);
  });

  it.each(PROXY_FORMATS)("%s: the header reads back", (format) => {
    expect(parseProxySnippetHeader(render(restricted, format))).toEqual({
      format,
      toolVersion: "1.2.3",
      policySha256: sha,
      upstream: "127.0.0.1:8069",
      longpolling: "127.0.0.1:8072",
      policyFile: "policy.yaml",
    });
  });

  it("is current for the same policy and tool, stale otherwise", () => {
    const text = render(restricted, "nginx");
    expect(proxySnippetIsStale(text, sha, "1.2.3")).toBe(false);
    expect(proxySnippetIsStale(text, policySha256(open), "1.2.3")).toBe(true);
    expect(proxySnippetIsStale(text, sha, "1.2.4")).toBe(true);
    expect(proxySnippetIsStale("location / { }\n", sha, "1.2.3")).toBe(true);
    expect(proxySnippetStatus(text, { policySha256: policySha256(open), toolVersion: "1.2.4" })).toMatchObject({
      status: "stale",
      reasons: ["the policy changed since the snippet was generated", "generated by odoo-2fa 1.2.3, this is 1.2.4"],
    });
  });

  it("reports a hand edit when given the policy", () => {
    const text = render(restricted, "haproxy", { toolVersion: TOOL_VERSION });
    const current = { policySha256: sha, toolVersion: TOOL_VERSION, policy: restricted };
    expect(proxySnippetStatus(text, current).status).toBe("current");
    expect(proxySnippetStatus(text.replace("deny_status 403", "deny_status 200"), current)).toMatchObject({
      status: "stale",
      reasons: ["the snippet was edited by hand since it was generated"],
    });
  });
});

describe("proxySnippetFileStatus", () => {
  it("reads a snippet from disk: current, stale, missing", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "odoo-2fa-proxy-status-"));
    try {
      const file = path.join(dir, "odoo.conf");
      await writeFile(file, render(restricted, "apache", { toolVersion: TOOL_VERSION }));
      expect((await proxySnippetFileStatus(file, restricted, TOOL_VERSION)).status).toBe("current");
      expect(await proxySnippetFileStatus(file, open, TOOL_VERSION)).toMatchObject({
        status: "stale",
        reasons: ["the policy changed since the snippet was generated"],
      });
      expect((await proxySnippetFileStatus(path.join(dir, "nope.conf"), open, TOOL_VERSION)).status).toBe("missing");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("networks", () => {
  it("intersects CIDR lists (nested or disjoint), IPv4 and IPv6", () => {
    expect(intersectNetworks(["10.0.0.0/8", "2001:db8::/32"], ["10.1.0.0/16", "192.168.0.0/24", "2001:db8:10::/48", "::/0"])).toEqual([
      "10.1.0.0/16",
      "2001:db8::/32",
    ]);
    expect(intersectNetworks(["10.1.2.0/24"], ["10.0.0.0/8"])).toEqual(["10.1.2.0/24"]);
    expect(intersectNetworks(["10.0.0.0/8"], [])).toEqual([]);
  });

  it("tells whether an address is in a list", () => {
    expect(addressIn("127.0.0.2", ["127.0.0.2/32"])).toBe(true);
    expect(addressIn("127.0.0.3", ["127.0.0.2/32", "::1/128"])).toBe(false);
    expect(addressIn("::1", ["::1/128"])).toBe(true);
    expect(addressIn("::1", ["0.0.0.0/0"])).toBe(false);
    expect(addressIn("2001:db8:10:ff::1", ["2001:db8:10::/48"])).toBe(true);
  });
});

describe("odoo-2fa proxy (command)", () => {
  let dir = "";
  afterEach(async () => {
    vi.restoreAllMocks();
    process.exitCode = undefined;
    if (dir) await rm(dir, { recursive: true, force: true });
    dir = "";
  });

  async function run(argv: string[]): Promise<{ stdout: string; stderr: string; exitCode: number }> {
    let stdout = "";
    let stderr = "";
    vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
    vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
    process.exitCode = undefined;
    await yargs()
      .option("json", { type: "boolean", default: false })
      .command(proxyCommand as never)
      .strict()
      .exitProcess(false)
      .parseAsync(argv);
    const exitCode = Number(process.exitCode ?? 0);
    vi.restoreAllMocks();
    return { stdout, stderr, exitCode };
  }

  it("prints the snippet of an example, identical to the renderer's", async () => {
    const [example] = (await loadExamples()).filter((item) => item.stem === "finance-strict");
    const file = path.join(REPO_ROOT, example!.file);
    const result = await run(["proxy", file, "--format", "nginx"]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe(
      renderProxySnippet(example!.policy, "nginx", {
        upstream: "127.0.0.1:8069",
        longpolling: "127.0.0.1:8072",
        policyFile: file,
        policySha256: policySha256(example!.policy),
        toolVersion: TOOL_VERSION,
      }),
    );
  });

  it("writes --out and reports --json", async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "odoo-2fa-proxy-cli-"));
    const out = path.join(dir, "odoo.cfg");
    const file = path.join(REPO_ROOT, "examples", "warehouse-scanners.yaml");
    const result = await run(["proxy", file, "--format", "haproxy", "--upstream", "[::1]:8069", "--out", out, "--json"]);
    expect(result.exitCode).toBe(0);
    const report = JSON.parse(result.stdout) as { ok: boolean; out: string; policySha256: string };
    expect(report).toMatchObject({ ok: true, command: "proxy", format: "haproxy", out, toolVersion: TOOL_VERSION });
    const text = await readFile(out, "utf8");
    expect(text).toContain("server odoo [::1]:8069");
    expect(parseProxySnippetHeader(text)?.policySha256).toBe(report.policySha256);
  });

  it("refuses a bad --upstream with exit 2", async () => {
    const file = path.join(REPO_ROOT, "examples", "warehouse-scanners.yaml");
    const result = await run(["proxy", file, "--format", "caddy", "--upstream", "localhost"]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/--upstream: "localhost" is not host:port/);
  });
});

describe("golden snippets (test/proxy/golden/<example>.<format>)", async () => {
  const examples = await loadExamples();
  it.each(examples.flatMap((example) => PROXY_FORMATS.map((format) => [example.stem, format, example] as const)))(
    "%s, %s",
    async (stem, format, example) => {
      const text = renderProxySnippet(example.policy, format, {
        upstream: "127.0.0.1:8069",
        longpolling: "127.0.0.1:8072",
        policyFile: example.file,
        policySha256: policySha256(example.policy),
        // Fixed, so that a release does not rewrite every golden file.
        toolVersion: "0.0.0-golden",
      });
      await expect(text).toMatchFileSnapshot(path.join("golden", `${stem}.${format}`));
    },
  );
});

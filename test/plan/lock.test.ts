/**
 * The addon lock's policy digest covers what the addon is generated from, and nothing else: a
 * change only to `proxy.*` leaves the generated addons current (`odoo-2fa check` is clean for
 * them) while the proxy snippet, whose own digest covers the whole policy, becomes stale.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyAddonPlans, planAddons } from "../../src/generate/index.js";
import { driftOf } from "../../src/plan/addons.js";
import { policyDigest } from "../../src/plan/lock.js";
import type { Policy } from "../../src/policy/model.js";
import { policySha256, proxySnippetFileStatus, renderProxySnippet } from "../../src/proxy/index.js";
import { loadTemplateSet } from "../../src/generate/templates.js";
import { samplePolicy } from "../support/policies.js";

const base = samplePolicy({ api: { passwordRpc: "deny", apiKeys: "allow", networks: ["192.0.2.0/24"] } });
const proxyOnly: Policy = { ...base, proxy: { adminNetworks: ["198.51.100.7/32"] } };
const apiChanged: Policy = { ...base, api: { ...base.api, networks: ["192.0.2.0/25"] } };

describe("policyDigest (the addon lock's)", () => {
  it("leaves proxy.* out", () => {
    expect(policyDigest(proxyOnly)).toBe(policyDigest(base));
  });

  it("covers everything the addon uses", () => {
    expect(policyDigest(apiChanged)).not.toBe(policyDigest(base));
    expect(policyDigest({ ...base, enforce: { ...base.enforce, graceDays: 7 } })).not.toBe(policyDigest(base));
    expect(policyDigest({ ...base, audit: true })).not.toBe(policyDigest(base));
  });

  it("differs from the proxy snippet's digest, which covers proxy.*", () => {
    expect(policySha256(proxyOnly)).not.toBe(policySha256(base));
    expect(policySha256(apiChanged)).not.toBe(policySha256(base));
  });
});

describe("a change only to proxy.*", () => {
  let dir = "";
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "odoo-2fa-lock-"));
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("keeps the addons current and makes the proxy snippet stale", { timeout: 60_000 }, async () => {
    const templates = await loadTemplateSet();
    const out = path.join(dir, "addons");
    await applyAddonPlans(await planAddons(base, ["17.0", "18.0"], out, templates), "fail");
    const snippetFile = path.join(dir, "odoo-2fa.conf");
    await writeFile(
      snippetFile,
      renderProxySnippet(base, "nginx", {
        upstream: "127.0.0.1:8069",
        longpolling: "127.0.0.1:8072",
        policyFile: "policy.yaml",
        policySha256: policySha256(base),
        toolVersion: "1.2.3",
      }),
    );
    expect((await proxySnippetFileStatus(snippetFile, base, "1.2.3")).status).toBe("current");

    for (const addon of await planAddons(proxyOnly, ["17.0", "18.0"], out, templates)) {
      expect(driftOf(addon, proxyOnly, templates).clean, addon.dir).toBe(true);
    }
    expect(await proxySnippetFileStatus(snippetFile, proxyOnly, "1.2.3")).toMatchObject({
      status: "stale",
      reasons: ["the policy changed since the snippet was generated"],
    });

    // A change the addon uses marks both.
    for (const addon of await planAddons(apiChanged, ["17.0", "18.0"], out, templates)) {
      expect(driftOf(addon, apiChanged, templates)).toMatchObject({ clean: false, policyChanged: true });
    }
    expect((await proxySnippetFileStatus(snippetFile, apiChanged, "1.2.3")).status).toBe("stale");
  });
});

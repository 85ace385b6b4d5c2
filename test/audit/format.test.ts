/**
 * The audit's formats (pure), and its HTML in a real browser: headless Chromium (Debian's
 * `chromium`) renders the file, runs its sort script, and shows the numbers the JSON has.
 * Names come from the server, so every format is fed hostile ones.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { formatAuditCsv, formatAuditHtml, formatAuditJson, formatAuditTable, summarizeAudit, type AuditResult, type AuditUser, type ExposureFinding } from "../../src/audit/index.js";

const run = promisify(execFile);
const CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((file) => existsSync(file));
if (!CHROMIUM) process.stderr.write(`\n${"!".repeat(8)} odoo-2fa audit --format html in Chromium: SKIPPED (not run, not passed): no chromium (apt-get install chromium)\n\n`);

const HOSTILE = `</script><img src=x onerror="document.title='owned'">=HYPERLINK("http://evil")\u202e`;

const user = (login: string, overrides: Partial<AuditUser> = {}): AuditUser => ({
  id: login.length,
  login,
  name: login,
  type: "internal",
  company: "Contoso",
  groups: ["Internal User"],
  administrator: false,
  totp: false,
  lastLogin: null,
  apiKeys: [],
  trustedDevices: 0,
  ...overrides,
});

function sample(): AuditResult {
  const users = [
    user("admin", { name: "Mitchell Admin", administrator: true, totp: true, groups: ["Administration / Settings", "Internal User"], lastLogin: "2026-11-30 08:00:00" }),
    user("alice", { totp: true, trustedDevices: 2, policyStatus: "enrolled", exempt: false }),
    user("bob", { apiKeys: [{ name: "erp sync", scope: "rpc", created: "2026-01-01 00:00:00", expires: null }], policyStatus: "must-enrol", exempt: false }),
    user("carol", { name: HOSTILE, administrator: true, groups: ["Administration / Access Rights"], policyStatus: "must-enrol", exempt: false }),
    user("=cmd|' /C calc'!A0", { type: "portal", groups: [], policyStatus: "must-enrol", exempt: false }),
    user("scanner", { policyStatus: "exempt", exempt: true }),
  ];
  const exposure: ExposureFinding[] = [
    { id: "database-manager", state: "exposed", severity: "high", title: "Database manager reachable", detail: "HTTP 200", fix: "set `list_db = False`" },
    { id: "hsts", state: "closed", severity: "medium", title: "No HSTS", detail: "max-age=31536000", fix: "add HSTS" },
  ];
  return {
    url: "https://erp.example.com",
    db: "prod",
    login: "admin",
    serverVersion: "17.0",
    serverSerie: "17.0",
    users,
    exposure,
    summary: summarizeAudit(users, exposure, { policyFile: "policy.yaml" }),
    limits: ["Whether a login uses XML-RPC with its password cannot be known."],
  };
}

const scratch = await mkdtemp(path.join(os.tmpdir(), "odoo-2fa-audit-format-"));
afterAll(() => rm(scratch, { recursive: true, force: true }));

describe("audit formats", () => {
  it("summarizes: enrolled n/N, administrators without 2FA by name, severity", () => {
    const { summary } = sample();
    expect(summary).toMatchObject({ users: 6, enrolled: 2, administratorsWithoutTotp: [{ login: "carol", name: HOSTILE }], severe: true, exposure: { high: 1, medium: 0 } });
    expect(summary.policy).toMatchObject({ counts: { "must-enrol": 3, enrolled: 1, exempt: 1, "not-required": 0 } });
    // Concerned users without an API key: their RPC use, if any, is with the password.
    expect(summary.policy!.passwordRpcCandidates).toEqual(["alice", "carol", "=cmd|' /C calc'!A0", "scanner"]);
    const quiet = summarizeAudit([user("admin", { administrator: true, totp: true })], [], {});
    expect(quiet.severe).toBe(false);
  });

  it("keeps the terminal safe and lists the summary first", () => {
    const table = formatAuditTable(sample());
    expect(table).not.toContain("\u202e");
    expect(table.indexOf("Administrators without 2FA (1): carol")).toBeGreaterThan(0);
    expect(table.indexOf("[HIGH] Database manager reachable")).toBeLessThan(table.indexOf("Users (6"));
    expect(table).toContain("fix: set `list_db = False`");
  });

  it("writes RFC 4180 CSV with formula-looking cells neutralised", () => {
    const lines = formatAuditCsv(sample()).split("\r\n");
    expect(lines[0]).toBe("login,name,type,company,groups,administrator,totp,last_login,api_keys,api_key_scopes,api_key_expiry,trusted_devices,exempt,policy_status,addon_status");
    expect(lines).toHaveLength(6 + 2);
    expect(lines.find((line) => line.startsWith("'=cmd"))).toBeDefined();
    expect(lines.find((line) => line.startsWith("bob,"))).toBe("bob,bob,internal,Contoso,Internal User,no,no,,1,rpc,never,0,no,must-enrol,");
  });

  it("writes JSON as { users, summary, exposure }", () => {
    const parsed = JSON.parse(formatAuditJson(sample())) as Record<string, unknown>;
    expect(Object.keys(parsed)).toEqual(["users", "summary", "exposure", "limits", "server"]);
  });

  it("writes one self-contained HTML file, every server string escaped", () => {
    const page = formatAuditHtml(sample());
    expect(page).not.toMatch(/<(link|img)\b|src=["']?http|href=["']?http/i);
    expect(page).not.toContain(HOSTILE);
    expect(page).toContain("&lt;/script&gt;&lt;img src=x onerror=&quot;");
  });

  it.skipIf(!CHROMIUM)("renders in headless Chromium with the JSON's numbers, and sorts", { timeout: 120_000 }, async () => {
    const result = sample();
    const file = path.join(scratch, "audit.html");
    // A probe appended to the page: clicks the Login header twice (descending), then reports.
    const probe = `<script>
      var th = document.querySelector("#users-table th");
      th.click(); th.click();
      document.body.setAttribute("data-probe", JSON.stringify({
        title: document.title,
        enrolled: document.getElementById("enrolled").textContent,
        users: document.getElementById("users").textContent,
        admins: document.getElementById("admins-without-2fa").textContent,
        mustEnrol: document.getElementById("must-enrol").textContent,
        exposure: document.getElementById("exposure-count").textContent,
        bars: document.querySelectorAll("#groups .bar").length,
        firstLogin: document.querySelector("#users-table tbody tr td").textContent,
        images: document.images.length
      }));
    </script></body>`;
    await writeFile(file, formatAuditHtml(result).replace("</body>", probe));
    const { stdout } = await run(CHROMIUM!, ["--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir=" + path.join(scratch, "profile"), "--dump-dom", `file://${file}`], {
      timeout: 90_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    const match = /data-probe="([^"]*)"/.exec(stdout);
    expect(match, stdout.slice(0, 2000)).not.toBeNull();
    const probed = JSON.parse(match![1]!.replace(/&quot;/g, '"').replace(/&amp;/g, "&").replace(/&lt;/g, "<").replace(/&gt;/g, ">")) as Record<string, unknown>;
    expect(probed).toEqual({
      title: "2FA audit of prod",
      enrolled: String(result.summary.enrolled),
      users: String(result.summary.users),
      admins: String(result.summary.administratorsWithoutTotp.length),
      mustEnrol: String(result.summary.policy!.counts["must-enrol"]),
      exposure: "1",
      bars: result.summary.byGroup.length,
      firstLogin: "scanner",
      // The hostile name stayed text: no image was created from it.
      images: 0,
    });
  });
});

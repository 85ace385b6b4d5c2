/**
 * The audit's four formats. Pure: a result in, text out.
 *
 * - table: the summary first (2FA n/N, administrators without 2FA by name, exposure findings),
 *   then per group and company, then one row per user; terminal-safe (src/report/format.ts).
 * - csv: one row per user, RFC 4180 and formula-safe (report's `csvCell`).
 * - json: `{ users, summary, exposure, limits, server }`.
 * - html: one self-contained file (no external asset): summary, a bar per group of enrolled vs
 *   missing, the findings, and the user table, sortable in the browser. Every server string is
 *   HTML-escaped; the embedded data is JSON with `<` escaped, so no name can close the script.
 */
import { alignColumns, csvCell, terminalText } from "../report/format.js";
import type { AuditResult, AuditUser, ExposureFinding } from "./model.js";

export const AUDIT_FORMATS = ["table", "csv", "json", "html"] as const;
export type AuditFormat = (typeof AUDIT_FORMATS)[number];

const keysCell = (user: AuditUser) => String(user.apiKeys.length);
const scopesCell = (user: AuditUser) => [...new Set(user.apiKeys.map((key) => key.scope || "-"))].sort().join(" ");
const expiryCell = (user: AuditUser) => user.apiKeys.map((key) => key.expires ?? "never").join(" ");
const totpCell = (user: AuditUser) => (user.totp === null ? "n/a" : user.totp ? "yes" : "no");

export const AUDIT_CSV_COLUMNS = [
  "login",
  "name",
  "type",
  "company",
  "groups",
  "administrator",
  "totp",
  "last_login",
  "api_keys",
  "api_key_scopes",
  "api_key_expiry",
  "trusted_devices",
  "exempt",
  "policy_status",
  "addon_status",
] as const;

export function formatAuditCsv(result: AuditResult): string {
  const lines = [AUDIT_CSV_COLUMNS.join(",")];
  for (const user of result.users)
    lines.push(
      [
        user.login,
        user.name,
        user.type,
        user.company,
        user.groups.join("; "),
        user.administrator ? "yes" : "no",
        totpCell(user),
        user.lastLogin,
        keysCell(user),
        scopesCell(user),
        user.apiKeys.length ? expiryCell(user) : "",
        String(user.trustedDevices),
        user.exempt === undefined ? "" : user.exempt ? "yes" : "no",
        user.policyStatus ?? "",
        user.addonStatus ?? "",
      ]
        .map(csvCell)
        .join(","),
    );
  return `${lines.join("\r\n")}\r\n`;
}

export function formatAuditJson(result: AuditResult): string {
  const { users, summary, exposure, limits, ...server } = result;
  return `${JSON.stringify({ users, summary, exposure, limits, server }, null, 2)}\n`;
}

const findingLine = (finding: ExposureFinding) => `[${finding.severity.toUpperCase()}] ${finding.title}: ${finding.detail}`;

export function formatAuditTable(result: AuditResult): string {
  const { summary } = result;
  const out: string[] = [terminalText(`Two-factor audit of database "${result.db}" at ${result.url} (Odoo ${result.serverVersion}); read-only`), ""];
  out.push(`2FA enabled: ${summary.enrolled}/${summary.users} active users (${summary.internal} internal, ${summary.portal} portal)`);
  out.push(
    summary.administratorsWithoutTotp.length
      ? `Administrators without 2FA (${summary.administratorsWithoutTotp.length}): ${summary.administratorsWithoutTotp.map((admin) => terminalText(`${admin.login} (${admin.name})`)).join(", ")}`
      : "Administrators without 2FA: none",
  );
  out.push(`API keys: ${summary.apiKeys} held by ${summary.usersWithApiKeys} user(s); trusted devices: ${summary.trustedDevices}`);
  if (summary.policy) {
    const counts = summary.policy.counts;
    out.push(
      `Under ${terminalText(summary.policy.file)}: ${counts["must-enrol"]} must enrol, ${counts.enrolled} enrolled, ${counts.exempt} exempt, ${counts["not-required"]} not required`,
    );
    out.push(
      summary.policy.passwordRpcCandidates.length
        ? `Concerned users without an API key (any XML-RPC/JSON-RPC use of theirs is with the password): ${summary.policy.passwordRpcCandidates.map(terminalText).join(", ")}`
        : "Every user the policy concerns has an API key",
    );
  }
  if (summary.addon) {
    const addon = summary.addon;
    const counts = Object.entries(addon.counts).map(([status, count]) => `${count} ${status}`).join(", ");
    out.push(
      terminalText(
        `Addon ${addon.module} ${addon.installedVersion} installed; deployed policy ${addon.deployedDigest.slice(0, 12)}${addon.matchesPolicy === undefined ? "" : addon.matchesPolicy ? " (= the policy file)" : " (NOT the policy file)"}; its statuses: ${counts || "none"}`,
      ),
    );
  } else out.push("No odoo-2fa addon installed: nothing enforces 2FA in this database");
  const exposed = result.exposure.filter((finding) => finding.state === "exposed");
  out.push("", `Exposure from here (${exposed.length} finding${exposed.length === 1 ? "" : "s"})`);
  for (const finding of exposed) out.push(terminalText(findingLine(finding)), terminalText(`    fix: ${finding.fix}`));
  for (const finding of result.exposure.filter((item) => item.state !== "exposed")) out.push(terminalText(`[${finding.state}] ${finding.title}: ${finding.detail}`));
  if (summary.byGroup.length) {
    out.push("", "Per group and company");
    out.push(
      ...alignColumns(
        ["GROUP", "COMPANY", "USERS", "2FA", "NO 2FA", ...(summary.policy ? ["MUST ENROL"] : [])],
        summary.byGroup.map((line) => [
          terminalText(line.group),
          terminalText(line.company),
          String(line.users),
          String(line.enrolled),
          String(line.missing),
          ...(summary.policy ? [String(line.mustEnrol ?? 0)] : []),
        ]),
        new Set([2, 3, 4, 5]),
      ),
    );
  }
  out.push("", `Users (${result.users.length}; times in UTC)`);
  out.push(
    ...alignColumns(
      ["LOGIN", "NAME", "TYPE", "ADMIN", "2FA", "LAST LOGIN", "KEYS", "DEVICES", ...(summary.policy ? ["POLICY"] : []), ...(summary.addon ? ["ADDON"] : [])],
      result.users.map((user) => [
        terminalText(user.login),
        terminalText(user.name),
        user.type,
        user.administrator ? "yes" : "-",
        totpCell(user),
        user.lastLogin ?? "-",
        user.apiKeys.length ? `${user.apiKeys.length} (${scopesCell(user)})` : "0",
        String(user.trustedDevices),
        ...(summary.policy ? [user.policyStatus ?? "-"] : []),
        ...(summary.addon ? [user.addonStatus ?? "-"] : []),
      ]),
    ),
  );
  out.push("", "What the API cannot tell", ...result.limits.map((limit) => `- ${limit}`));
  return `${out.join("\n")}\n`;
}

const html = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");

const STYLE = `body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}h1{font-size:1.4em}table{border-collapse:collapse;margin:1em 0}
td,th{border:1px solid #ccc;padding:.25em .5em;text-align:left}th{background:#f3f3f3;cursor:pointer;user-select:none}
.bar{display:flex;width:24em;height:1em;background:#eee}.bar .ok{background:#2e7d32}.bar .no{background:#c62828}
.high{color:#b71c1c;font-weight:bold}.medium{color:#e65100}.low{color:#555}.info{color:#1565c0}.figure{font-size:1.2em}`;

const SORT_SCRIPT = `document.querySelectorAll("table.sortable th").forEach(function(th,i){th.addEventListener("click",function(){
var t=th.closest("table"),b=t.tBodies[0],d=th.dataset.dir==="asc"?-1:1;th.dataset.dir=d===1?"asc":"desc";
Array.from(b.rows).sort(function(x,y){var a=x.cells[i].dataset.v||x.cells[i].textContent,c=y.cells[i].dataset.v||y.cells[i].textContent;
var n=Number(a),m=Number(c);return (a!==""&&c!==""&&!isNaN(n)&&!isNaN(m)?n-m:a<c?-1:a>c?1:0)*d}).forEach(function(r){b.appendChild(r)})})});`;

export function formatAuditHtml(result: AuditResult): string {
  const { summary } = result;
  const exposed = result.exposure.filter((finding) => finding.state === "exposed");
  const bars = summary.byGroup
    .map((line) => {
      const ok = line.users ? (100 * line.enrolled) / line.users : 0;
      return `<tr><td>${html(line.group)}</td><td>${html(line.company)}</td><td><div class="bar" title="${line.enrolled} enrolled, ${line.missing} missing"><div class="ok" style="width:${ok.toFixed(1)}%"></div><div class="no" style="width:${(100 - ok).toFixed(1)}%"></div></div></td><td data-field="enrolled">${line.enrolled}</td><td data-field="missing">${line.missing}</td>${summary.policy ? `<td>${line.mustEnrol ?? 0}</td>` : ""}</tr>`;
    })
    .join("\n");
  const userRows = result.users
    .map(
      (user) =>
        `<tr><td>${html(user.login)}</td><td>${html(user.name)}</td><td>${user.type}</td><td>${html(user.company)}</td><td>${html(user.groups.join(", "))}</td><td>${user.administrator ? "yes" : ""}</td><td>${totpCell(user)}</td><td>${html(user.lastLogin ?? "")}</td><td>${user.apiKeys.length}</td><td>${html(scopesCell(user))}</td><td>${user.trustedDevices}</td>${summary.policy ? `<td>${user.policyStatus ?? ""}</td>` : ""}${summary.addon ? `<td>${html(user.addonStatus ?? "")}</td>` : ""}</tr>`,
    )
    .join("\n");
  const policyLine = summary.policy
    ? `<p>Under <code>${html(summary.policy.file)}</code>: <span id="must-enrol" class="figure">${summary.policy.counts["must-enrol"]}</span> must enrol, ${summary.policy.counts.enrolled} enrolled, ${summary.policy.counts.exempt} exempt, ${summary.policy.counts["not-required"]} not required.</p>`
    : "";
  const addonLine = summary.addon
    ? `<p>Addon <code>${html(summary.addon.module)}</code> ${html(summary.addon.installedVersion)}, deployed policy <code>${html(summary.addon.deployedDigest.slice(0, 12))}</code>.</p>`
    : "<p>No odoo-2fa addon installed: nothing enforces 2FA in this database.</p>";
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>2FA audit of ${html(result.db)}</title><style>${STYLE}</style></head>
<body>
<h1>Two-factor audit of database “${html(result.db)}” at ${html(result.url)} (Odoo ${html(result.serverVersion)})</h1>
<h2>Summary</h2>
<p class="figure">2FA enabled: <span id="enrolled">${summary.enrolled}</span>/<span id="users">${summary.users}</span> active users</p>
<p>Administrators without 2FA (<span id="admins-without-2fa">${summary.administratorsWithoutTotp.length}</span>): ${summary.administratorsWithoutTotp.length ? summary.administratorsWithoutTotp.map((admin) => `<b class="high">${html(admin.login)}</b> (${html(admin.name)})`).join(", ") : "none"}</p>
<p>API keys: ${summary.apiKeys} held by ${summary.usersWithApiKeys} user(s); trusted devices: ${summary.trustedDevices}.</p>
${policyLine}
${addonLine}
<h2>Per group</h2>
<table id="groups"><thead><tr><th>Group</th><th>Company</th><th>Enrolled vs missing</th><th>Enrolled</th><th>Missing</th>${summary.policy ? "<th>Must enrol</th>" : ""}</tr></thead><tbody>
${bars}
</tbody></table>
<h2>Exposure (<span id="exposure-count">${exposed.length}</span>)</h2>
<ul id="exposure">
${result.exposure.map((finding) => `<li class="${finding.state === "exposed" ? finding.severity : ""}" data-id="${html(finding.id)}" data-state="${finding.state}">${finding.state === "exposed" ? finding.severity.toUpperCase() : html(finding.state)}: ${html(finding.title)}: ${html(finding.detail)}${finding.state === "exposed" ? `<br>Fix: ${html(finding.fix)}` : ""}</li>`).join("\n")}
</ul>
<h2>Users</h2>
<table id="users-table" class="sortable"><thead><tr><th>Login</th><th>Name</th><th>Type</th><th>Company</th><th>Groups</th><th>Admin</th><th>2FA</th><th>Last login (UTC)</th><th>API keys</th><th>Scopes</th><th>Devices</th>${summary.policy ? "<th>Policy</th>" : ""}${summary.addon ? "<th>Addon</th>" : ""}</tr></thead><tbody>
${userRows}
</tbody></table>
<h2>What the API cannot tell</h2>
<ul>${result.limits.map((limit) => `<li>${html(limit)}</li>`).join("")}</ul>
<script>${SORT_SCRIPT}</script>
</body></html>
`;
}

export function formatAudit(format: AuditFormat, result: AuditResult): string {
  if (format === "csv") return formatAuditCsv(result);
  if (format === "json") return formatAuditJson(result);
  if (format === "html") return formatAuditHtml(result);
  return formatAuditTable(result);
}

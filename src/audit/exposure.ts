/**
 * Exposure from outside: requests any visitor could make, without a login and without the API
 * key (none is ever sent here). Each check says what it saw and, when something is open, how much
 * it weighs and what to do. Read-only: GET requests, and the JSON-RPC / XML-RPC calls Odoo serves
 * without a login (`version`, `db.list`), which change nothing.
 *
 * What these cannot know: what the server allows from other networks (every check is from where
 * the command runs), and anything a proxy changes for other host names.
 */
import { decodeMethodResponse, encodeMethodCall, XmlRpcFault, type XmlRpcValue } from "../report/xmlrpc.js";
import type { ExposureFinding } from "./model.js";

export interface ExposureOptions {
  /** The database, for /web/login?db= (so a multi-database server answers for this one). */
  db: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

interface Answer {
  status: number;
  headers: Headers;
  body: string;
  setCookies: string[];
}

/** `<url>/<path>`, keeping a path prefix. */
export function urlFor(url: string, path: string): string {
  const base = new URL(url);
  base.search = "";
  base.hash = "";
  if (!base.pathname.endsWith("/")) base.pathname += "/";
  return new URL(path.replace(/^\//, ""), base).href;
}

const PROXY_FIX = "put Odoo behind the reverse proxy `odoo-2fa proxy` writes (it closes /web/database/ and limits /xmlrpc/ and /jsonrpc to api.networks)";
const LIST_DB_FIX = "set `list_db = False` in odoo.conf (or start Odoo with --no-database-list), and block /web/database/ at the proxy: " + PROXY_FIX;
const TLS_FIX = "serve Odoo only over https through a reverse proxy (`odoo-2fa proxy`), redirect http to https, and run Odoo with --proxy-mode so that it sees the client's https";

const JSON_HEADERS = { "Content-Type": "application/json", Accept: "application/json" };

export async function checkExposure(url: string, options: ExposureOptions): Promise<ExposureFinding[]> {
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const request = async (target: string, init: RequestInit = {}): Promise<Answer | string> => {
    try {
      const response = await doFetch(target, { redirect: "manual", signal: AbortSignal.timeout(timeoutMs), ...init });
      const body = await response.text();
      return { status: response.status, headers: response.headers, body, setCookies: response.headers.getSetCookie?.() ?? [] };
    } catch (error) {
      const cause = (error as { cause?: { code?: string } })?.cause?.code;
      return cause ?? (error as Error)?.name ?? "no answer";
    }
  };
  const jsonRpc = (path: string, params: XmlRpcValue) =>
    request(urlFor(url, path), { method: "POST", headers: JSON_HEADERS, body: JSON.stringify({ jsonrpc: "2.0", method: "call", id: 1, params }) });
  const jsonResult = (answer: Answer | string): { result?: unknown; error?: unknown } | undefined => {
    if (typeof answer === "string" || answer.status !== 200) return undefined;
    try {
      const parsed = JSON.parse(answer.body) as { result?: unknown; error?: unknown };
      return typeof parsed === "object" && parsed !== null ? parsed : undefined;
    } catch {
      return undefined;
    }
  };
  const xmlRpc = async (method: string): Promise<{ value?: XmlRpcValue; fault?: string; seen: string }> => {
    const answer = await request(urlFor(url, "xmlrpc/2/db"), { method: "POST", headers: { "Content-Type": "text/xml" }, body: encodeMethodCall(method, []) });
    if (typeof answer === "string") return { seen: answer };
    if (answer.status !== 200) return { seen: `HTTP ${answer.status}` };
    try {
      return { value: decodeMethodResponse(answer.body), seen: "HTTP 200" };
    } catch (error) {
      if (error instanceof XmlRpcFault) return { fault: error.faultString.split("\n").filter(Boolean).pop() ?? "", seen: "HTTP 200, fault" };
      return { seen: "HTTP 200, not XML-RPC" };
    }
  };
  const seen = (answer: Answer | string) => (typeof answer === "string" ? `no answer (${answer})` : `HTTP ${answer.status}`);
  const findings: ExposureFinding[] = [];
  const add = (finding: ExposureFinding) => findings.push(finding);

  // The database manager and selector: pages that list, create, copy, back up and drop databases.
  const manager = await request(urlFor(url, "web/database/manager"));
  const managerPage = typeof manager !== "string" && manager.status === 200 && /master_pwd|o_database_list|database_manager/.test(manager.body);
  // With list_db = False Odoo still serves the page, saying so, and refuses every database operation.
  const managerDisabled = managerPage && /has been disabled by the administrator/.test((manager as Answer).body);
  const managerOpen = managerPage && !managerDisabled;
  add({
    id: "database-manager",
    state: managerOpen ? "exposed" : typeof manager === "string" ? "unknown" : "closed",
    severity: "high",
    title: "Database manager (/web/database/manager) reachable",
    detail: managerOpen
      ? "HTTP 200: the page to create, duplicate, back up, restore and drop databases is served"
      : managerDisabled
        ? "HTTP 200, but the page says the manager is disabled (list_db = False): database operations are refused"
        : seen(manager),
    fix: LIST_DB_FIX,
  });
  const insecure = managerOpen && /not protected/i.test((manager as Answer).body);
  add({
    id: "master-password",
    state: insecure ? "exposed" : managerOpen ? "closed" : "unknown",
    severity: "high",
    title: "Database manager protected by the default master password",
    detail: insecure ? "the manager page warns that it is not protected (master password unset or 'admin')" : managerOpen ? "the manager page shows no warning" : "the manager page is not served",
    fix: "set a long random `admin_passwd` in odoo.conf, and close the manager: " + LIST_DB_FIX,
  });
  const selector = await request(urlFor(url, "web/database/selector"));
  const selectorOpen = typeof selector !== "string" && selector.status === 200 && /o_database_list|database_manager|\/web\/database/.test(selector.body);
  add({
    id: "database-selector",
    state: selectorOpen ? "exposed" : typeof selector === "string" ? "unknown" : "closed",
    severity: "medium",
    title: "Database selector (/web/database/selector) reachable",
    detail: selectorOpen ? "HTTP 200: the page naming this server's databases is served" : seen(selector),
    fix: LIST_DB_FIX,
  });

  // Database listing, over JSON-RPC and XML-RPC.
  const list = await jsonRpc("web/database/list", {});
  const listed = jsonResult(list);
  const listOpen = Array.isArray(listed?.result);
  add({
    id: "database-list",
    state: listOpen ? "exposed" : typeof list === "string" ? "unknown" : "closed",
    severity: "medium",
    title: "Database listing enabled (/web/database/list)",
    detail: listOpen ? `answered ${(listed!.result as unknown[]).length} database name(s)` : listed?.error ? "refused (AccessDenied)" : seen(list),
    fix: LIST_DB_FIX,
  });
  const dbList = await xmlRpc("list");
  const dbListOpen = Array.isArray(dbList.value);
  add({
    id: "database-list-xmlrpc",
    state: dbListOpen ? "exposed" : dbList.fault !== undefined || /^HTTP [^2]/.test(dbList.seen) ? "closed" : "unknown",
    severity: "medium",
    title: "Database listing over XML-RPC (db.list)",
    detail: dbListOpen ? `answered ${(dbList.value as unknown[]).length} database name(s)` : dbList.fault !== undefined ? `refused: ${dbList.fault}` : dbList.seen,
    fix: LIST_DB_FIX,
  });

  // The server's version, to anyone.
  const versionInfo = jsonResult(await jsonRpc("web/webclient/version_info", {}));
  const webVersion = (versionInfo?.result as { server_version?: unknown } | undefined)?.server_version;
  add({
    id: "version-http",
    state: typeof webVersion === "string" ? "exposed" : "closed",
    severity: "low",
    title: "Server version disclosed (/web/webclient/version_info)",
    detail: typeof webVersion === "string" ? `answered Odoo ${webVersion} without a login` : "no version answered",
    fix: "keep Odoo patched (the version tells an attacker which fixes are missing); a proxy can refuse /web/webclient/version_info to anonymous visitors",
  });

  // XML-RPC and JSON-RPC: the API doors. Reachable is not wrong in itself; from everywhere usually is.
  const common = await request(urlFor(url, "xmlrpc/2/common"), { method: "POST", headers: { "Content-Type": "text/xml" }, body: encodeMethodCall("version", []) });
  let xmlVersion: string | undefined;
  if (typeof common !== "string" && common.status === 200) {
    try {
      const value = decodeMethodResponse(common.body);
      if (typeof value === "object" && value !== null && !Array.isArray(value) && typeof value.server_version === "string") xmlVersion = value.server_version;
    } catch {
      // not XML-RPC
    }
  }
  add({
    id: "xmlrpc",
    state: xmlVersion !== undefined ? "exposed" : typeof common === "string" ? "unknown" : "closed",
    severity: "info",
    title: "XML-RPC (/xmlrpc/2/) reachable from here",
    detail: xmlVersion !== undefined ? `common.version() answered Odoo ${xmlVersion} (version disclosed too)` : seen(common),
    fix: "if this machine is outside the networks your integrations call from, limit /xmlrpc/ to them at the proxy (`odoo-2fa proxy`, api.networks)",
  });
  const jsonrpc = jsonResult(await jsonRpc("jsonrpc", { service: "common", method: "version", args: [] }));
  const jsonVersion = (jsonrpc?.result as { server_version?: unknown } | undefined)?.server_version;
  add({
    id: "jsonrpc",
    state: typeof jsonVersion === "string" ? "exposed" : "closed",
    severity: "info",
    title: "JSON-RPC (/jsonrpc) reachable from here",
    detail: typeof jsonVersion === "string" ? `common.version answered Odoo ${jsonVersion}` : "no answer to common.version",
    fix: "if this machine is outside the networks your integrations call from, limit /jsonrpc to them at the proxy (`odoo-2fa proxy`, api.networks)",
  });

  // The login page: transport security and the session cookie.
  const parsed = new URL(url);
  const https = parsed.protocol === "https:";
  const loopback = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i.test(parsed.hostname);
  let login = await request(`${urlFor(url, "web/login")}?db=${encodeURIComponent(options.db)}`);
  const cookies: string[] = [];
  if (typeof login !== "string") {
    cookies.push(...login.setCookies);
    // /web/login?db= stores the database in the session and redirects to /web/login: follow once, same origin only.
    const location = login.status >= 300 && login.status < 400 ? login.headers.get("location") : null;
    if (location && new URL(location, url).origin === parsed.origin) {
      const cookie = cookies.map((line) => line.split(";")[0]).join("; ");
      login = await request(new URL(location, url).href, { headers: cookie ? { Cookie: cookie } : {} });
      if (typeof login !== "string") cookies.push(...login.setCookies);
    }
  }
  if (!https) {
    add({
      id: "plain-http",
      state: loopback ? "unknown" : typeof login === "string" ? "unknown" : "exposed",
      severity: "high",
      title: "Login page (/web/login) served over plain http",
      detail: loopback
        ? "--url is a loopback http address: audit the address users open to check its TLS"
        : typeof login === "string"
          ? seen(login)
          : `HTTP ${login.status} over http://: passwords, codes and session cookies cross the network in clear`,
      fix: TLS_FIX,
    });
  } else {
    const plain = new URL(urlFor(url, "web/login"));
    plain.protocol = "http:";
    const overHttp = await request(plain.href);
    const served = typeof overHttp !== "string" && overHttp.status === 200;
    const redirected = typeof overHttp !== "string" && overHttp.status >= 300 && overHttp.status < 400 && (overHttp.headers.get("location") ?? "").startsWith("https:");
    add({
      id: "plain-http",
      state: served ? "exposed" : "closed",
      severity: "high",
      title: "Login page (/web/login) also served over plain http",
      detail: served ? `${plain.origin} serves the login page without TLS` : redirected ? `${plain.origin} redirects to https` : seen(overHttp),
      fix: TLS_FIX,
    });
    const hsts = typeof login !== "string" ? login.headers.get("strict-transport-security") : null;
    add({
      id: "hsts",
      state: typeof login === "string" ? "unknown" : hsts && /max-age=\s*[1-9]/i.test(hsts) ? "closed" : "exposed",
      severity: "medium",
      title: "No HSTS on the https login page",
      detail: typeof login === "string" ? seen(login) : hsts ? `Strict-Transport-Security: ${hsts}` : "no Strict-Transport-Security header",
      fix: 'add `Strict-Transport-Security: max-age=31536000` at the proxy (nginx: add_header Strict-Transport-Security "max-age=31536000" always;)',
    });
  }
  const session = cookies.find((line) => /^session_id=/i.test(line.trim()));
  const flags = (session ?? "").split(";").slice(1).map((part) => part.trim().toLowerCase());
  const sameSite = flags.find((flag) => flag.startsWith("samesite="))?.slice("samesite=".length);
  const problems = session
    ? [
        ...(https && !flags.includes("secure") ? ["no Secure"] : []),
        ...(!flags.includes("httponly") ? ["no HttpOnly"] : []),
        ...(!sameSite || sameSite === "none" ? [`SameSite ${sameSite ?? "not set"}`] : []),
      ]
    : [];
  add({
    id: "session-cookie",
    state: !session ? "unknown" : problems.length ? "exposed" : "closed",
    severity: problems.includes("no HttpOnly") || problems.includes("no Secure") ? "medium" : "low",
    title: "Session cookie flags (Secure, HttpOnly, SameSite)",
    detail: !session
      ? "no session_id cookie was set on /web/login"
      : `session_id: ${["secure", "httponly"].map((flag) => `${flag === "secure" ? "Secure" : "HttpOnly"} ${flags.includes(flag) ? "yes" : "no"}`).join(", ")}, SameSite ${sameSite ?? "not set"}${https ? "" : " (Secure cannot be checked over http)"}`,
    fix: "let the proxy mark the cookie (nginx: proxy_cookie_flags session_id secure httponly samesite=lax;), serve only https, and run Odoo with --proxy-mode",
  });
  return findings;
}

/** With the data read: Odoo builds its links with http:// while users reach it over https. */
export function baseUrlFinding(url: string, baseUrl: string | null): ExposureFinding | undefined {
  if (new URL(url).protocol !== "https:" || baseUrl === null) return undefined;
  const plain = baseUrl.startsWith("http:");
  return {
    id: "proxy-mode",
    state: plain ? "exposed" : "closed",
    severity: "medium",
    title: "Odoo builds http:// links behind https (web.base.url)",
    detail: `web.base.url is ${baseUrl}`,
    fix: "run Odoo with --proxy-mode behind a proxy that sends X-Forwarded-Proto and X-Forwarded-Host (`odoo-2fa proxy` writes one), then log in once as an administrator over https",
  };
}

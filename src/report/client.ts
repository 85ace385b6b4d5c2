/**
 * Reads the two-factor compliance figures of one database over Odoo's XML-RPC API, with an
 * administrator's API key. The server side is the generated addon's `totp.policy.compliance`
 * model (policy `report: true`): `report_rows()` refreshes the figures and returns one struct
 * per (user, group, company).
 *
 * Order of calls: `common.version()` first (no secret sent: proves the URL is an Odoo XML-RPC
 * endpoint before the key goes there), then `common.authenticate`, then `object.execute_kw`.
 */
import { ReportError } from "./errors.js";
import { XmlRpcFault, XmlRpcTransportError, xmlRpcCall, type CallOptions, type XmlRpcValue } from "./xmlrpc.js";

export const COMPLIANCE_MODEL = "totp.policy.compliance";
export const COMPLIANCE_METHOD = "report_rows";
export const STATUSES = ["enrolled", "grace", "missing", "exempt"] as const;
export type ComplianceStatus = (typeof STATUSES)[number];

/** One (user, group, company) row. Dates are Odoo's UTC `YYYY-MM-DD HH:MM:SS`. */
export interface ReportRow {
  login: string;
  user: string;
  company: string;
  /** The enforced group the row is about; null when the user is concerned otherwise (an exempt login, a portal user). */
  group: string | null;
  status: ComplianceStatus;
  lastLogin: string | null;
  deadline: string | null;
}

export interface ReportTarget {
  /** Odoo's base URL, e.g. https://erp.example.com (a path prefix is kept). */
  url: string;
  db: string;
  login: string;
  apiKey: string;
}

export interface FetchedReport {
  rows: ReportRow[];
  uid: number;
  /** `server_version` from `common.version()`, e.g. "17.0". */
  serverVersion: string;
}

const ENABLE_HINT =
  "set `report: true` in the policy, regenerate the addon (odoo-2fa generate) and upgrade it in Odoo (Apps → the addon → Upgrade)";

/** `<url>/xmlrpc/2/<service>`, keeping a path prefix and dropping query and fragment. */
export function endpointFor(url: string, service: "common" | "object"): string {
  const base = new URL(url);
  base.search = "";
  base.hash = "";
  if (!base.pathname.endsWith("/")) base.pathname += "/";
  return new URL(`xmlrpc/2/${service}`, base).href;
}

/** The last meaningful line of a fault: Odoo sends whole tracebacks for application errors. */
export function faultSummary(faultString: string): string {
  const lines = faultString.split("\n").map((line) => line.trim()).filter(Boolean);
  return lines[lines.length - 1] ?? "";
}

function transportError(error: XmlRpcTransportError, url: string): ReportError {
  switch (error.kind) {
    case "unreachable":
    case "timeout":
      return new ReportError(
        "unreachable",
        `cannot reach Odoo at ${url}: ${error.message}`,
        "check --url (scheme, host and port) and that Odoo is running; from outside its network you may need a VPN or an SSH tunnel",
      );
    case "redirect":
      return new ReportError(
        "redirect",
        `${url} answered XML-RPC with an ${error.message}; the API key was not sent there`,
        error.location ? "pass the address it redirects to as --url (often https:// instead of http://)" : "pass Odoo's own address as --url",
      );
    case "http":
      return new ReportError(
        "http-error",
        `${url} answered XML-RPC with ${error.message}`,
        error.status === 404 || error.status === 403
          ? "check --url: it must be Odoo's address, and a reverse proxy must let /xmlrpc/2/ through from this machine (odoo-2fa proxy rules allow it only from api.networks)"
          : "check --url and Odoo's log",
      );
    case "protocol":
      return new ReportError("not-xmlrpc", `${url} does not look like Odoo: ${error.message}`, "check --url: it must be Odoo's address (the one of its login page, without /web)");
  }
}

async function call(endpoint: string, method: string, params: XmlRpcValue[], target: ReportTarget, options: CallOptions): Promise<XmlRpcValue> {
  try {
    return await xmlRpcCall(endpoint, method, params, options);
  } catch (error) {
    if (error instanceof XmlRpcTransportError) throw transportError(error, target.url);
    throw error;
  }
}

function authFailed(target: ReportTarget, serverMessage?: string): ReportError {
  return new ReportError(
    "auth-failed",
    `Odoo refused the login "${target.login}" with this API key on database "${target.db}"`,
    "pass --login with the login of the user who owns the key (default admin); check that the key is not revoked or expired, " +
      "and that the policy lets this user use API keys (api.api_keys) from this network (api.networks)",
    serverMessage,
  );
}

function callFault(fault: XmlRpcFault, target: ReportTarget): ReportError {
  const text = fault.faultString;
  const summary = faultSummary(text);
  if (new RegExp(`Object ${COMPLIANCE_MODEL.replace(/\./g, "\\.")} doesn't exist`).test(text))
    return new ReportError(
      "report-unavailable",
      `database "${target.db}" has no two-factor compliance report: the odoo-2fa addon is not installed there, or its policy does not have \`report: true\``,
      ENABLE_HINT,
      summary,
    );
  if (text.includes(COMPLIANCE_METHOD) && /has no attribute|does not exist/.test(text))
    return new ReportError(
      "report-unavailable",
      `the odoo-2fa addon in database "${target.db}" does not offer ${COMPLIANCE_MODEL}.${COMPLIANCE_METHOD}() (an older addon?)`,
      ENABLE_HINT,
      summary,
    );
  if (fault.faultCode === 4 || /AccessError/.test(String(fault.faultCode)))
    return new ReportError(
      "not-admin",
      `the user "${target.login}" may not read the compliance report: only administrators (Settings access, base.group_system) may`,
      "use an API key of an administrator, and pass that user's login with --login",
      summary,
    );
  if (fault.faultCode === 3 || fault.faultCode === "AccessDenied") return authFailed(target, summary);
  return new ReportError("server-error", `Odoo failed to produce the report: ${summary}`, "see Odoo's log around this time for the traceback", summary);
}

const fieldError = (index: number, message: string) =>
  new ReportError(
    "unexpected-answer",
    `the report's row ${index + 1} ${message}`,
    "the addon and this odoo-2fa do not agree: regenerate the addon with this version of odoo-2fa and upgrade it in Odoo",
  );

function optionalText(row: { [key: string]: XmlRpcValue }, key: string, index: number): string | null {
  const value = row[key];
  if (value === false || value === null || value === undefined || value === "") return null;
  if (typeof value !== "string") throw fieldError(index, `has a ${typeof value} as ${key}`);
  return value;
}

/** Checks the server's rows against the contract and turns them into ReportRow (false → null). */
export function parseRows(value: XmlRpcValue): ReportRow[] {
  if (!Array.isArray(value))
    throw new ReportError("unexpected-answer", `${COMPLIANCE_METHOD}() did not return a list`, "regenerate the addon with this version of odoo-2fa and upgrade it in Odoo");
  return value.map((item, index) => {
    if (typeof item !== "object" || item === null || Array.isArray(item)) throw fieldError(index, "is not a struct");
    const login = item.login;
    if (typeof login !== "string" || login === "") throw fieldError(index, "has no login");
    const status = item.status;
    if (typeof status !== "string" || !(STATUSES as readonly string[]).includes(status))
      throw fieldError(index, `has the status ${JSON.stringify(status)}, expected one of ${STATUSES.join(", ")}`);
    return {
      login,
      user: optionalText(item, "user", index) ?? "",
      company: optionalText(item, "company", index) ?? "",
      group: optionalText(item, "group", index),
      status: status as ComplianceStatus,
      lastLogin: optionalText(item, "last_login", index),
      deadline: optionalText(item, "deadline", index),
    };
  });
}

/** Authenticates with the API key and reads the report rows. Errors are ReportError. */
export async function fetchReport(target: ReportTarget, options: CallOptions = {}): Promise<FetchedReport> {
  const common = endpointFor(target.url, "common");

  // 1. No secret yet: is this an Odoo XML-RPC endpoint?
  let serverVersion = "";
  try {
    const version = await call(common, "version", [], target, options);
    if (typeof version !== "object" || version === null || Array.isArray(version) || typeof version.server_version !== "string")
      throw new XmlRpcTransportError("protocol", "version() did not answer Odoo's server_version");
    serverVersion = version.server_version;
  } catch (error) {
    if (error instanceof XmlRpcTransportError) throw transportError(error, target.url);
    if (error instanceof XmlRpcFault)
      throw new ReportError("not-xmlrpc", `${target.url} does not look like Odoo: version() failed (${faultSummary(error.faultString)})`, "check --url");
    throw error;
  }

  // 2. The uid, or false.
  let uid: XmlRpcValue;
  try {
    uid = await call(common, "authenticate", [target.db, target.login, target.apiKey, {}], target, options);
  } catch (error) {
    if (!(error instanceof XmlRpcFault)) throw error;
    const missing = /database "([^"]*)" does not exist/.exec(error.faultString);
    if (missing)
      throw new ReportError("db-not-found", `Odoo at ${target.url} has no database "${target.db}"`, "check --db (the database name shown at /web/database/selector, or in Odoo's configuration)", faultSummary(error.faultString));
    if (error.faultCode === 3) throw authFailed(target, faultSummary(error.faultString));
    throw new ReportError("server-error", `Odoo failed to authenticate: ${faultSummary(error.faultString)}`, "see Odoo's log around this time", faultSummary(error.faultString));
  }
  if (uid === false) throw authFailed(target);
  if (typeof uid !== "number") throw new ReportError("unexpected-answer", "authenticate() answered neither a user id nor false", "check --url: it must be Odoo's address");

  // 3. The rows.
  let rows: XmlRpcValue;
  try {
    rows = await call(endpointFor(target.url, "object"), "execute_kw", [target.db, uid, target.apiKey, COMPLIANCE_MODEL, COMPLIANCE_METHOD, []], target, options);
  } catch (error) {
    if (error instanceof XmlRpcFault) throw callFault(error, target);
    throw error;
  }
  return { rows: parseRows(rows), uid, serverVersion };
}

/**
 * One authenticated conversation with Odoo's XML-RPC API, with an administrator's API key: what
 * `odoo-2fa report` and `odoo-2fa check --url` share. Errors are ReportError, each a refusal or
 * failure on the server's side, named, with what to do.
 *
 * Order of calls: `common.version()` first (no secret sent: proves the URL is an Odoo XML-RPC
 * endpoint before the key goes there), then `common.authenticate`, then `object.execute_kw`.
 */
import { ReportError } from "./errors.js";
import { XmlRpcFault, XmlRpcTransportError, xmlRpcCall, type CallOptions, type XmlRpcValue } from "./xmlrpc.js";

export interface ReportTarget {
  /** Odoo's base URL, e.g. https://erp.example.com (a path prefix is kept). */
  url: string;
  db: string;
  login: string;
  apiKey: string;
}

/** What `common.version()` says, before any secret is sent. */
export interface ServerVersion {
  /** `server_version`, e.g. "17.0" or "17.0+e". */
  serverVersion: string;
  /** `server_serie`, e.g. "17.0" (derived from server_version_info when absent). */
  serverSerie: string;
}

export interface Session extends ServerVersion {
  target: ReportTarget;
  uid: number;
  /** `object.execute_kw(db, uid, key, model, method, args, kwargs)`: faults are thrown as XmlRpcFault. */
  executeKw(model: string, method: string, args: XmlRpcValue[], kwargs?: { [key: string]: XmlRpcValue }): Promise<XmlRpcValue>;
}

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

async function call(endpoint: string, method: string, params: XmlRpcValue[], url: string, options: CallOptions): Promise<XmlRpcValue> {
  try {
    return await xmlRpcCall(endpoint, method, params, options);
  } catch (error) {
    if (error instanceof XmlRpcTransportError) throw transportError(error, url);
    throw error;
  }
}

export function authFailed(target: ReportTarget, serverMessage?: string): ReportError {
  return new ReportError(
    "auth-failed",
    `Odoo refused the login "${target.login}" with this API key on database "${target.db}"`,
    "pass --login with the login of the user who owns the key (default admin); check that the key is not revoked or expired, " +
      "and that the policy lets this user use API keys (api.api_keys) from this network (api.networks)",
    serverMessage,
  );
}

/** `18.0` from server_version_info `[18, 0, 0, "final", 0, ""]`; "" when it is not that shape. */
function serieFromInfo(info: XmlRpcValue | undefined): string {
  if (!Array.isArray(info) || typeof info[0] !== "number" || typeof info[1] !== "number") return "";
  return `${info[0]}.${info[1]}`;
}

/** `common.version()`: is this an Odoo XML-RPC endpoint, and which Odoo? No secret is sent. */
export async function probeServer(url: string, options: CallOptions = {}): Promise<ServerVersion> {
  try {
    const version = await call(endpointFor(url, "common"), "version", [], url, options);
    if (typeof version !== "object" || version === null || Array.isArray(version) || typeof version.server_version !== "string")
      throw new XmlRpcTransportError("protocol", "version() did not answer Odoo's server_version");
    const serverSerie = typeof version.server_serie === "string" && version.server_serie ? version.server_serie : serieFromInfo(version.server_version_info);
    return { serverVersion: version.server_version, serverSerie };
  } catch (error) {
    if (error instanceof XmlRpcTransportError) throw transportError(error, url);
    if (error instanceof XmlRpcFault)
      throw new ReportError("not-xmlrpc", `${url} does not look like Odoo: version() failed (${faultSummary(error.faultString)})`, "check --url");
    throw error;
  }
}

/** `common.authenticate` with the API key (after `probeServer`): a Session, or a ReportError. */
export async function authenticate(target: ReportTarget, server: ServerVersion, options: CallOptions = {}): Promise<Session> {
  let uid: XmlRpcValue;
  try {
    uid = await call(endpointFor(target.url, "common"), "authenticate", [target.db, target.login, target.apiKey, {}], target.url, options);
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
  const object = endpointFor(target.url, "object");
  const id = uid;
  return {
    ...server,
    target,
    uid: id,
    executeKw: (model, method, args, kwargs) =>
      call(object, "execute_kw", [target.db, id, target.apiKey, model, method, args, ...(kwargs ? [kwargs] : [])], target.url, options),
  };
}

/** `probeServer` then `authenticate`. */
export async function openSession(target: ReportTarget, options: CallOptions = {}): Promise<Session> {
  return authenticate(target, await probeServer(target.url, options), options);
}

/** What a caller of one public method says when the server refuses or fails it. */
export interface MethodWords {
  model: string;
  method: string;
  /** The model or the method is not there: the addon is absent, older, or lacks a switch. */
  unavailable: (kind: "model" | "method", serverMessage: string) => ReportError;
  /** "the compliance report", "the deployed policy": what only administrators may read. */
  what: string;
}

/** A fault of `execute_kw(model, method)` as a ReportError. */
export function methodFault(fault: XmlRpcFault, target: ReportTarget, words: MethodWords): ReportError {
  const text = fault.faultString;
  const summary = faultSummary(text);
  if (new RegExp(`Object ${words.model.replace(/\./g, "\\.")} doesn't exist`).test(text)) return words.unavailable("model", summary);
  if (text.includes(words.method) && /has no attribute|does not exist/.test(text)) return words.unavailable("method", summary);
  if (fault.faultCode === 4 || /AccessError/.test(String(fault.faultCode)))
    return new ReportError(
      "not-admin",
      `the user "${target.login}" may not read ${words.what}: only administrators (Settings access, base.group_system) may`,
      "use an API key of an administrator, and pass that user's login with --login",
      summary,
    );
  if (fault.faultCode === 3 || fault.faultCode === "AccessDenied") return authFailed(target, summary);
  return new ReportError("server-error", `Odoo failed to produce ${words.what}: ${summary}`, "see Odoo's log around this time for the traceback", summary);
}

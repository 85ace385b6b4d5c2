/**
 * Reads the two-factor compliance figures of one database over Odoo's XML-RPC API, with an
 * administrator's API key. The server side is the generated addon's `totp.policy.compliance`
 * model (policy `report: true`): `report_rows()` computes the figures as of now (writing nothing)
 * and returns one struct per (user, group, company).
 *
 * The conversation itself (version, authenticate, execute_kw) is ./session.ts.
 */
import { ReportError } from "./errors.js";
import { methodFault, openSession, type ReportTarget } from "./session.js";
import { XmlRpcFault, type CallOptions, type XmlRpcValue } from "./xmlrpc.js";

export { endpointFor, faultSummary, type ReportTarget } from "./session.js";

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

export interface FetchedReport {
  rows: ReportRow[];
  uid: number;
  /** `server_version` from `common.version()`, e.g. "17.0". */
  serverVersion: string;
}

const ENABLE_HINT =
  "set `report: true` in the policy, regenerate the addon (odoo-2fa generate) and upgrade it in Odoo (Apps → the addon → Upgrade)";

function callFault(fault: XmlRpcFault, target: ReportTarget): ReportError {
  return methodFault(fault, target, {
    model: COMPLIANCE_MODEL,
    method: COMPLIANCE_METHOD,
    what: "the compliance report",
    unavailable: (kind, summary) =>
      new ReportError(
        "report-unavailable",
        kind === "model"
          ? `database "${target.db}" has no two-factor compliance report: the odoo-2fa addon is not installed there, or its policy does not have \`report: true\``
          : `the odoo-2fa addon in database "${target.db}" does not offer ${COMPLIANCE_MODEL}.${COMPLIANCE_METHOD}() (an older addon?)`,
        ENABLE_HINT,
        summary,
      ),
  });
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
  const session = await openSession(target, options);
  let rows: XmlRpcValue;
  try {
    rows = await session.executeKw(COMPLIANCE_MODEL, COMPLIANCE_METHOD, []);
  } catch (error) {
    if (error instanceof XmlRpcFault) throw callFault(error, target);
    throw error;
  }
  return { rows: parseRows(rows), uid: session.uid, serverVersion: session.serverVersion };
}

/**
 * What `odoo-2fa check --url` reads from a running Odoo, over the session `odoo-2fa report` uses:
 * the addon's row in `ir.module.module`, then the generated addon's own account of what it
 * deployed, `totp.policy.deployment.totp_policy_state()` (administrators only). Comparing them
 * with the policy file is ./compare.ts (pure).
 */
import { ReportError } from "../report/errors.js";
import { methodFault, type Session } from "../report/session.js";
import { XmlRpcFault, type XmlRpcValue } from "../report/xmlrpc.js";

export const DEPLOYMENT_MODEL = "totp.policy.deployment";
export const STATE_METHOD = "totp_policy_state";

/** The addon as `ir.module.module` knows it. */
export interface ModuleRecord {
  name: string;
  /** installed, uninstalled, to install, to upgrade, to remove, uninstallable. */
  state: string;
  /** The version installed in the database (`latest_version`); null when never installed. */
  latestVersion: string | null;
}

/** `totp_policy_state()`, checked and in camelCase. `shipped` and `enforced` have the shape of DeployedPolicy. */
export interface DeploymentState {
  module: string;
  /** The version installed in the database. */
  installedVersion: string;
  /** The version of the addon's code the server runs. */
  shippedVersion: string;
  /** What the last install or update deployed: digest, version, date (UTC). */
  deployedDigest: string;
  deployedVersion: string;
  deployedDate: string;
  editable: boolean;
  /** The digest of the policy in the addon's code the server runs. */
  shippedDigest: string;
  shipped: Record<string, unknown>;
  /** What the database enforces now: the Settings values while the policy is editable. */
  enforced: Record<string, unknown>;
}

const REGENERATE_HINT = "regenerate the addon with this version of odoo-2fa (odoo-2fa generate) and upgrade it in the database (odoo -u <addon>)";

const unexpected = (message: string) => new ReportError("unexpected-answer", `${STATE_METHOD}() ${message}`, REGENERATE_HINT);

const isStruct = (value: XmlRpcValue | undefined): value is { [key: string]: XmlRpcValue } =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** Odoo sends False for an empty Char: "" here. */
function text(struct: { [key: string]: XmlRpcValue }, key: string): string {
  const value = struct[key];
  if (value === false || value === null || value === undefined) return "";
  if (typeof value !== "string") throw unexpected(`answered a ${typeof value} as ${key}`);
  return value;
}

/** Checks the server's answer against the contract of the addon's `totp_policy_state()`. */
export function parseDeploymentState(value: XmlRpcValue): DeploymentState {
  if (!isStruct(value)) throw unexpected("did not answer a struct");
  const { editable, shipped, enforced } = value;
  if (typeof editable !== "boolean") throw unexpected("answered no editable flag");
  if (!isStruct(shipped)) throw unexpected("answered no shipped policy");
  if (!isStruct(enforced)) throw unexpected("answered no enforced policy");
  const module = text(value, "module");
  if (!module) throw unexpected("named no module");
  return {
    module,
    installedVersion: text(value, "installed_version"),
    shippedVersion: text(value, "shipped_version"),
    deployedDigest: text(value, "deployed_digest"),
    deployedVersion: text(value, "deployed_version"),
    deployedDate: text(value, "deployed_date"),
    editable,
    shippedDigest: text(value, "shipped_digest"),
    shipped,
    enforced,
  };
}

/** The addon's row in `ir.module.module`, or undefined when this Odoo does not know the module at all. */
export async function readModule(session: Session, name: string): Promise<ModuleRecord | undefined> {
  let rows: XmlRpcValue;
  try {
    rows = await session.executeKw("ir.module.module", "search_read", [[["name", "=", name]]], { fields: ["name", "state", "latest_version"] });
  } catch (error) {
    if (error instanceof XmlRpcFault)
      throw methodFault(error, session.target, {
        model: "ir.module.module",
        method: "search_read",
        what: "the installed modules",
        unavailable: (_kind, summary) => new ReportError("server-error", `Odoo failed to list its modules: ${summary}`, "see Odoo's log", summary),
      });
    throw error;
  }
  if (!Array.isArray(rows)) throw new ReportError("unexpected-answer", "ir.module.module.search_read() did not return a list", "check --url: it must be Odoo's address");
  const row = rows.find((item) => isStruct(item) && item.name === name);
  if (!isStruct(row)) return undefined;
  const state = typeof row.state === "string" ? row.state : "";
  const latest = row.latest_version;
  return { name, state, latestVersion: typeof latest === "string" && latest ? latest : null };
}

/** `totp_policy_state()` of the installed addon. */
export async function readDeploymentState(session: Session, addon: string): Promise<DeploymentState> {
  let value: XmlRpcValue;
  try {
    value = await session.executeKw(DEPLOYMENT_MODEL, STATE_METHOD, []);
  } catch (error) {
    if (error instanceof XmlRpcFault)
      throw methodFault(error, session.target, {
        model: DEPLOYMENT_MODEL,
        method: STATE_METHOD,
        what: "the deployed 2FA policy",
        unavailable: (_kind, summary) =>
          new ReportError(
            "state-unavailable",
            `the addon ${addon} in database "${session.target.db}" does not offer ${DEPLOYMENT_MODEL}.${STATE_METHOD}(): it was generated by an older odoo-2fa`,
            REGENERATE_HINT.replace("<addon>", addon),
            summary,
          ),
      });
    throw error;
  }
  return parseDeploymentState(value);
}

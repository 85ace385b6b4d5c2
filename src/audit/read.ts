/**
 * Reads the compliance facts of one database over the XML-RPC session `odoo-2fa report` and
 * `check --url` share (src/report/session.ts), with an administrator's API key. Read-only by
 * construction: the only methods called are `fields_get`, `read`, `search_read` and the installed
 * addon's `totp_policy_state()` (src/check/live.ts), none of which writes. Not the addon's
 * `report_rows()`, which only addons with the `report` feature have: the audit reads the addon's
 * per-user status field instead, computed on the fly by the same `_totp_policy_state`.
 *
 * The one write no client can avoid: Odoo records every successful `authenticate` as a login of
 * the key's owner (a `res.users.log` row, hence `login_date`).
 */
import { readDeploymentState } from "../check/live.js";
import { ReportError } from "../report/errors.js";
import { methodFault, type Session } from "../report/session.js";
import { XmlRpcFault, type XmlRpcValue } from "../report/xmlrpc.js";
import { AuditError } from "./errors.js";
import type { AddonInfo, AddonStatus, ApiKeyInfo } from "./model.js";

type Struct = { [key: string]: XmlRpcValue };

/** One active user as Odoo stores it, before any policy is applied. */
export interface RawUser {
  id: number;
  login: string;
  name: string;
  share: boolean;
  company: string;
  /** Every group the user has, implied groups included. */
  groupIds: Set<number>;
  totp: boolean | null;
  lastLogin: string | null;
  addonStatus?: AddonStatus;
}

export interface OdooFacts {
  uid: number;
  users: RawUser[];
  /** Group id → name. */
  groupNames: Map<number, string>;
  /** `module.name` → group id, for the groups Odoo has. */
  groupXmlIds: Map<string, number>;
  apiKeys: Map<number, ApiKeyInfo[]>;
  devices: Map<number, number>;
  /** Whether auth_totp (Odoo's 2FA) is installed. */
  authTotp: boolean;
  /** `web.base.url`, the address Odoo builds its links with. */
  baseUrl: string | null;
  addon?: AddonInfo;
}

const isStruct = (value: XmlRpcValue | undefined): value is Struct => typeof value === "object" && value !== null && !Array.isArray(value);

const unexpected = (what: string) =>
  new AuditError("unexpected-answer", `Odoo answered ${what} in a shape odoo-2fa audit does not know`, "check --url: it must be Odoo 16.0–19.0's own address");

function list(value: XmlRpcValue, what: string): Struct[] {
  if (!Array.isArray(value) || !value.every(isStruct)) throw unexpected(what);
  return value as Struct[];
}

const text = (value: XmlRpcValue | undefined): string => (typeof value === "string" ? value : "");
const optionalText = (value: XmlRpcValue | undefined): string | null => (typeof value === "string" && value !== "" ? value : null);
/** A many2one as XML-RPC sends it: `[id, name]` or false. */
const many2one = (value: XmlRpcValue | undefined): { id: number; name: string } | undefined =>
  Array.isArray(value) && typeof value[0] === "number" ? { id: value[0], name: text(value[1]) } : undefined;
const ids = (value: XmlRpcValue | undefined): number[] => (Array.isArray(value) ? value.filter((item): item is number => typeof item === "number") : []);

async function call(session: Session, model: string, method: string, args: XmlRpcValue[], kwargs?: Struct): Promise<XmlRpcValue> {
  try {
    return await session.executeKw(model, method, args, kwargs);
  } catch (error) {
    if (error instanceof XmlRpcFault)
      throw methodFault(error, session.target, {
        model,
        method,
        what: `${model} (${method})`,
        unavailable: (_kind, summary) =>
          new ReportError("server-error", `Odoo failed to answer ${model}.${method}(): ${summary}`, "see Odoo's log around this time", summary),
      });
    throw error;
  }
}

/** The transitive closure of `start` over `implied`. */
export function closure(start: Iterable<number>, implied: ReadonlyMap<number, readonly number[]>): Set<number> {
  const seen = new Set<number>();
  const queue = [...start];
  while (queue.length) {
    const id = queue.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    queue.push(...(implied.get(id) ?? []));
  }
  return seen;
}

export const SYSTEM_GROUP = "base.group_system";
export const ACCESS_RIGHTS_GROUP = "base.group_erp_manager";
export const PORTAL_GROUP = "base.group_portal";
export const PUBLIC_GROUP = "base.group_public";

export type ReadStep = "fields" | "groups" | "users" | "api keys" | "trusted devices" | "addon";

/** Reads everything the audit reports, in a few calls. `onStep` is told each step as it starts. */
export async function readFacts(session: Session, onStep: (step: ReadStep, detail?: string) => void = () => {}): Promise<OdooFacts> {
  onStep("fields");
  const fieldsValue = await call(session, "res.users", "fields_get", [], { attributes: ["type"] });
  if (!isStruct(fieldsValue)) throw unexpected("res.users.fields_get()");
  const has = (field: string) => Object.prototype.hasOwnProperty.call(fieldsValue, field);
  // 16.0–18.0 call it groups_id, 19.0 group_ids; either way closed over implied groups below.
  const groupsField = has("group_ids") ? "group_ids" : "groups_id";
  const authTotp = has("totp_enabled");
  const addonInstalled = has("totp_policy_status");

  onStep("groups");
  const xmlIdRows = list(
    await call(session, "ir.model.data", "search_read", [[["model", "=", "res.groups"]]], { fields: ["module", "name", "res_id"] }),
    "ir.model.data.search_read()",
  );
  const groupXmlIds = new Map<string, number>();
  for (const row of xmlIdRows) if (typeof row.res_id === "number") groupXmlIds.set(`${text(row.module)}.${text(row.name)}`, row.res_id);
  const groupRows = list(
    await call(session, "res.groups", "search_read", [[]], { fields: ["display_name", "implied_ids"], context: { active_test: false } }),
    "res.groups.search_read()",
  );
  const groupNames = new Map<number, string>();
  const implied = new Map<number, number[]>();
  for (const row of groupRows) {
    if (typeof row.id !== "number") throw unexpected("res.groups.search_read()");
    groupNames.set(row.id, text(row.display_name));
    implied.set(row.id, ids(row.implied_ids));
  }

  // Only administrators: say so before reading anyone else's data (Odoo would hand a plain
  // user a partial view, not an error).
  const system = groupXmlIds.get(SYSTEM_GROUP);
  const own = list(await call(session, "res.users", "read", [[session.uid], [groupsField]]), "res.users.read()");
  if (system === undefined || !closure(ids(own[0]?.[groupsField]), implied).has(system))
    throw new ReportError(
      "not-admin",
      `the user "${session.target.login}" may not audit database "${session.target.db}": only administrators (Settings access, base.group_system) may`,
      "use an API key of an administrator, and pass that user's login with --login",
    );

  onStep("users");
  const fields = ["login", "name", "share", "company_id", groupsField, "login_date", ...(authTotp ? ["totp_enabled"] : []), ...(addonInstalled ? ["totp_policy_status"] : [])];
  const userRows = list(await call(session, "res.users", "search_read", [[]], { fields, order: "login" }), "res.users.search_read()");
  const users: RawUser[] = userRows.map((row) => {
    if (typeof row.id !== "number" || typeof row.login !== "string") throw unexpected("res.users.search_read()");
    const status = row.totp_policy_status;
    return {
      id: row.id,
      login: row.login,
      name: text(row.name),
      share: row.share === true,
      company: many2one(row.company_id)?.name ?? "",
      groupIds: closure(ids(row[groupsField]), implied),
      totp: authTotp ? row.totp_enabled === true : null,
      lastLogin: optionalText(row.login_date),
      ...(addonInstalled && typeof status === "string" ? { addonStatus: status as AddonStatus } : {}),
    };
  });
  onStep("users", `${users.length}/${users.length}`);

  onStep("api keys");
  const keyFields = await call(session, "res.users.apikeys", "fields_get", [], { attributes: ["type"] });
  const expiry = isStruct(keyFields) && Object.prototype.hasOwnProperty.call(keyFields, "expiration_date");
  const apiKeys = new Map<number, ApiKeyInfo[]>();
  const keyRows = list(
    await call(session, "res.users.apikeys", "search_read", [[]], { fields: ["name", "user_id", "scope", "create_date", ...(expiry ? ["expiration_date"] : [])] }),
    "res.users.apikeys.search_read()",
  );
  for (const row of keyRows) {
    const user = many2one(row.user_id);
    if (!user) continue;
    const keys = apiKeys.get(user.id) ?? [];
    keys.push({ name: text(row.name), scope: text(row.scope), created: optionalText(row.create_date), expires: optionalText(row.expiration_date) });
    apiKeys.set(user.id, keys);
  }

  const devices = new Map<number, number>();
  if (authTotp) {
    onStep("trusted devices");
    const deviceRows = list(await call(session, "auth_totp.device", "search_read", [[]], { fields: ["user_id"] }), "auth_totp.device.search_read()");
    for (const row of deviceRows) {
      const user = many2one(row.user_id);
      if (user) devices.set(user.id, (devices.get(user.id) ?? 0) + 1);
    }
  }

  const baseRows = list(await call(session, "ir.config_parameter", "search_read", [[["key", "=", "web.base.url"]]], { fields: ["value"] }), "ir.config_parameter.search_read()");
  const baseUrl = optionalText(baseRows[0]?.value);

  let addon: AddonInfo | undefined;
  if (addonInstalled) {
    onStep("addon");
    const state = await readDeploymentState(session, "the odoo-2fa addon");
    addon = {
      module: state.module,
      installedVersion: state.installedVersion,
      deployedDigest: state.deployedDigest,
      deployedDate: state.deployedDate,
      shippedDigest: state.shippedDigest,
      editable: state.editable,
    };
  }
  return { uid: session.uid, users, groupNames, groupXmlIds, apiKeys, devices, authTotp, baseUrl, addon };
}

import type { Series } from "./series.js";

/**
 * Everything that differs between Odoo series, as data. Templates read these values as
 * `profile.*`; a file that differs beyond what data can express gets an overlay in
 * `templates/<series>/`.
 */
export interface SeriesProfile {
  series: Series;
  /** Field on `res.users` holding the user's own groups. */
  userGroupsField: "groups_id" | "group_ids";
  /** Field on `res.groups` listing its users. */
  groupUsersField: "users" | "user_ids";
  /** `_check_credentials(password, env)` until 17.0, `(credential, env)` from 18.0. */
  checkCredentialsArg: "password" | "credential";
  /** `res.users.apikeys._generate(scope, name)` or `(scope, name, expiration_date)`. */
  apiKeyGenerateTakesExpiration: boolean;
  /** Root tag of list views. */
  listViewTag: "tree" | "list";
  /** `view_mode` token for list views. */
  listViewMode: "tree" | "list";
  /** Whether `/json/2/<model>/<method>` (bearer API keys) exists. */
  hasJson2: boolean;
  /** Init/uninstall hooks take `(cr, registry)` in 16.0 and `(env)` after. */
  hookArgs: "cr, registry" | "env";
  /**
   * Odoo's inter-process cache signaling for the `default` ormcache: `signal` (a PL/pgSQL statement) makes every
   * process clear it at its next request, `current` reads where it stands. A sequence until 18.0
   * (one for all caches in 16.0), an insert-only table in 19.0.
   */
  cacheSignal: { signal: string; current: string };
  /**
   * What a search method may hand back as the right side of `("id", "in", …)` to have the database
   * pick the records: a `Query` over a table expression (16.0), or an `SQL` sub-select (17.0+).
   */
  subselectDomain: "Query" | "SQL";
  /**
   * What a model's `_table_query` (a model over a query, as Odoo's reports are) hands the ORM: a
   * string with its parameters in it and `%` doubled, which `Query` puts in parentheses (16.0); an
   * `SQL` object already in parentheses, which `Query` uses as it is (17.0); or an `SQL` object,
   * which `_table_sql` puts in parentheses (18.0+).
   */
  tableQuery: "string" | "SQL in parentheses" | "SQL";
  /** Where the login code step checks a TOTP code: `_totp_check(code)`, or `_check_credentials` with `type: "totp"` (19.0). */
  totpCodeCheck: "_totp_check" | "_check_credentials";
  /**
   * Whether Odoo itself refuses a TOTP code used once (`res.users.totp_last_counter`, 19.0);
   * otherwise the addon's `totp_counter` feature does.
   */
  totpRefusesReplays: boolean;
  /** The ormcached check of XML-RPC credentials: classmethod `check(db, uid, passwd)` until 18.0. */
  rpcCheckMethod: "check" | "_check_uid_passwd";
  /** Registry cache invalidation: `clear_caches()` in 16.0, `clear_cache()` after. */
  registryClearCache: "clear_caches" | "clear_cache";
  /** Modules the generated addon always depends on (group modules of the policy are added). */
  addonDepends: readonly string[];
  /** `ir.cron` still has `numbercall` (default 1: run once) and `doall`: 16.0 and 17.0. */
  cronHasNumbercall: boolean;
  /**
   * How a scheduled action that works in batches asks to run again: its own `_trigger()` (16.0,
   * 17.0), `ir.cron._notify_progress` (18.0) or `ir.cron._commit_progress` (19.0, which
   * deprecates the former); the runner of 18.0+ repeats the job while work remains.
   */
  cronBatches: "trigger" | "notify_progress" | "commit_progress";
  /**
   * Whether Odoo has passkeys (`auth_passkey`, WebAuthn sign-in: 18.0 and later); the addon's
   * `passkeys` feature needs it.
   */
  passkeys: boolean;
  /**
   * The addon's `pyproject.toml` (whool, `WHOOL_PYPROJECT` in packaging.ts) from 17.0, as OCA's
   * branches carry it; `false` on 16.0, whose OCA branches package addons from a `setup/` folder
   * outside the addon.
   */
  pyproject: string | false;
  /**
   * Whether an update fails on a model removed from code that had a Selection field (16.0, 17.0:
   * `ir.model.fields.selection._process_ondelete` looks the model up in the registry), so the
   * addon removes such values of its features that are off itself.
   */
  selectionOfRemovedModelFails: boolean;
  /** Login redirect default target after a full login. */
  backendHome: "/web" | "/odoo";
  /**
   * Whether a test's HTTP server answers only requests made under `HttpCase.allow_requests()`
   * (19.0: a per-test cookie); tests that open clients of their own need it.
   */
  testRequestsNeedKey: boolean;
  /**
   * Whether `auth_totp.device._get_trusted_device_age` decides how long a trusted device's key and
   * cookie last (19.0); before, `auth_totp`'s module constant `TRUSTED_DEVICE_AGE` (90 days) does,
   * and the addon can only rewrite the cookie Odoo set.
   */
  trustedDeviceAgeHook: boolean;
  /**
   * Where Odoo's identity check (`res.users.identitycheck.run_check`) reads the password: the
   * wizard's stored `password` field (16.0-18.0) or the context key `password` (19.0).
   */
  identityCheckPassword: "field" | "context";
}

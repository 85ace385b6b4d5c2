import type { SeriesProfile } from "./types.js";

export const profile16: SeriesProfile = {
  series: "16.0",
  userGroupsField: "groups_id",
  groupUsersField: "users",
  checkCredentialsArg: "password",
  apiKeyGenerateTakesExpiration: false,
  listViewTag: "tree",
  listViewMode: "tree",
  hasJson2: false,
  hookArgs: "cr, registry",
  registryClearCache: "clear_caches",
  cacheSignal: {
    signal: "PERFORM nextval('base_cache_signaling')",
    current: "SELECT last_value FROM base_cache_signaling",
  },
  rpcCheckMethod: "check",
  totpRefusesReplays: false,
  totpCodeCheck: "_totp_check",
  addonDepends: ["auth_totp", "bus", "auth_totp_mail_enforce", "auth_totp_portal", "base_setup"],
  cronHasNumbercall: true,
  cronBatches: "trigger",
  pyproject: false,
  selectionOfRemovedModelFails: true,
  backendHome: "/web",
};

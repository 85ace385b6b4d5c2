import type { SeriesProfile } from "./types.js";

export const profile16: SeriesProfile = {
  series: "16.0",
  webHomeController: "odoo.addons.web.controllers.home",
  userGroupsField: "groups_id",
  groupUsersField: "users",
  recordGroupsField: "groups_id",
  checkCredentialsArg: "password",
  apiKeyGenerateTakesExpiration: false,
  settingsMarkup: "div",
  listViewTag: "tree",
  listViewMode: "tree",
  modifierSyntax: "attrs",
  rpcModule: "base",
  coreEnforcementModule: "auth_totp_mail_enforce",
  hasJson2: false,
  hookArgs: "cr, registry",
  registryClearCache: "clear_caches",
  sessionAccess: "attribute",
  jsonRouteType: "json",
  addonDepends: ["auth_totp", "auth_totp_mail_enforce", "auth_totp_portal", "base_setup"],
  backendHome: "/web",
};

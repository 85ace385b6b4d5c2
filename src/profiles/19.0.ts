import type { SeriesProfile } from "./types.js";
import { profile18 } from "./18.0.js";

export const profile19: SeriesProfile = {
  ...profile18,
  series: "19.0",
  userGroupsField: "group_ids",
  addonDepends: ["auth_totp", "bus", "auth_totp_mail", "auth_totp_portal", "base_setup"],
  groupUsersField: "user_ids",
  hasJson2: true,
  rpcCheckMethod: "_check_uid_passwd",
  totpRefusesReplays: true,
  totpCodeCheck: "_check_credentials",
  cacheSignal: {
    signal: "INSERT INTO orm_signaling_default DEFAULT VALUES",
    current: "SELECT max(id) FROM orm_signaling_default",
  },
  cronBatches: "commit_progress",
  testRequestsNeedKey: true,
  trustedDeviceAgeHook: true,
  identityCheckPassword: "context",
};

import type { SeriesProfile } from "./types.js";
import { profile17 } from "./17.0.js";

export const profile18: SeriesProfile = {
  ...profile17,
  series: "18.0",
  checkCredentialsArg: "credential",
  apiKeyGenerateTakesExpiration: true,
  listViewTag: "list",
  listViewMode: "list",
  tableQuery: "SQL",
  cronHasNumbercall: false,
  cronBatches: "notify_progress",
  passkeys: true,
  selectionOfRemovedModelFails: false,
  backendHome: "/odoo",
};

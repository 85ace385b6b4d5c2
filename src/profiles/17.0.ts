import type { SeriesProfile } from "./types.js";
import { profile16 } from "./16.0.js";
import { WHOOL_PYPROJECT } from "./packaging.js";

export const profile17: SeriesProfile = {
  ...profile16,
  series: "17.0",
  hookArgs: "env",
  pyproject: WHOOL_PYPROJECT,
  registryClearCache: "clear_cache",
  subselectDomain: "SQL",
  tableQuery: "SQL in parentheses",
  cacheSignal: {
    signal: "PERFORM nextval('base_cache_signaling_default')",
    current: "SELECT last_value FROM base_cache_signaling_default",
  },
};

import type { SeriesProfile } from "./types.js";
import { profile16 } from "./16.0.js";

export const profile17: SeriesProfile = {
  ...profile16,
  series: "17.0",
  settingsMarkup: "app-block-setting",
  modifierSyntax: "inline",
  hookArgs: "env",
  registryClearCache: "clear_cache",
  cacheSignalingSequence: "base_cache_signaling_default",
};

import type { Series } from "./series.js";
import { profile16 } from "./16.0.js";
import { profile17 } from "./17.0.js";
import { profile18 } from "./18.0.js";
import { profile19 } from "./19.0.js";
import type { SeriesProfile } from "./types.js";

export type { SeriesProfile } from "./types.js";
export { isSeries, SERIES, type Series } from "./series.js";
export { WHOOL_PYPROJECT } from "./packaging.js";

const PROFILES: Readonly<Record<Series, SeriesProfile>> = {
  "16.0": profile16,
  "17.0": profile17,
  "18.0": profile18,
  "19.0": profile19,
};

export function profileFor(series: Series): SeriesProfile {
  return PROFILES[series];
}

import { SERIES, type Series } from "../policy/model.js";
import { didYouMean } from "../policy/suggest.js";
import { CliError } from "./output.js";

/** `--odoo 16.0,17.0`, `--odoo all`, repeated `--odoo` → the series, in release order, once each. */
export function parseSeriesList(values: readonly string[]): Series[] {
  const wanted = new Set<Series>();
  const parts = values
    .flatMap((value) => String(value).split(","))
    .map((part) => part.trim())
    .filter(Boolean);
  if (parts.length === 0)
    throw new CliError("--odoo names no series", "usage", {
      kind: "usage",
      expected: `all, or one or more of ${SERIES.join(", ")} separated by commas`,
    });
  for (const part of parts) {
    if (part === "all") {
      for (const series of SERIES) wanted.add(series);
      continue;
    }
    const normalised = /^\d+$/.test(part) ? `${part}.0` : part;
    if ((SERIES as readonly string[]).includes(normalised) && normalised === part) {
      wanted.add(part as Series);
      continue;
    }
    // A typo of "all", or "17" for "17.0"; another version number is not a typo of a supported one.
    const suggestion = (SERIES as readonly string[]).includes(normalised) ? normalised : didYouMean(part, ["all"]);
    const hint = suggestion
      ? `did you mean ${suggestion}?`
      : /^\d+(\.\d+)?$/.test(part)
        ? `odoo-2fa supports Odoo ${SERIES[0]} to ${SERIES[SERIES.length - 1]}`
        : undefined;
    throw new CliError(`--odoo: unknown Odoo series "${part}"`, "usage", {
      kind: "usage",
      expected: `all, or one or more of ${SERIES.join(", ")} separated by commas`,
      ...(hint ? { hint } : {}),
    });
  }
  return SERIES.filter((series) => wanted.has(series));
}

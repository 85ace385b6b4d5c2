/**
 * The Odoo series odoo-2fa supports, in release order: the one list every module that names
 * series (policy model, CLI options and help, verify backends, templates loader) imports.
 */
export const SERIES = ["16.0", "17.0", "18.0", "19.0"] as const;
export type Series = (typeof SERIES)[number];

export function isSeries(value: string): value is Series {
  return (SERIES as readonly string[]).includes(value);
}

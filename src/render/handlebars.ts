import Handlebars from "handlebars";
import { csvField, mdInline, poString, pyString, rstHeading, rstInline, xmlEscape } from "./escape.js";

function asText(value: unknown, helper: string): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  throw new TypeError(`{{${helper}}} expects a string, number or boolean, got ${typeof value}`);
}

/**
 * A private Handlebars instance for code: no HTML escaping (every value goes through a helper
 * for its target language), strict lookups (a misspelt context key is an error, not "").
 */
export function createTemplateEngine(): typeof Handlebars {
  const hb = Handlebars.create();
  const text = (name: string, escape: (s: string) => string) =>
    hb.registerHelper(name, (value: unknown) => escape(asText(value, name)));
  text("py", pyString);
  text("xml", xmlEscape);
  text("csv", csvField);
  text("rst", rstInline);
  text("md", mdInline);
  text("po", poString);
  hb.registerHelper("rstHeading", (value: unknown, underline: unknown) =>
    rstHeading(asText(value, "rstHeading"), asText(underline, "rstHeading")),
  );
  hb.registerHelper("json", (value: unknown) => JSON.stringify(value));
  /** A Python bool literal. */
  hb.registerHelper("pyBool", (value: unknown) => (value ? "True" : "False"));
  hb.registerHelper("eq", (a: unknown, b: unknown) => a === b);
  hb.registerHelper("ne", (a: unknown, b: unknown) => a !== b);
  hb.registerHelper("not", (a: unknown) => !a);
  hb.registerHelper("and", (...args: unknown[]) => args.slice(0, -1).every(Boolean));
  hb.registerHelper("or", (...args: unknown[]) => args.slice(0, -1).some(Boolean));
  hb.registerHelper("join", (items: unknown, separator: unknown) => {
    if (!Array.isArray(items)) throw new TypeError("{{join}} expects a list");
    return items.map((item) => asText(item, "join")).join(typeof separator === "string" ? separator : ", ");
  });
  return hb;
}

export const COMPILE_OPTIONS = { noEscape: true, strict: true } as const;

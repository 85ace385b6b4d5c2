import { createRequire } from "node:module";
import type HandlebarsFull from "handlebars";
import HandlebarsRuntime from "handlebars/runtime.js";
import { csvField, mdInline, poString, pyLiteral, pyString, rstHeading, rstInline, xmlEscape } from "./escape.js";

/** The Handlebars API the renderer uses (the runtime, plus `compile` backed by the full compiler). */
export type TemplateEngine = typeof HandlebarsFull;

/** A precompiled template: the code `Handlebars.precompile` returns, evaluated to an object. */
export type TemplateSpec = Parameters<TemplateEngine["template"]>[0];

export const COMPILE_OPTIONS = { noEscape: true, strict: true } as const;

function asText(value: unknown, helper: string): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  throw new TypeError(`{{${helper}}} expects a string, number or boolean, got ${typeof value}`);
}

const requireCjs = createRequire(import.meta.url);
let fullCompiler: TemplateEngine | undefined;

/**
 * Compiles a template source to the code `Handlebars.precompile` emits (a JavaScript object
 * literal, as text). The full compiler (parser, code generator) is loaded on first use only:
 * the built CLI ships precompiled templates and never needs it.
 */
export function precompileTemplate(source: string, options: CompileOptions = COMPILE_OPTIONS): string {
  fullCompiler ??= requireCjs("handlebars") as TemplateEngine;
  // Typed as a spec object, but at compile time it is the spec's source text.
  return fullCompiler.precompile(source, { ...options }) as unknown as string;
}

type CompileOptions = Parameters<TemplateEngine["precompile"]>[1];

/** Evaluates precompiled template code (the text `precompileTemplate` returns) to its spec object. */
export function evaluateTemplateSpec(code: string): TemplateSpec {
  // The code is what Handlebars' own `compile` evaluates the same way; it comes from our templates.
  return new Function(`return ${code};`)() as TemplateSpec;
}

/**
 * A private Handlebars instance for code: no HTML escaping (every value goes through a helper
 * for its target language), strict lookups (a misspelt context key is an error, not "").
 * It is an instance of the small `handlebars/runtime` build, which runs precompiled templates;
 * `compile` (sources at run time: tests, an explicit template folder) loads the full compiler lazily
 * and hands its output to this same instance, so both paths run with the same helpers.
 */
export function createTemplateEngine(): TemplateEngine {
  const hb = (HandlebarsRuntime as unknown as TemplateEngine).create();
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
  /** A Python literal of JSON-like data (`{{pyLiteral value indent}}`), exploded so ruff keeps it. */
  hb.registerHelper("pyLiteral", (value: unknown, indent: unknown) =>
    pyLiteral(value, typeof indent === "number" ? indent : 0),
  );
  /**
   * `{{slot "name"~}}` alone on its line (the `~` eats the line's end; or the block form
   * `{{#slot "name"}}` / `{{/slot}}` on two lines where the next line is indented): the fragments
   * the enabled features give for that place (`_slots/<name>.hbs`, each ending with a newline), in
   * table order; nothing when no enabled feature gives one.
   */
  hb.registerHelper("slot", (name: unknown, options: { data: { root: { slots?: Record<string, string> } } }) => {
    const slots = options.data.root.slots;
    if (!slots) throw new TypeError("{{slot}} is for the addon's files, not for slot fragments");
    return slots[asText(name, "slot")] ?? "";
  });
  hb.registerHelper("eq", (a: unknown, b: unknown) => a === b);
  hb.registerHelper("ne", (a: unknown, b: unknown) => a !== b);
  hb.registerHelper("not", (a: unknown) => !a);
  hb.registerHelper("and", (...args: unknown[]) => args.slice(0, -1).every(Boolean));
  hb.registerHelper("or", (...args: unknown[]) => args.slice(0, -1).some(Boolean));
  hb.registerHelper("join", (items: unknown, separator: unknown) => {
    if (!Array.isArray(items)) throw new TypeError("{{join}} expects a list");
    return items.map((item) => asText(item, "join")).join(typeof separator === "string" ? separator : ", ");
  });
  hb.compile = ((source: string, options: CompileOptions = COMPILE_OPTIONS) =>
    hb.template(evaluateTemplateSpec(precompileTemplate(source, options)))) as TemplateEngine["compile"];
  return hb;
}

let shared: TemplateEngine | undefined;

/** The one engine every template of the process runs on (created on first use). */
export function templateEngine(): TemplateEngine {
  return (shared ??= createTemplateEngine());
}

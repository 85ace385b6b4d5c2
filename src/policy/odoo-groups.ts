/**
 * What the policy layer knows about Odoo itself: every security group (`res.groups` xml id) and
 * every community module of each series, extracted from the Odoo source trees by
 * `scripts/extract-groups.py` into `groups/<series>.json` (`npm run groups:extract`). With it,
 * validation tells an unknown group or module from a real one, and generation can say which
 * modules (apps) the addon makes a database install.
 */
import catalog16 from "./groups/16.0.json" with { type: "json" };
import catalog17 from "./groups/17.0.json" with { type: "json" };
import catalog18 from "./groups/18.0.json" with { type: "json" };
import catalog19 from "./groups/19.0.json" with { type: "json" };
import { profileFor } from "../profiles/index.js";
import { formatPath, type PolicyPath } from "./issues.js";
import { SERIES, type Series } from "./model.js";
import type { RuleFinding } from "./rules.js";
import { didYouMean, editDistance } from "./suggest.js";

export interface OdooGroup {
  /** The module whose xml id it is. */
  module: string;
  /** What Odoo shows for it (`full_name`: "Sales / Administrator"). */
  name: string;
  /** Groups it implies directly: its members are members of those too. */
  implied?: readonly string[];
}

export interface OdooModule {
  /** The manifest's `name` ("Employees"). */
  name: string;
  /** Whether Odoo lists it as an app. */
  application: boolean;
  /** Community modules it depends on (`base` left out). */
  depends: readonly string[];
  /** It also depends on modules that are not Odoo Community (they are not in the catalog). */
  proprietary_depends?: boolean;
}

export interface OdooCatalog {
  series: Series;
  modules: Readonly<Record<string, OdooModule>>;
  groups: Readonly<Record<string, OdooGroup>>;
}

const CATALOGS: Readonly<Record<Series, OdooCatalog>> = {
  "16.0": catalog16 as OdooCatalog,
  "17.0": catalog17 as OdooCatalog,
  "18.0": catalog18 as OdooCatalog,
  "19.0": catalog19 as OdooCatalog,
};

export function odooCatalog(series: Series): OdooCatalog {
  return CATALOGS[series];
}

/**
 * Every module Odoo Community ships in any series, `base` included. A policy addon may not take
 * one of these names: Odoo would load only one of the two.
 */
export const COMMUNITY_MODULES: ReadonlySet<string> = new Set(SERIES.flatMap((series) => Object.keys(CATALOGS[series].modules)));

/** The display name of a group in a series, when the catalog knows it. */
export function groupName(series: Series, xmlid: string): string | undefined {
  return Object.hasOwn(CATALOGS[series].groups, xmlid) ? CATALOGS[series].groups[xmlid]!.name : undefined;
}

/** Every group whose members all members of `xmlid` are, through implied groups (not `xmlid` itself). */
export function impliedGroups(catalog: OdooCatalog, xmlid: string): Set<string> {
  const found = new Set<string>();
  const todo = [...(catalog.groups[xmlid]?.implied ?? [])];
  for (let next = todo.pop(); next !== undefined; next = todo.pop()) {
    if (found.has(next) || next === xmlid) continue;
    found.add(next);
    todo.push(...(catalog.groups[next]?.implied ?? []));
  }
  return found;
}

/** `modules` and every community module they need, `base` included. */
export function moduleClosure(catalog: OdooCatalog, modules: Iterable<string>): Set<string> {
  const found = new Set<string>(["base"]);
  const todo = [...modules];
  for (let next = todo.pop(); next !== undefined; next = todo.pop()) {
    if (found.has(next)) continue;
    found.add(next);
    todo.push(...(catalog.modules[next]?.depends ?? []));
  }
  return found;
}

/** A dependency the policy adds to the addon's manifest, beyond the series' own (`profile.addonDepends`). */
export interface AddedDependency {
  module: string;
  /** The module's title when it is an Odoo Community module; undefined for one of the user's own. */
  title?: string;
  /** Whether it is an app. */
  application: boolean;
  /** Whether it is an Odoo Community module of the series (otherwise it comes from `addon.depends`). */
  community: boolean;
  /** Why: the policy's xml ids of that module, and/or `addon.depends`. */
  reasons: string[];
  /** The modules it makes installing the addon install that the base dependencies do not: it and what it needs. */
  installs: string[];
  /** Of those, the apps, by title. */
  apps: string[];
  /** It, or a module it needs, is not Odoo Community (the user's own, Enterprise, third-party). */
  needsOtherModules: boolean;
}

/**
 * The dependencies `modules` (the policy's) add to `baseDepends` (the series' own), each with what
 * installing the addon then installs too. Modules the base dependencies already need are listed,
 * with nothing to install.
 */
export function addedDependencies(
  series: Series,
  baseDepends: readonly string[],
  reasons: ReadonlyMap<string, readonly string[]>,
): AddedDependency[] {
  const catalog = CATALOGS[series];
  const base = moduleClosure(catalog, baseDepends);
  const added: AddedDependency[] = [];
  for (const module of [...reasons.keys()].sort()) {
    if (baseDepends.includes(module)) continue;
    const info = Object.hasOwn(catalog.modules, module) ? catalog.modules[module] : undefined;
    const installs = [...moduleClosure(catalog, [module])].filter((name) => !base.has(name)).sort();
    added.push({
      module,
      ...(info ? { title: info.name } : {}),
      application: info?.application ?? false,
      community: info !== undefined,
      reasons: [...(reasons.get(module) ?? [])],
      installs,
      apps: installs.filter((name) => catalog.modules[name]?.application).map((name) => catalog.modules[name]!.name),
      needsOtherModules: info === undefined || installs.some((name) => catalog.modules[name]?.proprietary_depends === true),
    });
  }
  return added;
}

// ---------------------------------------------------------------------------------------------
// Validation against the catalog.

type Raw = Record<string, unknown>;
const isObject = (value: unknown): value is Raw => typeof value === "object" && value !== null && !Array.isArray(value);
const listAt = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/** The form `schema.ts` checks; ids of another form are reported there. */
const XML_ID = /^[a-z0-9_]+\.[A-Za-z0-9_]+$/;
const MODULE_NAME = /^[a-z][a-z0-9_]*$/;

/** "16.0", "16.0 and 17.0", "16.0, 17.0 and 18.0". */
function seriesWords(list: readonly Series[]): string {
  return list.length === 1 ? list[0]! : `${list.slice(0, -1).join(", ")} and ${list[list.length - 1]}`;
}

/** The module name closest to `name`: a plausible typo first, else the nearest by edit distance when fairly close. */
function nearestModule(name: string, modules: readonly string[]): string | undefined {
  const typo = didYouMean(name, modules);
  if (typo) return typo;
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of modules) {
    const distance = editDistance(name, candidate);
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(name.length / 2)) ? best : undefined;
}

/** The group id closest to `xmlid`: among its own module's groups first, then among all. */
function nearestGroup(xmlid: string, catalog: OdooCatalog): string | undefined {
  const ids = Object.keys(catalog.groups);
  const module = xmlid.slice(0, xmlid.indexOf("."));
  const own = ids.filter((id) => id.startsWith(`${module}.`));
  return didYouMean(xmlid, own) ?? didYouMean(xmlid, ids) ?? (own.length === 1 ? own[0] : undefined);
}

/**
 * Checks the groups of `enforce` and `addon.depends` against Odoo `series`: unknown groups and
 * modules are errors (with the nearest real one); an `except_groups` entry that every member of an
 * enforced group has is a warning. Reads the raw file defensively, like `checkRules`.
 */
export function checkOdooGroups(raw: unknown, seriesList: readonly Series[] = SERIES): RuleFinding[] {
  const findings: RuleFinding[] = [];
  if (!isObject(raw) || seriesList.length === 0) return findings;
  const addon = isObject(raw.addon) ? raw.addon : {};
  const enforce = isObject(raw.enforce) ? raw.enforce : {};
  const ownModules = new Set(listAt(addon.depends).filter((m): m is string => typeof m === "string" && MODULE_NAME.test(m)));

  listAt(addon.depends).forEach((module, index) => {
    if (typeof module !== "string" || !MODULE_NAME.test(module)) return;
    const absent = seriesList.filter((series) => !Object.hasOwn(CATALOGS[series].modules, module));
    if (absent.length === 0) return;
    const near = nearestModule(module, Object.keys(CATALOGS[absent[0]!].modules));
    if (!near || editDistance(module, near) > 2) return; // a module of the user's own: checked for form only
    findings.push({
      severity: "warning",
      path: ["addon", "depends", index],
      message: `"${module}" is not an Odoo Community module of ${seriesWords(absent)}; "${near}" is`,
      expected: "the technical name of a module the addon needs, e.g. your_module",
      hint: `did you mean "${near}"? A module of your own (or from Odoo Enterprise) is fine: it must be on the addons path`,
    });
  });

  const passkeys = isObject(enforce.passkeys) ? enforce.passkeys : undefined;
  const check = (key: "groups" | "except_groups" | "required_for") =>
    listAt(key === "required_for" ? passkeys?.required_for : enforce[key]).forEach((xmlid, index) => {
      if (typeof xmlid !== "string" || !XML_ID.test(xmlid)) return;
      const path: PolicyPath = key === "required_for" ? ["enforce", "passkeys", key, index] : ["enforce", key, index];
      const module = xmlid.slice(0, xmlid.indexOf("."));
      const noModule = seriesList.filter((series) => !Object.hasOwn(CATALOGS[series].modules, module));
      if (noModule.length && ownModules.has(module)) return; // the user's own module: form only
      if (noModule.length) {
        const near = nearestModule(module, Object.keys(CATALOGS[noModule[0]!].modules));
        const elsewhere = seriesList.filter((series) => !noModule.includes(series));
        findings.push({
          severity: "error",
          path,
          message: `module "${module}" of "${xmlid}" does not exist in Odoo ${seriesWords(noModule)}${
            elsewhere.length ? ` (it does in ${seriesWords(elsewhere)})` : ""
          }${near ? `; the nearest module is "${near}"` : ""}`,
          expected: near
            ? `a group of an existing module, e.g. ${nearestGroup(`${near}.${xmlid.slice(module.length + 1)}`, CATALOGS[noModule[0]!]) ?? `${near}.…`}`
            : "a group of an Odoo module, e.g. base.group_user",
          hint: `${near ? `did you mean "${near}"? ` : ""}a group of your own (or an Enterprise) module: list the module in addon.depends`,
        });
        return;
      }
      const noGroup = seriesList.filter((series) => !Object.hasOwn(CATALOGS[series].groups, xmlid));
      if (noGroup.length === 0) return;
      const near = nearestGroup(xmlid, CATALOGS[noGroup[0]!]);
      const elsewhere = seriesList.filter((series) => !noGroup.includes(series));
      findings.push({
        severity: "error",
        path,
        message: `group "${xmlid}" does not exist in Odoo ${seriesWords(noGroup)}${
          elsewhere.length ? ` (it does in ${seriesWords(elsewhere)}: generate only for those with --odoo)` : ""
        }`,
        expected: near
          ? `an existing group, e.g. ${near} (${CATALOGS[noGroup[0]!].groups[near]!.name})`
          : `a group of module ${module}`,
        ...(near ? { hint: `did you mean "${near}"?` } : {}),
      });
    });
  check("groups");
  check("except_groups");
  check("required_for");

  // A passkey requirement cannot hold where Odoo has no passkeys: its members could not sign in.
  const requiredFor = listAt(passkeys?.required_for);
  const noPasskeys = seriesList.filter((series) => !profileFor(series).passkeys);
  if (requiredFor.length && noPasskeys.length) {
    const withPasskeys = seriesList.filter((series) => !noPasskeys.includes(series));
    findings.push({
      severity: "error",
      path: ["enforce", "passkeys", "required_for"],
      message: `Odoo ${seriesWords(noPasskeys)} ${noPasskeys.length > 1 ? "have" : "has"} no passkeys (auth_passkey comes with 18.0): the members of these groups could never sign in`,
      expected: "a policy requiring passkeys generated for Odoo 18.0 or later",
      hint: withPasskeys.length
        ? `generate only for ${seriesWords(withPasskeys)} with --odoo, or keep a policy without required_for for ${seriesWords(noPasskeys)}`
        : "generate for 18.0 or later with --odoo, or leave required_for out (an empty passkeys: {} is ignored where there are no passkeys)",
    });
  }

  // An excepted group that every member of an enforced group has: it leaves out all of that group.
  const enforced = listAt(enforce.groups);
  listAt(enforce.except_groups).forEach((excepted, index) => {
    if (typeof excepted !== "string") return;
    enforced.forEach((group, groupIndex) => {
      if (typeof group !== "string" || group === excepted) return; // the same group: an error of checkRules
      const implying = seriesList.filter((series) => impliedGroups(CATALOGS[series], group).has(excepted));
      if (implying.length === 0) return;
      const catalog = CATALOGS[implying[0]!];
      findings.push({
        severity: "warning",
        path: ["enforce", "except_groups", index],
        message: `every member of the enforced group "${group}" (${formatPath(["enforce", "groups", groupIndex])}) is in "${excepted}" too${
          implying.length < seriesList.length ? ` in Odoo ${seriesWords(implying)}` : ""
        }: "${catalog.groups[group]!.name}" implies "${catalog.groups[excepted]!.name}", so nobody in it is enforced`,
        expected: "an except_groups entry that only some members of the enforced groups have",
        hint: `remove "${excepted}" from except_groups, or "${group}" from groups if it is not meant to be enforced`,
      });
    });
  });
  return findings;
}

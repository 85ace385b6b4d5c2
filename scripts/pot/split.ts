/**
 * Which layer each exported entry belongs to. The export with every feature off is the shared
 * layer; a feature's entries are what its export alone adds to that (a msgid the shared layer has
 * stays shared: the feature adds only its references and comments); a feature exported in parts
 * (`when`) keeps what every part adds as its own and each part's extra under the part's `when`.
 * Across series, an entry stored once unless it differs.
 */
import { SERIES, type Series } from "../../src/policy/model.js";
import { compareCodePoints, msgidText, type PotData, type PotEntry, type PotPart } from "../../src/render/pot.js";
import type { ExportedEntry } from "./po.js";
import type { Variant } from "./variants.js";

/** An entry's contribution: its msgid, the comments and the references (a multiset) it brings. */
interface Contribution {
  msgid: PotEntry["msgid"];
  comments: string[];
  references: string[];
}

type Entries = Map<string, Contribution>;

function byMsgid(entries: readonly ExportedEntry[]): Entries {
  return new Map(entries.map((entry) => [msgidText(entry.msgid), { msgid: entry.msgid, comments: entry.comments, references: entry.references }]));
}

/** `a` without `b`, as multisets. */
function minus(a: readonly string[], b: readonly string[]): string[] {
  const left = [...b];
  return a.filter((item) => {
    const at = left.indexOf(item);
    if (at < 0) return true;
    left.splice(at, 1);
    return false;
  });
}

/** `a` and `b`, as multisets. */
function both(a: readonly string[], b: readonly string[]): string[] {
  const left = [...b];
  return a.filter((item) => {
    const at = left.indexOf(item);
    if (at < 0) return false;
    left.splice(at, 1);
    return true;
  });
}

/** What `variant` adds to `base`. */
function added(variant: Entries, base: Entries): Entries {
  const result: Entries = new Map();
  for (const [key, entry] of variant) {
    const shared = base.get(key);
    const comments = shared ? entry.comments.filter((comment) => !shared.comments.includes(comment)) : entry.comments;
    const references = shared ? minus(entry.references, shared.references) : entry.references;
    if (!shared || comments.length > 0 || references.length > 0) result.set(key, { msgid: entry.msgid, comments, references });
  }
  return result;
}

/** What every one of `parts` adds. */
function common(parts: readonly Entries[]): Entries {
  const [first, ...rest] = parts;
  const result: Entries = new Map();
  for (const [key, entry] of first ?? []) {
    let { comments, references } = entry;
    for (const part of rest) {
      const other = part.get(key);
      comments = other ? comments.filter((comment) => other.comments.includes(comment)) : [];
      references = other ? both(references, other.references) : [];
    }
    if (comments.length > 0 || references.length > 0) result.set(key, { msgid: entry.msgid, comments, references });
  }
  return result;
}

/** One series' layers: "" for the shared one, else a feature id; each a list of parts keyed by `when` ("" for none). */
export type SeriesLayers = Map<string, Map<string, Entries>>;

/** Splits one series' exports (by variant id) into layers. */
export function splitSeries(exports: ReadonlyMap<string, readonly ExportedEntry[]>, variants: readonly Variant[]): SeriesLayers {
  const get = (id: string) => {
    const entries = exports.get(id);
    if (!entries) throw new Error(`no export of variant ${id}`);
    return byMsgid(entries);
  };
  const base = get("off");
  const layers: SeriesLayers = new Map([["", new Map([["", base]])]]);
  const features = [...new Set(variants.flatMap((variant) => (variant.feature ? [variant.feature] : [])))];
  for (const feature of features) {
    const own = variants.filter((variant) => variant.feature === feature);
    const adds = own.map((variant) => added(get(variant.id), base));
    const shared = own.length === 1 && !own[0]!.when ? adds[0]! : common(adds);
    const parts = new Map<string, Entries>([["", shared]]);
    own.forEach((variant, i) => {
      if (variant.when) parts.set(variant.when, added(adds[i]!, shared));
    });
    layers.set(feature, parts);
  }
  return layers;
}

const entryKey = (entry: Contribution) => JSON.stringify([entry.msgid, [...entry.comments].sort(), entry.references]);

/**
 * A layer's stored data from its parts on each series: an entry the same on every series is
 * stored once, one that differs once per distinct form with the series it has.
 */
export function layerData(perSeries: ReadonlyMap<Series, Map<string, Entries>>): PotData {
  const whens = [...new Set([...perSeries.values()].flatMap((parts) => [...parts.keys()]))].sort(compareCodePoints);
  const parts: PotPart[] = [];
  for (const when of whens) {
    const forms = new Map<string, { entry: Contribution; series: Series[] }>();
    for (const series of SERIES) {
      for (const entry of perSeries.get(series)?.get(when)?.values() ?? []) {
        const key = entryKey(entry);
        const form = forms.get(key) ?? { entry, series: [] };
        form.series.push(series);
        forms.set(key, form);
      }
    }
    const entries = [...forms.values()]
      .sort((a, b) => compareCodePoints(msgidText(a.entry.msgid), msgidText(b.entry.msgid)) || compareCodePoints(a.series[0]!, b.series[0]!))
      .map(({ entry, series }): PotEntry => ({
        msgid: entry.msgid,
        ...(entry.comments.length > 0 ? { comments: [...entry.comments].sort(compareCodePoints) } : {}),
        references: entry.references,
        ...(series.length === SERIES.length ? {} : { series }),
      }));
    if (entries.length > 0 || when === "") parts.push({ ...(when ? { when } : {}), entries });
  }
  return { parts };
}

/** A layer's stored data read back into parts for one series (to keep series not exported now). */
export function seriesParts(data: PotData, series: Series): Map<string, Entries> {
  const parts = new Map<string, Entries>();
  for (const part of data.parts) {
    const entries: Entries = new Map();
    for (const entry of part.entries)
      if (!entry.series || entry.series.includes(series))
        entries.set(msgidText(entry.msgid), { msgid: entry.msgid, comments: entry.comments ?? [], references: entry.references });
    parts.set(part.when ?? "", entries);
  }
  return parts;
}

/**
 * `npm run pot:export [-- --series 17.0,18.0] [--policy examples/x.yaml] [--reuse]`
 *
 * Exports the addon's translation template from a real Odoo of each series whose tree is present
 * and stores it as template data: `templates/base/_pot.json` (the shared layer) and
 * `templates/features/<id>/_pot.json` (what each feature adds), read by src/render/pot.ts.
 *
 * For each series, the addon of one policy is generated in variants (scripts/pot/variants.ts:
 * every feature off, each feature alone, every feature on), each installed by verify's local
 * backend into a throwaway database and exported with Odoo's own exporter. The "off" export is
 * the shared layer; each feature's is what its export adds. Then every variant is rendered from
 * the stored data and compared with Odoo's export byte for byte (without the header's dates and
 * build suffix): the parts must add up, or the script fails.
 *
 * Re-runnable: run it again after templates change which strings a layer has. Series not exported
 * (no tree, or not in --series) keep their stored entries. `--reuse` takes the raw exports of an
 * earlier run from .tmp/pot/<series>/ instead of running Odoo (to re-split without Odoo).
 */
import { existsSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadPolicy } from "../src/generate/policy-file.js";
import { SERIES, type Series } from "../src/policy/model.js";
import { FEATURES, POT_DATA, renderAddon, type PotData } from "../src/render/index.js";
import { loadTemplateSet } from "../src/generate/templates.js";
import { writeTreesAtomically } from "../src/write/atomic.js";
import { odooExport, normalizeExport } from "./pot/odoo.js";
import { parseExport, type ExportedEntry } from "./pot/po.js";
import { layerData, seriesParts, splitSeries, type SeriesLayers } from "./pot/split.js";
import { variants } from "./pot/variants.js";
import { missingTree } from "./pot/trees.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const TEMPLATES = path.join(ROOT, "templates");
const RAW = path.join(ROOT, ".tmp", "pot");

function option(name: string): string | undefined {
  const args = process.argv.slice(2);
  const at = args.findIndex((arg) => arg === `--${name}` || arg.startsWith(`--${name}=`));
  if (at < 0) return undefined;
  const arg = args[at]!;
  return arg.includes("=") ? arg.slice(arg.indexOf("=") + 1) : (args[at + 1] ?? "");
}
const reuse = process.argv.includes("--reuse");
const policyFile = path.resolve(option("policy") ?? path.join(ROOT, "examples", "customer-portal.yaml"));
const asked = option("series")?.split(",").map((s) => s.trim()) ?? [...SERIES];
for (const series of asked) if (!SERIES.includes(series as Series)) throw new Error(`--series: unknown series ${series}`);

const loaded = await loadPolicy(policyFile);
if (!loaded.ok) throw new Error(`${policyFile} is not a valid policy: ${JSON.stringify(loaded.issues)}`);
const base = loaded.policy;
const addon = base.addon.name;
let templates = await loadTemplateSet(TEMPLATES);

const layerFile = (layer: string) => path.join(TEMPLATES, layer === "" ? "base" : path.join("features", layer), POT_DATA);

/** The data as stored: JSON, one reference a line; short lists (series, comments) on one line. */
function formatData(data: PotData): string {
  const text = JSON.stringify(data, null, 2).replace(/"(series|comments)": \[([^\]]*)\]/g, (_, key: string, items: string) =>
    `"${key}": [${items.trim().split(/,\s*/).join(", ")}]`,
  );
  return `${text}\n`;
}

/** Each series' raw exports, by variant id. */
const raw = new Map<Series, Map<string, string>>();
for (const series of asked as Series[]) {
  const missing = missingTree(series);
  if (missing && !reuse) {
    process.stderr.write(`pot:export: ${series} SKIPPED (its stored entries are kept): ${missing}\n`);
    continue;
  }
  const exports = new Map<string, string>();
  for (const variant of variants(base, series)) {
    const file = path.join(RAW, series, `${variant.id}.pot`);
    if (reuse && existsSync(file)) {
      exports.set(variant.id, await readFile(file, "utf8"));
      continue;
    }
    if (missing) throw new Error(`--reuse: no ${file}, and no tree to export it: ${missing}`);
    const started = Date.now();
    const dir = path.join(RAW, series, "addons", variant.id, addon);
    await rm(dir, { recursive: true, force: true });
    await writeTreesAtomically([{ dir, tree: renderAddon(variant.policy(base), series, templates) }]);
    const pot = await odooExport(dir, series);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, pot);
    exports.set(variant.id, pot);
    process.stderr.write(`pot:export: ${series} ${variant.id}: exported in ${Math.round((Date.now() - started) / 1000)} s\n`);
  }
  raw.set(series, exports);
}
if (raw.size === 0) {
  process.stderr.write("pot:export: no series exported; nothing changed\n");
  process.exit(1);
}

// Split each exported series into layers; keep the stored entries of the others.
const layersBySeries = new Map<Series, SeriesLayers>();
for (const [series, exports] of raw) {
  const parsed = new Map<string, ExportedEntry[]>();
  for (const [id, pot] of exports) parsed.set(id, parseExport(pot, addon, `${series} ${id}`).entries);
  layersBySeries.set(series, splitSeries(parsed, variants(base, series)));
}
const layerIds = ["", ...FEATURES.map((feature) => feature.id)];
for (const layer of layerIds) {
  const stored: PotData | undefined = existsSync(layerFile(layer)) ? JSON.parse(await readFile(layerFile(layer), "utf8")) : undefined;
  const perSeries = new Map<Series, ReturnType<typeof seriesParts>>();
  for (const series of SERIES) {
    const fresh = layersBySeries.get(series)?.get(layer);
    if (fresh) perSeries.set(series, fresh);
    else if (stored) perSeries.set(series, seriesParts(stored, series));
  }
  const data = layerData(perSeries);
  await writeFile(layerFile(layer), formatData(data));
}

// The check: every variant rendered from the stored data is Odoo's export of it.
templates = await loadTemplateSet(TEMPLATES);
let failed = 0;
for (const [series, exports] of raw) {
  for (const variant of variants(base, series)) {
    const rendered = renderAddon(variant.policy(base), series, templates).get(`i18n/${addon}.pot`);
    const expected = normalizeExport(exports.get(variant.id)!, series);
    if (rendered === expected) continue;
    failed++;
    const renderedFile = path.join(RAW, series, `${variant.id}.rendered.pot`);
    await writeFile(renderedFile, rendered ?? "");
    await writeFile(path.join(RAW, series, `${variant.id}.expected.pot`), expected);
    process.stderr.write(`pot:export: ${series} ${variant.id}: the rendered .pot is not Odoo's export (diff ${renderedFile} with ${variant.id}.expected.pot)\n`);
  }
}
if (failed > 0) process.exit(1);
process.stderr.write(`pot:export: ${[...raw.keys()].join(", ")}: every variant's rendered .pot is Odoo's export\n`);

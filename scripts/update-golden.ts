// Regenerates the committed golden addons (test/golden/<example>/<series>/<addon>) from
// examples/. Read every changed file before committing it: `git diff test/golden`.
import { loadPolicy } from "../src/policy/index.js";
import { SERIES } from "../src/policy/model.js";
import { applyAddonPlans, planAddons } from "../src/plan/addons.js";
import { loadTemplateSet } from "../src/render/index.js";
import { examplePolicies, goldenOutDir } from "../test/support/examples.js";

const templates = await loadTemplateSet();
for (const { stem, file } of examplePolicies()) {
  const loaded = await loadPolicy(file);
  if (!loaded.ok) throw new Error(`${file} is not a valid policy: ${JSON.stringify(loaded.issues)}`);
  const plans = await planAddons(loaded.policy, SERIES, goldenOutDir(stem), templates);
  const changed = await applyAddonPlans(plans, "overwrite");
  console.log(`${stem}: ${changed.length ? `updated ${changed.length} addon(s)` : "unchanged"}`);
}

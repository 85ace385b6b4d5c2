/**
 * `npm run test:odoo -- --odoo 17.0[,18.0|all]`: runs only the real-Odoo tier (test/odoo and
 * verify's own integration tests, and the audit against a real Odoo), for the series asked for (default: all whose tree is present).
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { SERIES } from "../../src/profiles/series.js";

const args = process.argv.slice(2);
let wanted = "all";
const rest: string[] = [];
for (let i = 0; i < args.length; i++) {
  const arg = args[i]!;
  if (arg === "--odoo") wanted = args[++i] ?? "";
  else if (arg.startsWith("--odoo=")) wanted = arg.slice("--odoo=".length);
  else rest.push(arg);
}
const list = wanted === "all" ? SERIES : wanted.split(",").map((s) => s.trim());
const unknown = list.filter((s) => !(SERIES as readonly string[]).includes(s));
if (unknown.length > 0 || list.length === 0) {
  console.error(`test:odoo: unknown series ${unknown.join(", ") || "(none)"}; use ${SERIES.join(", ")} or all`);
  process.exit(2);
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const result = spawnSync("npx", ["vitest", "run", "test/odoo", "test/verify", "test/audit/odoo-audit.test.ts", ...rest], {
  cwd: root,
  stdio: "inherit",
  env: { ...process.env, ODOO_2FA_TIER_SERIES: list.join(","), ODOO_2FA_AUDIT_SERIES: list.join(",") },
});
process.exit(result.status ?? 1);

import { readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const EXAMPLES_DIR = path.join(REPO_ROOT, "examples");
export const GOLDEN_DIR = path.join(REPO_ROOT, "test", "golden");

/** Every example policy: `{ stem: "warehouse-scanners", file: ".../examples/warehouse-scanners.yaml" }`. */
export function examplePolicies(): { stem: string; file: string }[] {
  return readdirSync(EXAMPLES_DIR)
    .filter((name) => /\.(ya?ml|json)$/.test(name))
    .sort()
    .map((name) => ({ stem: name.replace(/\.(ya?ml|json)$/, ""), file: path.join(EXAMPLES_DIR, name) }));
}

/** Where the committed generated addons of one example live (`<stem>/<series>/<addon>`). */
export function goldenOutDir(stem: string): string {
  return path.join(GOLDEN_DIR, stem);
}

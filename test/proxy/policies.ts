import path from "node:path";
import { loadPolicy } from "../../src/generate/policy-file.js";
import type { Policy } from "../../src/policy/model.js";
import { examplePolicies } from "../support/examples.js";

export interface LoadedExample {
  stem: string;
  /** Relative to the repository, as a user would name it. */
  file: string;
  policy: Policy;
}

/** Every example policy, read by the real loader (so the proxy sees what `generate` sees). */
export async function loadExamples(): Promise<LoadedExample[]> {
  const result: LoadedExample[] = [];
  for (const { stem, file } of examplePolicies()) {
    const relative = path.join("examples", path.basename(file));
    const loaded = await loadPolicy(file);
    if (!loaded.ok) throw new Error(`${relative}: ${JSON.stringify(loaded.issues)}`);
    result.push({ stem, file: relative, policy: loaded.policy });
  }
  return result;
}

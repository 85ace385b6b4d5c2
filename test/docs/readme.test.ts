import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { END, renderPolicyReference, START } from "../../scripts/policy-reference.js";
import { REPO_ROOT } from "../support/examples.js";

const read = (name: string) => readFileSync(path.join(REPO_ROOT, name), "utf8");

describe("README", () => {
  it("opens with the install and test commands, and .ci/run runs exactly those", () => {
    const firstBlock = read("README.md").match(/```sh\n([\s\S]*?)```/)![1]!;
    const commands = firstBlock.split("\n").filter(Boolean).map((line) => line.replace(/\s+#.*$/, "").trim());
    expect(commands).toEqual(["bash scripts/install.sh", "npm test"]);
    const ci = read(".ci/run");
    expect(ci).toContain("bash scripts/install.sh");
    expect(ci).toMatch(/^npm test$/m);
  });

  it("carries the policy reference generated from policy.schema.json (run scripts/policy-reference.ts --write)", () => {
    const readme = read("README.md");
    const section = readme.slice(readme.indexOf(START), readme.indexOf(END) + END.length);
    expect(section).toBe(renderPolicyReference(JSON.parse(read("policy.schema.json"))));
  });
});

/** Whatever the file holds, the loader answers with a result (never throws) and locates every issue. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { parsePolicyText, type LoadResult } from "../../src/policy/index.js";
import { STARTER_POLICY } from "../../src/cli/starter.js";

function checkShape(result: LoadResult, text: string): void {
  const issues = result.ok ? result.warnings : result.issues;
  if (!result.ok) expect(issues.some((issue) => issue.severity === "error")).toBe(true);
  const lines = text.split("\n").length;
  for (const issue of issues) {
    expect(issue.line).toBeGreaterThanOrEqual(1);
    expect(issue.line).toBeLessThanOrEqual(lines);
    expect(issue.col).toBeGreaterThanOrEqual(1);
    expect(issue.message).not.toBe("");
    expect(issue.expected).not.toBe("");
    expect(issue.message).not.toMatch(/\n/);
  }
}

describe("robustness", () => {
  it("any text", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 200 }), (text) => {
        checkShape(parsePolicyText(text, "p.yaml"), text);
        checkShape(parsePolicyText(text, "p.json"), text);
      }),
      { numRuns: 300 },
    );
  });

  it("any YAML data", () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (value) => {
        const text = stringify(value);
        checkShape(parsePolicyText(text, "p.yaml"), text);
      }),
      { numRuns: 300 },
    );
  });

  it("the starter policy with lines removed or swapped", () => {
    const lines = STARTER_POLICY.split("\n");
    fc.assert(
      fc.property(
        fc.array(fc.nat({ max: lines.length - 1 }), { maxLength: 6 }),
        fc.nat({ max: lines.length - 1 }),
        (drop, swap) => {
          const mutated = lines.filter((_, i) => !drop.includes(i));
          if (swap + 1 < mutated.length) [mutated[swap], mutated[swap + 1]] = [mutated[swap + 1]!, mutated[swap]!];
          const text = mutated.join("\n");
          checkShape(parsePolicyText(text, "p.yaml"), text);
        },
      ),
      { numRuns: 300 },
    );
  });
});

/**
 * `pyLiteral` writes the policy the addon ships (models/policy.py): any value the policy can hold
 * must come back from Python as the same data (a string never becomes code), and ruff must leave
 * the text as it is.
 */
import { execFileSync } from "node:child_process";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { pyLiteral } from "../../src/render/escape.js";
import { ruffFormat } from "../support/canonical.js";

const python = "/usr/bin/python3";

/** What Python evaluates the literals to, as JSON (tuples as lists), one per input line. */
function evaluate(literals: string[]): unknown[] {
  const script = [
    "import ast, json, sys",
    "for line in sys.stdin.read().split('\\0'):",
    "    print(json.dumps(ast.literal_eval(line)))",
  ].join("\n");
  const out = execFileSync(python, ["-c", script], { input: literals.join("\0"), encoding: "utf8" });
  return out.trim().split("\n").map((line) => JSON.parse(line) as unknown);
}

const policyLike = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    fc.string({ unit: "binary" }),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie("value"), { maxLength: 3 }),
    fc.dictionary(fc.string({ unit: "binary", maxLength: 12 }), tie("value"), { maxKeys: 3 }),
  ),
}));

describe("pyLiteral", () => {
  it("gives back the same data in Python, whatever the strings hold", () => {
    const samples = fc.sample(policyLike.value, { numRuns: 300, seed: 42 });
    const literals = samples.map((value) => pyLiteral(value));
    expect(evaluate(literals)).toEqual(samples);
  });

  it("is already what ruff formats it to, at any depth and width", () => {
    const samples = fc.sample(fc.dictionary(fc.string({ maxLength: 30 }), policyLike.value, { maxKeys: 4 }), { numRuns: 200, seed: 7 });
    for (const value of samples) {
      const source = `POLICY = ${pyLiteral(value)}\n`;
      expect(ruffFormat(source)).toBe(source);
    }
  });

  it("joins a one-tuple that fits and explodes one that does not", () => {
    expect(pyLiteral({ groups: ["base.group_user"] })).toBe('{\n    "groups": ("base.group_user",),\n}');
    const long = "x".repeat(80);
    expect(pyLiteral({ groups: [long] })).toBe(`{\n    "groups": (\n        "${long}",\n    ),\n}`);
    expect(pyLiteral([])).toBe("()");
    expect(pyLiteral({})).toBe("{}");
  });
});

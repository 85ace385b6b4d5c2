import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { schemaText } from "../../src/cli/commands/schema.js";
import { policyJsonSchema } from "../../src/policy/schema.js";
import { REPO_ROOT } from "../support/examples.js";

describe("policy.schema.json", () => {
  it("is exactly what the code exports (regenerate: npx odoo-2fa schema > policy.schema.json)", async () => {
    const committed = readFileSync(path.join(REPO_ROOT, "policy.schema.json"), "utf8");
    expect(committed).toBe(await schemaText());
  });

  it("describes every key with a title or description, and forbids unknown keys", () => {
    const schema = policyJsonSchema() as { properties: Record<string, any>; additionalProperties: boolean; required: string[] };
    expect(schema.additionalProperties).toBe(false);
    expect(schema.required).toEqual(["schema", "addon", "enforce"]);
    const walk = (node: any, where: string) => {
      if (node?.type === "object" && node.properties) {
        expect(node.additionalProperties, where).toBe(false);
        for (const [key, child] of Object.entries<any>(node.properties)) {
          expect(child.title ?? child.description, `${where}.${key}`).toBeTruthy();
          walk(child, `${where}.${key}`);
        }
      }
      if (node?.type === "array") walk(node.items, `${where}[]`);
    };
    walk(schema, "policy");
    expect(schema.properties.addon.properties.license.enum).toEqual(["LGPL-3", "AGPL-3", "OPL-1", "Other proprietary"]);
    expect(schema.properties.enforce.properties.grace_days).toMatchObject({
      type: "integer",
      minimum: 0,
      maximum: 365,
      default: 0,
    });
  });
});

/**
 * A test of the property test: with a deliberately broken escaping helper (no escaping at all),
 * the same check must find break-outs. If it did not, the property test would prove nothing.
 */
import { describe, expect, it, vi } from "vitest";

vi.mock("../../src/render/escape.js", async (importOriginal) => {
  const original = await importOriginal<typeof import("../../src/render/escape.js")>();
  return {
    ...original,
    pyString: (value: string) => `"${value}"`,
    xmlEscape: (value: string) => value,
    csvField: (value: string) => value,
  };
});

describe("the escape property check", () => {
  it("catches broken escaping helpers", { timeout: 300_000 }, async () => {
    const { loadTemplateSet } = await import("../../src/generate/templates.js");
    const { escapeFailures, hostileSamples } = await import("./escape-check.js");
    const failures = escapeFailures(await loadTemplateSet(), hostileSamples(60));
    expect(failures.some((f) => /\.py does not parse|\.py gained/.test(f))).toBe(true);
    // No XML file carries a free-text policy string any more (exemptions ship in models/policy.py,
    // not in data/exemption_data.xml): even unescaped, the hostile samples break no XML.
    expect(failures.filter((f) => /\.xml /.test(f))).toEqual([]);
  });
});

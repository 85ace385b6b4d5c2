import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { csvField, mdInline, pyString, rstHeading, rstInline, xmlEscape } from "../../src/render/escape.js";
import { ruffCheck, ruffFormat, ruffParse } from "../support/canonical.js";

const NASTY = [
  "plain",
  'He said "hi"',
  "it's",
  `'''"""`,
  "back\\slash\\",
  "{{ addon.name }} %s %(x)s {0}",
  "</odoo>]]>--><!--",
  "line\nbreak\r\ntab\t",
  "\u202e reversed \u2066 isolate \u200b zero width",
  "\u2028 \u2029 \u0085 separators",
  "é中😀 unicode",
  "\x01\x1f\x7f controls",
  '"; import os; os.system("x"); "',
];

describe("pyString", () => {
  it("gives literals that Python reads back as the same string", () => {
    const script = `import ast,json,sys\nfor line in sys.stdin.read().splitlines():\n    print(json.dumps(ast.literal_eval(line)))\n`;
    const out = execFileSync("python3", ["-c", script], { input: NASTY.map(pyString).join("\n") }).toString();
    expect(out.trim().split("\n").map((line) => JSON.parse(line))).toEqual(NASTY);
  });

  it("gives literals that ruff leaves as they are and cannot add a statement", () => {
    for (const value of NASTY) {
      const source = `VALUE = ${pyString(value)}\n`;
      expect(ruffFormat(source)).toBe(source);
      expect(ruffCheck(source)).toEqual([]);
      expect(ruffParse(source).match(/^ {12}[A-Z]\w*\($/gm)).toEqual(["            Assign("]);
    }
  });

  it("uses single quotes only where they save escapes, as ruff does", () => {
    expect(pyString("a")).toBe('"a"');
    expect(pyString('say "x"')).toBe(`'say "x"'`);
    expect(pyString(`it's "x"`)).toBe(`'it\\'s "x"'`);
    expect(pyString(`it's`)).toBe(`"it's"`);
  });

  it("shows invisible and bidirectional characters as escapes", () => {
    expect(pyString("a\u202eb")).toBe('"a\\u202eb"');
    expect(pyString("\u0000")).toBe('"\\x00"');
  });
});

describe("xmlEscape", () => {
  it("escapes markup and both quote kinds, and keeps line breaks as character references", () => {
    expect(xmlEscape(`<a href="x">'&'</a>`)).toBe("&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;");
    expect(xmlEscape("a\nb\tc")).toBe("a&#10;b&#9;c");
  });

  it("round-trips through a real XML parser in text and attributes", () => {
    const values = NASTY.filter((v) => !/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/.test(v));
    const doc = `<r>${values.map((v) => `<e a="${xmlEscape(v)}">${xmlEscape(v)}</e>`).join("")}</r>`;
    const script =
      "import json,sys,xml.etree.ElementTree as T\n" +
      "r=T.fromstring(sys.stdin.read())\n" +
      "print(json.dumps([[e.get('a'), e.text or ''] for e in r]))\n";
    const parsed = JSON.parse(execFileSync("python3", ["-c", script], { input: doc }).toString()) as string[][];
    expect(parsed).toHaveLength(values.length);
    parsed.forEach(([attr, text], i) => {
      expect(attr).toBe(values[i]);
      expect(text).toBe(values[i]);
    });
  });
});

describe("csvField", () => {
  it("quotes only fields that need it and doubles quotes", () => {
    expect(csvField("abc")).toBe("abc");
    expect(csvField('a,"b"')).toBe('"a,""b"""');
    expect(csvField("a\nb")).toBe('"a\nb"');
  });

  it("can never add a row or a column", () => {
    const rows = NASTY.map((v) => `id,${csvField(v)},end`).join("\r\n");
    const script = "import csv,io,json,sys\nprint(json.dumps(list(csv.reader(io.StringIO(sys.stdin.read(), newline='')))))";
    const parsed = JSON.parse(execFileSync("python3", ["-c", script], { input: rows }).toString()) as string[][];
    expect(parsed.map((row) => row[1])).toEqual(NASTY);
    expect(parsed.every((row) => row.length === 3 && row[2] === "end")).toBe(true);
  });
});

describe("reStructuredText and Markdown", () => {
  it("escape inline markup and fold line breaks", () => {
    expect(rstInline("*bold* `code` _x_ |sub|\n.. danger::")).toBe("\\*bold\\* \\`code\\` \\_x\\_ \\|sub\\| .. danger\\:\\:");
    expect(mdInline("# x\n[a](b)")).toBe("\\# x \\[a\\]\\(b\\)");
  });

  it("underlines a heading to its display width", () => {
    expect(rstHeading("Finance 2FA", "=")).toBe("Finance 2FA\n===========");
    expect(rstHeading("中文", "=")).toBe("中文\n====");
  });
});

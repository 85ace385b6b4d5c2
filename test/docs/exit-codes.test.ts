/**
 * Exit codes in one place: the README's table is src/cli/exit-codes.ts, row for row; each error
 * kind maps to exactly one code; `command()` gives a domain error the code of its kind and an
 * unexpected crash its own code (70), never 1 (which means a check found drift).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ERROR_KINDS } from "../../src/errors.js";
import { EXIT_CODE_OF, EXIT_MEANINGS, exitCodesLine } from "../../src/cli/exit-codes.js";
import { CliError, command } from "../../src/cli/output.js";
import { ConflictError } from "../../src/generate/index.js";
import { VerifyError } from "../../src/verify/errors.js";
import { OutputBusyError } from "../../src/write/atomic.js";
import { REPO_ROOT } from "../support/examples.js";

function readmeRows(): { code: number; meaning: string; kinds: string[] }[] {
  const readme = readFileSync(path.join(REPO_ROOT, "README.md"), "utf8");
  const table = readme.slice(readme.indexOf("<!-- exit-codes:start"), readme.indexOf("<!-- exit-codes:end -->"));
  return table
    .split("\n")
    .filter((line) => /^\| \d+ \|/.test(line))
    .map((line) => {
      const [code = "", meaning = "", kinds = ""] = line.slice(1, -1).split("|").map((cell) => cell.trim());
      return { code: Number(code), meaning, kinds: /^[a-z, ]+$/.test(kinds) ? kinds.split(", ") : [] };
    });
}

async function exitOf(error: unknown): Promise<number | undefined> {
  const previous = process.exitCode;
  vi.spyOn(process.stderr, "write").mockImplementation(() => true);
  await command("test", async () => {
    throw error;
  })({ json: false });
  const code = process.exitCode;
  process.exitCode = previous;
  return typeof code === "number" ? code : Number(code);
}

afterEach(() => vi.restoreAllMocks());

describe("exit codes", () => {
  it("the README's table lists every code with the meaning and the kinds the code gives it", () => {
    const rows = readmeRows();
    expect(rows.map((row) => [row.code, row.meaning])).toEqual(EXIT_MEANINGS.map(([code, meaning]) => [code, meaning]));
    for (const row of rows.filter((r) => r.code === 1 || r.code === 2)) {
      expect(row.kinds.sort()).toEqual(ERROR_KINDS.filter((kind) => EXIT_CODE_OF[kind] === row.code).sort());
    }
    expect(exitCodesLine()).toContain("70 internal error");
  });

  it("every kind has a code, and no kind means an internal error", () => {
    for (const kind of ERROR_KINDS) expect([1, 2]).toContain(EXIT_CODE_OF[kind]);
  });

  it("command() maps domain errors through their kind", async () => {
    expect(await exitOf(new VerifyError("no-python", "No Python"))).toBe(2);
    expect(await exitOf(new OutputBusyError("/tmp/x", 1))).toBe(2);
    expect(await exitOf(new ConflictError([]))).toBe(1);
    expect(await exitOf(new CliError("drift", "drift"))).toBe(1);
    expect(await exitOf(new CliError("bad --odoo", "usage"))).toBe(2);
  });

  it("an unexpected crash exits 70, not 1", async () => {
    expect(await exitOf(new TypeError("Cannot read properties of undefined"))).toBe(70);
    expect(await exitOf("a thrown string")).toBe(70);
  });
});

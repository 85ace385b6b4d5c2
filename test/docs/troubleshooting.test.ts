/**
 * The README's troubleshooting table cannot drift from the code: every message it lists still
 * occurs in src/ (its fixed parts, with `<…>` standing for what varies), and every exit code is
 * one the CLI uses.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { EXIT_MEANINGS } from "../../src/cli/exit-codes.js";
import { REPO_ROOT } from "../support/examples.js";

const START = "<!-- troubleshooting:start";
const END = "<!-- troubleshooting:end -->";

interface Row {
  message: string;
  exit: string;
  todo: string;
}

function tableRows(): Row[] {
  const readme = readFileSync(path.join(REPO_ROOT, "README.md"), "utf8");
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  expect(start, "README.md has the troubleshooting table markers").toBeGreaterThan(0);
  expect(end).toBeGreaterThan(start);
  const lines = readme
    .slice(start, end)
    .split("\n")
    .filter((line) => line.startsWith("|"));
  expect(lines[0]).toBe("| message | exit | what to do |");
  return lines.slice(2).map((line) => {
    // Cells: `| `message` | exit | what to do |`; a message never holds " | ".
    const [message = "", exit = "", todo = ""] = line.slice(1, -1).split(" | ").map((cell) => cell.trim());
    return { message: message.replace(/^`|`$/g, ""), exit, todo };
  });
}

/** The fixed parts of a message: split at `<placeholders>` and `…`, trimmed to letters and digits at both ends. */
export function fixedParts(message: string): string[] {
  return message
    .split(/<[^>]*>|…/)
    .map((part) => part.replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, ""))
    .filter((part) => part.length >= 3);
}

const sources = readdirSync(path.join(REPO_ROOT, "src"), { recursive: true, encoding: "utf8" })
  .filter((name) => name.endsWith(".ts"))
  .map((name) => readFileSync(path.join(REPO_ROOT, "src", name), "utf8"))
  .join("\n");

describe("README troubleshooting table", () => {
  const rows = tableRows();

  it("lists the errors users meet, each with a message, an exit code and what to do", () => {
    expect(rows.length).toBeGreaterThanOrEqual(20);
    for (const row of rows) {
      expect(row.message, JSON.stringify(row)).not.toBe("");
      expect(row.todo, row.message).not.toBe("");
    }
    const all = rows.map((row) => row.message).join("\n");
    for (const needed of [
      "no such file", // policy errors
      "unknown key",
      "over the limit of", // a policy file too large
      "edited by hand would be lost", // generate conflicts
      "is being written by another odoo-2fa process", // output busy
      "cannot write to --out", // unwritable --out
      "source tree", // verify: no tree
      "No PostgreSQL", // verify: no PostgreSQL
      "No Python", // verify: no Python dependencies
      "Docker daemon", // verify --docker: no Docker
      "policy changed since generation", // check: drift
      "proxy snippet", // check --proxy: stale
    ])
      expect(all, `a row for "${needed}"`).toContain(needed);
  });

  it.each(rows.map((row) => [row.message, row] as const))("%s: its exit code is one of the CLI's exit codes", (_message, row) => {
    expect(EXIT_MEANINGS.map(([code]) => String(code))).toContain(row.exit);
  });

  it.each(rows.map((row) => [row.message] as const))("%s: still printed by src/", (message) => {
    const parts = fixedParts(message);
    expect(parts.some((part) => part.length >= 5), `"${message}" has a fixed part to look for`).toBe(true);
    for (const part of parts) expect(sources.includes(part), `"${part}" (from "${message}") occurs in src/`).toBe(true);
  });

  it("a message the code no longer prints is caught", () => {
    expect(fixedParts("cannot write to --out <dir>: <path> is a file, not a folder")).toEqual([
      "cannot write to --out",
      "is a file, not a folder",
    ]);
    expect(fixedParts("<dir> is gone forever, never printed").every((part) => sources.includes(part))).toBe(false);
  });
});

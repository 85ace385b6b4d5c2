// What the benchmarks share: the machine's description and the sections of bench/RESULTS.md.
// bench/run.ts writes the whole file (benchmark 1); bench/request.ts and bench/verify.ts each
// replace their own section ("## 2." and "## 3.") and leave the rest as it is.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { REPO_ROOT } from "../test/support/examples.js";

export function cpuModel(): string {
  try {
    const line = readFileSync("/proc/cpuinfo", "utf8")
      .split("\n")
      .find((l) => l.startsWith("model name"));
    if (line) return line.slice(line.indexOf(":") + 1).trim();
  } catch {
    // not Linux
  }
  return os.cpus()[0]?.model ?? "unknown";
}

export function nproc(): string {
  try {
    return execFileSync("nproc", { encoding: "utf8" }).trim();
  } catch {
    return String(os.availableParallelism());
  }
}

export function gitRevision(): string {
  try {
    const rev = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: REPO_ROOT, encoding: "utf8" }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--", "src", "templates", "scripts", "bench"], { cwd: REPO_ROOT, encoding: "utf8" }).trim();
    return dirty ? `${rev} (with uncommitted changes)` : rev;
  } catch {
    return "unknown";
  }
}

/** `1.71, 3.03, 3.91`: the 1, 5 and 15 minute load averages. */
export const load = (): string =>
  os
    .loadavg()
    .map((n) => n.toFixed(2))
    .join(", ");

export const isoNow = (): string => new Date().toISOString().replace(/\.\d+Z$/, "Z");

/** One line for a section of its own: when, where, and how busy the machine was. */
export function machineLine(started: string, loadStart: string, loadEnd: string): string {
  return (
    `Machine: as described at the top (${nproc()} × ${cpuModel()}, Node ${process.version}, revision ${gitRevision()}); ` +
    `run ${started}; load average (1, 5, 15 min) ${loadStart} at the start, ${loadEnd} at the end.`
  );
}

export function resultsFile(): string {
  return process.env.BENCH_OUT ? path.resolve(process.env.BENCH_OUT) : path.join(REPO_ROOT, "bench", "RESULTS.md");
}

/** The text of section `## <number>.` of a results file (heading included), up to the next `## `. */
export function readSection(text: string, number: number): string | undefined {
  const start = text.search(new RegExp(`^## ${number}\\. `, "m"));
  if (start < 0) return undefined;
  const rest = text.slice(start + 3);
  const next = rest.search(/^## /m);
  return (next < 0 ? text.slice(start) : text.slice(start, start + 3 + next)).replace(/\s+$/, "");
}

/** Replaces (or appends) section `## <number>.` of the results file with `section` (which starts with its heading). */
export function writeSection(number: number, section: string): string {
  const file = resultsFile();
  const text = existsSync(file) ? readFileSync(file, "utf8") : "# Benchmarks (issue 8)\n";
  const old = readSection(text, number);
  const body = `${section.replace(/\s+$/, "")}\n`;
  let updated: string;
  if (old !== undefined) {
    const start = text.indexOf(old);
    updated = text.slice(0, start) + body.replace(/\n$/, "") + text.slice(start + old.length);
  } else {
    // Before the first later section, else at the end.
    const later = [...text.matchAll(/^## (\d+)\. /gm)].find((m) => Number(m[1]) > number);
    updated = later?.index !== undefined ? `${text.slice(0, later.index)}${body}\n${text.slice(later.index)}` : `${text.replace(/\s+$/, "")}\n\n${body}`;
  }
  writeFileSync(file, updated.endsWith("\n") ? updated : `${updated}\n`);
  return file;
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/** Nearest-rank percentile (p in 0–100) of unsorted values; NaN when empty. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1]!;
}

import { createTwoFilesPatch } from "diff";
import type { PlannedFile } from "./plan.js";

function asText(content: string | Uint8Array | undefined): string | undefined {
  if (content === undefined) return "";
  const text = typeof content === "string" ? content : Buffer.from(content).toString("utf8");
  return text.includes("\u0000") ? undefined : text;
}

/** A unified diff from what is on disk to what the plan writes, for one file. */
export function unifiedDiff(file: PlannedFile, prefix: string): string {
  const before = asText(file.current);
  const after = asText(file.next);
  const from = file.current === undefined ? "/dev/null" : `a/${prefix}${file.path}`;
  const to = file.next === undefined ? "/dev/null" : `b/${prefix}${file.path}`;
  if (before === undefined || after === undefined) return `Binary files ${from} and ${to} differ\n`;
  return createTwoFilesPatch(from, to, before, after, undefined, undefined, { context: 3 })
    .split("\n")
    .slice(1) // drop the "====" banner line jsdiff adds
    .join("\n");
}

/** A kept hand edit as a unified diff from the generated file (a/) to the edit on disk (b/). */
export function keptDiff(file: PlannedFile, prefix: string): string {
  return unifiedDiff({ ...file, current: file.next === undefined ? undefined : Buffer.from(file.next), next: file.current }, prefix);
}

const RED = "\u001b[31m";
const GREEN = "\u001b[32m";
const CYAN = "\u001b[36m";
const RESET = "\u001b[0m";

export function colorizeDiff(patch: string): string {
  return patch
    .split("\n")
    .map((line) => {
      if (line.startsWith("+++") || line.startsWith("---")) return line;
      if (line.startsWith("+")) return `${GREEN}${line}${RESET}`;
      if (line.startsWith("-")) return `${RED}${line}${RESET}`;
      if (line.startsWith("@@")) return `${CYAN}${line}${RESET}`;
      return line;
    })
    .join("\n");
}

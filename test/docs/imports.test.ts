/**
 * The import graph docs/ARCHITECTURE.md draws: the core (src/render, src/plan, src/policy,
 * src/profiles and the leaf modules digest.ts, version.ts) is pure. It imports only itself and
 * packages without IO; reading and writing the disk, running processes and talking to the network
 * happen in src/generate, src/write, src/verify and the commands. Read from the sources, so a
 * new import is checked as soon as it is written. Both verify backends share one run module.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../..");
const src = path.join(root, "src");

const CORE_DIRS = ["render", "plan", "policy", "profiles"];
const CORE_FILES = ["digest.ts", "version.ts"];
/** Packages and builtins that do IO: never imported by the core. */
const IO_SPECIFIERS = /^(node:)?(fs|fs\/promises|child_process|net|http|https|http2|tls|dgram|dns|worker_threads)$|^execa$/;
/** Core modules that still read the disk, each with why. None: the template loader is src/generate/templates.ts. */
const KNOWN_IO_IN_CORE: Record<string, string> = {};

function sources(): string[] {
  return readdirSync(src, { recursive: true, encoding: "utf8" })
    .filter((name) => name.endsWith(".ts"))
    .map((name) => name.split(path.sep).join("/"))
    .sort();
}

/** Every module specifier a source file imports or re-exports, statically or dynamically. */
function importsOf(file: string): string[] {
  const text = readFileSync(path.join(src, file), "utf8").replace(/\/\*[\s\S]*?\*\/|^\s*\/\/.*$/gm, "");
  const found = [
    ...text.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s+["']([^"']+)["']/gm),
    ...text.matchAll(/^\s*import\s+["']([^"']+)["']/gm),
    ...text.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g),
  ];
  return [...new Set(found.map((match) => match[1]!))];
}

/** A relative specifier as a path below src/ (`../digest.js` from plan/lock.ts → `digest.ts`). */
function resolved(from: string, specifier: string): string | undefined {
  if (!specifier.startsWith(".")) return undefined;
  return path.posix.normalize(path.posix.join(path.posix.dirname(from), specifier)).replace(/\.js$/, ".ts");
}

const isCore = (file: string) => CORE_FILES.includes(file) || CORE_DIRS.some((dir) => file.startsWith(`${dir}/`));

describe("the import graph", () => {
  const files = sources();
  const core = files.filter(isCore);

  it("finds the sources and their imports", () => {
    expect(core.length).toBeGreaterThan(20);
    expect(importsOf("plan/lock.ts")).toContain("../digest.js");
    expect(importsOf("generate/index.ts")).toContain("../write/atomic.js");
  });

  it.each(core)("%s imports no IO module and nothing outside the core", (file) => {
    const bad = importsOf(file).filter((specifier) => {
      const target = resolved(file, specifier);
      if (target !== undefined) return !isCore(target) && !target.endsWith(".json");
      return IO_SPECIFIERS.test(specifier) && KNOWN_IO_IN_CORE[file] === undefined;
    });
    expect(bad, `${file} imports IO or a module outside the pure core`).toEqual([]);
  });

  it("lists only exceptions that are still needed", () => {
    for (const file of Object.keys(KNOWN_IO_IN_CORE)) {
      const io = importsOf(file).filter((specifier) => IO_SPECIFIERS.test(specifier));
      expect(io.length, `${file} no longer does IO: remove it from KNOWN_IO_IN_CORE`).toBeGreaterThan(0);
    }
  });

  it("has both verify backends share one run module (steps, verdict, report), neither borrowing from the other", () => {
    const local = importsOf("verify/local.ts").map((s) => resolved("verify/local.ts", s));
    const docker = importsOf("verify/docker/verify.ts").map((s) => resolved("verify/docker/verify.ts", s));
    expect(local).toContain("verify/run.ts");
    expect(docker).toContain("verify/run.ts");
    expect(docker).not.toContain("verify/local.ts");
    expect(local.some((target) => target?.startsWith("verify/docker/"))).toBe(false);
  });
});

/**
 * Runs the CLI as a subprocess, the way users run it. The sources are transpiled once per test
 * file (esbuild, file by file, not bundled like `npm run build`'s dist/, so templates are compiled on load) into a temporary
 * folder, so each run pays for plain `node`, not for an on-the-fly TypeScript loader.
 */
import { execFile } from "node:child_process";
import { readdirSync } from "node:fs";
import { copyFile, mkdtemp, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { REPO_ROOT } from "../support/examples.js";

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Transpiles src/ into `<tmp>/dist` next to links to templates/, node_modules/ and package.json. */
export async function buildCli(): Promise<string> {
  const { build } = await import("esbuild");
  const root = await mkdtemp(path.join(tmpdir(), "odoo-2fa-build-"));
  const src = path.join(REPO_ROOT, "src");
  const entryPoints = readdirSync(src, { recursive: true, encoding: "utf8" })
    .filter((name) => name.endsWith(".ts") && !name.endsWith(".d.ts"))
    .map((name) => path.join(src, name));
  await build({
    entryPoints,
    outdir: path.join(root, "dist"),
    outbase: src,
    format: "esm",
    platform: "node",
    target: "node20.19", // engines.node; an older target drops the JSON imports' `with { type: "json" }`
    bundle: false,
    logLevel: "silent",
  });
  // Data the sources import as JSON (the Odoo catalog): not transpiled, so linked where the code expects it.
  await symlink(path.join(src, "policy", "groups"), path.join(root, "dist", "policy", "groups"));
  await symlink(path.join(REPO_ROOT, "templates"), path.join(root, "templates"));
  await symlink(path.join(REPO_ROOT, "node_modules"), path.join(root, "node_modules"));
  await copyFile(path.join(REPO_ROOT, "package.json"), path.join(root, "package.json"));
  return path.join(root, "dist", "cli", "main.js");
}

/** Removes what buildCli made (given its main.js). */
export async function removeCli(main: string): Promise<void> {
  await rm(path.resolve(main, "../../.."), { recursive: true, force: true });
}

export function runCli(main: string, cwd: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [main, ...args],
      { cwd, env: { ...env, NO_COLOR: "1", ODOO_2FA_DEBUG: "" } },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

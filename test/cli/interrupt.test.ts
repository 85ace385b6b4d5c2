/**
 * Killing generate at any moment never leaves a half-written addon folder: the folder is
 * either absent (first run) or the previous complete output, or the new complete output.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXAMPLES_DIR } from "../support/examples.js";
import { buildCli, removeCli, runCli } from "./run-cli.js";

let cli: string;
beforeAll(async () => {
  cli = await buildCli();
});
afterAll(async () => {
  await removeCli(cli);
});

function generateAndKill(cwd: string, policy: string, delayMs: number, signal: NodeJS.Signals): Promise<void> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, "generate", policy, "--odoo", "all", "--out", "out", "--on-conflict", "overwrite"], {
      cwd,
      stdio: "ignore",
    });
    const timer = setTimeout(() => child.kill(signal), delayMs);
    child.on("exit", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

describe("interrupted generate", () => {
  it("leaves either nothing or a complete, checked addon, whatever the moment of the kill", { timeout: 240_000 }, async () => {
    const work = mkdtempSync(path.join(tmpdir(), "odoo-2fa-kill-"));
    try {
      const policy = path.join(EXAMPLES_DIR, "warehouse-scanners.yaml");
      const other = path.join(EXAMPLES_DIR, "customer-portal.yaml");
      const delays = [20, 60, 100, 140, 180, 220, 260, 300, 350, 400];
      for (const [i, delay] of delays.entries()) {
        await generateAndKill(work, i % 2 ? other : policy, delay, i % 3 === 0 ? "SIGINT" : "SIGKILL");
        const out = path.join(work, "out");
        if (!existsSync(out)) continue;
        for (const series of readdirSync(out).filter((name) => !name.startsWith("."))) {
          const addons = readdirSync(path.join(out, series)).filter((name) => !name.startsWith("."));
          for (const addon of addons) {
            // A visible addon folder is always a complete generation of one of the two policies.
            const source = addon === "acme_2fa_policy" ? policy : other;
            const check = await runCli(cli, work, ["check", source, "--odoo", "all", "--out", "out", "--json"]);
            const report = JSON.parse(check.stdout).addons.find((a: { series: string }) => a.series === series);
            expect(report, `${series}/${addon} after a kill at ${delay} ms`).toMatchObject({ missing: [], editedByHand: [], notGenerated: false });
          }
        }
      }
      // The next run cleans whatever a killed run left in temporary siblings.
      const final = await runCli(cli, work, ["generate", policy, "--odoo", "all", "--out", "out", "--on-conflict", "overwrite"]);
      expect(final.code).toBe(0);
      for (const series of readdirSync(path.join(work, "out"))) {
        expect(readdirSync(path.join(work, "out", series)).filter((name) => name.includes(".odoo-2fa-"))).toEqual([]);
      }
      expect((await runCli(cli, work, ["check", policy, "--odoo", "all", "--out", "out"])).code).toBe(0);
    } finally {
      rmSync(path.join(work), { recursive: true, force: true });
    }
  });
});

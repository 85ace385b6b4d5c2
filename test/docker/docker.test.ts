/**
 * The dockerized tier: `verify --docker` against a real Docker daemon, on 17.0 unless
 * ODOO_2FA_DOCKER_SERIES (or ODOO_2FA_TIER_SERIES) lists others, where the Odoo source tree is
 * present (see support.ts's wantedSeries for why one series; the images are local stand-ins of the official `odoo:<major>`
 * and `postgres` images, built and cached by scripts/docker/build-images.sh). Each run must
 * leave no container, network or volume behind: after a pass, after a failing test, and after
 * an interrupted run. Where no daemon can be had or no tree is present, the tier is skipped
 * LOUDLY: what is missing and how to provide it. A skip is never a pass.
 */
import { EXIT_CODE_OF } from "../../src/cli/exit-codes.js";
import { spawn } from "node:child_process";
import path from "node:path";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatReport, VerifyError } from "../../src/verify/index.js";
import { findDocker, odooArgs, sweepStaleRuns, verifyAddonDocker, type DockerVerifyReport } from "../../src/verify/docker/index.js";
import { GOLDEN_DIR } from "../support/examples.js";
import { type DockerTier, leftovers, prepareDockerTier, snapshot, stopPrivateDaemon, volumesOf, wantedSeries } from "./support.js";

const FIXTURES = path.join(import.meta.dirname, "fixtures");
const RUN_TIMEOUT = 20 * 60_000;
const series = wantedSeries();
let tier: DockerTier;
const summary = new Map<string, string>();

function loud(message: string): void {
  console.warn(`\n!!!!!!!! docker tier: ${message}\n`);
}

/** The tier's reason to skip `s` (or the whole tier), undefined when it can run. */
function skipReason(s?: string): string | undefined {
  if (!tier) return "the tier's set-up did not run";
  if (tier.skip) return tier.skip;
  if (s && tier.series[s]?.skip) return tier.series[s]!.skip;
  if (s && !tier.series[s]?.image) return `no image for Odoo ${s}`;
  return undefined;
}

function text(report: DockerVerifyReport): string {
  return formatReport(report as never);
}

beforeAll(async () => {
  tier = await prepareDockerTier();
  if (tier.skip) loud(`SKIPPED (not run, not passed): ${tier.skip}`);
  else {
    console.log(`docker tier: daemon ${tier.docker!.serverVersion} at ${tier.docker!.host ?? "the default socket"}; images ready in ${tier.buildSeconds} s (cached builds take ~1 s)`);
  }
}, 60 * 60_000);

afterAll(async () => {
  for (const s of series) {
    const why = tier?.skip ? "the whole docker tier was skipped (reason above)" : (skipReason(s) ?? "not run");
    console.log(`docker tier ${s}: ${summary.get(s) ?? `SKIPPED: ${why}`}`);
  }
  if (tier) await stopPrivateDaemon(tier);
}, 120_000);

describe("verify --docker: errors that need no image", () => {
  it("no daemon: a VerifyError (exit 2) that says --docker needs a daemon and how to start one", async () => {
    const error = await findDocker({ dockerHost: "unix:///nonexistent/odoo-2fa/docker.sock" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VerifyError);
    expect((error as VerifyError).code).toBe("no-docker");
    expect(EXIT_CODE_OF[(error as VerifyError).kind]).toBe(2);
    expect((error as VerifyError).message).toMatch(/verify --docker needs a running Docker daemon/);
    expect((error as VerifyError).hint).toMatch(/dockerd\.sh start/);
  });

  it("odoo arguments follow each series' quirks", () => {
    for (const s of ["16.0", "17.0", "18.0"]) expect(odooArgs("x", s, "db")).toContain("--without-demo=all");
    expect(odooArgs("x", "19.0", "db")).not.toContain("--without-demo=all");
    for (const s of ["16.0", "17.0", "18.0", "19.0"]) {
      expect(odooArgs("x", s, "db")).toEqual(expect.arrayContaining(["-i", "x", "--test-enable", "--test-tags=/x", "--stop-after-init"]));
    }
  });

  it("an image the daemon lacks (no pull): a VerifyError naming the image, nothing created", { timeout: 120_000 }, async (ctx) => {
    const reason = skipReason();
    if (reason) return ctx.skip();
    const before = await snapshot(tier.docker!);
    const error = await verifyAddonDocker({
      addonDir: path.join(FIXTURES, "docker_ok"),
      series: "17.0",
      odooImage: "odoo-2fa/no-such-image:17.0",
      postgresImage: tier.postgresImage,
      dockerHost: tier.docker!.host,
      pull: "never",
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VerifyError);
    expect((error as VerifyError).code).toBe("no-docker");
    expect((error as VerifyError).message).toContain("odoo-2fa/no-such-image:17.0");
    expect((error as VerifyError).hint).toMatch(/build-images\.sh/);
    expect(await leftovers(tier.docker!, before)).toEqual({ containers: [], networks: [], volumes: [] });
  });
});

for (const s of series) {
  describe(`verify --docker, Odoo ${s}`, () => {
    it("a passing addon: installed, its HTTP test passed, nothing left behind", { timeout: RUN_TIMEOUT }, async (ctx) => {
      const reason = skipReason(s);
      if (reason) {
        if (!tier?.skip) loud(`Odoo ${s} SKIPPED (not run, not passed): ${reason}`);
        return ctx.skip();
      }
      const before = await snapshot(tier.docker!);
      const report = await verifyAddonDocker({
        addonDir: path.join(FIXTURES, "docker_ok"),
        series: s,
        odooImage: tier.series[s]!.image,
        postgresImage: tier.postgresImage,
        dockerHost: tier.docker!.host,
        pull: "never",
      });
      summary.set(s, `ran: ${report.tests.passed} passed, ${report.tests.failed} failed in ${(report.durationMs / 1000).toFixed(1)} s (${report.docker.odooImage})`);
      expect(report.ok, text(report)).toBe(true);
      expect(report.backend).toBe("docker");
      expect(report.exitCode).toBe(0);
      expect(report.install.ok).toBe(true);
      expect(report.tests).toMatchObject({ total: 1, failed: 0, errors: 0, passed: 1, reported: true });
      expect(report.warnings).toEqual([]);
      expect(report.docker.removed).toBe(true);
      expect(report.docker.volumes.length, "the images' volumes were tracked").toBeGreaterThanOrEqual(3);
      expect(await leftovers(tier.docker!, before, report.docker.runId, report.docker.volumes)).toEqual({ containers: [], networks: [], volumes: [] });
    });

    it("a generated example addon (warehouse-scanners, as committed): installed, all its tests pass, nothing left behind", { timeout: RUN_TIMEOUT }, async (ctx) => {
      const reason = skipReason(s);
      if (reason) return ctx.skip();
      const before = await snapshot(tier.docker!);
      const report = await verifyAddonDocker({
        addonDir: path.join(GOLDEN_DIR, "warehouse-scanners", s, "acme_2fa_policy"),
        series: s,
        odooImage: tier.series[s]!.image,
        postgresImage: tier.postgresImage,
        dockerHost: tier.docker!.host,
        pull: "never",
      });
      summary.set(`${s} example`, `ran: ${report.tests.passed} passed, ${report.tests.failed} failed in ${(report.durationMs / 1000).toFixed(1)} s`);
      expect(report.ok, text(report)).toBe(true);
      expect(report.tests.total).toBeGreaterThan(10);
      expect(report.docker.removed).toBe(true);
      expect(await leftovers(tier.docker!, before, report.docker.runId, report.docker.volumes)).toEqual({ containers: [], networks: [], volumes: [] });
    });
  });
}

describe("verify --docker: failures and interruptions clean up too", () => {
  const one = () => (series.includes("17.0") && !skipReason("17.0") ? "17.0" : series.find((s) => !skipReason(s)));

  it("a failing test: exit 1, names the test and its message, nothing left behind", { timeout: RUN_TIMEOUT }, async (ctx) => {
    const s = one();
    if (!s) return ctx.skip();
    const before = await snapshot(tier.docker!);
    const report = await verifyAddonDocker({
      addonDir: path.join(FIXTURES, "docker_fail"),
      series: s,
      odooImage: tier.series[s]!.image,
      postgresImage: tier.postgresImage,
      dockerHost: tier.docker!.host,
      pull: "never",
    });
    expect(report.exitCode, text(report)).toBe(1);
    expect(report.install.ok).toBe(true);
    expect(report.tests).toMatchObject({ total: 1, failed: 1, errors: 0 });
    expect(report.tests.failures[0]).toMatchObject({ kind: "FAIL", test: "TestLogin.test_login_page_is_empty", location: { file: "tests/test_login.py", line: 8 } });
    expect(report.tests.failures[0]!.message).toContain("docker fixture: deliberate failure");
    expect(await leftovers(tier.docker!, before, report.docker.runId, report.docker.volumes)).toEqual({ containers: [], networks: [], volumes: [] });
  });

  /** Starts a docker verify in a child process and sends it `signal` once Odoo runs. */
  async function interrupt(s: string, signal: NodeJS.Signals) {
    const before = await snapshot(tier.docker!);
    const child = spawn(
      process.execPath,
      ["--import", "tsx", path.join(import.meta.dirname, "interrupt-child.ts"), path.join(FIXTURES, "docker_ok"), s, tier.series[s]!.image!, tier.postgresImage!, tier.docker!.host ?? ""],
      { stdio: ["ignore", "pipe", "pipe"], cwd: path.resolve(import.meta.dirname, "..", "..") },
    );
    let stderr = "";
    child.stderr.on("data", (chunk) => (stderr += String(chunk)));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once("exit", (code, sig) => resolve({ code, signal: sig })));
    const running = new Promise<boolean>((resolve) => {
      createInterface({ input: child.stdout }).on("line", (line) => {
        if (/"step":"dependencies","state":"start"/.test(line)) resolve(true);
      });
      void exited.then(() => resolve(false));
    });
    expect(await running, `the child never reached the Odoo step: ${stderr}`).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 4_000)); // Odoo is now installing
    const prefix = `odoo2fa-docker_ok-${s.replace(/\W/g, "")}-`;
    const mid = (await leftovers(tier.docker!, before)).containers.filter((c) => c.startsWith(prefix));
    expect(mid.length, "the run's two containers exist before the interrupt").toBe(2);
    const runId = mid[0]!.replace(/-(db|odoo)$/, "");
    const runVolumes = await volumesOf(tier.docker!, mid);
    expect(runVolumes.length, "the images' volumes").toBeGreaterThanOrEqual(3);
    child.kill(signal);
    const exit = await exited;
    return { before, runId, runVolumes, exit, stderr };
  }

  it("an interrupted run (SIGINT while Odoo runs): nothing left behind", { timeout: RUN_TIMEOUT }, async (ctx) => {
    const s = one();
    if (!s) return ctx.skip();
    const { before, runId, runVolumes, exit, stderr } = await interrupt(s, "SIGINT");
    expect(exit.signal === "SIGINT" || exit.code === 130, `exit ${exit.code} / ${exit.signal}: ${stderr}`).toBe(true);
    expect(await leftovers(tier.docker!, before, runId, runVolumes)).toEqual({ containers: [], networks: [], volumes: [] });
  });

  it("a run killed with SIGKILL (no chance to clean up): the next run sweeps what it left", { timeout: RUN_TIMEOUT }, async (ctx) => {
    const s = one();
    if (!s) return ctx.skip();
    const { before, runId, runVolumes, exit } = await interrupt(s, "SIGKILL");
    expect(exit.signal).toBe("SIGKILL");
    const left = await leftovers(tier.docker!, before, runId, runVolumes);
    expect(left.containers.length + left.networks.length, "a SIGKILLed run cannot clean up").toBeGreaterThan(0);
    expect(await sweepStaleRuns(tier.docker!)).toContain(runId);
    expect(await leftovers(tier.docker!, before, runId, runVolumes)).toEqual({ containers: [], networks: [], volumes: [] });
  });
});

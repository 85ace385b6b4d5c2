/**
 * Issue 18, "batched, resumable background work", on a real Odoo: the notification cron, run by
 * a real Odoo server's cron thread (`--max-cron-threads=1`), is SIGKILLed while it is in the
 * middle of a batch; after a restart every due user is mailed exactly once, none skipped, and
 * the cron reschedules itself while work remains.
 *
 * The addon is generated from examples/customer-portal.yaml (announcement, reminders, weekly
 * summary; portal grace 30 days, so no reminder is due: each due user gets one announcement).
 * cron-kill-setup.py adds 1,100 portal users missing 2FA in bulk (three batches of the addon's
 * 500), stops every other scheduled action (queued mails stay in `mail.mail`, where they are
 * counted) and makes the cron due. cron-kill-watch.py reads the database from outside while the
 * server runs: a batch's claims and mails are not visible before it commits, but the id
 * sequences move at once, so "a batch committed (the cursor moved) and the next one has claimed
 * or queued at least 50 not yet committed" is seen from the database; the watcher then SIGKILLs
 * the server. Checked after the kill: the killed batch had both claims and mails open (one
 * transaction per batch), and what stayed is whole batches, the first due users in id order (the
 * cursor at the last of them), each of them claimed and mailed once, nobody else. Checked after
 * the restart, once the round is over: every due user claimed and mailed exactly once, nobody
 * mailed twice, the cursor back at 0 having stopped at more than one position (runs of one batch
 * each, the cron due only once: it asked to run again itself; 18.0+ also the runner's progress
 * rows), the administrators' summary sent once, the cron rescheduled a day on with no trigger
 * left due. Then the next day's round (the cron due again, everyone announced: batches of a few
 * tens of milliseconds) goes through to the end and mails nobody again.
 *
 * It bites: with the claim committed on its own before the mail (a separate cursor) the users of
 * the killed batch are never mailed; with the mail committed on its own before the claim they are
 * mailed twice; both fail here (checked by hand on 17.0).
 *
 * Series: 17.0 by default: 55 to 110 s per series measured on this loaded 2-core machine (install
 * from the cached template database 14 to 31 s, the cron's work about 35 to 80 s), over the
 * tier's per-series budget; ODOO_2FA_TIER_SERIES picks others (`npm run test:odoo` sets it to
 * every series asked for). A series without a tree is skipped LOUDLY.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { execa, type ResultPromise } from "execa";
import { afterAll, describe, expect, it } from "vitest";
import { loadPolicy } from "../../src/generate/policy-file.js";
import type { Series } from "../../src/policy/model.js";
import { renderAddon } from "../../src/render/index.js";
import { loadTemplateSet } from "../../src/generate/templates.js";
import { formatReport, verifyAddon, type VerifyReport } from "../../src/verify/index.js";
import { freePort } from "../../src/verify/postgres.js";
import { writeTreesAtomically } from "../../src/write/atomic.js";
import { REPO_ROOT } from "../support/examples.js";
import { missingTree, ODOO_BOOT, odooEnv, startKeptPostgres, tierSeries } from "../support/real-odoo.js";

const wanted = tierSeries(["17.0"]);
const here = path.dirname(fileURLToPath(import.meta.url));
const SETUP_SCRIPT = readFileSync(path.join(here, "cron-kill-setup.py"), "utf8");
const WATCHER = path.join(here, "cron-kill-watch.py");
const scratch = mkdtempSync(path.join(os.tmpdir(), "odoo-2fa-cron-kill-"));
const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  rmSync(scratch, { recursive: true, force: true });
});

/** Portal users added: three batches of 500 with the users already there. */
const USERS = 1100;
/** Claims and mails of the killed batch, not yet committed, before the kill. */
const UNCOMMITTED = 50;

interface Setup {
  due: number[];
  batch: number;
  cron: number;
  cursor_param: string;
  db: string;
}
interface Seen {
  cursor: number;
  claimed: number;
  claims_open: number;
  mails_open: number;
  rescheduled_later: boolean;
  triggers_due: number;
}
interface Watched {
  at_kill?: Seen | null;
  finished?: Seen | null;
  cursors: number[];
  seconds: number;
  claimed: number[];
  claims_not_one: number[];
  mails_not_one: number[];
  mailed: number;
  mailed_twice_anyone: number[];
  summary_claims: number;
  summary_mails: number;
  progress: [number, number][] | null;
  cursor: number;
}

function dbArg(args: string[], name: string): string {
  const arg = args.find((a) => a.startsWith(`--${name}=`));
  expect(arg, `--${name} in ${args.join(" ")}`).toBeDefined();
  return arg!.slice(name.length + 3);
}

for (const series of wanted) {
  const missing = missingTree(series);
  if (missing) {
    process.stderr.write(`\n${"!".repeat(8)} cron killed mid-batch on a real Odoo ${series}: SKIPPED (not run, not passed): ${missing}\n\n`);
    describe.skip(`the notification cron killed mid-batch on a real Odoo ${series}`, () => {
      it("needs an Odoo source tree", () => undefined);
    });
    continue;
  }
  describe(`the notification cron killed mid-batch on a real Odoo ${series}`, () => {
    const state: {
      report?: VerifyReport;
      odooArgs?: string[];
      setup?: Setup;
      afterKill?: Watched;
      finished?: Watched;
      server?: ResultPromise;
      log: string;
    } = { log: "" };
    const logTail = () => state.log.slice(-6000);

    /** A threaded server whose one cron thread runs the notification cron; its log is kept. */
    const startServer = async (): Promise<{ server: ResultPromise }> => {
      const report = state.report!;
      const server = execa(
        report.odoo.python,
        ["-c", ODOO_BOOT, ...state.odooArgs!, `--http-port=${await freePort()}`, "--http-interface=127.0.0.1", "--workers=0", "--max-cron-threads=1", "--log-level=info"],
        { env: odooEnv(report), cwd: report.kept!.dir, reject: false, all: true },
      );
      server.all?.on("data", (chunk: Buffer) => {
        state.log = (state.log + chunk.toString()).slice(-400_000);
      });
      cleanups.push(async () => {
        server.kill("SIGKILL");
        await server;
      });
      // Wrapped: a ResultPromise returned from an async function would be awaited to its exit.
      return { server };
    };

    const watch = async (mode: "kill" | "finish" | "again", pid: number, timeout: number): Promise<Watched> => {
      const args = state.odooArgs!;
      const setup = state.setup!;
      const run = await execa(
        state.report!.odoo.python,
        [
          WATCHER,
          mode,
          JSON.stringify({
            host: dbArg(args, "db_host"),
            port: Number(dbArg(args, "db_port")),
            user: dbArg(args, "db_user"),
            db: setup.db,
            pid,
            due: setup.due,
            batch: setup.batch,
            cron: setup.cron,
            cursor_param: setup.cursor_param,
            uncommitted: UNCOMMITTED,
            timeout,
          }),
        ],
        { reject: false, all: true, timeout: (timeout + 60) * 1000 },
      );
      const line = run.all?.split("\n").find((l) => l.startsWith("RESULT="));
      expect(line, `${run.all?.slice(-3000)}\n--- server log ---\n${logTail()}`).toBeDefined();
      return JSON.parse(line!.slice("RESULT=".length)) as Watched;
    };

    it(`${series}: installs, with ${USERS} more portal users missing 2FA`, { timeout: 1_200_000 }, async () => {
      const loaded = await loadPolicy(path.join(REPO_ROOT, "examples", "customer-portal.yaml"));
      if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues));
      const policy = loaded.policy;
      const addonDir = path.join(scratch, series, "addons", policy.addon.name);
      await writeTreesAtomically([{ dir: addonDir, tree: renderAddon(policy, series as Series, await loadTemplateSet()) }]);
      const report = await verifyAddon({ addonDir, series, keepDb: true, runTests: false });
      const kept = report.kept;
      if (kept) cleanups.push(() => rm(kept.dir, { recursive: true, force: true }));
      expect(report.ok, formatReport(report)).toBe(true);
      cleanups.push(await startKeptPostgres(kept!));
      state.report = report;
      state.odooArgs = kept!.odooArgs.split(" ");
      const run = await execa(report.odoo.python, ["-c", ODOO_BOOT, "shell", ...state.odooArgs, "--no-http", "--log-level=warn"], {
        env: odooEnv(report),
        cwd: kept!.dir,
        input: `ARGS = ${JSON.stringify({ addon: policy.addon.name, count: USERS })}\n${SETUP_SCRIPT}`,
        reject: false,
        all: true,
        timeout: 300_000,
      });
      const line = run.all?.split("\n").find((l) => l.startsWith("RESULT="));
      expect(line, run.all?.slice(-3000)).toBeDefined();
      state.setup = JSON.parse(line!.slice("RESULT=".length)) as Setup;
      const { due, batch } = state.setup;
      expect(due.length).toBeGreaterThan(USERS);
      expect(Math.ceil(due.length / batch), "at least three batches").toBeGreaterThanOrEqual(3);
    });

    it(`${series}: SIGKILLed mid-batch, the committed batches stay whole, each user in them mailed once`, { timeout: 600_000 }, async () => {
      const { due, batch } = state.setup!;
      const { server } = await startServer();
      const watched = await watch("kill", server.pid!, 300);
      if (!watched.at_kill) server.kill("SIGKILL");
      const exited = await server;
      // The restart step runs (and says what it finds) whatever this one asserts.
      state.afterKill = watched;
      const context = `${JSON.stringify({ ...watched, claimed: watched.claimed.length })}\n--- server log ---\n${logTail()}`;
      expect(watched.at_kill, `the watcher never saw a batch under way after a committed one\n${context}`).toBeTruthy();
      expect(exited.signal, context).toBe("SIGKILL");
      // The killed batch had claimed and queued mails in its transaction.
      expect(watched.at_kill!.claims_open).toBeGreaterThanOrEqual(UNCOMMITTED);
      expect(watched.at_kill!.mails_open).toBeGreaterThanOrEqual(UNCOMMITTED);
      // What stayed: whole batches, the first due users in id order, nothing of the killed one.
      const kept = watched.claimed.length;
      expect(kept % batch, context).toBe(0);
      expect(kept).toBeGreaterThanOrEqual(batch);
      expect(kept).toBeLessThan(due.length);
      expect(watched.claimed).toEqual(due.slice(0, kept));
      expect(watched.cursor, "the cursor at the last user of the committed batches").toBe(due[kept - 1]);
      expect(watched.mailed, "one mail per claim").toBe(kept);
      expect(watched.mails_not_one).toEqual(due.slice(kept));
      expect(watched.mailed_twice_anyone).toEqual([]);
      expect(watched.summary_claims, "the summary waits for the end of the round").toBe(0);
      process.stderr.write(
        `\ncron-kill ${series}: killed after ${watched.seconds.toFixed(1)} s with ${kept} users committed and ` +
          `${watched.at_kill!.claims_open} claims / ${watched.at_kill!.mails_open} mails of the running batch open\n`,
      );
    });

    it(`${series}: restarted, every due user is mailed exactly once and the cron rescheduled itself while work remained`, { timeout: 600_000 }, async () => {
      expect(state.afterKill, "the kill step ran").toBeDefined();
      const { due, batch } = state.setup!;
      const { server } = await startServer();
      state.server = server;
      const watched = await watch("finish", server.pid!, 400);
      state.finished = watched;
      const context = `${JSON.stringify({ ...watched, claimed: watched.claimed.length })}\n--- server log ---\n${logTail()}`;
      expect(watched.finished, `the round did not end\n${context}`).toBeTruthy();
      expect(watched.claims_not_one, context).toEqual([]);
      expect(watched.mails_not_one, context).toEqual([]);
      expect(watched.mailed).toBe(due.length);
      expect(watched.mailed_twice_anyone).toEqual([]);
      expect(watched.cursor, "nothing left in the round").toBe(0);
      // Each run handles one batch and the cron was due once: the positions it stopped at, over
      // both server runs, are runs it asked for itself.
      const positions = new Set([...state.afterKill!.cursors, ...watched.cursors].filter((cursor) => cursor !== 0));
      expect(positions.size, context).toBeGreaterThanOrEqual(Math.ceil(due.length / batch) - 1);
      if (watched.progress) {
        // 18.0+: the runner repeated the job on the progress the cron reported.
        expect(watched.progress.filter(([done, remaining]) => done === batch && remaining > 0).length).toBeGreaterThanOrEqual(1);
      }
      expect(watched.summary_claims, "the administrators' summary, once").toBeGreaterThanOrEqual(1);
      expect(watched.summary_mails).toBe(watched.summary_claims);
      process.stderr.write(
        `\ncron-kill ${series}: round finished ${watched.seconds.toFixed(1)} s after the restart; cursor stopped at ` +
          `${positions.size} positions; ${watched.mailed} users mailed once each\n`,
      );
    });

    it(`${series}: the next day's round goes through every batch and mails nobody again`, { timeout: 300_000 }, async () => {
      expect(state.finished, "the restart step ran").toBeDefined();
      const server = state.server!;
      const watched = await watch("again", server.pid!, 180);
      server.kill("SIGTERM");
      await Promise.race([server, new Promise((resolve) => setTimeout(resolve, 15_000))]);
      const context = `${JSON.stringify({ ...watched, claimed: watched.claimed.length })}\n--- server log ---\n${logTail()}`;
      // Batches with nothing to send take a fraction of a second each: the cron must still ask
      // to run again after each of them, or the round waits for the next day at the cursor.
      expect(watched.finished, `the round stopped at user ${watched.cursor}, rescheduled for the next day\n${context}`).toBeTruthy();
      expect(watched.cursor).toBe(0);
      expect(watched.mails_not_one, context).toEqual([]);
      expect(watched.mailed).toBe(state.setup!.due.length);
      expect(watched.mailed_twice_anyone).toEqual([]);
      expect(watched.summary_mails).toBe(watched.summary_claims);
      process.stderr.write(`\ncron-kill ${series}: the next round took ${watched.seconds.toFixed(1)} s, no mail sent\n`);
    });
  });
}

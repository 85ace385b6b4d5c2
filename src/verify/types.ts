import type { IgnoredIssue, InstallError, LogIssue, TestFailure } from "./log.js";

/** The steps of a verify run, in order. */
export type StepName = "postgres" | "dependencies" | "database" | "addon" | "tests" | "cleanup";

export interface ProgressEvent {
  series: string;
  step: StepName;
  state: "start" | "done" | "failed";
  /** Duration, on `done` / `failed`. */
  ms?: number;
  detail?: string;
}

export interface StepTiming {
  step: StepName;
  ms: number;
  state: "done" | "failed";
  detail?: string;
}

export interface VerifyOptions {
  /** The addon folder (holding `__manifest__.py`); its name is the addon's technical name. */
  addonDir: string;
  /** `16.0` … `19.0`. */
  series: string;
  /** The Odoo source tree; default `$ODOO_2FA_SOURCES/<series>` (default `~/.cache/odoo-2fa/sources/<series>`). */
  odooSrc?: string;
  /** A Python with Odoo's dependencies; default /usr/bin/python3, else python3 on PATH (the first that imports them). */
  python?: string;
  /** Keep the temporary cluster and the database (stopped) and report how to start them. */
  keepDb?: boolean;
  /** Run the addon's tests after installing it (default true); false: install only (upgrade tests). */
  runTests?: boolean;
  onProgress?: (event: ProgressEvent) => void;
  /** More folders for Odoo's addons path, for non-core `depends` of the addon. */
  extraAddonsPaths?: string[];
  /** Environment for the look-ups (ODOO_2FA_SOURCES, ODOO_2FA_CACHE, ODOO_2FA_PG_BIN, HOME); default process.env. */
  env?: NodeJS.ProcessEnv;
}

export interface VerifyReport {
  backend: "local";
  addon: string;
  addonDir: string;
  series: string;
  /** Install ok, a test result was reported with no failure and no error, and no warning or error was logged. */
  ok: boolean;
  exitCode: 0 | 1;
  /** Why `ok` is false, one line each (empty when ok). */
  problems: string[];
  /** Things worth knowing that do not fail the run (e.g. "the addon has no tests"). */
  notes: string[];
  odoo: { tree: string; version: string; python: string; postgres: string; exitCode: number | null };
  template: { reused: boolean; key: string; dir: string; modules: string[]; ms: number };
  database: string;
  install: { ok: boolean; error?: InstallError };
  tests: {
    total: number;
    failed: number;
    errors: number;
    skipped: number;
    passed: number;
    /** Odoo logged its `odoo.tests.result` line. */
    reported: boolean;
    failures: TestFailure[];
    skippedTests: { test: string; reason: string }[];
  };
  /** WARNING/ERROR records that failed the run. */
  warnings: LogIssue[];
  /** WARNING/ERROR records seen and ignored, each with the reason. */
  ignored: IgnoredIssue[];
  steps: StepTiming[];
  durationMs: number;
  /** The full Odoo log of the addon's install and tests. */
  logFile: string;
  /** With `keepDb`: where the stopped cluster is, and how to use it. */
  kept?: { dir: string; database: string; startPostgres: string; odooArgs: string };
}

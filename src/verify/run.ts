/**
 * What a verify run is, whichever backend runs Odoo: its steps (timed, reported as progress),
 * the verdict read from Odoo's log, and the part of the report that follows from them. The
 * local backend (local.ts) and the docker backend (docker/verify.ts) both build on this module.
 */
import { isSeries, SERIES, type Series } from "../profiles/series.js";
import { VerifyError } from "./errors.js";
import type { LogAnalysis } from "./log.js";
import type { ProgressEvent, StepName, StepTiming, VerifyReport } from "./types.js";

/** The series asked for, or a VerifyError naming the supported ones. */
export function checkedSeries(series: string): Series {
  if (!isSeries(series)) throw new VerifyError("bad-series", `Unknown Odoo series "${series}".`, `Use one of ${SERIES.join(", ")} or all.`);
  return series;
}

/** The steps of one run: one active at a time, each timed and reported to `onProgress`. */
export class Steps {
  readonly timings: StepTiming[] = [];
  private current?: { name: StepName; start: number };
  constructor(
    private readonly series: string,
    private readonly onProgress?: (event: ProgressEvent) => void,
  ) {}

  start(name: StepName, detail?: string): void {
    if (this.current?.name === name) return;
    this.end("done");
    this.current = { name, start: performance.now() };
    this.onProgress?.({ series: this.series, step: name, state: "start", detail });
  }

  end(state: "done" | "failed", detail?: string): void {
    if (!this.current) return;
    const ms = Math.round(performance.now() - this.current.start);
    this.timings.push({ step: this.current.name, ms, state, detail });
    this.onProgress?.({ series: this.series, step: this.current.name, state, ms, detail });
    this.current = undefined;
  }

  get active(): StepName | undefined {
    return this.current?.name;
  }

  /**
   * Closes the install and test steps once Odoo has exited: the test step is reported even when
   * no test ran (Odoo never logged one), so every run shows the same steps.
   */
  finishTests(analysis: LogAnalysis, ok: boolean): void {
    if (this.active === "dependencies" || this.active === "addon") {
      this.end(analysis.installed ? "done" : "failed", analysis.installed ? "installed" : "install failed");
      if (analysis.installed) {
        this.start("tests");
        this.end(ok ? "done" : "failed", "no test ran");
      }
      return;
    }
    const result = analysis.result;
    this.end(ok ? "done" : "failed", result ? `${result.total} tests, ${result.failed} failed, ${result.errors} error(s)` : undefined);
  }
}

/** Turns the log of the addon's install into the report's verdict. */
export function verdict(analysis: LogAnalysis, exitCode: number | undefined, testsRun = true): { problems: string[]; notes: string[] } {
  const problems: string[] = [];
  const notes: string[] = [];
  if (analysis.installError) {
    const where = analysis.installError.file ? ` in ${analysis.installError.file}${analysis.installError.fileLine ? `:${analysis.installError.fileLine}` : ""}` : "";
    problems.push(`install failed${where}: ${analysis.installError.message.split("\n")[0]}`);
  } else if (!analysis.installed) {
    problems.push(`install failed: Odoo never reported the addon as loaded (exit ${exitCode ?? "killed"})`);
  }
  if (analysis.result) {
    if (analysis.result.failed > 0 || analysis.result.errors > 0) {
      problems.push(`tests: ${analysis.result.failed} failed, ${analysis.result.errors} error(s) of ${analysis.result.total}`);
    } else if (analysis.result.total === 0) notes.push("the addon has no tests: none ran");
  } else if (analysis.installed && testsRun) {
    problems.push(`Odoo did not report a test result (exit ${exitCode ?? "killed"})`);
  }
  if (analysis.failures.length > 0 && !problems.some((p) => p.startsWith("tests:"))) {
    problems.push(`tests: ${analysis.failures.length} failing test(s)`);
  }
  if (analysis.issues.length > 0) {
    const warnings = analysis.issues.filter((i) => i.level === "WARNING").length;
    const errors = analysis.issues.length - warnings;
    problems.push(`log: ${[errors ? `${errors} error(s)` : "", warnings ? `${warnings} warning(s)` : ""].filter(Boolean).join(", ")} logged`);
  }
  if (exitCode !== 0 && problems.length === 0) problems.push(`Odoo exited with status ${exitCode ?? "killed"}`);
  return { problems, notes };
}

/** The fields of a report that follow from the verdict and the log, the same for both backends. */
export type RunOutcome = Pick<VerifyReport, "ok" | "exitCode" | "problems" | "notes" | "install" | "tests" | "warnings" | "ignored">;

export function runOutcome(analysis: LogAnalysis, found: { problems: string[]; notes: string[] }): RunOutcome {
  const ok = found.problems.length === 0;
  const result = analysis.result;
  return {
    ok,
    exitCode: ok ? 0 : 1,
    problems: found.problems,
    notes: found.notes,
    install: { ok: analysis.installed, error: analysis.installError },
    tests: {
      total: result?.total ?? 0,
      failed: result?.failed ?? analysis.failures.filter((f) => f.kind === "FAIL").length,
      errors: result?.errors ?? analysis.failures.filter((f) => f.kind === "ERROR").length,
      skipped: analysis.skipped.length,
      passed: result ? Math.max(0, result.total - result.failed - result.errors - analysis.skipped.length) : 0,
      reported: result !== undefined,
      failures: analysis.failures,
      skippedTests: analysis.skipped,
    },
    warnings: analysis.issues,
    ignored: analysis.ignored,
  };
}

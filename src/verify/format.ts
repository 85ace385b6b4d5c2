/** Text renderings of verify's progress and report (pure; the CLI prints them). */
import type { DockerVerifyReport } from "./docker/verify.js";
import type { ProgressEvent, VerifyReport } from "./types.js";

export function formatDuration(ms: number): string {
  return ms < 1000 ? `${ms} ms` : ms < 60_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

const STEP_LABEL: Record<ProgressEvent["step"], string> = {
  postgres: "PostgreSQL",
  dependencies: "dependencies",
  database: "database",
  addon: "addon",
  tests: "tests",
  cleanup: "cleanup",
};

/** One plain line per progress event (non-TTY), e.g. `[17.0] dependencies: done in 31.2 s (built template …)`. */
export function formatProgress(event: ProgressEvent): string {
  const label = `[${event.series}] ${STEP_LABEL[event.step]}`;
  if (event.state === "start") return `${label}: ${event.detail ?? "…"}`;
  const detail = event.detail ? ` (${event.detail})` : "";
  return `${label}: ${event.state === "done" ? "done" : "FAILED"} in ${formatDuration(event.ms ?? 0)}${detail}`;
}

/** Long one-liners (assertion messages with a whole HTML page inside) keep their head and their tail. */
export function shorten(text: string, max = 320): string {
  const flat = text.replace(/\s*\n\s*/g, " ⏎ ");
  if (flat.length <= max) return flat;
  const tail = Math.floor(max / 3);
  return `${flat.slice(0, max - tail - 3)} … ${flat.slice(-tail)}`;
}

function indent(text: string, prefix = "    "): string {
  return text
    .split("\n")
    .map((line) => `${prefix}${line}`)
    .join("\n");
}

/** The report as text: a verdict line, then what failed and where to look. */
export function formatReport(report: VerifyReport | DockerVerifyReport): string {
  const out: string[] = [];
  const mark = report.ok ? "✔" : "✘";
  const t = report.tests;
  const testsText = t.reported ? `${t.total} test(s): ${t.passed} passed, ${t.failed} failed, ${t.errors} error(s)${t.skipped ? `, ${t.skipped} skipped` : ""}` : "no test result";
  const head = report.install.ok ? `installed; ${testsText}` : "install failed";
  const warnings = report.warnings.length ? `; ${report.warnings.length} warning/error line(s) in the log` : "";
  out.push(`${mark} ${report.addon} on Odoo ${report.series}: ${head}${warnings} (${formatDuration(report.durationMs)}${report.backend === "local" && !report.template.reused ? ", template built" : ""})`);

  const error = report.install.error;
  if (error) {
    const where = error.file ? `${error.file}${error.fileLine ? `:${error.fileLine}` : ""}` : "";
    out.push(`  install error${where ? ` in ${where}` : ""} (Odoo ${report.series}, log line ${error.logLine}):`);
    out.push(indent(shortenLines(error.message, 8)));
    out.push("  excerpt:");
    out.push(indent(shortenLines(error.excerpt, 25)));
  }
  for (const failure of t.failures) {
    const where = failure.location ? ` (${failure.location.file}:${failure.location.line})` : "";
    out.push(`  ${failure.kind} ${failure.test}${where}`);
    out.push(`      ${shorten(failure.message)}`);
  }
  for (const issue of report.warnings) {
    out.push(`  ${issue.level} ${issue.logger || "(stderr)"}: ${shorten(issue.message, 240)} (log line ${issue.logLine})`);
  }
  for (const problem of report.problems) if (!/^(tests|log):/.test(problem) && !problem.startsWith("install failed")) out.push(`  ${problem}`);
  for (const note of report.notes) out.push(`  note: ${note}`);
  if (!report.ok) out.push(`  log: ${report.logFile}`);
  if (report.kept) {
    const where = "dir" in report.kept ? report.kept.dir : `container ${report.kept.container} (network ${report.kept.network})`;
    out.push(`  kept database ${report.kept.database} in ${where}`);
    out.push(`    start PostgreSQL: ${report.kept.startPostgres}`);
    out.push(`    then Odoo with:   ${report.kept.odooArgs}`);
  }
  return out.join("\n");
}

function shortenLines(text: string, maxLines: number): string {
  const lines = text.split("\n").map((line) => (line.length > 300 ? shorten(line, 300) : line));
  if (lines.length <= maxLines) return lines.join("\n");
  return [...lines.slice(0, 3), "…", ...lines.slice(-(maxLines - 4))].join("\n");
}

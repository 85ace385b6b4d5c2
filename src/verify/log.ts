/**
 * Reading an Odoo server log (16.0–19.0, the same format on all four): records, the install
 * outcome, the test result line, failing tests with their assertion message, and the warnings
 * and errors that fail a run. Pure: no IO.
 */

export type LogLevel = "DEBUG" | "INFO" | "RUNBOT" | "WARNING" | "ERROR" | "CRITICAL" | "RAW";

export interface LogRecord {
  /** 1-based line of the record's first line in the log. */
  line: number;
  /** `RAW`: text written to stderr outside the logging system (e.g. "Running as user 'root'…"). */
  level: LogLevel;
  /** Database name, `?` before one is selected; "" for RAW lines. */
  db: string;
  logger: string;
  /** The first line of the message. */
  message: string;
  /** Continuation lines (tracebacks, multi-line messages), without the first line. */
  details: string[];
}

const HEADER =
  /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} \d+ (DEBUG|INFO|RUNBOT|WARNING|ERROR|CRITICAL|\?) (\S+) (\S+?): ?(.*)$/;

/** Splits a log into records: a header line plus the lines up to the next header. */
export function parseLogRecords(text: string): LogRecord[] {
  const records: LogRecord[] = [];
  const lines = text.split(/\r?\n/);
  let current: LogRecord | undefined;
  lines.forEach((raw, index) => {
    const line = raw.replace(/\s+$/, "");
    const match = HEADER.exec(line);
    if (match) {
      const level = match[1] === "?" ? "INFO" : (match[1] as LogLevel);
      current = { line: index + 1, level, db: match[2]!, logger: match[3]!, message: match[4]!, details: [] };
      records.push(current);
    } else if (line === "") {
      if (current) current.details.push("");
    } else if (current && current.level !== "RAW" && (/^\s/.test(raw) || looksLikeContinuation(current))) {
      current.details.push(line);
    } else {
      current = { line: index + 1, level: "RAW", db: "", logger: "", message: line, details: [] };
      records.push(current);
    }
  });
  for (const record of records) {
    while (record.details.length > 0 && record.details[record.details.length - 1] === "") record.details.pop();
  }
  return records;
}

/** After a header whose record carries a traceback or a multi-line message, unindented lines belong to it. */
function looksLikeContinuation(record: LogRecord): boolean {
  return record.level !== "INFO" || record.details.length > 0 || /Traceback|:$/.test(record.message);
}

export interface TestFailure {
  kind: "FAIL" | "ERROR";
  /** `Class.test_method`, as Odoo names it (18/19 may add ` (param=…)` for subtests). */
  test: string;
  /** Python module of the test, from the logger: `odoo.addons.<addon>.tests.<file>`. */
  logger: string;
  /** The exception line(s) at the end of the traceback: `AssertionError: …`. Long messages are cut. */
  message: string;
  /** Where in the addon it failed: the last traceback frame inside a `tests` folder, if any. */
  location?: { file: string; line: number };
  excerpt: string;
  logLine: number;
}

export interface TestResult {
  failed: number;
  errors: number;
  total: number;
  /** The level Odoo logged the result line at: INFO (all passed), ERROR (failures), WARNING (0 tests). */
  level: LogLevel;
  logLine: number;
}

export interface LogIssue {
  level: "WARNING" | "ERROR" | "CRITICAL";
  logger: string;
  message: string;
  excerpt: string;
  logLine: number;
  /** Logged by the addon's own code, or names the addon (its loggers, its files, its name). */
  aboutAddon: boolean;
}

export interface IgnoredIssue extends LogIssue {
  reason: string;
}

export interface InstallError {
  logger: string;
  /** The error in one or a few lines: the exception line for tracebacks, else the record's message. */
  message: string;
  /** The file Odoo named (e.g. `views/res_users_views.xml` from a ParseError), relative to the addon when inside it. */
  file?: string;
  fileLine?: number;
  excerpt: string;
  logLine: number;
}

export interface LogAnalysis {
  /** The addon was loaded (Odoo's "Module <addon> loaded in …" line) and no install-phase error was logged. */
  installed: boolean;
  installError?: InstallError;
  result?: TestResult;
  failures: TestFailure[];
  /** Tests Odoo reported as skipped (`skipped Class.test : reason`). */
  skipped: { test: string; reason: string }[];
  /** WARNING/ERROR/CRITICAL records that fail the run. */
  issues: LogIssue[];
  /** WARNING/ERROR records that were seen but do not fail the run, with the reason. */
  ignored: IgnoredIssue[];
}

export interface AnalyzeOptions {
  addon: string;
  /**
   * Paths under which the addon's files appear in the log (e.g. the folder linked into the
   * temporary addons path, and the real folder). Used to attribute tracebacks and to make file
   * names relative to the addon.
   */
  addonPaths?: string[];
  /** Odoo series: some harmless lines exist only in some series. */
  series?: string;
  /**
   * Does this module of the tree depend on a module the tree lacks? Odoo marks such auto-install
   * modules "to install" and then logs "Some modules have inconsistent states" at ERROR (the
   * 16/18/19 trees carry manifests of modules whose dependencies are proprietary). When every
   * module named there is one of these, the line is about the tree, not the addon.
   */
  lacksDependencies?: (module: string) => boolean;
}

/**
 * Known harmless lines: environment noise of a source-tree Odoo that says nothing about the
 * addon. Each entry names why it is harmless. Matched against `logger: message`.
 */
export const HARMLESS: { pattern: RegExp; reason: string }[] = [
  { pattern: /Running as user 'root' is a security risk/, reason: "Odoo runs as root in this environment" },
  { pattern: /^(RAW: )?Warn: Can't find \.pfb for face/, reason: "reportlab font lookup noise" },
  {
    pattern: /odoo\.addons\.base\.models\.ir_asset: .*web_map\/static\/lib\/.*did not resolve/,
    reason: "16.0 tree: leftover asset glob of an enterprise module",
  },
  {
    pattern: /DeprecationWarning: .*web\.controllers\.main/,
    reason: "18.0/19.0: stock modules import the deprecated web.controllers.main",
  },
  {
    pattern: /The (\/xmlrpc|\/jsonrpc|xmlrpc|jsonrpc|XML-RPC|JSON-RPC).*deprecated/i,
    reason: "19.0 logs a deprecation for every XML-RPC/JSON-RPC call, also the addon tests' own calls",
  },
  {
    pattern: /odoo\.tests\.result: 0 failed, 0 error\(s\) of 0 tests/,
    reason: "reported as 'no tests ran', not as a warning",
  },
  {
    pattern: /Using the default --http-interface|http_interface/,
    reason: "19.0: default HTTP interface notice",
  },
];

const RESULT = /odoo\.tests\.result$/;
const RESULT_MESSAGE = /^(\d+) failed, (\d+) error\(s\) of (\d+) tests/;
const TEST_FAILURE = /^(FAIL|ERROR): (.+?)\s*$/;
const TEST_START = /^Starting (\S+) \.\.\.\s*$/;
const SKIPPED = /^skipped (\S+) : (.*)$/;
const MAX_MESSAGE = 1500;
const MAX_EXCERPT_LINES = 40;

export function recordText(record: LogRecord): string {
  const head = record.level === "RAW" ? record.message : `${record.level} ${record.logger}: ${record.message}`;
  return [head, ...record.details].join("\n");
}

function excerptOf(record: LogRecord, maxLines = MAX_EXCERPT_LINES): string {
  const lines = recordText(record).split("\n");
  const cut = lines.length > maxLines ? [...lines.slice(0, 5), "  …", ...lines.slice(-(maxLines - 6))] : lines;
  return cut.map((line) => headAndTail(line, 400)).join("\n");
}

/** Keeps the head and the tail: an assertion's own message comes after the (long) values it compares. */
function headAndTail(text: string, max: number): string {
  if (text.length <= max) return text;
  const tail = Math.floor(max / 3);
  return `${text.slice(0, max - tail - 3)} … ${text.slice(-tail)}`;
}

/**
 * The exception at the end of a traceback: the last unindented line that is not part of the
 * traceback's own framing, plus the lines after it (multi-line messages).
 */
export function exceptionMessage(details: readonly string[]): string | undefined {
  let start = -1;
  for (let i = details.length - 1; i >= 0; i--) {
    const line = details[i]!;
    if (line === "" || /^\s/.test(line)) continue;
    if (/^(Traceback \(most recent call last\)|During handling of the above exception|The above exception was the direct cause)/.test(line)) break;
    if (/^[A-Za-z_][\w.]*(: |:$|$)/.test(line)) {
      start = i;
      // keep walking up: a multi-line message has its exception line above unindented text
      if (/^[A-Za-z_][\w.]*(Error|Exception|Warning|Failure|Denied|Interrupt|Exit)\b/.test(line)) break;
    }
  }
  if (start < 0) return undefined;
  return headAndTail(details.slice(start).join("\n").trim(), MAX_MESSAGE);
}

function lastFrame(details: readonly string[], addonPaths: readonly string[], testsOnly: boolean) {
  let found: { file: string; line: number } | undefined;
  for (const line of details) {
    const frame = /^\s*File "([^"]+)", line (\d+)/.exec(line);
    if (!frame) continue;
    const file = relativeToAddon(frame[1]!, addonPaths);
    if (file === undefined) continue;
    if (testsOnly && !file.startsWith("tests/")) continue;
    found = { file, line: Number(frame[2]) };
  }
  return found;
}

function relativeToAddon(file: string, addonPaths: readonly string[]): string | undefined {
  for (const base of addonPaths) {
    const prefix = base.endsWith("/") ? base : `${base}/`;
    if (file.startsWith(prefix)) return file.slice(prefix.length);
  }
  return undefined;
}

/** Odoo's ParseError names the file: `while parsing /path/file.xml:12, somewhere inside`. */
function parsedFile(text: string, addonPaths: readonly string[]): { file: string; line?: number } | undefined {
  const match = /while parsing (\S+?\.(?:xml|csv|py))(?::(\d+))?/.exec(text) ?? /File "?(\S+?\.(?:xml|csv))"?,? line (\d+)/.exec(text);
  if (!match) return undefined;
  const file = relativeToAddon(match[1]!, addonPaths) ?? match[1]!;
  return { file, line: match[2] ? Number(match[2]) : undefined };
}

/**
 * The lines of an install error that say what is wrong: Odoo's ParseError quotes the whole view
 * arch and a context dict; keep the exception line and the unindented prose around them.
 */
export function essentials(message: string): string {
  const lines = message.split("\n");
  const kept: string[] = [];
  for (const line of lines) {
    if (/^View error context:/.test(line)) break;
    if (line.trim() === "" || /^\s/.test(line) || /^</.test(line)) continue;
    kept.push(line);
  }
  return kept.length > 0 ? kept.join("\n") : message;
}

function mentionsAddon(record: LogRecord, addon: string, addonPaths: readonly string[]): boolean {
  if (record.logger === `odoo.addons.${addon}` || record.logger.startsWith(`odoo.addons.${addon}.`)) return true;
  const text = recordText(record);
  if (addonPaths.some((base) => text.includes(base))) return true;
  return new RegExp(`(^|[^\\w.])${addon.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}([^\\w]|$)`).test(text);
}

const INCONSISTENT = /^Some modules have inconsistent states, some dependencies may be missing: \[([^\]]*)\]/;

function harmlessReason(record: LogRecord, options?: AnalyzeOptions): string | undefined {
  const inconsistent = INCONSISTENT.exec(record.message);
  if (inconsistent && options?.lacksDependencies) {
    const modules = [...inconsistent[1]!.matchAll(/'([^']+)'/g)].map((m) => m[1]!);
    if (modules.length > 0 && !modules.includes(options.addon) && modules.every((m) => options.lacksDependencies!(m))) {
      return "modules of the Odoo tree whose dependencies the tree lacks (not the addon, not its dependencies)";
    }
  }
  const text = record.level === "RAW" ? `RAW: ${record.message}` : `${record.logger}: ${record.message}\n${record.details.join("\n")}`;
  return HARMLESS.find((entry) => entry.pattern.test(text))?.reason;
}

/**
 * Reads the log of `odoo -d DB -i ADDON --test-enable --test-tags /ADDON --stop-after-init`
 * (run on a database where the dependencies are already installed).
 */
export function analyzeLog(text: string, options: AnalyzeOptions): LogAnalysis {
  const records = parseLogRecords(text);
  const addonPaths = options.addonPaths ?? [];
  const { addon } = options;
  const failures: TestFailure[] = [];
  const skipped: { test: string; reason: string }[] = [];
  const issues: LogIssue[] = [];
  const ignored: IgnoredIssue[] = [];
  let result: TestResult | undefined;
  let installError: InstallError | undefined;
  let loaded = false;
  let testsStarted = false;
  let registryStarted = false;

  for (const record of records) {
    if (record.logger === "odoo.modules.loading" && /^(loading \d+ modules|init db|updating modules list)/.test(record.message)) {
      registryStarted = true;
    }
    if (record.logger === "odoo.modules.loading" && record.message.startsWith(`Module ${addon} loaded in`)) loaded = true;
    if (TEST_START.test(record.message) || (record.logger === "odoo.service.server" && record.message.startsWith("Starting post tests"))) {
      testsStarted = true;
    }
    const skip = SKIPPED.exec(record.message);
    if (skip && record.level === "INFO") skipped.push({ test: skip[1]!, reason: skip[2]! });

    if (RESULT.test(record.logger)) {
      const match = RESULT_MESSAGE.exec(record.message);
      if (match) {
        result = { failed: Number(match[1]), errors: Number(match[2]), total: Number(match[3]), level: record.level, logLine: record.line };
        continue;
      }
    }

    const failure = record.level === "ERROR" ? TEST_FAILURE.exec(record.message) : null;
    if (failure) {
      failures.push({
        kind: failure[1] as "FAIL" | "ERROR",
        test: failure[2]!,
        logger: record.logger,
        message: exceptionMessage(record.details) ?? record.message,
        location: lastFrame(record.details, addonPaths, true) ?? lastFrame(record.details, addonPaths, false),
        excerpt: excerptOf(record),
        logLine: record.line,
      });
      testsStarted = true;
      continue;
    }

    if (record.level !== "WARNING" && record.level !== "ERROR" && record.level !== "CRITICAL" && record.level !== "RAW") continue;
    if (record.level === "RAW") {
      const reason = harmlessReason(record);
      if (reason) continue;
      // Plain stderr output: Python tracebacks printed outside logging, or tool noise. Attribute
      // it only when it names the addon.
      if (!mentionsAddon(record, addon, addonPaths)) continue;
    }
    const level = record.level === "RAW" ? "WARNING" : record.level;
    const issue: LogIssue = {
      level,
      logger: record.logger,
      message: record.message,
      excerpt: excerptOf(record),
      logLine: record.line,
      aboutAddon: mentionsAddon(record, addon, addonPaths),
    };
    const reason = harmlessReason(record, options);
    if (reason) {
      ignored.push({ ...issue, reason });
      continue;
    }
    if (!registryStarted && !issue.aboutAddon) {
      ignored.push({ ...issue, reason: "logged at server start, before the database was loaded, and does not concern the addon" });
      continue;
    }

    const installPhase = !testsStarted;
    if ((installPhase && record.level !== "WARNING") || record.level === "CRITICAL") {
      if (!installError) {
        const text = recordText(record);
        const named = parsedFile(text, addonPaths) ?? lastFrame(record.details, addonPaths, false);
        installError = {
          logger: record.logger,
          message: essentials(exceptionMessage(record.details) ?? record.message),
          file: named?.file,
          fileLine: named?.line,
          excerpt: excerptOf(record),
          logLine: record.line,
        };
        continue;
      }
      // Follow-up errors of the first one ("Failed to load registry", "Failed to initialize database").
      if (/^Failed to (load registry|initialize database)/.test(record.message)) continue;
    }
    issues.push(issue);
  }

  // Consequences of a failed install, logged around it: the install error says it all.
  const followUps = installError ? issues.filter((issue) => /^Transient module states were reset/.test(issue.message)) : [];
  for (const issue of followUps) ignored.push({ ...issue, reason: "a consequence of the install error" });
  const kept = issues.filter((issue) => !followUps.includes(issue));
  return { installed: loaded && !installError, installError, result, failures, skipped, issues: kept, ignored };
}

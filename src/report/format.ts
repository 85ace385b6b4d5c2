/**
 * The report's three output formats. Pure: text in, text out.
 *
 * - table: a summary per group and company, then every row, aligned; for a terminal, so control
 *   and bidirectional-override characters in names are replaced (a user name must not be able to
 *   move the cursor or recolour an auditor's terminal).
 * - csv: RFC 4180 (CRLF, fields quoted when they hold `"`, `,`, CR or LF), one header line, the rows.
 *   Cells starting with `=`, `+`, `-`, `@`, tab or CR get a leading `'` so that a spreadsheet shows
 *   them as text instead of running them as formulas (CSV injection).
 * - json: `{ rows, summary }`.
 */
import type { ReportRow } from "./client.js";
import { sortRows, STATUSES, type ReportSummary, type StatusCounts } from "./summary.js";

export const REPORT_FORMATS = ["table", "csv", "json"] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** What the table shows for a row without a group. */
export const NO_GROUP_LABEL = "(no enforced group)";

// ---------------------------------------------------------------------------------------------
// CSV
// ---------------------------------------------------------------------------------------------

export const CSV_COLUMNS = ["login", "user", "company", "group", "status", "last_login", "deadline"] as const;

/** One CSV field: formula-looking cells neutralised, then quoted when RFC 4180 requires it. */
export function csvCell(value: string | null): string {
  let text = value ?? "";
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function formatCsv(rows: readonly ReportRow[]): string {
  const lines = [CSV_COLUMNS.join(",")];
  for (const row of sortRows(rows)) {
    lines.push([row.login, row.user, row.company, row.group, row.status, row.lastLogin, row.deadline].map(csvCell).join(","));
  }
  return `${lines.join("\r\n")}\r\n`;
}

// ---------------------------------------------------------------------------------------------
// JSON
// ---------------------------------------------------------------------------------------------

export function formatJson(rows: readonly ReportRow[], summary: ReportSummary): string {
  return `${JSON.stringify({ rows: sortRows(rows), summary }, null, 2)}\n`;
}

// ---------------------------------------------------------------------------------------------
// Table
// ---------------------------------------------------------------------------------------------

// C0 and C1 controls, DEL, and the bidirectional embedding/override/isolate characters.
// eslint-disable-next-line no-control-regex
const UNSAFE_FOR_TERMINAL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** Text safe to print on a terminal, on one line. */
export function terminalText(text: string): string {
  return text.replace(UNSAFE_FOR_TERMINAL, "\uFFFD");
}

const width = (text: string) => [...text].length;

/** Aligned columns, two spaces apart; `right` columns (numbers) are right-aligned. No trailing spaces. */
export function alignColumns(header: readonly string[], lines: readonly (readonly string[])[], right: ReadonlySet<number> = new Set()): string[] {
  const all = [header, ...lines];
  const widths = header.map((_, column) => Math.max(...all.map((line) => width(line[column] ?? ""))));
  return all.map((line) =>
    line
      .map((cell, column) => {
        const pad = " ".repeat(widths[column]! - width(cell));
        return right.has(column) ? pad + cell : cell + pad;
      })
      .join("  ")
      .trimEnd(),
  );
}

const countCells = (counts: StatusCounts) => [...STATUSES.map((status) => String(counts[status])), String(counts.total)];

export interface TableOptions {
  /** A first line, e.g. which database at which URL. */
  title?: string;
}

export function formatTable(rows: readonly ReportRow[], summary: ReportSummary, options: TableOptions = {}): string {
  const out: string[] = [];
  if (options.title) out.push(terminalText(options.title), "");
  const numbers = new Set([2, 3, 4, 5, 6]);
  out.push("Summary per group and company");
  out.push(
    ...alignColumns(
      ["GROUP", "COMPANY", "ENROLLED", "GRACE", "MISSING", "EXEMPT", "TOTAL"],
      [
        ...summary.byGroup.map((line) => [terminalText(line.group ?? NO_GROUP_LABEL), terminalText(line.company), ...countCells(line)]),
        ["All users (each login once)", "", ...countCells(summary.users)],
      ],
      numbers,
    ),
  );
  out.push("", `Users (${rows.length} ${rows.length === 1 ? "row" : "rows"}; times in UTC)`);
  if (rows.length === 0) out.push("(none: the policy concerns no user)");
  else
    out.push(
      ...alignColumns(
        ["LOGIN", "NAME", "COMPANY", "GROUP", "STATUS", "LAST LOGIN", "DEADLINE"],
        sortRows(rows).map((row) => [
          terminalText(row.login),
          terminalText(row.user),
          terminalText(row.company),
          terminalText(row.group ?? NO_GROUP_LABEL),
          row.status,
          row.lastLogin ?? "-",
          row.deadline ?? "-",
        ]),
      ),
    );
  return `${out.join("\n")}\n`;
}

export function formatReport(format: ReportFormat, rows: readonly ReportRow[], summary: ReportSummary, options: TableOptions = {}): string {
  if (format === "csv") return formatCsv(rows);
  if (format === "json") return formatJson(rows, summary);
  return formatTable(rows, summary, options);
}

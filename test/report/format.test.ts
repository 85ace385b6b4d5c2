/** The report's figures and its three formats: summary math, CSV (RFC 4180, formula guard), table, JSON. */
import { describe, expect, it } from "vitest";
import { csvCell, formatCsv, formatJson, formatReport, formatTable, NO_GROUP_LABEL, sortRows, summarize, terminalText, type ReportRow } from "../../src/report/index.js";

const row = (login: string, status: ReportRow["status"], group: string | null = "Internal User", company = "Contoso", extra: Partial<ReportRow> = {}): ReportRow => ({
  login,
  user: login.toUpperCase(),
  company,
  group,
  status,
  lastLogin: null,
  deadline: null,
  ...extra,
});

const ROWS: ReportRow[] = [
  row("ann", "enrolled"),
  row("bob", "grace", "Internal User", "Contoso", { deadline: "2025-02-01 08:00:00", lastLogin: "2025-01-20 09:30:00" }),
  row("cid", "missing"),
  row("ann", "enrolled", "Sales / Manager"),
  row("ann", "enrolled", "Internal User", "Fabrikam"),
  row("dee", "grace", null, "Fabrikam"),
  row("scanner", "exempt", null),
  row("eve", "missing", "Internal User", "Fabrikam"),
];

describe("summarize", () => {
  it("counts each status per (group, company), and each login once overall", () => {
    const summary = summarize(ROWS);
    expect(summary.byGroup).toEqual([
      { group: "Internal User", company: "Contoso", enrolled: 1, grace: 1, missing: 1, exempt: 0, total: 3 },
      { group: "Sales / Manager", company: "Contoso", enrolled: 1, grace: 0, missing: 0, exempt: 0, total: 1 },
      { group: null, company: "Contoso", enrolled: 0, grace: 0, missing: 0, exempt: 1, total: 1 },
      { group: "Internal User", company: "Fabrikam", enrolled: 1, grace: 0, missing: 1, exempt: 0, total: 2 },
      { group: null, company: "Fabrikam", enrolled: 0, grace: 1, missing: 0, exempt: 0, total: 1 },
    ]);
    // ann has three rows, counted once: 6 distinct logins.
    expect(summary.users).toEqual({ enrolled: 1, grace: 2, missing: 2, exempt: 1, total: 6 });
    for (const line of [...summary.byGroup, summary.users]) expect(line.total).toBe(line.enrolled + line.grace + line.missing + line.exempt);
    expect(summary.byGroup.reduce((sum, line) => sum + line.total, 0)).toBe(ROWS.length);
  });

  it("counts a login whose rows disagree under its most urgent status", () => {
    expect(summarize([row("x", "enrolled"), row("x", "missing", "B"), row("x", "grace", "C")]).users).toEqual({ enrolled: 0, grace: 0, missing: 1, exempt: 0, total: 1 });
  });

  it("is empty for no rows", () => {
    expect(summarize([])).toEqual({ byGroup: [], users: { enrolled: 0, grace: 0, missing: 0, exempt: 0, total: 0 } });
  });

  it("sorts rows by company, group (none last), login, whatever the input order", () => {
    const sorted = sortRows([...ROWS].reverse()).map((r) => `${r.company}|${r.group}|${r.login}`);
    expect(sorted).toEqual([
      "Contoso|Internal User|ann",
      "Contoso|Internal User|bob",
      "Contoso|Internal User|cid",
      "Contoso|Sales / Manager|ann",
      "Contoso|null|scanner",
      "Fabrikam|Internal User|ann",
      "Fabrikam|Internal User|eve",
      "Fabrikam|null|dee",
    ]);
  });
});

describe("csv", () => {
  it("quotes per RFC 4180: commas, double quotes, CR and LF", () => {
    expect(csvCell("plain")).toBe("plain");
    expect(csvCell(null)).toBe("");
    expect(csvCell("a,b")).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell("two\nlines")).toBe('"two\nlines"');
    expect(csvCell("cr\rhere")).toBe('"cr\rhere"');
    expect(csvCell("<tag> & 'x'")).toBe("<tag> & 'x'");
  });

  it("neutralises cells a spreadsheet would run as formulas", () => {
    expect(csvCell("=HYPERLINK(\"http://evil\")")).toBe("\"'=HYPERLINK(\"\"http://evil\"\")\"");
    expect(csvCell("+1")).toBe("'+1");
    expect(csvCell("-2+3")).toBe("'-2+3");
    expect(csvCell("@SUM(A1)")).toBe("'@SUM(A1)");
    expect(csvCell("\tcmd")).toBe("'\tcmd");
    expect(csvCell("\rcmd")).toBe("\"'\rcmd\"");
    expect(csvCell("a=b")).toBe("a=b");
    expect(csvCell("2025-01-02 03:04:05")).toBe("2025-01-02 03:04:05");
  });

  it("writes a header and one CRLF-terminated line per row, sorted", () => {
    const csv = formatCsv([row("=evil", "missing", null, "ACME, Inc.", { user: 'Eve "E" Smith', deadline: "2025-01-01 00:00:00" }), row("ann", "enrolled", "Internal User", "ACME, Inc.")]);
    expect(csv).toBe(
      "login,user,company,group,status,last_login,deadline\r\n" +
        'ann,ANN,"ACME, Inc.",Internal User,enrolled,,\r\n' +
        '\'=evil,"Eve ""E"" Smith","ACME, Inc.",,missing,,2025-01-01 00:00:00\r\n',
    );
  });

  it("round-trips through a strict RFC 4180 reader", () => {
    const tricky = row("x", "grace", 'g,"q"\nline', "c\r\nd", { user: "=1+1" });
    const text = formatCsv([tricky]);
    // A minimal RFC 4180 parser.
    const records: string[][] = [];
    let field = "";
    let record: string[] = [];
    let quoted = false;
    for (let i = 0; i < text.length; i++) {
      const c = text[i]!;
      if (quoted) {
        if (c === '"' && text[i + 1] === '"') {
          field += '"';
          i++;
        } else if (c === '"') quoted = false;
        else field += c;
      } else if (c === '"') quoted = true;
      else if (c === ",") {
        record.push(field);
        field = "";
      } else if (c === "\r" && text[i + 1] === "\n") {
        record.push(field);
        records.push(record);
        record = [];
        field = "";
        i++;
      } else field += c;
    }
    expect(records).toEqual([
      ["login", "user", "company", "group", "status", "last_login", "deadline"],
      ["x", "'=1+1", "c\r\nd", 'g,"q"\nline', "grace", "", ""],
    ]);
  });
});

describe("table", () => {
  it("shows the summary then the rows, in aligned columns", () => {
    const text = formatTable(ROWS, summarize(ROWS), { title: 'Two-factor compliance of database "prod"' });
    const lines = text.trimEnd().split("\n");
    expect(lines[0]).toBe('Two-factor compliance of database "prod"');
    expect(lines).toContain("Summary per group and company");
    const header = lines.find((line) => line.startsWith("GROUP"))!;
    expect(header).toMatch(/^GROUP\s+COMPANY\s+ENROLLED\s+GRACE\s+MISSING\s+EXEMPT\s+TOTAL$/);
    // Numbers are right-aligned under their header: every summary line ends at the same column.
    const summaryLines = lines.slice(lines.indexOf(header), lines.indexOf(header) + summarize(ROWS).byGroup.length + 2);
    expect(new Set(summaryLines.map((line) => line.length)).size).toBe(1);
    expect(summaryLines[summaryLines.length - 1]).toMatch(/^All users \(each login once\)\s+1\s+2\s+2\s+1\s+6$/);
    expect(text).toContain(NO_GROUP_LABEL);
    // Rows: each column starts at the same offset as its header.
    const rowsHeader = lines.find((line) => line.startsWith("LOGIN"))!;
    const at = (name: string) => rowsHeader.indexOf(name);
    const bob = lines.find((line) => line.startsWith("bob "))!;
    expect(bob.indexOf("grace")).toBe(at("STATUS"));
    expect(bob.indexOf("2025-01-20 09:30:00")).toBe(at("LAST LOGIN"));
    expect(bob.indexOf("2025-02-01 08:00:00")).toBe(at("DEADLINE"));
    expect(text).toContain(`Users (${ROWS.length} rows; times in UTC)`);
    for (const line of lines) expect(line).toBe(line.trimEnd());
  });

  it("keeps control and bidi characters in names off the terminal", () => {
    expect(terminalText("a\x1b[2Jb\nc\u202ed\u0085")).toBe("a\uFFFD[2Jb\uFFFDc\uFFFDd\uFFFD");
    const text = formatTable([row("x", "grace", "G", "C", { user: "Evil\x1b]0;title\x07Name" })], summarize([row("x", "grace", "G", "C")]));
    expect(text).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f]/); // eslint-disable-line no-control-regex
  });

  it("says so when the policy concerns nobody", () => {
    expect(formatTable([], summarize([]))).toContain("(none: the policy concerns no user)");
  });
});

describe("json", () => {
  it("is { rows, summary }, rows sorted, null for what Odoo sends as false", () => {
    const parsed = JSON.parse(formatJson(ROWS, summarize(ROWS))) as { rows: ReportRow[]; summary: unknown };
    expect(Object.keys(parsed)).toEqual(["rows", "summary"]);
    expect(parsed.rows).toEqual(sortRows(ROWS));
    expect(parsed.rows.find((r) => r.login === "scanner")).toMatchObject({ group: null, lastLogin: null, deadline: null });
    expect(parsed.summary).toEqual(summarize(ROWS));
    expect(formatReport("json", ROWS, summarize(ROWS))).toBe(formatJson(ROWS, summarize(ROWS)));
    expect(formatReport("csv", ROWS, summarize(ROWS))).toBe(formatCsv(ROWS));
  });
});

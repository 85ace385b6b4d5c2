/** The report's figures: counts per (group, company), and per user (each login once). Pure. */
import { STATUSES, type ComplianceStatus, type ReportRow } from "./client.js";

export type StatusCounts = Record<ComplianceStatus, number> & { total: number };

export interface GroupSummary extends StatusCounts {
  /** null: users concerned by the policy but not through an enforced group (exempt logins, portal users). */
  group: string | null;
  company: string;
}

export interface ReportSummary {
  /** One line per (group, company), sorted by company then group (null last). */
  byGroup: GroupSummary[];
  /** Every login counted once, whatever its number of groups and companies. */
  users: StatusCounts;
}

const emptyCounts = (): StatusCounts => ({ enrolled: 0, grace: 0, missing: 0, exempt: 0, total: 0 });

/** Code-unit order: the same on every machine, whatever its locale. */
export const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function compareGroup(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return compareText(a, b);
}

/** Rows in a stable order: company, group (null last), login. */
export function sortRows(rows: readonly ReportRow[]): ReportRow[] {
  return [...rows].sort((a, b) => compareText(a.company, b.company) || compareGroup(a.group, b.group) || compareText(a.login, b.login));
}

/** When one login's rows disagree (they should not), the user counts under the most urgent status. */
const URGENCY: Record<ComplianceStatus, number> = { missing: 3, grace: 2, exempt: 1, enrolled: 0 };

export function summarize(rows: readonly ReportRow[]): ReportSummary {
  const groups = new Map<string, GroupSummary>();
  const perLogin = new Map<string, ComplianceStatus>();
  for (const row of rows) {
    const key = JSON.stringify([row.company, row.group]);
    let line = groups.get(key);
    if (!line) groups.set(key, (line = { group: row.group, company: row.company, ...emptyCounts() }));
    line[row.status] += 1;
    line.total += 1;
    const known = perLogin.get(row.login);
    if (known === undefined || URGENCY[row.status] > URGENCY[known]) perLogin.set(row.login, row.status);
  }
  const users = emptyCounts();
  for (const status of perLogin.values()) {
    users[status] += 1;
    users.total += 1;
  }
  const byGroup = [...groups.values()].sort((a, b) => compareText(a.company, b.company) || compareGroup(a.group, b.group));
  return { byGroup, users };
}

export { STATUSES };

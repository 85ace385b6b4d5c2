/**
 * `odoo-2fa check --url`: the policy file against what a running database reports (./live.ts),
 * every difference in words (`grace_days: policy 14, database 30`). Pure: no I/O, no Odoo.
 *
 * What the file says the database should run comes from src/render/deployed.ts, the source the
 * addon's own `models/policy.py` is rendered from: `deployedPolicy`, `deployedDigest`,
 * `policyDifferences`.
 */
import type { Policy, Series } from "../policy/model.js";
import { deployedDigest, deployedPolicy, policyDifferences, type PolicyDifference } from "../render/deployed.js";
import type { DeploymentState, ModuleRecord } from "./live.js";

export type FindingKind =
  /** Odoo does not know the module (not on its addons path). */
  | "addon-unknown"
  /** The module is known but its state is not `installed`. */
  | "not-installed"
  /** --odoo names another series than the server runs. */
  | "series"
  /** The deployment state is served by another module than the policy's addon. */
  | "module"
  /** The installed version is not `<series>.<addon.version>`. */
  | "version"
  /** The server runs addon code the database was not upgraded with (another version, or another policy). */
  | "not-upgraded"
  /** settings.editable differs. */
  | "editable"
  /** The deployed policy digest differs: another policy version was deployed. */
  | "digest"
  /** One enforced value differs. */
  | "value";

export interface Finding {
  kind: FindingKind;
  /** One line, in words. */
  message: string;
  /** For "value" (a DeployedPolicy key) and "editable" ("settings.editable"). */
  key?: string;
  policy?: unknown;
  database?: unknown;
}

/** What was read from the server; `state` is absent when the addon is not installed. */
export interface LiveFacts {
  db: string;
  /** `server_serie` of `common.version()`. */
  serverSerie: string;
  /** The series the file's addon is for: --odoo, or the server's. */
  series: Series;
  /** Whether `series` came from --odoo (then a different server series is a finding). */
  seriesGiven: boolean;
  module: ModuleRecord | undefined;
  state?: DeploymentState;
}

export interface LiveCheck {
  ok: boolean;
  addon: string;
  series: Series;
  installed: boolean;
  expected: { version: string; digest: string; editable: boolean };
  findings: Finding[];
  /** The "value" findings as data: key, the policy's value, the database's. */
  differences: PolicyDifference[];
  /** What to do about the findings, one sentence each; empty when ok. */
  hints: string[];
}

/** The version Odoo shows for the addon generated from `policy` for `series` (its manifest's). */
export function manifestVersion(policy: Policy, series: Series): string {
  return `${series}.${policy.addon.version}`;
}

/** A digest as people compare them: its first 12 hex digits. */
export const shortDigest = (digest: string): string => (digest ? digest.slice(0, 12) : "(none)");

/** A value in words: lists joined with ", " ("none" when empty), strings bare. */
export function valueWords(value: unknown): string {
  if (value === null || value === undefined) return "(not set)";
  if (Array.isArray(value)) return value.length === 0 ? "none" : value.map(valueWords).join(", ");
  if (typeof value === "string") return value === "" ? '""' : value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return JSON.stringify(value);
}

const isStringList = (value: unknown): value is string[] => Array.isArray(value) && value.every((item) => typeof item === "string");

interface ExemptionLike {
  name: string;
  [field: string]: unknown;
}
const isExemptionList = (value: unknown): value is ExemptionLike[] =>
  Array.isArray(value) && value.every((item) => typeof item === "object" && item !== null && typeof (item as { name?: unknown }).name === "string");

/** One difference as lines: `grace_days: policy 14, database 30`; lists say what only one side has; exemptions per name and field. */
export function describeDifference(difference: PolicyDifference): string[] {
  const { key, policy, database } = difference;
  if (key === "exemptions" && isExemptionList(policy) && isExemptionList(database)) {
    const lines: string[] = [];
    const live = new Map(database.map((exemption) => [exemption.name, exemption]));
    const wanted = new Map(policy.map((exemption) => [exemption.name, exemption]));
    for (const exemption of policy) {
      const other = live.get(exemption.name);
      if (!other) {
        lines.push(`exemptions: "${exemption.name}" is in the policy, not in the database`);
        continue;
      }
      for (const field of [...new Set([...Object.keys(exemption), ...Object.keys(other)])].sort()) {
        if (field === "name" || JSON.stringify(exemption[field]) === JSON.stringify(other[field])) continue;
        lines.push(`exemptions "${exemption.name}" ${field}: policy ${valueWords(exemption[field])}, database ${valueWords(other[field])}`);
      }
    }
    for (const exemption of database)
      if (!wanted.has(exemption.name)) lines.push(`exemptions: "${exemption.name}" is in the database, not in the policy`);
    if (lines.length > 0) return lines;
  }
  let line = `${key}: policy ${valueWords(policy)}, database ${valueWords(database)}`;
  if (isStringList(policy) && isStringList(database)) {
    const onlyDatabase = database.filter((item) => !policy.includes(item));
    const onlyPolicy = policy.filter((item) => !database.includes(item));
    const notes = [
      ...(onlyDatabase.length ? [`only in the database: ${onlyDatabase.join(", ")}`] : []),
      ...(onlyPolicy.length ? [`only in the policy: ${onlyPolicy.join(", ")}`] : []),
    ];
    if (notes.length) line += ` (${notes.join("; ")})`;
  }
  return [line];
}

const upgrade = (addon: string) => `odoo -u ${addon} --stop-after-init, or click-odoo-update`;

/** The policy file against the facts read from the server. */
export function compareLive(policy: Policy, facts: LiveFacts): LiveCheck {
  const addon = policy.addon.name;
  const expected = { version: manifestVersion(policy, facts.series), digest: deployedDigest(policy), editable: policy.settings.editable };
  const findings: Finding[] = [];
  const hints: string[] = [];
  const result = (installed: boolean, differences: PolicyDifference[] = []): LiveCheck => ({
    ok: findings.length === 0,
    addon,
    series: facts.series,
    installed,
    expected,
    findings,
    differences,
    hints,
  });

  if (facts.seriesGiven && facts.serverSerie !== facts.series)
    findings.push({ kind: "series", message: `Odoo series: --odoo ${facts.series}, server ${facts.serverSerie || "(unknown)"}` });

  const module = facts.module;
  if (!module) {
    findings.push({ kind: "addon-unknown", message: `the addon ${addon} is not installed in database "${facts.db}": this Odoo does not know the module` });
    hints.push(`put the generated addon on Odoo's addons path (--addons-path) and install it (odoo -i ${addon} --stop-after-init, or Apps)`);
    return result(false);
  }
  if (module.state !== "installed" || !facts.state) {
    findings.push({ kind: "not-installed", message: `the addon ${addon} is not installed in database "${facts.db}" (state: ${module.state || "unknown"})` });
    hints.push(
      module.state === "to upgrade" || module.state === "to install"
        ? `an install or upgrade of ${addon} did not finish: run odoo -u ${addon} --stop-after-init and read its log`
        : `install it (odoo -i ${addon} --stop-after-init, or Apps)`,
    );
    return result(false);
  }
  const state = facts.state;

  if (state.module !== addon)
    findings.push({ kind: "module", message: `the deployed policy is served by the addon ${state.module}, not by ${addon}` });

  const installedVersion = module.latestVersion ?? state.installedVersion;
  if (installedVersion !== expected.version)
    findings.push({
      kind: "version",
      message: `addon version: policy ${expected.version}, database ${installedVersion || "(none)"}`,
      policy: expected.version,
      database: installedVersion,
    });

  if (state.shippedVersion && state.shippedVersion !== installedVersion)
    findings.push({
      kind: "not-upgraded",
      message: `the server runs ${addon} ${state.shippedVersion}, the database has ${installedVersion || "(none)"} installed: the upgrade (-u ${addon}) is missing`,
    });
  else if (state.deployedDigest === expected.digest && state.shippedDigest && state.shippedDigest !== expected.digest)
    findings.push({
      kind: "not-upgraded",
      message: `the server runs ${addon} with policy ${shortDigest(state.shippedDigest)}, not this policy's ${shortDigest(expected.digest)}: the next upgrade would deploy it`,
    });

  if (state.editable !== expected.editable)
    findings.push({
      kind: "editable",
      key: "settings.editable",
      message: `settings.editable: policy ${expected.editable}, database ${state.editable}`,
      policy: expected.editable,
      database: state.editable,
    });

  if (state.deployedDigest !== expected.digest)
    findings.push({
      kind: "digest",
      message:
        `policy digest: policy ${shortDigest(expected.digest)}, database ${shortDigest(state.deployedDigest)}: ` +
        `the database runs another policy version: regenerate and upgrade (-u ${addon})` +
        (state.shippedDigest === expected.digest ? "; the server already has this policy's addon, only the upgrade is missing" : ""),
      policy: expected.digest,
      database: state.deployedDigest,
    });

  const differences = policyDifferences(deployedPolicy(policy), state.enforced);
  for (const difference of differences)
    for (const message of describeDifference(difference))
      findings.push({ kind: "value", key: difference.key, message, policy: difference.policy, database: difference.database });

  const redeploy = findings.some((finding) => finding.kind !== "value");
  const one = differences.length === 1;
  if (redeploy) hints.push(`regenerate the addon from this policy (odoo-2fa generate …) and upgrade it: ${upgrade(addon)}`);
  else if (differences.length > 0)
    hints.push(
      `the database runs this policy, but Settings changed ${one ? "a value" : "values"} since its deployment: ` +
        `set ${one ? "it" : "them"} back in Settings, or put the new ${one ? "value" : "values"} in the policy file, regenerate and upgrade ` +
        `(${upgrade(addon)}); an upgrade with an unchanged policy keeps what Settings holds`,
    );
  return result(true, differences);
}

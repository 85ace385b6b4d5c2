/**
 * Valid policies sampled across the schema (fast-check), for tests that prove a generated addon
 * on a real Odoo whatever the policy says (issue 13, item 8). A sample is a policy *file* (the
 * snake_case form a user writes), checked by the real loader: only what `validate` accepts for
 * the series is returned, warnings allowed (a policy with warnings still validates).
 *
 * Groups are drawn from the modules every generated addon already installs (base, and mail,
 * which `auth_totp_mail` needs): they exist in verify's template database, and a sample adds no
 * module to install (at most `mail`, which a policy with notifications adds anyway).
 */
import fc from "fast-check";
import { parsePolicyText } from "../../src/policy/load.js";
import type { Policy, Series } from "../../src/policy/model.js";
import { moduleClosure, odooCatalog } from "../../src/policy/odoo-groups.js";
import { profileFor } from "../../src/profiles/index.js";

/** A policy file as a user writes it (before defaults). */
export type PolicyFileObject = Record<string, unknown>;

/** The user-type groups: valid in `enforce.groups` (with a warning), but no internal user has them. */
const USER_TYPE_GROUPS = ["base.group_portal", "base.group_public"];

/** Groups of the modules a generated addon already depends on, in a series (sorted). */
export function installedGroups(series: Series): string[] {
  const catalog = odooCatalog(series);
  const modules = moduleClosure(catalog, profileFor(series).addonDepends);
  return Object.entries(catalog.groups)
    .filter(([, group]) => modules.has(group.module))
    .map(([xmlid]) => xmlid)
    .sort();
}

/** Networks to draw from: IPv4 and IPv6, hosts, loopback, and (rarely) everything. */
const NETWORKS = [
  "10.20.0.0/16",
  "192.0.2.0/24",
  "198.51.100.7/32",
  "172.16.5.0/24",
  "127.0.0.0/8",
  "2001:db8::/48",
  "2001:db8:1234::/64",
  "fd00:abcd::/32",
  "::1/128",
] as const;
const EVERYWHERE = ["0.0.0.0/0", "::/0"] as const;

const networkList = (maxLength: number) =>
  fc.oneof(
    { weight: 6, arbitrary: fc.subarray([...NETWORKS], { minLength: 0, maxLength }) },
    { weight: 1, arbitrary: fc.subarray([...NETWORKS, ...EVERYWHERE], { minLength: 1, maxLength: maxLength + 1 }) },
  );

const graceDays = fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 3, arbitrary: fc.integer({ min: 1, max: 30 }) }, { weight: 1, arbitrary: fc.constant(365) });

/**
 * `enforce.passkeys`: left out, accepted (`{}`), or required of some groups (only where Odoo has
 * passkeys: elsewhere such a policy does not validate).
 */
const passkeysArbitrary = (series: Series) =>
  fc.oneof(
    { weight: 3, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.constant({}) },
    ...(profileFor(series).passkeys
      ? [
          {
            weight: 1,
            arbitrary: fc
              .subarray(["base.group_system", "base.group_erp_manager", "base.group_user"], { minLength: 1, maxLength: 2 })
              .map((required_for) => ({ required_for })),
          },
        ]
      : []),
  );

/** `enforce.trusted_device_days`: left out (Odoo's own), 0 (never), or some days. */
const trustedDeviceDays = fc.oneof(
  { weight: 2, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: fc.constant(0) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 90 }) },
);

/** Groups for `enforce`: several (or none) enforced, and excepted ones among the others. */
function groupsArbitrary(series: Series) {
  const all = installedGroups(series);
  const internal = all.filter((xmlid) => !USER_TYPE_GROUPS.includes(xmlid));
  const enforced = fc.oneof(
    { weight: 1, arbitrary: fc.constant<string[]>([]) },
    { weight: 3, arbitrary: fc.constant<string[]>(["base.group_user"]) },
    { weight: 4, arbitrary: fc.shuffledSubarray(internal, { minLength: 1, maxLength: 3 }) },
    { weight: 1, arbitrary: fc.shuffledSubarray(all, { minLength: 1, maxLength: 3 }) },
  );
  return enforced.chain((groups) => {
    const others = internal.filter((xmlid) => !groups.includes(xmlid));
    return fc.record({
      groups: fc.constant(groups),
      except_groups: fc.oneof(
        { weight: 2, arbitrary: fc.constant<string[]>([]) },
        { weight: 1, arbitrary: fc.shuffledSubarray(others, { minLength: 1, maxLength: 2 }) },
      ),
    });
  });
}

const exemptionsArbitrary = fc
  .array(
    fc.record({
      logins: fc.integer({ min: 1, max: 2 }),
      networks: networkList(2),
      reason: fc.constantFrom("Shared scanners on the warehouse floor", "Kiosk in the lobby\nno phone there"),
    }),
    { maxLength: 2 },
  )
  .map((list) =>
    list.map((exemption, index) => ({
      name: `shared-devices-${index + 1}`,
      logins: Array.from({ length: exemption.logins }, (_, login) => `tp-shared-${index + 1}-${login + 1}`),
      networks: exemption.networks,
      reason: exemption.reason,
    })),
  );

/** A policy file for `series` named `addonName`; not every one validates (see `samplePolicies`). */
export function policyFileArbitrary(series: Series, addonName: string): fc.Arbitrary<PolicyFileObject> {
  return fc
    .record({
      enforce: fc.record({
        groups: groupsArbitrary(series),
        grace_days: graceDays,
        trusted_device_days: trustedDeviceDays,
        passkeys: passkeysArbitrary(series),
      }),
      portal: fc.record({ enforce: fc.boolean(), grace_days: graceDays }),
      exemptions: exemptionsArbitrary,
      api: fc.record({
        password_rpc: fc.constantFrom("deny", "allow"),
        api_keys: fc.constantFrom("allow", "deny"),
        networks: networkList(2),
      }),
      editable: fc.boolean(),
      recovery_codes: fc.record({ enabled: fc.boolean(), count: fc.integer({ min: 5, max: 20 }) }),
      // Left out (no temporary access) when undefined.
      temporary_access: fc.option(fc.record({ enabled: fc.boolean(), valid_hours: fc.integer({ min: 1, max: 72 }) }), {
        nil: undefined,
      }),
      report: fc.boolean(),
      notifications: fc.record({
        announce: fc.boolean(),
        remind_days_before_deadline: fc.subarray([30, 7, 3, 1], { maxLength: 2 }),
        notify_admins_weekly: fc.boolean(),
      }),
      audit: fc.boolean(),
    })
    .map((drawn) => ({
      schema: 1,
      addon: {
        name: addonName,
        title: `Sampled two-factor policy ${addonName}`,
        summary: "A policy drawn across the schema",
        author: "odoo-2fa tests",
        version: "1.0.0",
      },
      enforce: {
        groups: drawn.enforce.groups.groups,
        except_groups: drawn.enforce.groups.except_groups,
        grace_days: drawn.enforce.grace_days,
        // Left out (Odoo's own trusted devices) when undefined.
        trusted_device_days: drawn.enforce.trusted_device_days,
        // Left out (passkeys are Odoo's own business) when undefined.
        passkeys: drawn.enforce.passkeys,
      },
      portal: drawn.portal,
      exemptions: drawn.exemptions,
      api: drawn.api,
      settings: { editable: drawn.editable },
      recovery_codes: drawn.recovery_codes,
      temporary_access: drawn.temporary_access,
      report: drawn.report,
      notifications: drawn.notifications,
      audit: drawn.audit,
    }));
}

/** The policy the loader makes of `file` for `series`, or the loader's errors. */
export function loadPolicyObject(file: PolicyFileObject, series: Series): { ok: true; policy: Policy } | { ok: false; errors: string[] } {
  const loaded = parsePolicyText(JSON.stringify(file, null, 2), "sample.json", { series: [series] });
  if (loaded.ok) return { ok: true, policy: loaded.policy };
  return { ok: false, errors: loaded.issues.filter((i) => i.severity === "error").map((i) => `${i.path}: ${i.message}`) };
}

export interface SampledPolicy {
  /** A short name for test titles and logs. */
  label: string;
  file: PolicyFileObject;
  policy: Policy;
}

/** The fixed seed of a series: the same samples on every run, different ones per series. */
export function seedFor(series: Series): number {
  return 13_08_0000 + Number(series.slice(0, 2));
}

/**
 * `count` valid policies for `series`, the same ones on every run (fixed seed); a longer list
 * starts with the shorter one. Addon names are `<prefix>_<n>` so runs never share a log file.
 */
export function samplePolicies(series: Series, count: number, prefix = `gp${series.slice(0, 2)}`): SampledPolicy[] {
  if (count <= 0) return [];
  const name = (index: number) => `${prefix}_${index + 1}_2fa_policy`;
  const found: SampledPolicy[] = [];
  // Every drawn file is tried in order; the few the loader refuses are skipped.
  const drawn = fc.sample(policyFileArbitrary(series, "placeholder_2fa_policy"), { seed: seedFor(series), numRuns: count * 4 });
  for (const draft of drawn) {
    if (found.length === count) break;
    const file = { ...draft, addon: { ...(draft.addon as object), name: name(found.length) } };
    const loaded = loadPolicyObject(file, series);
    if (loaded.ok) found.push({ label: `${series} sample ${found.length + 1}`, file, policy: loaded.policy });
  }
  if (found.length < count) throw new Error(`only ${found.length} of ${count} sampled policies for ${series} validate`);
  return found;
}

/** Issue 13, item 8: every internal user enforced from day one (it failed the addon's own tests). */
export function everyInternalUserAtOnce(series: Series): SampledPolicy {
  const file: PolicyFileObject = {
    schema: 1,
    addon: {
      name: `gp${series.slice(0, 2)}_all_internal_2fa_policy`,
      title: "Every internal user at once",
      summary: "Every internal user must use an authenticator app from day one",
      author: "odoo-2fa tests",
    },
    enforce: { groups: ["base.group_user"], grace_days: 0 },
  };
  const loaded = loadPolicyObject(file, series);
  if (!loaded.ok) throw new Error(`the fixed policy does not validate for ${series}: ${loaded.errors.join("; ")}`);
  return { label: `${series} base.group_user, grace 0`, file, policy: loaded.policy };
}

/** One line saying what a policy covers, for logs. */
export function describePolicy(policy: Policy): string {
  const parts = [
    `enforce [${policy.enforce.groups.join(", ")}]`,
    policy.enforce.exceptGroups.length ? `except [${policy.enforce.exceptGroups.join(", ")}]` : "",
    `grace ${policy.enforce.graceDays}`,
    policy.enforce.trustedDeviceDays === undefined ? "" : `trusted devices ${policy.enforce.trustedDeviceDays} days`,
    policy.enforce.passkeys ? `passkeys (required for [${policy.enforce.passkeys.requiredFor.join(", ")}])` : "",
    policy.portal.enforce ? `portal (grace ${policy.portal.graceDays})` : "no portal",
    policy.exemptions.length
      ? `exemptions ${policy.exemptions.map((e) => `${e.logins.join("+")}@[${e.networks.join(" ")}]`).join(", ")}`
      : "",
    `password_rpc ${policy.api.passwordRpc}`,
    `api_keys ${policy.api.apiKeys}`,
    policy.api.networks.length ? `api networks [${policy.api.networks.join(" ")}]` : "",
    policy.settings.editable ? "editable" : "locked",
    policy.recoveryCodes.enabled ? "recovery codes" : "",
    policy.temporaryAccess?.enabled ? `temporary access (${policy.temporaryAccess.validHours} h)` : "",
    policy.report ? "report" : "",
    policy.notifications.announce || policy.notifications.remindDaysBeforeDeadline.length || policy.notifications.notifyAdminsWeekly
      ? `notifications(${[policy.notifications.announce ? "announce" : "", ...policy.notifications.remindDaysBeforeDeadline.map(String), policy.notifications.notifyAdminsWeekly ? "weekly" : ""].filter(Boolean).join(",")})`
      : "",
    policy.audit ? "audit" : "",
  ];
  return parts.filter(Boolean).join("; ");
}

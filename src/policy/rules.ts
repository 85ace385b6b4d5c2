/**
 * Rules across fields: duplicates, a group both enforced and excepted, a login exempt twice,
 * an exemption valid from anywhere, an administrator exempt, portal groups among the enforced,
 * passwords allowed over RPC where API keys are not. (Rules that need to know Odoo's groups are in
 * `odoo-groups.ts`.) They read the raw parsed file defensively, so they run
 * (and report) even when other parts of the file have type errors: all errors at once.
 */
import { cidrRange, parseCidr } from "./cidr.js";
import { formatPath, type PolicyPath } from "./issues.js";

export interface RuleFinding {
  severity: "error" | "warning";
  path: PolicyPath;
  message: string;
  expected: string;
  hint?: string;
}

type Raw = Record<string, unknown>;

const isObject = (value: unknown): value is Raw => typeof value === "object" && value !== null && !Array.isArray(value);
const listAt = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/** Reports each string in `items` seen before (compared by `key`), at its second occurrence. */
function duplicates(
  items: unknown[],
  path: PolicyPath,
  what: string,
  key: (value: string) => string | undefined = (value) => value,
  findings: RuleFinding[],
  seen = new Map<string, PolicyPath>(),
): Map<string, PolicyPath> {
  items.forEach((item, index) => {
    if (typeof item !== "string") return;
    const k = key(item);
    if (k === undefined) return;
    const here = [...path, index];
    const first = seen.get(k);
    if (first) {
      findings.push({
        severity: "error",
        path: here,
        message: `${what} "${item}" is listed twice (first at ${formatPath(first)})`,
        expected: `each ${what} once`,
        hint: `remove this entry`,
      });
    } else seen.set(k, here);
  });
  return seen;
}

/**
 * Networks of one list that lie inside another of the same list: redundant, and usually a
 * sign the list is not what its author thinks. Reported once, on the narrower network.
 */
function overlaps(items: unknown[], path: PolicyPath, findings: RuleFinding[]): void {
  const ranges = items.map((item) => (typeof item === "string" ? cidrRange(item) : undefined));
  ranges.forEach((inner, i) => {
    if (!inner) return;
    const outerIndex = ranges.findIndex(
      (outer, j) =>
        outer !== undefined &&
        j !== i &&
        outer.version === inner.version &&
        outer.first <= inner.first &&
        inner.last <= outer.last &&
        // Equal ranges are duplicates (reported as such): not an overlap.
        !(outer.first === inner.first && outer.last === inner.last),
    );
    if (outerIndex < 0) return;
    findings.push({
      severity: "warning",
      path: [...path, i],
      message: `network "${String(items[i])}" lies inside "${String(items[outerIndex])}" (at ${formatPath([...path, outerIndex])})`,
      expected: "networks that do not overlap",
      hint: "remove the narrower network, or narrow the wider one if that is what you meant",
    });
  });
}

/** `0.0.0.0/0` or `::/0` in an allowlist: the limit does nothing for that address family. */
function everywhere(
  items: unknown[],
  path: PolicyPath,
  what: string,
  findings: RuleFinding[],
  advice: { expected: string; hint: string } = {
    expected: "the networks that really need access, e.g. 192.0.2.0/24",
    hint: "leave the list empty for no limit at all",
  },
): void {
  items.forEach((item, index) => {
    const range = typeof item === "string" ? cidrRange(item) : undefined;
    if (!range || range.first !== 0n || range.last !== (range.version === 4 ? 2n ** 32n - 1n : 2n ** 128n - 1n)) return;
    findings.push({
      severity: "warning",
      path: [...path, index],
      message: `"${String(item)}" admits every IPv${range.version} address: ${what} is not limited for IPv${range.version}`,
      ...advice,
    });
  });
}

/**
 * Logins of Odoo's own administrators: `admin` (the administrator a new database gets, also as
 * `admin@...`) and `__system__` (the superuser). The policy only knows logins, so these are the
 * administrators it can recognise.
 */
const ADMIN_LOGIN = /^(admin|administrator|__system__)(@.*)?$/i;

/** Groups that are not for `enforce.groups`, and what to write instead. */
const NOT_ENFORCEABLE: Record<string, string> = {
  "base.group_portal": "portal users are enforced with portal.enforce: true (and portal.grace_days)",
  "base.group_public": "the public user is the visitor who is not logged in: there is no login to protect; portal users are enforced with portal.enforce: true",
};

const canonicalNetwork = (value: string) => {
  const result = parseCidr(value);
  return result.ok ? result.cidr : undefined;
};

export function checkRules(raw: unknown): RuleFinding[] {
  const findings: RuleFinding[] = [];
  if (!isObject(raw)) return findings;

  const addon = isObject(raw.addon) ? raw.addon : {};
  duplicates(listAt(addon.depends), ["addon", "depends"], "module", undefined, findings);
  listAt(addon.depends).forEach((module, index) => {
    if (module !== addon.name || typeof module !== "string") return;
    findings.push({
      severity: "error",
      path: ["addon", "depends", index],
      message: `"${module}" is the addon itself: an addon cannot depend on itself`,
      expected: "the modules the addon needs, other than itself",
      hint: "remove this entry",
    });
  });

  const enforce = isObject(raw.enforce) ? raw.enforce : {};
  const groups = listAt(enforce.groups);
  groups.forEach((group, index) => {
    if (typeof group !== "string" || !Object.hasOwn(NOT_ENFORCEABLE, group)) return;
    findings.push({
      severity: "warning",
      path: ["enforce", "groups", index],
      message: `"${group}" in enforce.groups: ${NOT_ENFORCEABLE[group]}`,
      expected: "groups of internal users, e.g. base.group_user",
      hint: `remove "${group}" and use portal.enforce`,
    });
  });
  const exceptGroups = listAt(enforce.except_groups);
  const enforced = duplicates(groups, ["enforce", "groups"], "group", undefined, findings);
  duplicates(exceptGroups, ["enforce", "except_groups"], "group", undefined, findings);
  exceptGroups.forEach((group, index) => {
    if (typeof group !== "string") return;
    const at = enforced.get(group);
    if (at) {
      findings.push({
        severity: "error",
        path: ["enforce", "except_groups", index],
        message: `group "${group}" is both enforced (${formatPath(at)}) and excepted`,
        expected: "each group in groups or in except_groups, not both",
        hint: "except_groups leaves out members of enforced groups; a group cannot leave out itself",
      });
    }
  });

  const portal = isObject(raw.portal) ? raw.portal : {};
  if (Array.isArray(enforce.groups) && groups.length === 0 && portal.enforce !== true) {
    findings.push({
      severity: "warning",
      path: ["enforce", "groups"],
      message: "no group is enforced and portal.enforce is not true: the policy enforces 2FA for no one",
      expected: "the groups that must use 2FA, e.g. [base.group_user]",
    });
  }

  const exemptions = listAt(raw.exemptions);
  const names = new Map<string, PolicyPath>();
  const logins = new Map<string, PolicyPath>();
  exemptions.forEach((exemption, index) => {
    if (!isObject(exemption)) return;
    const base: PolicyPath = ["exemptions", index];
    if (typeof exemption.name === "string") {
      const first = names.get(exemption.name);
      if (first) {
        findings.push({
          severity: "error",
          path: [...base, "name"],
          message: `exemption name "${exemption.name}" is used twice (first at ${formatPath(first)})`,
          expected: "a unique name for each exemption",
        });
      } else names.set(exemption.name, [...base, "name"]);
    }
    listAt(exemption.logins).forEach((login, loginIndex) => {
      if (typeof login !== "string") return;
      const here = [...base, "logins", loginIndex];
      if (ADMIN_LOGIN.test(login)) {
        findings.push({
          severity: "warning",
          path: here,
          message: `login "${login}" is an administrator's (Odoo's ${/^__system__/i.test(login) ? "superuser" : "default administrator"}): exempting it lets the most powerful account sign in without a second factor`,
          expected: "the logins of shared devices, e.g. scanner-01",
          hint: "give administrators an authenticator app; exempt only accounts that cannot have one",
        });
      }
      const first = logins.get(login);
      if (!first) {
        logins.set(login, here);
        return;
      }
      const sameExemption = first[1] === index;
      findings.push({
        severity: "error",
        path: here,
        message: sameExemption
          ? `login "${login}" is listed twice (first at ${formatPath(first)})`
          : `login "${login}" is already exempt by ${formatPath(first.slice(0, 2))} (at ${formatPath(first)})`,
        expected: "each login in one exemption, once",
        hint: sameExemption
          ? "remove this entry"
          : "a login has one set of networks: merge the two exemptions' networks into one",
      });
    });
    duplicates(listAt(exemption.networks), [...base, "networks"], "network", canonicalNetwork, findings);
    overlaps(listAt(exemption.networks), [...base, "networks"], findings);
    everywhere(
      listAt(exemption.networks),
      [...base, "networks"],
      typeof exemption.name === "string" ? `exemption "${exemption.name}"` : "this exemption",
      findings,
      {
        expected: "the networks the shared devices sign in from, e.g. 10.20.0.0/16",
        hint: "an exemption without 2FA should hold only where the shared devices are",
      },
    );
    if (exemption.networks === undefined || (Array.isArray(exemption.networks) && exemption.networks.length === 0)) {
      const label = typeof exemption.name === "string" ? `exemption "${exemption.name}"` : "this exemption";
      findings.push({
        severity: "warning",
        path: exemption.networks === undefined ? base : [...base, "networks"],
        message: `${label} has no networks: its logins are exempt from 2FA from anywhere`,
        expected: "the networks the shared devices sign in from, e.g. [10.20.0.0/16]",
        hint: "leave networks empty only if the exemption really applies from everywhere",
      });
    }
  });

  const api = isObject(raw.api) ? raw.api : {};
  duplicates(listAt(api.networks), ["api", "networks"], "network", canonicalNetwork, findings);
  overlaps(listAt(api.networks), ["api", "networks"], findings);
  everywhere(listAt(api.networks), ["api", "networks"], "RPC access", findings);
  if (api.password_rpc === "allow" && api.api_keys === "deny") {
    findings.push({
      severity: "warning",
      path: ["api", "password_rpc"],
      message:
        "password_rpc: allow with api_keys: deny: integrations of enforced users can only sign in with the password, over RPC, where no second factor is asked",
      expected: "password_rpc: deny with api_keys: allow (integrations use API keys)",
      hint: "API keys are revocable and scoped; a password over RPC skips two-factor authentication",
    });
  }
  const proxy = isObject(raw.proxy) ? raw.proxy : {};
  duplicates(listAt(proxy.admin_networks), ["proxy", "admin_networks"], "network", canonicalNetwork, findings);
  overlaps(listAt(proxy.admin_networks), ["proxy", "admin_networks"], findings);
  trustedUpstreamRules(raw, findings);
  const notifications = isObject(raw.notifications) ? raw.notifications : {};
  const reminders = listAt(notifications.remind_days_before_deadline);
  duplicates(
    reminders.map((day) => (typeof day === "number" ? String(day) : day)),
    ["notifications", "remind_days_before_deadline"],
    "reminder day",
    (value) => value,
    findings,
  );
  const graceDays = Math.max(
    typeof enforce.grace_days === "number" ? enforce.grace_days : 0,
    portal.enforce === true && typeof portal.grace_days === "number" ? portal.grace_days : 0,
  );
  reminders.forEach((day, index) => {
    if (typeof day === "number" && Number.isInteger(day) && day >= graceDays && day >= 1) {
      findings.push({
        severity: "warning",
        path: ["notifications", "remind_days_before_deadline", index],
        message:
          graceDays === 0
            ? `a reminder ${day} day(s) before the deadline, but there is no grace period: it is never sent`
            : `a reminder ${day} day(s) before the deadline, but the longest grace period is ${graceDays} day(s): it goes out with the announcement or never`,
        expected: `a number of days below ${Math.max(graceDays, 1)}`,
        hint: "reminders count back from the end of the grace period (enforce.grace_days, portal.grace_days)",
      });
    }
  });
  return findings;
}

/**
 * `proxy.trusted_upstreams.networks`: no duplicates or overlaps; never every address (anyone could
 * then choose the address the proxy and Odoo see); and a warning where a balancer's own network
 * is also allowed somewhere, since its own requests (health checks, anything without the header)
 * count as from its own address.
 */
function trustedUpstreamRules(raw: Raw, findings: RuleFinding[]): void {
  const proxy = isObject(raw.proxy) ? raw.proxy : {};
  const trusted = isObject(proxy.trusted_upstreams) ? proxy.trusted_upstreams : {};
  const path: PolicyPath = ["proxy", "trusted_upstreams", "networks"];
  const items = listAt(trusted.networks);
  duplicates(items, path, "network", canonicalNetwork, findings);
  overlaps(items, path, findings);
  const api = isObject(raw.api) ? raw.api : {};
  const allowed: { label: string; networks: unknown[] }[] = [
    { label: "proxy.admin_networks", networks: listAt(proxy.admin_networks) },
    { label: "api.networks", networks: listAt(api.networks) },
    ...listAt(raw.exemptions).map((exemption, index) => ({
      label: `exemptions[${index}].networks`,
      networks: isObject(exemption) ? listAt(exemption.networks) : [],
    })),
  ];
  items.forEach((item, index) => {
    const range = typeof item === "string" ? cidrRange(item) : undefined;
    if (!range) return;
    if (range.first === 0n && range.last === (range.version === 4 ? 2n ** 32n - 1n : 2n ** 128n - 1n)) {
      findings.push({
        severity: "error",
        path: [...path, index],
        message: `"${String(item)}" trusts every IPv${range.version} address to name the client: any client could choose the address the proxy and Odoo see`,
        expected: "the networks of the load balancers only, e.g. 10.0.0.0/24",
      });
      return;
    }
    for (const { label, networks } of allowed) {
      const other = networks.find((network) => {
        const inner = typeof network === "string" ? cidrRange(network) : undefined;
        return inner !== undefined && inner.version === range.version && inner.first <= range.last && range.first <= inner.last;
      });
      if (other === undefined) continue;
      findings.push({
        severity: "warning",
        path: [...path, index],
        message: `trusted upstream "${String(item)}" overlaps ${label} ("${String(other)}"): the balancer's own requests (health checks, anything without the header) count as from its address`,
        expected: "load balancer networks that are allowed nowhere else",
        hint: "list the clients' networks in " + label + ", not the balancers'",
      });
      break;
    }
  });
}

/** From the checked file format (snake_case, schema 1) to the model the rest of the tool uses. Pure. */
import { normaliseCidr } from "./cidr.js";
import type { Policy } from "./model.js";
import type { PolicyFile } from "./schema.js";

/** The normalised model: camelCase keys, defaults applied, networks in canonical form. */
export function toModel(file: PolicyFile): Policy {
  return {
    schema: 1,
    addon: {
      name: file.addon.name,
      title: file.addon.title,
      summary: file.addon.summary,
      author: file.addon.author,
      website: file.addon.website,
      license: file.addon.license,
      version: file.addon.version,
      ...(file.addon.depends.length ? { depends: [...file.addon.depends] } : {}),
      ...(file.addon.maintainers?.length ? { maintainers: [...file.addon.maintainers] } : {}),
      ...(file.addon.development_status ? { developmentStatus: file.addon.development_status } : {}),
      ...(file.addon.contributors?.length ? { contributors: [...file.addon.contributors] } : {}),
    },
    enforce: {
      groups: [...file.enforce.groups],
      exceptGroups: [...file.enforce.except_groups],
      graceDays: file.enforce.grace_days,
      ...(file.enforce.trusted_device_days === undefined ? {} : { trustedDeviceDays: file.enforce.trusted_device_days }),
      ...(file.enforce.passkeys === undefined ? {} : { passkeys: { requiredFor: [...file.enforce.passkeys.required_for] } }),
    },
    portal: { enforce: file.portal.enforce, graceDays: file.portal.grace_days },
    exemptions: file.exemptions.map((exemption) => ({
      name: exemption.name,
      logins: [...exemption.logins],
      networks: exemption.networks.map(normaliseCidr),
      reason: exemption.reason,
    })),
    api: { passwordRpc: file.api.password_rpc, apiKeys: file.api.api_keys, networks: file.api.networks.map(normaliseCidr) },
    settings: { editable: file.settings.editable },
    proxy: {
      adminNetworks: file.proxy.admin_networks.map(normaliseCidr),
      ...(file.proxy.trusted_upstreams
        ? {
            trustedUpstreams: {
              networks: file.proxy.trusted_upstreams.networks.map(normaliseCidr),
              header: file.proxy.trusted_upstreams.header,
            },
          }
        : {}),
    },
    recoveryCodes: { enabled: file.recovery_codes.enabled, count: file.recovery_codes.count },
    ...(file.temporary_access
      ? { temporaryAccess: { enabled: file.temporary_access.enabled, validHours: file.temporary_access.valid_hours } }
      : {}),
    report: file.report,
    notifications: {
      announce: file.notifications.announce,
      remindDaysBeforeDeadline: [...file.notifications.remind_days_before_deadline].sort((a, b) => b - a),
      notifyAdminsWeekly: file.notifications.notify_admins_weekly,
    },
    audit: file.audit,
  };
}

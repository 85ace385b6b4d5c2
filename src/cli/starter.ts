/** The commented starter policy `odoo-2fa init` writes. A test keeps it valid. */
export const STARTER_POLICY = `# yaml-language-server: $schema=./node_modules/odoo-2fa/policy.schema.json
#
# Two-factor authentication policy for Odoo, turned into an addon by
#   npx odoo-2fa validate policy.yaml
#   npx odoo-2fa generate policy.yaml --odoo all --out addons/
# Every key is described in policy.schema.json (printed by \`odoo-2fa schema\`).
schema: 1

addon:
  name: acme_2fa_policy            # technical module name: lowercase letters, digits, _
  title: ACME two-factor policy    # the manifest's name
  summary: Every employee must use an authenticator app
  author: ACME IT
  website: https://it.acme.example # an http(s) URL, or ""
  license: LGPL-3                  # LGPL-3 | AGPL-3 | OPL-1 | Other proprietary
  version: 1.0.0                   # the addon's own x.y.z; the manifest gets <series>.1.0.0

enforce:
  groups: [base.group_user]        # xml ids; members (also through implied groups) must use 2FA
  except_groups: []                # xml ids; members are left out even if in an enforced group
  grace_days: 7                    # days an enforced user may work before enrolling (0 to 365)

portal:
  enforce: false                   # true: portal users must use 2FA too
  grace_days: 0

# Shared devices that sign in without 2FA, but only from their own networks.
# An exemption without networks is exempt from anywhere (validate warns about it).
exemptions: []
#  - name: warehouse-scanners
#    logins: [scanner-01, scanner-02]
#    networks: [10.20.0.0/16, "2001:db8::/48"]
#    reason: Shared scanners on the warehouse floor

api:
  password_rpc: deny               # deny: enforced users need an API key for XML-RPC/JSON-RPC
  api_keys: allow                  # allow | deny
  networks: []                     # CIDR allowlist for RPC endpoints; empty = no network limit

settings:
  editable: true                   # whether admins may change enforcement in Odoo's Settings

# Optional switches, all off unless set here (README: "Beyond Odoo's own 2FA").
# recovery_codes: {enabled: true, count: 10}   # one-time codes for a lost phone
# temporary_access: {enabled: true, valid_hours: 24}   # an admin's one-time code for a lost phone
# report: true                                 # compliance menu; odoo-2fa report reads it
# notifications:
#   announce: true                             # mail users when the policy first applies
#   remind_days_before_deadline: [3, 1]        # days before the grace deadline
#   notify_admins_weekly: true                 # who is still missing, to administrators
# audit: true                                  # read-only log of enrolments, resets, refusals
`;

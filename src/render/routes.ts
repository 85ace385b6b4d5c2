/**
 * The login pages the generated addon serves or sends users to: one spelling of each path for
 * its Python, XML, tests and readme (templates read them as `routes.<name>`).
 */
export const ROUTES = {
  /** Odoo's own code step of the login (auth_totp). */
  codeStep: "/web/login/totp",
  /** The addon's setup page, where an enforced user without an app enrols one. */
  setup: "/web/login/totp/setup",
  /** The recovery_codes feature's page: fresh codes shown once, or renewal. */
  recovery: "/web/login/totp/recovery",
  /** The passkeys feature's page, where a user the policy asks for a passkey creates one. */
  passkey: "/web/login/passkey",
  /** Where that page posts the new passkey. */
  passkeyRegister: "/web/login/passkey/register",
  /** Odoo's own portal security page (auth_totp_portal), where portal users manage their app. */
  portalSecurity: "/my/security",
} as const;

export type Routes = typeof ROUTES;

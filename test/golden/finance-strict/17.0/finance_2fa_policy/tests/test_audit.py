from datetime import timedelta

from odoo import api, fields
from odoo.exceptions import AccessError
from odoo.tests import tagged

from ..models.policy import EDITABLE, POLICY
from ..models.totp_policy_audit import PARAM_AUDIT_RETENTION_DAYS
from .common import PASSWORD, TotpPolicyCase, outside_address, totp_code


@tagged("post_install", "-at_install")
class TestAudit(TotpPolicyCase):
    def entries(self, user, event):
        return (
            self.env["totp.policy.audit"]
            .sudo()
            .search([("user_id", "=", user.id), ("event", "=", event)])
        )

    def test_enrolment_removal_and_reset(self):
        user = self.make_user("tp_audit_user", groups="base.group_user")
        admin = self.make_user(
            "tp_audit_admin", groups="base.group_system", blocked=False
        )
        self.enable_totp(user)
        self.assertEqual(len(self.entries(user, "enrolled")), 1)
        user.with_user(user).sudo().write({"totp_secret": False})
        removed = self.entries(user, "removed")
        self.assertEqual(len(removed), 1)
        self.assertEqual(removed.actor_id, user)
        self.enable_totp(user)
        user.with_user(admin).sudo().write({"totp_secret": False})
        reset = self.entries(user, "admin_reset")
        self.assertEqual(len(reset), 1)
        self.assertEqual(reset.actor_id, admin)
        self.assertEqual(reset.login, user.login)

    def test_rolled_back_enrolment_is_not_logged(self):
        """Only refusals outlive their transaction; a change that never happened is not logged."""
        user = self.make_user("tp_audit_rollback", groups="base.group_user")
        secret = user._totp_policy_new_secret()
        self.env.flush_all()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, user.id, {})
            self.assertTrue(env.user._totp_try_setting(secret, int(totp_code(secret))))
            cr.rollback()
        self.assertFalse(self.entries(user, "enrolled"))
        self.assertFalse(user.totp_enabled)

    def test_refused_password_rpc(self):
        user = self.make_user("tp_audit_rpc", blocked=False)
        self.assertFalse(self.rpc_uid(user.login, "wrong-password"))
        if POLICY["password_rpc"] != "deny":
            self.assertFalse(self.entries(user, "rpc_refused"))
            return
        self.assertFalse(self.rpc_uid(user.login, PASSWORD))
        entries = self.entries(user, "rpc_refused")
        self.assertEqual(
            len(entries), 2, "the failed login was rolled back, not its entry"
        )
        self.assertTrue(all(entries.mapped("client_address")))

    def exempt_login_with_networks(self):
        """(login, networks) of an exemption that holds only from some networks."""
        if EDITABLE:
            exemption = (
                self.env["totp.policy.exemption"]
                .sudo()
                .create(
                    {
                        "name": "tp audit scanners",
                        "logins": "tp_audit_scanner",
                        "networks": "192.0.2.0/24",
                    }
                )
            )
            self.addCleanup(exemption.unlink)
            return "tp_audit_scanner", ["192.0.2.0/24"]
        # A locked policy has only the exemptions it ships.
        for exemption in POLICY["exemptions"]:
            if exemption["networks"]:
                return exemption["logins"][0], exemption["networks"]
        self.skipTest(
            "the policy is locked and exempts no login from some networks only: "
            "no exempt login can be refused"
        )

    def test_refused_exempt_login(self):
        login, networks = self.exempt_login_with_networks()
        user = self.env["res.users"].search([("login", "=", login)])
        if not user:
            user = self.make_user(login, groups="base.group_user")
        self.env["res.users"]._totp_policy_clear_cache()
        address = outside_address([*networks, *POLICY["api_networks"]])
        response = self.web_login(user.login, headers=self.from_address(address))
        self.assertEqual(response.status_code, 200, "exempt login accepted outside")
        entries = self.entries(user, "exempt_refused")
        self.assertEqual(len(entries), 1)
        self.assertEqual(entries.client_address, address)

    def test_read_only_log_and_retention(self):
        user = self.make_user("tp_audit_retention", groups="base.group_user")
        self.enable_totp(user)
        entry = self.entries(user, "enrolled")
        admin = self.make_user(
            "tp_audit_reader", groups="base.group_system", blocked=False
        )
        log = self.env["totp.policy.audit"].with_user(admin)
        self.assertIn(entry, log.search([]))
        for attempt in (
            lambda: log.create({"event": "enrolled", "user_id": user.id}),
            lambda: entry.with_user(admin).write({"event": "removed"}),
            lambda: entry.with_user(admin).unlink(),
        ):
            with self.assertRaises(AccessError):
                attempt()
        params = self.env["ir.config_parameter"].sudo()
        self.assertEqual(params.get_param(PARAM_AUDIT_RETENTION_DAYS), "365")
        self.env.cr.execute(
            "UPDATE totp_policy_audit SET create_date = %s WHERE id = %s",
            [fields.Datetime.now() - timedelta(days=400), entry.id],
        )
        recent = (
            self.env["totp.policy.audit"]
            .sudo()
            .create({"event": "enrolled", "user_id": user.id})
        )
        self.env["totp.policy.audit"]._gc_audit()
        self.assertFalse(entry.exists())
        self.assertTrue(recent.exists())

from collections import Counter

from odoo import SUPERUSER_ID, api, sql_db
from odoo.exceptions import AccessError
from odoo.tests import tagged

from ..models.policy import read_params
from .common import TotpPolicyCase, group_closure


@tagged("post_install", "-at_install")
class TestComplianceReport(TotpPolicyCase):
    def test_figures_equal_a_direct_count(self):
        """The report's figures per status and per group match a direct count."""
        enrolled = self.make_user("tp_report_enrolled", blocked=False)
        self.enable_totp(enrolled)
        self.make_user("tp_report_missing")
        self.make_user("tp_report_grace", blocked=False)
        rows = self.env["totp.policy.compliance"].report_rows()
        self.assertTrue(rows)
        by_login = {}
        for row in rows:
            by_login.setdefault(row["login"], set()).add(row["status"])
        self.assertEqual(by_login["tp_report_enrolled"], {"enrolled"})
        self.assertEqual(by_login["tp_report_missing"], {"missing"})
        grace = "grace" if self.grace_days() else "missing"
        self.assertEqual(by_login["tp_report_grace"], {grace})
        # Per status: one user counts once, whatever the number of groups.
        users = self.env["res.users"].sudo()
        statuses = Counter(next(iter(found)) for found in by_login.values())
        for status in ("enrolled", "grace", "missing", "exempt"):
            self.assertEqual(
                statuses[status],
                users.search_count([("totp_policy_status", "=", status)]),
                status,
            )
        # Per enforced group: its members (implied groups included) by status.
        groups = (
            self.env["res.groups"].sudo().search([("totp_policy_enforce", "=", True)])
        )
        for group in groups:
            expected = Counter()
            for user in users.search([("totp_policy_status", "!=", "not_required")]):
                if user.share:
                    continue
                if group in group_closure(user.groups_id):
                    expected[user.totp_policy_status] += 1
            found = Counter(
                row["status"] for row in rows if row["group"] == group.display_name
            )
            self.assertEqual(found, expected, group.display_name)
        # The menu opens the same rows.
        menu = self.env.ref("contoso_2fa_policy.menu_totp_policy_compliance")
        self.assertEqual(menu.action.res_model, "totp.policy.compliance")
        self.assertIn("pivot", menu.action.view_mode)
        opened = self.env["totp.policy.compliance"].search([])
        self.assertEqual(len(opened), len(rows))
        self.assertEqual(
            Counter((row.login, row.status) for row in opened),
            Counter((row["login"], row["status"]) for row in rows),
        )
        self.assertEqual(len(set(opened.ids)), len(opened))

    def grace_days(self):
        params = self.env["ir.config_parameter"].sudo()
        return read_params(params.get_param)["grace_days"]

    def test_administrators_only(self):
        user = self.make_user("tp_report_user", groups="base.group_user")
        with self.assertRaises(AccessError):
            self.env["totp.policy.compliance"].with_user(user).report_rows()
        with self.assertRaises(AccessError):
            self.env["totp.policy.compliance"].with_user(user).search([])

    def test_each_reading_is_as_of_now(self):
        """A user who enrols is enrolled in the next reading, with nothing refreshed."""
        user = self.make_user("tp_report_now", blocked=False)
        report = self.env["totp.policy.compliance"]
        self.assertEqual(
            set(report.search([("user_id", "=", user.id)]).mapped("status")),
            {"grace" if self.grace_days() else "missing"},
        )
        self.enable_totp(user)
        self.env.invalidate_all()
        self.assertEqual(
            set(report.search([("user_id", "=", user.id)]).mapped("status")),
            {"enrolled"},
        )

    def test_two_administrators_read_it_at_once(self):
        """Reading the report writes nothing: two administrators read it at the same
        moment, each in a read-only transaction of their own connection (not the
        test's), and both see the whole report (any write would fail there)."""
        admins = [SUPERUSER_ID, self.env.ref("base.user_admin").id]
        database = sql_db.db_connect(self.env.cr.dbname)
        cursors = [database.cursor() for _admin in admins]
        try:
            counts = []
            for cr, uid in zip(cursors, admins):
                cr.execute("SET TRANSACTION READ ONLY")
                report = api.Environment(cr, uid, {})["totp.policy.compliance"]
                counts.append(report.search_count([]))
                report.search([], limit=80).read(["login", "status", "group_id"])
                report.search_count([("status", "in", ("grace", "missing"))])
            for cr, uid, count in zip(cursors, admins, counts):
                report = api.Environment(cr, uid, {})["totp.policy.compliance"]
                self.assertEqual(count, len(report.report_rows()))
        finally:
            for cr in cursors:
                cr.rollback()
                cr.close()

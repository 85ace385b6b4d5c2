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
                if group in group_closure(user.group_ids):
                    expected[user.totp_policy_status] += 1
            found = Counter(
                row["status"] for row in rows if row["group"] == group.display_name
            )
            self.assertEqual(found, expected, group.display_name)
        # Exportable figures are the rows the menu opens on.
        action = self.env["totp.policy.compliance"].action_open_report()
        self.assertEqual(action["res_model"], "totp.policy.compliance")
        self.assertIn("pivot", action["view_mode"])
        opened = self.env["totp.policy.compliance"].search(action["domain"])
        self.assertEqual(len(opened), len(rows))
        self.assertEqual(
            Counter((row.login, row.status) for row in opened),
            Counter((row["login"], row["status"]) for row in rows),
        )

    def grace_days(self):
        params = self.env["ir.config_parameter"].sudo()
        return read_params(params.get_param)["grace_days"]

    def test_administrators_only(self):
        user = self.make_user("tp_report_user", groups="base.group_user")
        with self.assertRaises(AccessError):
            self.env["totp.policy.compliance"].with_user(user).report_rows()
        with self.assertRaises(AccessError):
            self.env["totp.policy.compliance"].with_user(user).search([])

    def test_two_administrators_open_it_at_once(self):
        """Two administrators opening the report at the same moment both get theirs.

        Two connections of their own (not the test's): each administrator has opened
        it before (their rows are in the table), then both open it again at once and
        commit; neither waits for the other's rows nor fails on them.
        """
        admins = [SUPERUSER_ID, self.env.ref("base.user_admin").id]
        database = sql_db.db_connect(self.env.cr.dbname)
        cursors = [database.cursor() for _admin in admins]
        try:
            for cr, uid in zip(cursors, admins):
                report = api.Environment(cr, uid, {})["totp.policy.compliance"]
                report.action_open_report()
                cr.commit()
            opened = []
            for cr, uid in zip(cursors, admins):
                # A wait for the other's locks would hang this one thread: fail instead.
                cr.execute("SET LOCAL lock_timeout = '10s'")
                report = api.Environment(cr, uid, {})["totp.policy.compliance"]
                action = report.action_open_report()
                opened.append(report.search_count(action["domain"]))
            for cr in cursors:
                cr.commit()
            for cr, uid, count in zip(cursors, admins, opened):
                report = api.Environment(cr, uid, {})["totp.policy.compliance"]
                # The whole report as of now (no row for a policy that concerns nobody).
                self.assertEqual(count, len(report.report_rows()))
                self.assertEqual(report.search_count([("create_uid", "=", uid)]), count)
        finally:
            for cr in cursors:
                cr.rollback()
                cr.execute(
                    "DELETE FROM totp_policy_compliance WHERE create_uid = ANY(%s)",
                    [admins],
                )
                cr.commit()
                cr.close()

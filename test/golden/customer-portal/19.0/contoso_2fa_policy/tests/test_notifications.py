from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.tests import tagged

from ..models import totp_policy_notification as notification
from ..models.policy import POLICY
from .common import TotpPolicyCase


@tagged("post_install", "-at_install")
class TestNotifications(TotpPolicyCase):
    def setUp(self):
        super().setUp()
        self.notifications = self.env["totp.policy.notification"].sudo()
        # Only this test's users: everyone else counts as notified already.
        for user in self.env["res.users"].sudo().search([]):
            self.notifications._claim(user, "announce", "announce")

    def mails_to(self, user, subject_part):
        mails = (
            self.env["mail.mail"]
            .sudo()
            .search([("recipient_ids", "in", user.partner_id.ids)])
        )
        return mails.filtered(lambda mail: subject_part in (mail.subject or ""))

    def user_due_in(self, login, days):
        """A user missing 2FA whose grace deadline is ``days`` days away."""
        user = self.make_user(login, blocked=False)
        user.email = f"{login}@example.com"
        grace = POLICY["grace_days"]
        start = fields.Datetime.now() - timedelta(days=grace) + timedelta(days=days)
        user.sudo().write({"totp_policy_grace_start": start})
        self.env["res.users"]._totp_policy_clear_cache()
        return user

    def run_cron_twice(self):
        for _run in range(2):
            self.notifications._cron_notify()

    def test_announcement_once(self):
        user = self.make_user("tp_notify_announce", blocked=False)
        user.email = "tp_notify_announce@example.com"
        self.run_cron_twice()
        mails = self.mails_to(user, "now required")
        self.assertEqual(len(mails), 1)
        self.assertIn("Google Authenticator", mails.body_html)
        if POLICY["grace_days"]:
            deadline = user._totp_policy_deadline()
            self.assertIn(fields.Date.to_string(deadline.date()), mails.body_html)

    def test_batches_resume_after_a_stopped_run(self):
        """A bounded batch per run, again while work is left; a stopped run undone."""
        users = [
            self.make_user(f"tp_notify_batch_{i}", blocked=False) for i in range(5)
        ]
        for user in users:
            user.email = f"{user.login}@example.com"
        sent = []
        send = type(self.notifications)._send

        def stop_at_the_second_mail(model, template_name, user, **values):
            sent.append(user.id)
            if len(sent) == 2:
                raise InterruptedError("the server stops here")
            return send(model, template_name, user, **values)

        cron = self.env.ref("contoso_2fa_policy.ir_cron_totp_policy_notify")
        runs = 0
        # Each batch ends with a commit: here the end of a run, not of the test.
        self.patch(self.env.cr, "commit", self.env.flush_all)
        with patch.object(notification, "BATCH_SIZE", 2):
            with patch.object(
                type(self.notifications), "_send", stop_at_the_second_mail
            ):
                with self.assertRaises(InterruptedError):
                    while runs < 1000:
                        # What the stopped run did goes with its transaction.
                        with self.env.cr.savepoint():
                            self.notifications._cron_notify()
                        runs += 1
            while runs < 1000:
                runs += 1
                progress = (
                    self.env["ir.cron.progress"].sudo().create({"cron_id": cron.id})
                )
                self.notifications.with_context(
                    ir_cron_progress_id=progress.id, cron_id=cron.id
                )._cron_notify()
                if not progress.remaining:
                    break
                self.assertEqual(progress.done, 2)
        self.assertGreaterEqual(runs, 3)
        self.assertEqual(self.notifications._cursor(), 0)
        for user in users:
            self.assertEqual(len(self.mails_to(user, "now required")), 1, user.login)

    def test_reminders_once_per_threshold(self):
        """Each reminder goes out once, even when the scheduled action runs twice."""
        if not POLICY["grace_days"]:
            self.skipTest("no grace period: there is no deadline to remind of")
        for days in notification.REMIND_DAYS:
            if days >= POLICY["grace_days"]:
                continue
            user = self.user_due_in(f"tp_notify_remind_{days}", days - 0.5)
            self.notifications._claim(user, "announce", "announce")
            self.run_cron_twice()
            self.assertEqual(len(self.mails_to(user, "Reminder")), 1, days)
            # Passing the next threshold sends the next reminder, once.
            nearer = [d for d in notification.REMIND_DAYS if d < days]
            if nearer:
                start = user.totp_policy_grace_start - timedelta(days=days - nearer[0])
                user.sudo().write({"totp_policy_grace_start": start})
                self.run_cron_twice()
                self.assertEqual(len(self.mails_to(user, "Reminder")), 2, nearer[0])
        # Enrolled users get nothing.
        enrolled = self.user_due_in("tp_notify_enrolled", 0.5)
        self.notifications._claim(enrolled, "announce", "announce")
        self.enable_totp(enrolled)
        self.run_cron_twice()
        self.assertFalse(self.mails_to(enrolled, "Reminder"))

    def test_weekly_summary_once(self):
        admin = self.make_user(
            "tp_notify_admin", groups="base.group_system", blocked=False
        )
        self.enable_totp(admin)
        admin.email = "tp_notify_admin@example.com"
        missing = self.make_user("tp_notify_missing")
        self.run_cron_twice()
        mails = self.mails_to(admin, "still not enrolled")
        self.assertEqual(len(mails), 1)
        self.assertIn(missing.login, mails.body_html)

    def test_templates_are_editable(self):
        templates = self.env["mail.template"].search(
            [("model", "=", "res.users"), ("name", "like", "Two-factor policy:")]
        )
        self.assertTrue(templates)
        xmlids = templates.get_external_id()
        data = (
            self.env["ir.model.data"]
            .sudo()
            .search([("model", "=", "mail.template"), ("res_id", "in", templates.ids)])
        )
        self.assertTrue(all(data.mapped("noupdate")), xmlids)

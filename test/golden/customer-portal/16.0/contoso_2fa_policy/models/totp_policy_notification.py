import logging

from odoo import api, fields, models

_logger = logging.getLogger(__name__)

ANNOUNCE = True
# Days before the grace deadline, earliest first.
REMIND_DAYS = [7, 1]
NOTIFY_ADMINS_WEEKLY = True


class TotpPolicyNotification(models.Model):
    """One row per mail sent: what makes the scheduled action safe to run twice."""

    _name = "totp.policy.notification"
    _description = "Two-factor policy notification sent"
    _order = "id desc"

    user_id = fields.Many2one(
        "res.users", required=True, ondelete="cascade", index=True, readonly=True
    )
    # announce, reminder or admin_summary. Char, not Selection: Odoo 16.0 and 17.0
    # cannot drop a model with a Selection field on upgrade.
    kind = fields.Char(required=True, readonly=True)
    key = fields.Char(
        required=True,
        readonly=True,
        help="What was notified: the deadline and days left for a reminder, the "
        "week for a summary.",
    )

    def init(self):
        self.env.cr.execute(
            """
            CREATE UNIQUE INDEX IF NOT EXISTS totp_policy_notification_user_kind_key_uniq
                ON totp_policy_notification (user_id, kind, key)
            """
        )

    @api.model
    def _claim(self, user, kind, key):
        """Record that ``kind``/``key`` goes to ``user``; False if it already went."""
        self.env.cr.execute(
            """
            INSERT INTO totp_policy_notification
                   (user_id, kind, key, create_uid, create_date, write_uid, write_date)
            VALUES (%s, %s, %s, %s, now() at time zone 'UTC', %s, now() at time zone 'UTC')
            ON CONFLICT DO NOTHING
            RETURNING id
            """,
            [user.id, kind, key, self.env.uid, self.env.uid],
        )
        return bool(self.env.cr.fetchone())

    @api.model
    def _send(self, template_name, user, **values):
        template = self.env.ref(
            f"{self._module}.{template_name}", raise_if_not_found=False
        )
        if not template or not user.email:
            _logger.info(
                "2FA notification %s not sent to %r", template_name, user.login
            )
            return
        template.sudo().with_context(**values).send_mail(user.id)

    @api.model
    def _cron_notify(self):
        """Announcements, reminders and the weekly summary, each sent once."""
        users_model = self.env["res.users"].sudo()
        now = fields.Datetime.now()
        pending = []
        for user in users_model.search([]):
            kind, deadline, _networks = users_model._totp_policy_state(user.id)
            if kind != "missing":
                continue
            pending.append((user, deadline))
            deadline_text = (
                fields.Date.to_string(deadline.date()) if deadline else False
            )
            days_left = (deadline - now).days + 1 if deadline else None
            announced = False
            if ANNOUNCE and self._claim(user, "announce", "announce"):
                self._send(
                    "mail_template_totp_policy_announce",
                    user,
                    totp_policy_deadline=deadline_text,
                )
                announced = True
            if deadline is None or days_left <= 0:
                continue
            due = [days for days in REMIND_DAYS if days_left <= days]
            # Only the nearest threshold is mailed; those passed with it are marked sent.
            claimed = [
                days
                for days in due
                if self._claim(user, "reminder", f"{deadline_text}:{days}")
            ]
            if claimed and not announced and min(claimed) == min(due):
                self._send(
                    "mail_template_totp_policy_reminder",
                    user,
                    totp_policy_deadline=deadline_text,
                    totp_policy_days_left=days_left,
                )
        if NOTIFY_ADMINS_WEEKLY and pending:
            self._notify_admins(pending, now)

    @api.model
    def _notify_admins(self, pending, now):
        year, week, _weekday = now.isocalendar()
        lines = [
            {
                "name": user.name,
                "login": user.login,
                "deadline": fields.Date.to_string(deadline.date()) if deadline else "",
                "overdue": not deadline or deadline <= now,
            }
            for user, deadline in sorted(pending, key=lambda item: item[0].login)
        ]
        admins = self.env.ref("base.group_system").sudo().users
        for admin in admins.filtered(lambda user: user.active and user.id != 1):
            if self._claim(admin, "admin_summary", f"{year}-W{week:02d}"):
                self._send(
                    "mail_template_totp_policy_admin_summary",
                    admin,
                    totp_policy_missing=lines,
                )

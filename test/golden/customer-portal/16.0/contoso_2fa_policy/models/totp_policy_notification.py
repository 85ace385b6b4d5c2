import logging

from odoo import api, fields, models

_logger = logging.getLogger(__name__)

ANNOUNCE = True
# Days before the grace deadline, earliest first.
REMIND_DAYS = [7, 1]
NOTIFY_ADMINS_WEEKLY = True
# Users looked at per run of the scheduled action; it runs again while some are left.
BATCH_SIZE = 500
# The last user the current round of the scheduled action has looked at (0: none).
PARAM_CURSOR = "totp_policy.notify_cursor"


class TotpPolicyNotification(models.Model):
    """One row per mail sent: what makes the scheduled action safe to run twice."""

    _name = "totp.policy.notification"
    _description = "Two-factor policy notification sent"
    _order = "id desc"

    user_id = fields.Many2one(
        "res.users", required=True, ondelete="cascade", index=True, readonly=True
    )
    kind = fields.Selection(
        [
            ("announce", "Announcement"),
            ("reminder", "Reminder"),
            ("admin_summary", "Summary for administrators"),
        ],
        required=True,
        readonly=True,
    )
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
        """Announcements, reminders and the weekly summary, each sent once.

        Looks at ``BATCH_SIZE`` users missing 2FA per run, in id order from where
        the previous run stopped, and asks to run again while some are left. The
        position moves in the transaction that claims and queues the mails: a run
        stopped half-way leaves nothing behind, and the next one does it again.
        """
        after = self._cursor()
        users_model = self.env["res.users"].sudo()
        query, query_params = users_model._totp_policy_states_query(
            "u.id > %s", [after]
        )
        self.env.cr.execute(
            f"""
            SELECT id, deadline FROM ({query}) AS state
             WHERE kind = 'missing'
             ORDER BY id
             LIMIT %s
            """,
            [*query_params, BATCH_SIZE + 1],
        )
        rows = self.env.cr.fetchall()
        batch = rows[:BATCH_SIZE]
        now = fields.Datetime.now()
        for user_id, deadline in batch:
            user = users_model.browse(user_id)
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
        remaining = len(rows) - len(batch)
        self._move_cursor(batch[-1][0] if remaining else 0)
        if not remaining and NOTIFY_ADMINS_WEEKLY:
            self._notify_admins(now)
        if remaining:
            self.env.ref(f"{self._module}.ir_cron_totp_policy_notify")._trigger()

    @api.model
    def _cursor(self):
        self.env.cr.execute(
            "SELECT value FROM ir_config_parameter WHERE key = %s", [PARAM_CURSOR]
        )
        row = self.env.cr.fetchone()
        return int(row[0]) if row else 0

    @api.model
    def _move_cursor(self, user_id):
        # Plain SQL: a parameter written through the ORM empties every server's caches.
        self.env.cr.execute(
            """
            INSERT INTO ir_config_parameter
                   (key, value, create_uid, create_date, write_uid, write_date)
            VALUES (%s, %s, %s, now() at time zone 'UTC', %s, now() at time zone 'UTC')
            ON CONFLICT (key) DO UPDATE
               SET value = EXCLUDED.value, write_date = EXCLUDED.write_date
            """,
            [PARAM_CURSOR, str(user_id), self.env.uid, self.env.uid],
        )

    @api.model
    def _notify_admins(self, now):
        users_model = self.env["res.users"].sudo()
        query, params = users_model._totp_policy_states_query()
        self.env.cr.execute(
            f"SELECT id, deadline FROM ({query}) AS state WHERE kind = 'missing'",
            params,
        )
        pending = [
            (users_model.browse(user_id), deadline)
            for user_id, deadline in self.env.cr.fetchall()
        ]
        if not pending:
            return
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

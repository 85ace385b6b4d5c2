import base64
import logging
import re

from odoo import _, fields, models
from odoo.exceptions import AccessDenied

from odoo.addons.auth_totp.models.totp import TOTP

_logger = logging.getLogger(__name__)


class ResUsers(models.Model):
    _inherit = "res.users"

    # Odoo 19.0's totp_last_counter: the time step of the last code accepted, so
    # that a code of a user the policy enforces is accepted once, whichever
    # worker or server checks it.
    totp_policy_last_counter = fields.Integer(
        string="Last Accepted Code Step", copy=False, groups=fields.NO_ACCESS
    )

    def _totp_policy_code_counter(self, code, secret=None):
        """The time step ``code`` matches now (for ``secret``, or the user's), or None."""
        secret = secret or self.sudo().totp_secret
        return TOTP(base64.b32decode(re.sub(r"\s", "", secret).upper())).match(code)

    def _totp_policy_last_counter(self):
        self.ensure_one()
        self.env.cr.execute(
            "SELECT totp_policy_last_counter FROM res_users WHERE id = %s", [self.id]
        )
        return self.env.cr.fetchone()[0] or 0

    def _totp_policy_use_counter(self, counter):
        """Record ``counter`` as the last code accepted; False unless it is newer.

        A compare-and-set in SQL: of two submissions of one code, in parallel on
        any worker or server, one updates the row and the other waits for its lock,
        then finds it updated (or fails to serialize and is retried: refused then).
        """
        self.ensure_one()
        self.env.cr.execute(
            """
            UPDATE res_users SET totp_policy_last_counter = %s
             WHERE id = %s AND COALESCE(totp_policy_last_counter, 0) < %s
            """,
            [counter, self.id, counter],
        )
        self.invalidate_recordset(["totp_policy_last_counter"])
        return bool(self.env.cr.rowcount)

    def _totp_policy_refuse_reuse(self):
        _logger.warning("2FA check: REUSE for %s %r", self, self.sudo().login)
        raise AccessDenied(_("Verification failed, please use the latest 6-digit code"))

    def _totp_check(self, code):
        if not self._totp_policy_applies(self.id):
            # Users outside the policy keep Odoo's own behaviour (16.0 to 18.0
            # accept a code again within its window).
            return super()._totp_check(code)
        counter = self._totp_policy_code_counter(code)
        if counter is not None and counter <= self._totp_policy_last_counter():
            # Refused before Odoo checks it, as one counted attempt: a used code
            # costs what a wrong one does, and the attempt limit answers first.
            return self._totp_policy_count_attempt(self._totp_policy_refuse_reuse)
        result = super()._totp_check(code)
        if counter is None or not self._totp_policy_use_counter(counter):
            # Another submission of this code won, or the window moved on meanwhile.
            self._totp_policy_refuse_reuse()
        return result

    def _totp_try_setting(self, secret, code):
        enabled = super()._totp_try_setting(secret, code)
        if enabled and self._totp_policy_applies(self.id):
            # The enrolment code is used too (19.0 does the same).
            counter = self._totp_policy_code_counter(code, secret)
            if counter is not None:
                self._totp_policy_use_counter(counter)
        return enabled

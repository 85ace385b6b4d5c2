from odoo import models
from odoo.http import request

from .totp_policy_recovery_code import (
    RECOVERY_CODES_LINKED_KEY,
    RECOVERY_CODES_SESSION_KEY,
)


class ResUsers(models.Model):
    _inherit = "res.users"

    def write(self, vals):
        res = super().write(vals)
        if "totp_secret" in vals and not vals["totp_secret"]:
            codes = self.env["totp.policy.recovery.code"].sudo()
            codes.search([("user_id", "in", self.ids)]).unlink()
        return res

    def _totp_try_setting(self, secret, code):
        enabled = super()._totp_try_setting(secret, code)
        if enabled and request:
            # Shown once, by the next page the user opens (see ir.http), or behind
            # the link of Odoo's own wizard (see auth_totp.wizard).
            codes = self.env["totp.policy.recovery.code"].sudo()._generate(self)
            request.session[RECOVERY_CODES_SESSION_KEY] = codes
            request.session.pop(RECOVERY_CODES_LINKED_KEY, None)
        return enabled

from odoo import _, models
from odoo.http import request

from .totp_policy_recovery_code import (
    RECOVERY_CODES_LINKED_KEY,
    RECOVERY_CODES_SESSION_KEY,
    RECOVERY_URL,
)


class AuthTotpWizard(models.TransientModel):
    _inherit = "auth_totp.wizard"

    def enable(self):
        action = super().enable()
        if (
            request
            and RECOVERY_CODES_SESSION_KEY in request.session
            and isinstance(action, dict)
            and action.get("tag") == "display_notification"
        ):
            # Enrolled in Odoo's own preferences or /my/security: the next page stays
            # Odoo's (its own flows go on there); the fresh codes wait behind a link in
            # Odoo's notice instead.
            codes = request.session.pop(RECOVERY_CODES_SESSION_KEY)
            request.session[RECOVERY_CODES_LINKED_KEY] = codes
            params = dict(action["params"], sticky=True)
            params["message"] = " ".join(
                [params["message"], _("Save your recovery codes now: %s")]
            )
            params["links"] = [{"label": _("show them (once)"), "url": RECOVERY_URL}]
            action = dict(action, params=params)
        return action

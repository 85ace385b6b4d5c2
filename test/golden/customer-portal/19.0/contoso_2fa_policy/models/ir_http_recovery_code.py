from urllib.parse import urlencode

import werkzeug.exceptions

from odoo import models
from odoo.http import request

from .totp_policy_recovery_code import RECOVERY_CODES_SESSION_KEY, RECOVERY_URL


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    @classmethod
    def _totp_policy_allowed_paths(cls):
        return super()._totp_policy_allowed_paths() | {RECOVERY_URL}

    @classmethod
    def _totp_policy_guard_page(cls, endpoint, verdict):
        if (
            RECOVERY_CODES_SESSION_KEY in request.session
            and endpoint.routing.get("type") == "http"
            and request.httprequest.method == "GET"
        ):
            # Freshly enrolled: show the recovery codes before anything else.
            path = request.httprequest.path
            query = request.httprequest.query_string.decode()
            target = path + ("?" + query if query else "")
            location = RECOVERY_URL + "?" + urlencode({"redirect": target})
            werkzeug.exceptions.abort(request.redirect(location, 303))
        super()._totp_policy_guard_page(endpoint, verdict)

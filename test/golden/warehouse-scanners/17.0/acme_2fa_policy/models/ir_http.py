import logging
from urllib.parse import urlencode

import werkzeug.exceptions

from odoo import models
from odoo.exceptions import AccessDenied
from odoo.http import request

from .res_users import CLIENT_ADDRESS, SETUP_URL, address_in, request_address

_logger = logging.getLogger(__name__)

# Routes a session held at setup may still reach.
ALLOWED_PATHS = frozenset(
    {
        SETUP_URL,
        "/web/login",
        "/web/login/totp",
        "/web/session/logout",
        "/web/session/destroy",
        "/web/binary/company_logo",
        "/favicon.ico",
    }
)
# Translations: what these pages' own scripts load (website's when it is installed).
ALLOWED_PREFIXES = (
    "/web/assets/",
    "/web/static/",
    "/web/webclient/translations",
    "/website/translations",
)
RPC_PREFIXES = ("/xmlrpc/", "/jsonrpc", "/json/2/")


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    @classmethod
    def _authenticate(cls, endpoint):
        super()._authenticate(endpoint)
        cls._totp_policy_guard(endpoint)

    @classmethod
    def _dispatch(cls, endpoint):
        token = CLIENT_ADDRESS.set(request_address(request.httprequest))
        try:
            return super()._dispatch(endpoint)
        finally:
            CLIENT_ADDRESS.reset(token)

    @classmethod
    def _totp_policy_end_session(cls, endpoint):
        # Before the allow-list: outside its networks an exempt login's cookie
        # opens nothing, not even the setup page.
        _logger.info("2FA policy: exempt session used from outside its networks")
        request.session.logout(keep_db=True)
        if endpoint.routing.get("type") == "http":
            werkzeug.exceptions.abort(request.redirect("/web/login", 303))
        raise AccessDenied()

    @classmethod
    def _totp_policy_guard(cls, endpoint):
        path = request.httprequest.path
        users = request.env["res.users"].sudo()
        if path.startswith(RPC_PREFIXES):
            networks = users._totp_policy_config()["rpc_networks"]
            if networks and not address_in(networks):
                _logger.info("2FA policy: RPC refused from outside the API networks")
                raise werkzeug.exceptions.Forbidden()
        # Sessions only: API-key (bearer) calls follow the RPC rules of res.users.
        uid = request.session.uid
        if not uid:
            return
        verdict = users.browse(uid)._totp_policy_verdict()
        if verdict == "exempt_outside":
            cls._totp_policy_end_session(endpoint)
        if path in cls._totp_policy_allowed_paths():
            return
        if path.startswith(ALLOWED_PREFIXES):
            if verdict == "blocked":
                # What any visitor gets, no more: Odoo serves attachments by id
                # under /web/assets/ with the session user's rights.
                request.update_env(user=request.env.ref("base.public_user").id)
            return
        cls._totp_policy_guard_page(endpoint, verdict)

    @classmethod
    def _totp_policy_allowed_paths(cls):
        """Routes a session held at setup may still reach."""
        return ALLOWED_PATHS

    @classmethod
    def _totp_policy_guard_page(cls, endpoint, verdict):
        """A route outside the allow-list, for a session whose user has ``verdict``."""
        if verdict != "blocked":
            return
        path = request.httprequest.path
        if endpoint.routing.get("type") == "http" and not path.startswith(RPC_PREFIXES):
            query = request.httprequest.query_string.decode()
            target = path + ("?" + query if query else "")
            location = SETUP_URL + "?" + urlencode({"redirect": target})
            werkzeug.exceptions.abort(request.redirect(location, 303))
        raise AccessDenied()

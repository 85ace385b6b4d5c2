import logging
from urllib.parse import quote

from odoo import _, http
from odoo.exceptions import AccessDenied
from odoo.http import request

from ..models.policy import MODULE
from ..models.totp_policy_recovery_code import (
    RECOVERY_CODES_LINKED_KEY,
    RECOVERY_CODES_SESSION_KEY,
    RECOVERY_URL,
    is_recovery_code,
)
from .main import TotpPolicyHome, finish_login, page_url, safe_redirect

_logger = logging.getLogger(__name__)

RECOVERY_USED_SESSION_KEY = "totp_policy_recovery_used"


class TotpPolicyRecoveryHome(TotpPolicyHome):
    @http.route()
    def web_totp(self, redirect=None, **kwargs):
        pre_uid = request.session.get("pre_uid")
        token = kwargs.get("totp_token")
        if (
            pre_uid
            and not request.session.uid
            and request.httprequest.method == "POST"
            and is_recovery_code(token)
        ):
            user = request.env["res.users"].sudo().browse(pre_uid)
            if user._mfa_type() == "totp":
                return self._totp_policy_recovery_login(
                    user, token, safe_redirect(redirect)
                )
        return super().web_totp(redirect=redirect, **kwargs)

    def _totp_policy_recovery_login(self, user, token, redirect):
        """The code step with a recovery code: rate-limited exactly like TOTP codes."""
        codes = request.env["totp.policy.recovery.code"].sudo()
        try:
            with user._assert_can_auth(user=user.id):
                user._totp_rate_limit("code_check")
                if not user.sudo()._totp_policy_take_attempt():
                    raise AccessDenied(user._totp_policy_too_many_attempts())
                if not codes._consume(user, token):
                    _logger.info("2FA recovery code: FAIL for %r", user.login)
                    raise AccessDenied(
                        _("Verification failed, please double-check the recovery code.")
                    )
        except AccessDenied as error:
            request.session.touch()
            return request.render(
                "auth_totp.auth_totp_form",
                {"user": user, "error": str(error), "redirect": redirect},
            )
        user._totp_rate_limit_purge("code_check")
        user.sudo()._totp_policy_forget_attempts()
        _logger.info("2FA recovery code: SUCCESS for %r", user.login)
        finish_login()
        request.session[RECOVERY_USED_SESSION_KEY] = True
        return request.redirect(page_url(RECOVERY_URL, redirect))

    def _totp_policy_password_ok(self, user, password):
        if not password:
            return False
        try:
            with user._assert_can_auth(user=user.id):
                user.with_user(user)._check_credentials(password, {"interactive": True})
        except AccessDenied:
            return False
        return True

    @http.route(
        RECOVERY_URL,
        type="http",
        auth="user",
        methods=["GET", "POST"],
        sitemap=False,
        website=True,
        multilang=False,
    )
    def totp_policy_recovery_codes(self, redirect=None, **kwargs):
        """Show fresh recovery codes once, or how many remain and a way to renew them."""
        redirect = safe_redirect(redirect) or self._login_redirect(request.session.uid)
        user = request.env.user
        codes_model = request.env["totp.policy.recovery.code"].sudo()
        session = request.session
        codes = session.pop(RECOVERY_CODES_SESSION_KEY, None) or session.pop(
            RECOVERY_CODES_LINKED_KEY, None
        )
        error = None
        if request.httprequest.method == "POST":
            if not user.totp_enabled:
                error = _("Set up your authenticator app first.")
            elif not self._totp_policy_password_ok(user, kwargs.get("password")):
                error = _("Wrong password: no new codes were made.")
            else:
                codes = codes_model._generate(user)
                _logger.info("2FA recovery codes renewed by %r", user.login)
        values = {
            "user": user,
            "recovery_codes": codes,
            "recovery_codes_href": "data:text/plain;charset=utf-8,"
            + quote("\n".join(codes or ()) + "\n"),
            "used": session.pop(RECOVERY_USED_SESSION_KEY, False),
            "remaining": codes_model._remaining(user),
            "enrolled": user.totp_enabled,
            "error": error,
            "redirect": redirect,
            "portal": user.share,
            "content_template": f"{MODULE}.totp_policy_recovery_codes_content",
        }
        return request.render(f"{MODULE}.totp_policy_recovery_codes_page", values)

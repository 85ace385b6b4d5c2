import base64
import io
from urllib.parse import quote, urlencode, urlsplit

import qrcode

from odoo import http
from odoo.http import request

from odoo.addons.auth_totp.controllers.home import Home
from odoo.addons.auth_totp.models.totp import ALGORITHM, DIGITS, TIMESTEP

from ..models.policy import MODULE
from ..models.res_users import SETUP_MFA_TYPE, SETUP_URL

SESSION_SECRET_KEY = "totp_policy_secret"


def safe_redirect(redirect):
    """Keep redirect targets on this site: a local path, or nothing."""
    if not redirect or not isinstance(redirect, str):
        return None
    redirect = redirect.strip()
    if "\\" in redirect or any(ord(char) < 32 for char in redirect):
        return None
    parts = urlsplit(redirect)
    if parts.scheme or parts.netloc or not redirect.startswith("/"):
        return None
    if redirect.startswith("//"):
        return None
    return redirect


def page_url(path, redirect):
    """``path``, passing on a safe redirect target if there is one."""
    redirect = safe_redirect(redirect)
    if not redirect:
        return path
    return path + "?" + urlencode({"redirect": redirect})


def finish_login():
    """The second step passed: the session is logged in, the request runs as its user."""
    request.session.finalize(request.env)
    request.update_env(user=request.session.uid)
    request.update_context(**request.session.context)


class TotpPolicyHome(Home):
    @http.route()
    def web_login(self, redirect=None, **kwargs):
        # Odoo redirects a logged-in GET to ``redirect`` as given (auth_signup reads
        # the parameter itself): keep it local.
        redirect = safe_redirect(redirect)
        request.params.pop("redirect", None)
        if redirect:
            request.params["redirect"] = redirect
        return super().web_login(redirect=redirect, **kwargs)

    @http.route()
    def web_totp(self, redirect=None, **kwargs):
        redirect = safe_redirect(redirect)
        pre_uid = request.session.get("pre_uid")
        if pre_uid and not request.session.uid:
            user = request.env["res.users"].sudo().browse(pre_uid)
            if user._mfa_type() == SETUP_MFA_TYPE:
                return request.redirect(page_url(SETUP_URL, redirect))
        return super().web_totp(redirect=redirect, **kwargs)

    def _login_redirect(self, uid, redirect=None):
        return super()._login_redirect(uid, redirect=safe_redirect(redirect))

    def _totp_policy_otpauth_uri(self, user, secret):
        issuer = request.httprequest.host.split(":", 1)[0] or user.company_id.name
        label = quote(f"{issuer}:{user.login}", safe=":@")
        query = urlencode(
            {
                "secret": "".join(secret.split()),
                "issuer": issuer,
                "algorithm": ALGORITHM.upper(),
                "digits": DIGITS,
                "period": TIMESTEP,
            }
        )
        return f"otpauth://totp/{label}?{query}"

    @http.route(
        SETUP_URL,
        type="http",
        auth="public",
        methods=["GET", "POST"],
        sitemap=False,
        website=True,
        multilang=False,
    )
    def totp_policy_setup(self, redirect=None, **kwargs):
        redirect = safe_redirect(redirect)
        session = request.session
        logged_in = bool(session.uid)
        uid = session.uid or session.get("pre_uid")
        if not uid:
            return request.redirect("/web/login")
        user = request.env["res.users"].sudo().browse(uid)
        if user.totp_enabled:
            if logged_in:
                return request.redirect(self._login_redirect(uid, redirect=redirect))
            query = urlencode({"redirect": redirect}) if redirect else ""
            return request.redirect("/web/login/totp" + ("?" + query if query else ""))
        if not logged_in and user._mfa_type() != SETUP_MFA_TYPE:
            return request.redirect("/web/login")
        if user._totp_policy_verdict() == "exempt_outside":
            # Nothing is written to an exempt account from outside its networks.
            session.logout(keep_db=True)
            return request.redirect("/web/login")

        secret = session.get(SESSION_SECRET_KEY)
        if not secret:
            secret = user._totp_policy_new_secret()
            session[SESSION_SECRET_KEY] = secret
        error = None
        if request.httprequest.method == "POST":
            error = user._totp_policy_try_code(secret, kwargs.get("code"))
            if error is None:
                session.pop(SESSION_SECRET_KEY, None)
                if not logged_in:
                    finish_login()
                return request.redirect(self._login_redirect(uid, redirect=redirect))

        uri = self._totp_policy_otpauth_uri(user, secret)
        data = io.BytesIO()
        qrcode.make(uri.encode(), box_size=4).save(data, optimise=True, format="PNG")
        values = {
            "user": user,
            "secret": secret,
            "otpauth_uri": uri,
            "qrcode": base64.b64encode(data.getvalue()).decode(),
            "error": error,
            "redirect": redirect or "",
            "deadline": user._totp_policy_deadline(),
            "portal": user.share,
            "form_template": f"{MODULE}.totp_policy_setup_form",
        }
        session.touch()
        return request.render(f"{MODULE}.totp_policy_setup_page", values)

import re
import time

from odoo import http
from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools import mute_logger

from ..models.totp_policy_recovery_code import RECOVERY_CODE_COUNT, RECOVERY_URL
from . import policy
from .common import PASSWORD, TotpPolicyCase, totp_code

# Odoo's own portal page (auth_totp_portal) where portal users manage their app.
PORTAL_SECURITY = "/my/security"
CODE_RE = re.compile(r"<code>([a-z2-9]{5}-[a-z2-9]{5})</code>")


@tagged("post_install", "-at_install")
class TestRecoveryCodes(TotpPolicyCase):
    def enrolled_user(self, login):
        user = self.make_user(login, blocked=False)
        secret = self.enable_totp(user)
        codes = self.env["totp.policy.recovery.code"].sudo()._generate(user)
        return user, secret, codes

    def code_step(self, login, token, headers=None):
        """Password, then ``token`` at the code step, which offers recovery codes."""
        page = self.code_step_page(login, headers)
        self.assertIn(
            "recovery code", page.text, "the code step mentions recovery codes"
        )
        return self.post_code_step(page, token, headers)

    def remaining(self, user):
        return self.env["totp.policy.recovery.code"].sudo()._remaining(user)

    def test_codes_shown_once_after_enrolment(self):
        """Enrolling on the setup page leads to the codes, shown once, stored hashed."""
        user = self.make_user("tp_rc_enrol")
        location = self.location(self.web_login(user.login))
        page, secret = self.setup_page(location)
        response = self.post_setup_code(
            page, totp_code(secret), redirect="/web?debug=0"
        )
        page = self.url_open(self.location(response))
        self.assertEqual(self.path_of(page.url), RECOVERY_URL)
        codes = CODE_RE.findall(page.text)
        self.assertEqual(len(codes), RECOVERY_CODE_COUNT)
        self.assertIn('download="recovery-codes.txt"', page.text)
        self.assertIn("window.print()", page.text)
        stored = (
            self.env["totp.policy.recovery.code"]
            .sudo()
            .search([("user_id", "=", user.id)])
        )
        self.assertEqual(len(stored), RECOVERY_CODE_COUNT)
        for code in codes:
            plain = code.replace("-", "")
            for record in stored:
                self.assertNotIn(plain, record.code_hash + record.salt)
        # Shown once: the next visit only tells how many remain.
        page = self.url_open(RECOVERY_URL)
        self.assertFalse(CODE_RE.findall(page.text))
        self.assertIn(str(RECOVERY_CODE_COUNT), page.text)

    def test_wizard_enrolment_leaves_the_next_page_alone(self):
        """Enrolled in Odoo's own wizard (preferences, /my/security), the next page is
        Odoo's (its own flows and tours go on there); Odoo's notice links the fresh
        codes, shown once."""
        user = self.make_user("tp_rc_wizard", groups="base.group_user", blocked=False)
        if self.status(user) == "missing":
            self.skipTest(
                "past grace without an app: this user enrols on the setup page"
            )
        self.location(self.web_login(user.login))
        store = http.root.session_store
        session = store.get(self.opener.cookies["session_id"])
        # The password was just confirmed (Odoo's check_identity step).
        session["identity-check-last"] = time.time()
        store.save(session)
        secret = user._totp_policy_new_secret()
        code = totp_code(secret)
        created = self.call_kw(
            "auth_totp.wizard",
            "create",
            [{"user_id": user.id, "secret": secret, "code": code}],
        )
        self.assertIn("result", created, created)
        wizard = created["result"]
        wizard = wizard[0] if isinstance(wizard, list) else wizard
        # The code as Odoo's form sends it (a field up to 18.0, the context in 19.0).
        enabled = self.call_kw(
            "auth_totp.wizard", "enable", [[wizard]], {"context": {"code": code}}
        )
        self.assertIn("result", enabled, enabled)
        params = enabled["result"]["params"]
        user.invalidate_recordset()
        self.assertTrue(user.totp_enabled)
        self.assertEqual(params["type"], "success")
        self.assertEqual([link["url"] for link in params["links"]], [RECOVERY_URL])
        self.assertTrue(params["sticky"])
        backend = self.url_open(policy.BACKEND_HOME, allow_redirects=False)
        self.assertEqual(backend.status_code, 200, "sent away from the web client")
        page = self.url_open(RECOVERY_URL)
        self.assertEqual(len(CODE_RE.findall(page.text)), RECOVERY_CODE_COUNT)
        self.assertEqual(self.remaining(user), RECOVERY_CODE_COUNT)
        page = self.url_open(RECOVERY_URL)
        self.assertFalse(CODE_RE.findall(page.text), "the codes are shown once")

    def test_portal_security_page_links_the_codes(self):
        """/my/security, where portal users enrol with Odoo's wizard, links the codes."""
        user = self.make_user("tp_rc_portal", portal=True, blocked=False)
        secret = self.enable_totp(user)
        self.location(self.code_step(user.login, totp_code(secret, 1)))
        page = self.url_open(PORTAL_SECURITY)
        self.assertEqual(self.path_of(page.url), PORTAL_SECURITY)
        self.assertIn(f'href="{RECOVERY_URL}?redirect={PORTAL_SECURITY}"', page.text)

    def test_admin_cannot_read_codes(self):
        user, _secret, _codes = self.enrolled_user("tp_rc_admin")
        admin = self.make_user(
            "tp_rc_admin_admin", groups="base.group_system", blocked=False
        )
        codes = self.env["totp.policy.recovery.code"].with_user(admin)
        with self.assertRaises(AccessError):
            codes.search([("user_id", "=", user.id)])
        with self.assertRaises(AccessError):
            codes.sudo().search([("user_id", "=", user.id)]).with_user(admin).read(
                ["code_hash"]
            )

    def test_code_accepted_once(self):
        """A recovery code replaces the TOTP code once; the second use is refused."""
        user, _secret, codes = self.enrolled_user("tp_rc_once")
        response = self.code_step(user.login, codes[0].upper().replace("-", " "))
        location = self.location(response)
        self.assertEqual(self.path_of(location), RECOVERY_URL)
        page = self.url_open(location)
        self.assertIn("cannot be used again", page.text)
        self.assertIn(f"{RECOVERY_CODE_COUNT - 1} code(s) remain", page.text)
        self.assertIn("Generate new recovery codes", page.text)
        self.assertEqual(self.remaining(user), RECOVERY_CODE_COUNT - 1)
        backend = self.url_open(policy.BACKEND_HOME, allow_redirects=False)
        self.assertEqual(backend.status_code, 200)
        # Second use of the same code.
        response = self.code_step(user.login, codes[0])
        self.assertEqual(response.status_code, 200)
        self.assertIn("double-check the recovery code", response.text)
        self.assertEqual(self.remaining(user), RECOVERY_CODE_COUNT - 1)
        backend = self.url_open(policy.BACKEND_HOME, allow_redirects=False)
        self.assertNotEqual(backend.status_code, 200, "refused code, yet signed in")

    @mute_logger("odoo.addons.base.models.res_users")
    def test_rate_limited_like_totp_codes(self):
        """Wrong recovery codes lock the code step exactly as wrong TOTP codes do."""
        refusals = {}
        for kind, address in (("recovery", "192.0.2.41"), ("totp", "192.0.2.42")):
            user, secret, codes = self.enrolled_user(f"tp_rc_limit_{kind}")
            headers = self.from_address(address)
            if kind == "recovery":
                wrong = "aaaaa-aaaaa"
            else:
                wrong = f"{(int(totp_code(secret)) + 500000) % 1000000:06d}"
            # Odoo's own limits: 10 failures per address put the login on cooldown
            # (base.login_cooldown_after), and auth_totp counts code checks per user.
            response = self.code_step(user.login, wrong, headers=headers)
            for _attempt in range(9):
                self.assertEqual(response.status_code, 200)
                response = self.post_code_step(response, wrong, headers=headers)
            right = codes[0] if kind == "recovery" else totp_code(secret, 1)
            response = self.post_code_step(response, right, headers=headers)
            self.assertEqual(response.status_code, 200, f"{kind}: right code accepted")
            error = re.search(r'alert-danger"[^>]*>\s*([^<]+?)\s*<', response.text)
            self.assertTrue(error, f"{kind}: no error shown")
            refusals[kind] = error.group(1)
            if kind == "recovery":
                self.assertEqual(self.remaining(user), RECOVERY_CODE_COUNT)
        self.assertEqual(refusals["recovery"], refusals["totp"])

    def test_regenerate_invalidates_old_set(self):
        user, secret, codes = self.enrolled_user("tp_rc_renew")
        self.location(self.code_step(user.login, totp_code(secret, 1)))
        page = self.url_open(RECOVERY_URL)
        self.assertIn(f'action="{RECOVERY_URL}"', page.text, "renewal posts here")
        data = {"csrf_token": self.csrf(page), "password": "not the password"}
        page = self.url_open(RECOVERY_URL, data=data)
        self.assertIn("Wrong password", page.text)
        self.assertEqual(self.remaining(user), RECOVERY_CODE_COUNT)
        data = {"csrf_token": self.csrf(page), "password": PASSWORD}
        page = self.url_open(RECOVERY_URL, data=data)
        new_codes = CODE_RE.findall(page.text)
        self.assertEqual(len(new_codes), RECOVERY_CODE_COUNT)
        self.assertFalse(set(new_codes) & set(codes))
        response = self.code_step(user.login, codes[1])
        self.assertEqual(response.status_code, 200)
        self.assertIn("double-check the recovery code", response.text)
        response = self.code_step(user.login, new_codes[1])
        self.assertEqual(self.path_of(self.location(response)), RECOVERY_URL)

    def test_removing_totp_removes_codes(self):
        user, _secret, _codes = self.enrolled_user("tp_rc_remove")
        user.sudo().write({"totp_secret": False})
        self.assertEqual(self.remaining(user), 0)

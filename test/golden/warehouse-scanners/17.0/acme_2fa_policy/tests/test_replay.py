from odoo.tests import tagged
from odoo.tools import mute_logger

from ..models.policy import MODULE
from .common import QUIET_LOGGERS, TotpPolicyCase, totp_code

# Where Odoo (19.0) or this addon (16.0 to 18.0) logs a refused reuse.
REUSE_LOGGERS = (
    *QUIET_LOGGERS,
    "odoo.addons.auth_totp.models.res_users",
    f"odoo.addons.{MODULE}.models.res_users_totp_counter",
)


@tagged("post_install", "-at_install")
class TestReplayedCodes(TotpPolicyCase):
    """A TOTP code is accepted once, wherever it was first used."""

    def assertLoggedIn(self, response):
        self.assertNotIn("/web/login", self.path_of(self.location(response)))

    def assertRefused(self, response):
        self.assertEqual(response.status_code, 200, "a used code logged in")
        self.assertIn("latest 6-digit code", response.text)
        backend = self.url_open("/web", allow_redirects=False)
        self.assertEqual(self.path_of(self.location(backend)), "/web/login")

    @mute_logger(*REUSE_LOGGERS)
    def test_code_step_accepts_a_code_once(self):
        """Replayed at the code step: refused; the next window's code logs in."""
        user = self.make_user("tp_replay_login", blocked=False)
        secret = user._totp_policy_new_secret()
        user.with_user(user)._totp_try_setting(secret, int(totp_code(secret, -1)))
        self.assertTrue(user.totp_enabled)
        code = totp_code(secret)
        self.assertLoggedIn(self.code_step(user.login, code))
        self.assertRefused(self.code_step(user.login, code))
        self.assertLoggedIn(self.code_step(user.login, totp_code(secret, 1)))

    @mute_logger(*REUSE_LOGGERS)
    def test_setup_page_code_is_used_once(self):
        """The code that enrolled on the setup page does not log in again."""
        user = self.make_user("tp_replay_setup")
        self.web_login(user.login)
        page, secret = self.setup_page()
        code = totp_code(secret)
        self.assertEqual(self.submit_code(page, code).status_code, 303)
        self.assertTrue(user.totp_enabled)
        self.assertRefused(self.code_step(user.login, code))
        self.assertLoggedIn(self.code_step(user.login, totp_code(secret, 1)))

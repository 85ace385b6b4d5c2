from unittest.mock import patch

from odoo.exceptions import AccessDenied
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from ..models import res_users_totp_counter
from .common import PASSWORD, TotpPolicyCase, totp_code


@tagged("post_install", "-at_install")
class TestTotpCounter(TotpPolicyCase):
    """A code of an enforced user is accepted once; other users keep Odoo's way."""

    @mute_logger(res_users_totp_counter._logger.name)
    def test_two_checks_that_read_before_either_wrote_pass_once(self):
        """Two workers check one code at once: both read the old counter, one passes."""
        user = self.make_user("tp_counter_race", blocked=False)
        secret = self.enable_totp(user)
        code = int(totp_code(secret, 1))
        users = self.registry["res.users"]
        # Both submissions read the counter before either has written it (Odoo's
        # per-address rate limit needs a request: not what is tested here).
        with patch.multiple(
            users,
            _totp_policy_last_counter=lambda self: 0,
            _totp_rate_limit=lambda self, limit_type: None,
            _totp_rate_limit_purge=lambda self, limit_type: None,
        ):
            user.with_user(user)._totp_check(code)
            with self.assertRaisesRegex(AccessDenied, "latest 6-digit code"):
                user.with_user(user)._totp_check(code)

    def test_users_outside_the_policy_keep_odoos_behaviour(self):
        """A user the policy does not enforce may sign in twice with one code."""
        for groups in ("base.group_user", "base.group_portal"):
            user = new_test_user(
                self.env,
                login=f"tp_counter_outside_{groups}",
                groups=groups,
                password=PASSWORD,
            )
            if self.status(user) == "not_required":
                break
        else:
            self.skipTest("this policy enforces every internal and portal user")
        secret = self.enable_totp(user)
        code = totp_code(secret, 1)
        for login in ("first", "second"):
            response = self.code_step(user.login, code)
            location = self.path_of(self.location(response))
            self.assertNotIn("/web/login", location, f"{login} sign-in refused")

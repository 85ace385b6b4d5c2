from unittest.mock import patch

from odoo.exceptions import AccessDenied
from odoo.tests import tagged
from odoo.tools import mute_logger

from ..models import res_users_totp_counter
from .common import TotpPolicyCase, totp_code


@tagged("post_install", "-at_install")
class TestTotpCounter(TotpPolicyCase):
    """The last accepted code is compared and set in one SQL statement."""

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

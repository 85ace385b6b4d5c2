import logging

from odoo import models

from .policy import ENFORCED_VERDICTS
from .res_users import address_in

_logger = logging.getLogger(__name__)


class ResUsersApikeys(models.Model):
    _inherit = "res.users.apikeys"

    def _check_credentials(self, *, scope, key):
        uid = super()._check_credentials(scope=scope, key=key)
        if not uid or scope != "rpc":
            return uid
        users = self.env["res.users"].sudo()
        config = users._totp_policy_config()
        if config["rpc_networks"] and not address_in(config["rpc_networks"]):
            _logger.info("2FA policy: API key refused from outside the API networks")
            return None
        verdict = users.browse(uid)._totp_policy_verdict()
        if verdict == "exempt_outside":
            return None
        if config["api_keys"] == "deny" and verdict in ENFORCED_VERDICTS:
            _logger.info("2FA policy: API keys are not allowed for enforced users")
            return None
        return uid

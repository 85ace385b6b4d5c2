from odoo import api, models


class TotpPolicyDeployment(models.AbstractModel):
    _inherit = "totp.policy.deployment"

    @api.model
    def _record_replaced(self, key, old, new):
        super()._record_replaced(key, old, new)
        self.env["totp.policy.audit"].sudo()._record_policy_replaced(key, old, new)

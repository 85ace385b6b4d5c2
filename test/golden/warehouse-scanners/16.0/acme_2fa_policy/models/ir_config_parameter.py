from odoo import api, models

from .policy import POLICY_PARAMS


class IrConfigParameter(models.Model):
    _inherit = "ir.config_parameter"

    @api.model_create_multi
    def create(self, vals_list):
        if any(vals.get("key") in POLICY_PARAMS for vals in vals_list):
            self.env["res.groups"]._totp_policy_check_write()
        return super().create(vals_list)

    def write(self, vals):
        keys = set(self.mapped("key")) | {vals.get("key")}
        if keys & POLICY_PARAMS:
            self.env["res.groups"]._totp_policy_check_write()
        return super().write(vals)

    def unlink(self):
        if set(self.mapped("key")) & POLICY_PARAMS:
            self.env["res.groups"]._totp_policy_check_write()
        return super().unlink()

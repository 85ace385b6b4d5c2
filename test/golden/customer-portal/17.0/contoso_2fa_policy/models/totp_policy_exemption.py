from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from .res_users import parse_networks


class TotpPolicyExemption(models.Model):
    _name = "totp.policy.exemption"
    _description = "Two-factor exemption"
    _order = "name"

    name = fields.Char(required=True)
    logins = fields.Text(
        required=True,
        help="Logins exempt from two-factor authentication, one per line.",
    )
    networks = fields.Text(
        help="Networks (CIDR, IPv4 or IPv6) from which the exemption holds, one per "
        "line. From anywhere else these logins are refused.",
    )
    reason = fields.Char()

    def _login_list(self):
        self.ensure_one()
        return [login.strip() for login in (self.logins or "").split() if login.strip()]

    @api.constrains("networks")
    def _check_networks(self):
        for exemption in self:
            try:
                parse_networks(exemption.networks)
            except ValueError as error:
                raise ValidationError(
                    _("Invalid network in exemption %(name)s: %(error)s")
                    % {"name": exemption.name, "error": error}
                ) from error

    @api.model_create_multi
    def create(self, vals_list):
        self.env["res.groups"]._totp_policy_check_write()
        records = super().create(vals_list)
        self.env["res.users"]._totp_policy_clear_cache()
        return records

    def write(self, vals):
        self.env["res.groups"]._totp_policy_check_write()
        res = super().write(vals)
        self.env["res.users"]._totp_policy_clear_cache()
        return res

    def unlink(self):
        self.env["res.groups"]._totp_policy_check_write()
        res = super().unlink()
        self.env["res.users"]._totp_policy_clear_cache()
        return res

from odoo import fields, models

from .totp_policy_audit import PARAM_AUDIT_RETENTION_DAYS


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    totp_policy_audit_retention_days = fields.Integer(
        string="Audit log retention (days)",
        config_parameter=PARAM_AUDIT_RETENTION_DAYS,
    )

from odoo import api, fields, models


class TotpPolicyAttempt(models.Model):
    _name = "totp.policy.attempt"
    _description = "Wrong two-factor setup code"
    _order = "create_date desc, id desc"

    user_id = fields.Many2one(
        "res.users", required=True, ondelete="cascade", index=True
    )

    @api.autovacuum
    def _gc_old_attempts(self):
        limit = fields.Datetime.subtract(fields.Datetime.now(), days=1)
        self.sudo().search([("create_date", "<", limit)]).unlink()

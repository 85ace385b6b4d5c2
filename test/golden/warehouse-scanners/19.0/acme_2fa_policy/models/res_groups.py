from odoo import api, fields, models

# Changes to these fields may change who is enforced.
WATCHED = frozenset(
    {"user_ids", "implied_ids", "totp_policy_enforce", "totp_policy_except"}
)


class ResGroups(models.Model):
    _inherit = "res.groups"

    totp_policy_enforce = fields.Boolean(
        string="Members must use 2FA",
        copy=False,
        help="Members of this group (also through implied groups) must use an "
        "authenticator app.",
    )
    totp_policy_except = fields.Boolean(
        string="Members are left out of 2FA enforcement",
        copy=False,
        help="Members of this group are not required to use 2FA, even when they "
        "belong to an enforced group.",
    )
    totp_policy_required = fields.Boolean(
        string="2FA required",
        compute="_compute_totp_policy_required",
        help="Whether members of this group must use two-factor authentication.",
    )

    @api.depends("totp_policy_enforce", "totp_policy_except")
    def _compute_totp_policy_required(self):
        for group in self:
            group.totp_policy_required = (
                group.totp_policy_enforce and not group.totp_policy_except
            )

    @api.model_create_multi
    def create(self, vals_list):
        groups = super().create(vals_list)
        if any(WATCHED & set(vals) for vals in vals_list):
            self.env["res.users"]._totp_policy_stamp_grace()
        return groups

    def write(self, vals):
        res = super().write(vals)
        if WATCHED & set(vals):
            self.env["res.users"]._totp_policy_stamp_grace()
        return res

    @api.model
    def _totp_policy_reset_flags(self):
        """Clear every group flag (before a non-editable policy sets its own again)."""
        groups = (
            self.sudo()
            .with_context(active_test=False)
            .search(
                [
                    "|",
                    ("totp_policy_enforce", "=", True),
                    ("totp_policy_except", "=", True),
                ]
            )
        )
        groups.write({"totp_policy_enforce": False, "totp_policy_except": False})

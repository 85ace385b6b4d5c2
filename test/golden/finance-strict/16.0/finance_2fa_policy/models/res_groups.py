from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

from .policy import EDITABLE

# Changes to these fields may change who is enforced.
WATCHED = frozenset(
    {"users", "implied_ids", "totp_policy_enforce", "totp_policy_except"}
)

# The policy's own fields.
POLICY_FIELDS = frozenset({"totp_policy_enforce", "totp_policy_except"})


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

    @api.model
    def _totp_policy_check_write(self):
        """Only Settings administrators change the policy, and only while editable.

        The addon itself writes with superuser rights (install, update, Settings).
        """
        if self.env.su:
            return
        if not self.env.user._is_system():
            raise AccessError(
                _("Only Settings administrators may change the two-factor policy.")
            )
        if not EDITABLE:
            raise UserError(
                _(
                    "The two-factor policy is managed by its addon and cannot be "
                    "changed here."
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        if any(POLICY_FIELDS & set(vals) for vals in vals_list):
            self._totp_policy_check_write()
        groups = super().create(vals_list)
        if any(WATCHED & set(vals) for vals in vals_list):
            self.env["res.users"]._totp_policy_stamp_grace()
        return groups

    def write(self, vals):
        if POLICY_FIELDS & set(vals):
            self._totp_policy_check_write()
        res = super().write(vals)
        if WATCHED & set(vals):
            self.env["res.users"]._totp_policy_stamp_grace()
        return res

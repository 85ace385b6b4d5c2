from odoo import _, api, fields, models
from odoo.exceptions import AccessError

from .policy import status_of


class TotpPolicyCompliance(models.Model):
    """Who the policy concerns and where they stand, rebuilt each time it is opened.

    One row per user and enforced group (a user in two enforced groups counts in
    both); users concerned through no enforced group (portal users, exempt
    logins) have a row without a group.
    """

    _name = "totp.policy.compliance"
    _description = "Two-factor compliance"
    _order = "company_id, group_id, login"
    _rec_name = "login"

    user_id = fields.Many2one(
        "res.users", string="User", readonly=True, ondelete="cascade"
    )
    login = fields.Char(readonly=True)
    company_id = fields.Many2one("res.company", string="Company", readonly=True)
    group_id = fields.Many2one("res.groups", string="Group", readonly=True)
    # enrolled, grace, missing or exempt. Char, not Selection: Odoo 16.0 and 17.0
    # cannot drop a model with a Selection field on upgrade.
    status = fields.Char(readonly=True)
    last_login = fields.Datetime(readonly=True)
    deadline = fields.Datetime(readonly=True)

    @api.model
    def _check_system(self):
        if not self.env.is_system():
            raise AccessError(_("Only administrators can see the two-factor report."))

    @api.model
    def _refresh(self):
        """Rebuild the rows from the policy as it applies right now."""
        self._check_system()
        users = self.env["res.users"].sudo()
        config = users._totp_policy_config()
        portal = self.env.ref("base.group_portal")
        now = fields.Datetime.now()
        self.sudo().search([]).unlink()
        values = []
        for user in users.search([]):
            kind, deadline, _networks = users._totp_policy_state(user.id)
            if kind == "not_required":
                continue
            status = status_of(kind, deadline, now)
            group_ids = sorted(
                users._totp_policy_user_group_ids(user.id) & config["enforce_ids"]
            )
            if user.share and config["portal_enforce"] and kind != "exempt":
                group_ids = [portal.id]
            for group_id in group_ids or [False]:
                values.append(
                    {
                        "user_id": user.id,
                        "login": user.login,
                        "company_id": user.company_id.id,
                        "group_id": group_id,
                        "status": status,
                        "last_login": user.login_date,
                        "deadline": deadline or False,
                    }
                )
        self.sudo().create(values)

    @api.model
    def action_open_report(self):
        self._refresh()
        return self.env["ir.actions.act_window"]._for_xml_id(
            f"{self._module}.action_totp_policy_compliance"
        )

    @api.model
    def report_rows(self):
        """The report's rows, for ``odoo-2fa report`` over XML-RPC."""
        self._refresh()
        return [
            {
                "login": row.login,
                "user": row.user_id.name,
                "company": row.company_id.name or False,
                "group": row.group_id.display_name or False,
                "status": row.status,
                "last_login": fields.Datetime.to_string(row.last_login) or False,
                "deadline": fields.Datetime.to_string(row.deadline) or False,
            }
            for row in self.sudo().search([])
        ]

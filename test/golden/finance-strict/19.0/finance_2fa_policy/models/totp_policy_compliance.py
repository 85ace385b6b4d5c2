from odoo import _, api, fields, models
from odoo.exceptions import AccessError


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
        """Rebuild the rows from the policy as it applies right now, in SQL."""
        self._check_system()
        users = self.env["res.users"].sudo()
        config = users._totp_policy_config()
        portal = self.env.ref("base.group_portal")
        self.env["res.users.log"].flush_model()
        self.flush_model()
        self.env.cr.execute("DELETE FROM totp_policy_compliance")
        query, params = users._totp_policy_states_query()
        # A portal user counts in the portal group; an internal user in each of the
        # enforced groups they belong to (implied groups included), or in none.
        self.env.cr.execute(
            f"""
            WITH RECURSIVE member_of(gid, group_id) AS (
                SELECT id, id FROM res_groups WHERE id = ANY(%s::int[])
                 UNION
                SELECT rel.gid, member_of.group_id
                  FROM res_groups_implied_rel rel
                  JOIN member_of ON rel.hid = member_of.gid
            ), state AS ({query}),
            last_login AS (
                SELECT create_uid AS user_id, max(create_date) AS login_date
                  FROM res_users_log
                 GROUP BY create_uid
            )
            INSERT INTO totp_policy_compliance
                   (user_id, login, company_id, group_id, status, last_login,
                    deadline, create_uid, create_date, write_uid, write_date)
            SELECT state.id, state.login, u.company_id, grp.group_id,
                   CASE WHEN state.kind = 'missing' AND state.deadline > %s
                        THEN 'grace' ELSE state.kind END,
                   last_login.login_date, state.deadline,
                   %s, now() at time zone 'UTC', %s, now() at time zone 'UTC'
              FROM state
              JOIN res_users u ON u.id = state.id
              LEFT JOIN last_login ON last_login.user_id = state.id
              LEFT JOIN LATERAL (
                SELECT %s AS group_id
                 WHERE COALESCE(u.share, FALSE) AND %s AND state.kind != 'exempt'
                 UNION
                SELECT member_of.group_id
                  FROM res_groups_users_rel rel
                  JOIN member_of ON member_of.gid = rel.gid
                 WHERE rel.uid = state.id
                   AND NOT (COALESCE(u.share, FALSE) AND %s AND state.kind != 'exempt')
              ) AS grp ON TRUE
             WHERE state.kind != 'not_required'
            """,
            [
                sorted(config["enforce_ids"]),
                *params,
                fields.Datetime.now(),
                self.env.uid,
                self.env.uid,
                portal.id,
                config["portal_enforce"],
                config["portal_enforce"],
            ],
        )
        self.invalidate_model()

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

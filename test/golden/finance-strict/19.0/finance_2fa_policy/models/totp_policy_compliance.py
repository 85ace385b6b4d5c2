from odoo import _, api, fields, models
from odoo.exceptions import AccessError

from .policy import STATUSES


class TotpPolicyCompliance(models.TransientModel):
    """Who the policy concerns and where they stand, as of when it was opened.

    One row per user and enforced group (a user in two enforced groups counts in
    both); users concerned through no enforced group (portal users, exempt
    logins) have a row without a group. Each administrator's opening replaces
    only their own rows, so two administrators opening it at once never touch
    the same rows; Odoo's vacuum deletes old ones.
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
    status = fields.Selection(
        [status for status in STATUSES if status[0] != "not_required"],
        readonly=True,
    )
    last_login = fields.Datetime(readonly=True)
    deadline = fields.Datetime(readonly=True)

    @api.model
    def _check_system(self):
        if not self.env.is_system():
            raise AccessError(_("Only administrators can see the two-factor report."))

    @api.model
    def _rows_query(self):
        """``(query, params)`` selecting the report's rows as of now, in SQL:
        ``user_id, login, company_id, group_id, status, last_login, deadline``."""
        users = self.env["res.users"].sudo()
        config = users._totp_policy_config()
        portal = self.env.ref("base.group_portal")
        self.env["res.users.log"].flush_model()
        query, params = users._totp_policy_statuses_query()
        # A portal user counts in the portal group; an internal user in each of the
        # enforced groups they belong to (implied groups included), or in none.
        return (
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
            SELECT state.id, state.login, u.company_id, grp.group_id, state.status,
                   last_login.login_date, state.deadline
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
                portal.id,
                config["portal_enforce"],
                config["portal_enforce"],
            ],
        )

    @api.model
    def _refresh(self):
        """Replace the current administrator's rows by the report as of now."""
        self._check_system()
        query, params = self._rows_query()
        self.flush_model()
        self.env.cr.execute(
            "DELETE FROM totp_policy_compliance WHERE create_uid = %s", [self.env.uid]
        )
        self.env.cr.execute(
            f"""
            INSERT INTO totp_policy_compliance
                   (user_id, login, company_id, group_id, status, last_login,
                    deadline, create_uid, create_date, write_uid, write_date)
            SELECT report_row.*,
                   %s, now() at time zone 'UTC', %s, now() at time zone 'UTC'
              FROM ({query}) AS report_row
            """,
            [self.env.uid, self.env.uid, *params],
        )
        self.invalidate_model()

    @api.model
    def action_open_report(self):
        self._refresh()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            f"{self._module}.action_totp_policy_compliance"
        )
        action["domain"] = [("create_uid", "=", self.env.uid)]
        return action

    @api.model
    def report_rows(self):
        """The report's rows, for ``odoo-2fa report`` over XML-RPC (nothing stored)."""
        self._check_system()
        query, params = self._rows_query()
        self.env.cr.execute(query, params)
        rows = self.env.cr.fetchall()
        users = self.env["res.users"].sudo().browse({row[0] for row in rows})
        companies = self.env["res.company"].sudo().browse({row[2] for row in rows})
        groups = self.env["res.groups"].sudo().browse({row[3] for row in rows})
        user_names = {user.id: user.name for user in users.exists()}
        company_names = {company.id: company.name for company in companies.exists()}
        group_names = {group.id: group.display_name for group in groups.exists()}
        return [
            {
                "login": login,
                "user": user_names.get(user_id),
                "company": company_names.get(company_id, False),
                "group": group_names.get(group_id, False),
                "status": status,
                "last_login": fields.Datetime.to_string(last_login) or False,
                "deadline": fields.Datetime.to_string(deadline) or False,
            }
            for user_id, login, company_id, group_id, status, last_login, deadline in rows
        ]

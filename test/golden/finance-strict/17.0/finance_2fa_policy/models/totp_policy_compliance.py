from odoo import _, api, fields, models, tools
from odoo.exceptions import AccessError

from .policy import STATUSES

# Row ids are user id × ROW_ID_GROUPS + group id: unique for group ids below it.
ROW_ID_GROUPS = 2**21


class TotpPolicyCompliance(models.Model):
    """Who the policy concerns and where they stand, as of each reading.

    A model over a query, as Odoo's own reports are: nothing is stored, so
    opening the report writes nothing, two administrators reading it at once
    never meet, and each reading is as of now. One row per user and enforced
    group (a user in two enforced groups counts in both); users concerned
    through no enforced group (portal users, exempt logins) have a row without a
    group.
    """

    _name = "totp.policy.compliance"
    _description = "Two-factor compliance"
    _auto = False
    _order = "company_id, group_id, login"
    _rec_name = "login"

    user_id = fields.Many2one("res.users", string="User", readonly=True)
    login = fields.Char(readonly=True)
    company_id = fields.Many2one("res.company", string="Company", readonly=True)
    group_id = fields.Many2one("res.groups", string="Group", readonly=True)
    status = fields.Selection(
        [status for status in STATUSES if status[0] != "not_required"],
        readonly=True,
    )
    last_login = fields.Datetime(readonly=True)
    deadline = fields.Datetime(readonly=True)

    def init(self):
        # Before odoo-2fa 0.2.0 the report was a table filled on opening: drop it.
        self.env.cr.execute("DROP TABLE IF EXISTS totp_policy_compliance")

    @property
    def _table_query(self):
        query, params = self._rows_query()
        # A row's id is its user and group, so that it stays the same from one
        # reading to the next (and stays under 2^53, for the web client).
        query = f"""
            SELECT report_row.user_id::bigint * %s + COALESCE(report_row.group_id, 0)
                       AS id,
                   report_row.*
              FROM ({query}) AS report_row
        """
        params = [ROW_ID_GROUPS, *params]
        return tools.SQL("(%s)", tools.SQL(query, *params))

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
        # Memberships are joined as a set, not looked up user by user: each
        # enforced group with the groups whose members belong to it, as pairs.
        enforced = sorted(config["enforce_ids"])
        pairs = [
            (member_id, group_id)
            for group_id, member_ids in zip(
                enforced, users._totp_policy_members_of([{gid} for gid in enforced])
            )
            for member_id in sorted(member_ids)
        ]
        return (
            f"""
            WITH state AS ({query}),
            last_login AS (
                SELECT create_uid AS user_id, max(create_date) AS login_date
                  FROM res_users_log
                 GROUP BY create_uid
            ),
            enforced_in AS (
                SELECT DISTINCT rel.uid, member_of.group_id
                  FROM res_groups_users_rel rel
                  JOIN unnest(%s::int[], %s::int[]) AS member_of(gid, group_id)
                    ON member_of.gid = rel.gid
            )
            SELECT state.id AS user_id, state.login, u.company_id,
                   CASE WHEN portal.counted THEN %s ELSE enforced_in.group_id END
                       AS group_id,
                   state.status, last_login.login_date AS last_login, state.deadline
              FROM state
              JOIN res_users u ON u.id = state.id
              CROSS JOIN LATERAL (
                SELECT COALESCE(u.share, FALSE) AND %s AND state.kind != 'exempt'
                       AS counted
              ) AS portal
              LEFT JOIN last_login ON last_login.user_id = state.id
              LEFT JOIN enforced_in
                     ON enforced_in.uid = state.id AND NOT portal.counted
             WHERE state.kind != 'not_required'
            """,
            [
                *params,
                [member_id for member_id, _group_id in pairs],
                [group_id for _member_id, group_id in pairs],
                portal.id,
                config["portal_enforce"],
            ],
        )

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

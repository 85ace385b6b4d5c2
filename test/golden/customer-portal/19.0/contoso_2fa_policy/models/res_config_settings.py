from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from .policy import (
    EDITABLE,
    PARAM_API_KEYS,
    PARAM_DEPLOYED_DATE,
    PARAM_DEPLOYED_DIGEST,
    PARAM_DEPLOYED_VERSION,
    PARAM_GRACE_DAYS,
    PARAM_PASSWORD_RPC,
    PARAM_PORTAL_ENFORCE,
    PARAM_PORTAL_GRACE_DAYS,
    PARAM_RPC_NETWORKS,
    read_params,
)
from .res_users import parse_networks

PARAMS = {
    "totp_policy_grace_days": PARAM_GRACE_DAYS,
    "totp_policy_portal_enforce": PARAM_PORTAL_ENFORCE,
    "totp_policy_portal_grace_days": PARAM_PORTAL_GRACE_DAYS,
    "totp_policy_password_rpc": PARAM_PASSWORD_RPC,
    "totp_policy_api_keys": PARAM_API_KEYS,
    "totp_policy_rpc_networks": PARAM_RPC_NETWORKS,
}


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    totp_policy_editable = fields.Boolean(
        string="Two-factor policy editable", compute="_compute_totp_policy_editable"
    )
    totp_policy_group_ids = fields.Many2many(
        "res.groups",
        "totp_policy_settings_enforce_rel",
        "settings_id",
        "group_id",
        string="Enforced groups",
        help="Members of these groups (also through implied groups) must use an "
        "authenticator app.",
    )
    totp_policy_except_group_ids = fields.Many2many(
        "res.groups",
        "totp_policy_settings_except_rel",
        "settings_id",
        "group_id",
        string="Excepted groups",
        help="Members of these groups are left out, even when they belong to an "
        "enforced group.",
    )
    totp_policy_grace_days = fields.Integer(
        string="Grace days",
        help="Days an enforced user may keep working before setting up an "
        "authenticator app (0: none).",
    )
    totp_policy_portal_enforce = fields.Boolean(
        string="Enforce for portal users",
    )
    totp_policy_portal_grace_days = fields.Integer(string="Portal grace days")
    totp_policy_password_rpc = fields.Selection(
        [("deny", "Refused"), ("allow", "Allowed")],
        string="Passwords over XML-RPC/JSON-RPC",
        help="Whether enforced users may call XML-RPC/JSON-RPC with their password "
        "(otherwise they must use an API key).",
    )
    totp_policy_api_keys = fields.Selection(
        [("allow", "Allowed"), ("deny", "Refused")],
        string="API keys",
        help="Whether enforced users may use API keys.",
    )
    totp_policy_rpc_networks = fields.Char(
        string="RPC networks",
        help="Networks (CIDR, separated by spaces or commas) allowed to use "
        "XML-RPC/JSON-RPC; empty: no limit.",
    )
    totp_policy_exemption_summary = fields.Text(
        string="Exemptions", compute="_compute_totp_policy_exemption_summary"
    )
    totp_policy_deployed_summary = fields.Text(
        string="Deployed policy", compute="_compute_totp_policy_deployed_summary"
    )

    def _compute_totp_policy_editable(self):
        for settings in self:
            settings.totp_policy_editable = EDITABLE

    def _compute_totp_policy_deployed_summary(self):
        params = self.env["ir.config_parameter"].sudo()
        lines = [
            _(
                "Version %(version)s, policy %(digest)s, deployed %(date)s.",
                version=params.get_param(PARAM_DEPLOYED_VERSION) or "?",
                digest=(params.get_param(PARAM_DEPLOYED_DIGEST) or "?")[:12],
                date=params.get_param(PARAM_DEPLOYED_DATE) or "?",
            )
        ]
        differences = self.env["totp.policy.deployment"]._differences()
        if differences:
            lines.append(
                _(
                    "Changed in Settings since; the next update keeps these unless "
                    "the policy file changed:"
                )
            )
        for key, current, deployed in differences:
            lines.append(
                _(
                    "%(key)s: deployed %(deployed)s, now %(current)s",
                    key=key,
                    deployed=deployed,
                    current=current,
                )
            )
        summary = "\n".join(lines)
        for settings in self:
            settings.totp_policy_deployed_summary = summary

    def _compute_totp_policy_exemption_summary(self):
        exemptions = self.env["totp.policy.exemption"].sudo().search([])
        lines = []
        for exemption in exemptions:
            networks = ", ".join((exemption.networks or "").split()) or _("anywhere")
            lines.append(
                _(
                    "%(name)s: %(logins)s from %(networks)s",
                    name=exemption.name,
                    logins=", ".join(exemption._login_list()),
                    networks=networks,
                )
            )
        summary = "\n".join(lines) or _("No exemptions.")
        for settings in self:
            settings.totp_policy_exemption_summary = summary

    @api.model
    def get_values(self):
        res = super().get_values()
        values = read_params(self.env["ir.config_parameter"].sudo().get_param)
        groups = self.env["res.groups"].sudo().with_context(active_test=False)
        res.update(
            totp_policy_group_ids=[
                (6, 0, groups.search([("totp_policy_enforce", "=", True)]).ids)
            ],
            totp_policy_except_group_ids=[
                (6, 0, groups.search([("totp_policy_except", "=", True)]).ids)
            ],
            totp_policy_grace_days=values["grace_days"],
            totp_policy_portal_enforce=values["portal_enforce"],
            totp_policy_portal_grace_days=values["portal_grace_days"],
            totp_policy_password_rpc=values["password_rpc"],
            totp_policy_api_keys=values["api_keys"],
            totp_policy_rpc_networks=values["rpc_networks"] or False,
        )
        return res

    def _totp_policy_changed(self):
        current = self.get_values()
        for name in PARAMS:
            if current.get(name) != self[name] and (current.get(name) or self[name]):
                return True
        for name in ("totp_policy_group_ids", "totp_policy_except_group_ids"):
            if set(current[name][0][2]) != set(self[name].ids):
                return True
        return False

    def set_values(self):
        super().set_values()
        if not self._totp_policy_changed():
            return
        if not EDITABLE:
            raise UserError(
                _(
                    "The two-factor policy is managed by its addon and cannot be changed here."
                )
            )
        self._totp_policy_validate()
        params = self.env["ir.config_parameter"].sudo()
        params.set_param(
            PARAMS["totp_policy_grace_days"], str(self.totp_policy_grace_days)
        )
        params.set_param(
            PARAMS["totp_policy_portal_enforce"],
            str(bool(self.totp_policy_portal_enforce)),
        )
        params.set_param(
            PARAMS["totp_policy_portal_grace_days"],
            str(self.totp_policy_portal_grace_days),
        )
        params.set_param(
            PARAMS["totp_policy_password_rpc"], self.totp_policy_password_rpc
        )
        params.set_param(PARAMS["totp_policy_api_keys"], self.totp_policy_api_keys)
        networks = " ".join(
            str(n) for n in parse_networks(self.totp_policy_rpc_networks)
        )
        params.set_param(PARAMS["totp_policy_rpc_networks"], networks or False)
        deployment = self.env["totp.policy.deployment"]
        deployment._set_group_flag("totp_policy_enforce", self.totp_policy_group_ids)
        deployment._set_group_flag(
            "totp_policy_except", self.totp_policy_except_group_ids
        )
        users = self.env["res.users"]
        users._totp_policy_stamp_grace()
        admins = (
            self.env.ref("base.group_system")
            .sudo()
            .user_ids.filtered(lambda user: user.active and user.id != 1)
        )
        if admins and all(user._totp_policy_verdict() == "blocked" for user in admins):
            raise ValidationError(
                _(
                    "This would hold every administrator at the two-factor setup page "
                    "right away. Set up your own authenticator app first (Preferences, "
                    "Account Security) or give a grace period."
                )
            )

    def _totp_policy_validate(self):
        for name in ("totp_policy_grace_days", "totp_policy_portal_grace_days"):
            if self[name] < 0:
                raise ValidationError(_("Grace days cannot be negative."))
        try:
            parse_networks(self.totp_policy_rpc_networks)
        except ValueError as error:
            raise ValidationError(
                _(
                    "Invalid RPC network: %(error)s. Use CIDR notation such as "
                    "192.0.2.0/24 or 2001:db8::/48.",
                    error=error,
                )
            ) from error

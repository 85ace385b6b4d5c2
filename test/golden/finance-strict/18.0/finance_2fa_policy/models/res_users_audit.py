from odoo import _, models


class ResUsers(models.Model):
    _inherit = "res.users"

    def write(self, vals):
        was_enrolled = {}
        if "totp_secret" in vals:
            was_enrolled = {user.id: bool(user.sudo().totp_secret) for user in self}
        res = super().write(vals)
        for user in self.filtered(lambda user: user.id in was_enrolled):
            self._totp_policy_audit_secret_change(user, was_enrolled[user.id])
        return res

    def _totp_policy_audit_secret_change(self, user, was_enrolled):
        enrolled = bool(user.sudo().totp_secret)
        if enrolled == was_enrolled:
            return
        audit = self.env["totp.policy.audit"]
        if enrolled:
            audit._record("enrolled", user)
        elif self.env.uid == user.id:
            audit._record("removed", user)
        else:
            audit._record(
                "admin_reset", user, _("by %(login)s", login=self.env.user.login)
            )

    def _totp_policy_refused(self, user, refusal):
        super()._totp_policy_refused(user, refusal)
        details = {
            "exempt_refused": _("outside the exemption's networks"),
            "rpc_refused": _("no valid API key (passwords are refused)"),
        }
        self.env["totp.policy.audit"]._record_refusal(refusal, user, details[refusal])

    def _totp_policy_event(self, user, event, description=False):
        super()._totp_policy_event(user, event, description)
        self.env["totp.policy.audit"]._record(event, user, description)

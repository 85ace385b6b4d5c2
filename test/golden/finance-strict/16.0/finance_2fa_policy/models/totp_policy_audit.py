import logging
from datetime import timedelta

from odoo import _, api, fields, models

from .res_users import client_address

_logger = logging.getLogger(__name__)

# Days the log keeps its entries (0: forever); set in Settings.
PARAM_AUDIT_RETENTION_DAYS = "totp_policy.audit_retention_days"


class TotpPolicyAudit(models.Model):
    _name = "totp.policy.audit"
    _description = "Two-factor audit log"
    _order = "id desc"
    _rec_name = "event"

    event = fields.Selection(
        selection="_selection_event", required=True, readonly=True, index=True
    )
    user_id = fields.Many2one(
        "res.users", string="User", ondelete="set null", readonly=True, index=True
    )
    login = fields.Char(readonly=True)
    actor_id = fields.Many2one(
        "res.users", string="By", ondelete="set null", readonly=True
    )
    client_address = fields.Char(readonly=True)
    description = fields.Char(readonly=True)

    @api.model
    def _selection_event(self):
        # Other features name their own events (res.users._totp_policy_event_labels).
        return [
            ("enrolled", _("Enrolled")),
            ("removed", _("Removed by the user")),
            ("admin_reset", _("Reset by an administrator")),
            ("rpc_refused", _("Password RPC refused")),
            ("exempt_refused", _("Exempt login refused outside its networks")),
            ("policy_replaced", _("Settings value replaced by an update")),
            *self.env["res.users"]._totp_policy_event_labels().items(),
        ]

    @api.model
    def _values(self, event, user, description):
        return {
            "event": event,
            "user_id": user.id,
            "login": user.sudo().login,
            "actor_id": self.env.uid,
            "client_address": client_address() or False,
            "description": description,
        }

    @api.model
    def _record(self, event, user, description=False):
        """Log a change about ``user``, in the transaction that makes it."""
        self.sudo().create(self._values(event, user, description))

    @api.model
    def _record_policy_replaced(self, key, old, new):
        """Log a Settings value that an update of the addon replaced."""
        self.sudo().create(
            {
                "event": "policy_replaced",
                "actor_id": self.env.uid,
                "description": f"{key}: {old!r} -> {new!r}",
            }
        )

    @api.model
    def _record_refusal(self, event, user, description=False):
        """Log a refusal about ``user``; kept although the failed login rolls back.

        The entry is written in the current transaction and, if that transaction
        rolls back (as a refused login does), again in a transaction of its own.
        """
        values = self._values(event, user, description)
        cr = self.env.cr
        registry = self.env.registry

        def write_in_own_transaction():
            with registry.cursor() as new_cr:
                self.with_env(self.env(cr=new_cr)).sudo().create(values)

        if getattr(cr, "readonly", False):
            cr.postcommit.add(write_in_own_transaction)
        else:
            self.sudo().create(values)
        cr.postrollback.add(write_in_own_transaction)

    @api.model
    def _gc_audit(self):
        """Delete entries older than the retention period (0 days: keep all)."""
        params = self.env["ir.config_parameter"].sudo()
        days = int(params.get_param(PARAM_AUDIT_RETENTION_DAYS) or 0)
        if days <= 0:
            return
        limit = fields.Datetime.now() - timedelta(days=days)
        old = self.sudo().search([("create_date", "<", limit)])
        _logger.info(
            "2FA audit: deleting %s entries older than %s days", len(old), days
        )
        old.unlink()

from odoo import api, models


class BusBus(models.Model):
    _inherit = "bus.bus"

    @api.model
    def _poll(self, channels, last=0, *args, **kwargs):
        # An open websocket delivers nothing to a user the policy now holds at
        # setup, even when the change was made by SQL or on another server.
        if self.env.uid:
            self.env.registry.check_signaling()
            user = self.env["res.users"].sudo().browse(self.env.uid)
            if user._totp_policy_verdict() == "blocked":
                return []
        return super()._poll(channels, last, *args, **kwargs)

import ipaddress
import logging

from odoo import _, api, fields, models
from odoo.exceptions import AccessError

from .policy import (
    DIGEST,
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
    POLICY,
    VERSION,
    read_params,
)

_logger = logging.getLogger(__name__)

# Odoo's signaling of its default cache: every server clears it at its next request
# when this moves (SIGNAL_CURRENT reads where it stands).
SIGNAL = "INSERT INTO orm_signaling_default DEFAULT VALUES"
SIGNAL_CURRENT = "SELECT max(id) FROM orm_signaling_default"
SIGNAL_FUNCTION = f"""
CREATE OR REPLACE FUNCTION totp_policy_signal() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    {SIGNAL};
    RETURN NULL;
END $$
"""
# (table, trigger): deferred to the commit, once for each row whose change may
# change who is enforced.
SIGNAL_TRIGGERS = tuple(
    (
        table,
        f"CREATE CONSTRAINT TRIGGER totp_policy_signal AFTER {events} ON {table} "
        f"DEFERRABLE INITIALLY DEFERRED FOR EACH ROW {condition}"
        "EXECUTE FUNCTION totp_policy_signal()",
    )
    for table, events, condition in (
        (
            "res_users",
            "UPDATE",
            "WHEN ((OLD.totp_secret, OLD.active, OLD.login, OLD.share) IS DISTINCT "
            "FROM (NEW.totp_secret, NEW.active, NEW.login, NEW.share)) ",
        ),
        ("res_groups_users_rel", "INSERT OR UPDATE OR DELETE", ""),
        ("res_groups_implied_rel", "INSERT OR UPDATE OR DELETE", ""),
        (
            "res_groups",
            "UPDATE",
            "WHEN ((OLD.totp_policy_enforce, OLD.totp_policy_except) IS DISTINCT "
            "FROM (NEW.totp_policy_enforce, NEW.totp_policy_except)) ",
        ),
        ("totp_policy_exemption", "INSERT OR UPDATE OR DELETE", ""),
        ("ir_config_parameter", "INSERT OR UPDATE OR DELETE", ""),
    )
)


def normalise_networks(text):
    """Sorted CIDR strings of a space/comma separated list (invalid entries dropped)."""
    networks = []
    for item in (text or "").replace(",", " ").split():
        try:
            networks.append(str(ipaddress.ip_network(item, strict=False)))
        except ValueError:
            networks.append(item)
    return sorted(networks)


class TotpPolicyDeployment(models.AbstractModel):
    _name = "totp.policy.deployment"
    _description = "Deployed two-factor policy"

    @api.model
    def _database_values(self):
        """The policy as the database holds it, in the shape of ``POLICY``."""
        params = self.env["ir.config_parameter"].sudo()
        values = read_params(params.get_param)
        groups = self.env["res.groups"].sudo().with_context(active_test=False)

        def xml_ids(domain):
            records = groups.search(domain)
            names = records.get_external_id()
            return sorted(
                names.get(group.id) or f"res.groups({group.id})" for group in records
            )

        exemptions = [
            {
                "name": exemption.name,
                "logins": sorted(exemption._login_list()),
                "networks": normalise_networks(exemption.networks),
                "reason": exemption.reason or "",
            }
            for exemption in self.env["totp.policy.exemption"].sudo().search([])
        ]
        return {
            "enforce_groups": xml_ids([("totp_policy_enforce", "=", True)]),
            "except_groups": xml_ids([("totp_policy_except", "=", True)]),
            "grace_days": values["grace_days"],
            "portal_enforce": values["portal_enforce"],
            "portal_grace_days": values["portal_grace_days"],
            "password_rpc": values["password_rpc"],
            "api_keys": values["api_keys"],
            "api_networks": normalise_networks(values["rpc_networks"]),
            "exemptions": sorted(exemptions, key=lambda exemption: exemption["name"]),
        }

    @api.model
    def _differences(self):
        """``(key, database value, deployed value)`` for each value that differs."""
        current = self._database_values()
        return [
            (key, current[key], value)
            for key, value in POLICY.items()
            if _normalised(current[key]) != _normalised(value)
        ]

    @api.model
    def _deploy(self):
        """Apply the shipped policy on install and on every update.

        While the policy is editable and unchanged since the last deployment, the
        database keeps what administrators set in Settings; otherwise the database
        takes the shipped values, and every value it replaces is logged.
        """
        self._install_signals()
        params = self.env["ir.config_parameter"].sudo()
        deployed = params.get_param(PARAM_DEPLOYED_DIGEST)
        if EDITABLE and deployed == DIGEST:
            _logger.info("2FA policy %s unchanged: Settings values kept", DIGEST[:12])
        else:
            for key, old, new in self._differences():
                if deployed:
                    _logger.warning(
                        "2FA policy %s deployed: %s: database %r replaced by %r",
                        DIGEST[:12],
                        key,
                        old,
                        new,
                    )
                    self._record_replaced(key, old, new)
            self._apply(POLICY)
        params.set_param(PARAM_DEPLOYED_DIGEST, DIGEST)
        params.set_param(PARAM_DEPLOYED_VERSION, VERSION)
        params.set_param(
            PARAM_DEPLOYED_DATE, fields.Datetime.to_string(fields.Datetime.now())
        )

    @api.model
    def _install_signals(self):
        """Changes made past the ORM (SQL, a shell, another server) invalidate every
        server's cached policy at its next request, as Odoo's own signaling does."""
        cr = self.env.cr
        cr.execute(SIGNAL_FUNCTION)
        # Created once: a table with pending deferred trigger events (this very
        # update may have some) cannot have a trigger dropped.
        cr.execute(
            """
            SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
             WHERE t.tgname = 'totp_policy_signal'
            """
        )
        present = {table for (table,) in cr.fetchall()}
        for table, statement in SIGNAL_TRIGGERS:
            if table not in present:
                cr.execute(statement)

    @api.model
    def _record_replaced(self, key, old, new):
        """Hook: an optional part of the addon records each replaced value."""

    @api.model
    def _apply(self, values):
        """Write ``values`` (the shape of ``POLICY``) into the database."""
        params = self.env["ir.config_parameter"].sudo()
        params.set_param(PARAM_GRACE_DAYS, str(values["grace_days"]))
        params.set_param(PARAM_PORTAL_ENFORCE, str(values["portal_enforce"]))
        params.set_param(PARAM_PORTAL_GRACE_DAYS, str(values["portal_grace_days"]))
        params.set_param(PARAM_PASSWORD_RPC, values["password_rpc"])
        params.set_param(PARAM_API_KEYS, values["api_keys"])
        params.set_param(PARAM_RPC_NETWORKS, " ".join(values["api_networks"]) or False)
        for field, key in (
            ("totp_policy_enforce", "enforce_groups"),
            ("totp_policy_except", "except_groups"),
        ):
            wanted = self.env["res.groups"]
            for xml_id in values[key]:
                group = self.env.ref(xml_id, raise_if_not_found=False)
                if group and group._name == "res.groups":
                    wanted |= group
                else:
                    _logger.warning("2FA policy: no group %s in this database", xml_id)
            self._set_group_flag(field, wanted)
        exemptions = self.env["totp.policy.exemption"].sudo()
        exemptions.search([]).unlink()
        exemptions.create(
            [
                {
                    "name": exemption["name"],
                    "logins": "\n".join(exemption["logins"]),
                    "networks": "\n".join(exemption["networks"]) or False,
                    "reason": exemption["reason"],
                }
                for exemption in values["exemptions"]
            ]
        )
        self.env["res.users"]._totp_policy_stamp_grace()

    @api.model
    def _set_group_flag(self, field, groups):
        """Set ``field`` on exactly ``groups`` (superuser: callers check rights)."""
        model = self.env["res.groups"].sudo().with_context(active_test=False)
        flagged = model.search([(field, "=", True)])
        (flagged - groups).sudo().write({field: False})
        (groups - flagged).sudo().write({field: True})

    @api.model
    def totp_policy_state(self):
        """What ``odoo-2fa check --url`` compares: administrators only."""
        if not self.env.user._is_system():
            raise AccessError(
                _("Only administrators may read the deployed 2FA policy.")
            )
        params = self.env["ir.config_parameter"].sudo()
        module = self.env["ir.module.module"].sudo()._get(self._module)
        return {
            "module": self._module,
            "installed_version": module.latest_version or "",
            "shipped_version": VERSION,
            "deployed_digest": params.get_param(PARAM_DEPLOYED_DIGEST) or "",
            "deployed_version": params.get_param(PARAM_DEPLOYED_VERSION) or "",
            "deployed_date": params.get_param(PARAM_DEPLOYED_DATE) or "",
            "editable": EDITABLE,
            "shipped_digest": DIGEST,
            "shipped": _normalised(POLICY),
            "enforced": _normalised(self._database_values() if EDITABLE else POLICY),
        }


def _normalised(value):
    """``POLICY``-shaped data with tuples as lists (what XML-RPC sends and compares)."""
    if isinstance(value, dict):
        return {key: _normalised(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_normalised(item) for item in value]
    return value

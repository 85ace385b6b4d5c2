from . import controllers, models


def uninstall_hook(env):
    """Drop the triggers the addon created; Odoo drops only its tables."""
    cr = env.cr
    for table, _statement in models.totp_policy_deployment.SIGNAL_TRIGGERS:
        cr.execute("SELECT to_regclass(%s)", [table])
        if cr.fetchone()[0]:
            cr.execute(f"DROP TRIGGER IF EXISTS totp_policy_signal ON {table}")
    cr.execute("DROP FUNCTION IF EXISTS totp_policy_signal()")

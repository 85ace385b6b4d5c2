"""The policy this addon deploys, generated from the reviewed policy file.

Every install and update applies it to the database (``totp.policy.deployment``):
while ``EDITABLE``, administrators may change the values in Settings and an update
keeps their changes unless ``DIGEST`` (this policy) differs from the one deployed
before; otherwise the database's values are ignored and this policy is enforced.
"""

# This addon's technical name (its xml ids are MODULE.<id>).
MODULE = "contoso_2fa_policy"
VERSION = "19.0.1.2.0"
DIGEST = "d3f45132f84c42bba8fcb37db094726f46aa83c9fea1eb719b7ec20f4993dc80"
EDITABLE = True
POLICY = {
    "enforce_groups": ("base.group_user",),
    "except_groups": (),
    "grace_days": 14,
    "portal_enforce": True,
    "portal_grace_days": 30,
    "password_rpc": "deny",
    "api_keys": "allow",
    "api_networks": (),
    "exemptions": (),
}

# Keys of the values the database keeps (ir.config_parameter).
PARAM_GRACE_DAYS = "totp_policy.grace_days"
PARAM_PORTAL_ENFORCE = "totp_policy.portal_enforce"
PARAM_PORTAL_GRACE_DAYS = "totp_policy.portal_grace_days"
PARAM_PASSWORD_RPC = "totp_policy.password_rpc"
PARAM_API_KEYS = "totp_policy.api_keys"
PARAM_RPC_NETWORKS = "totp_policy.rpc_networks"
PARAM_START_DATE = "totp_policy.start_date"
# What the last install or update deployed.
PARAM_DEPLOYED_DIGEST = "totp_policy.deployed_digest"
PARAM_DEPLOYED_VERSION = "totp_policy.deployed_version"
PARAM_DEPLOYED_DATE = "totp_policy.deployed_date"
# The parameters only Settings administrators change, and only while EDITABLE.
POLICY_PARAMS = frozenset(
    {
        PARAM_GRACE_DAYS,
        PARAM_PORTAL_ENFORCE,
        PARAM_PORTAL_GRACE_DAYS,
        PARAM_PASSWORD_RPC,
        PARAM_API_KEYS,
        PARAM_RPC_NETWORKS,
        PARAM_START_DATE,
        PARAM_DEPLOYED_DIGEST,
        PARAM_DEPLOYED_VERSION,
        PARAM_DEPLOYED_DATE,
    }
)
# Kinds of the state of a user the policy enforces (res.users._totp_policy_state).
ENFORCED_KINDS = ("enrolled", "missing")
# Verdicts of a user the policy enforces (res.users._totp_policy_verdict).
ENFORCED_VERDICTS = ("enrolled", "grace", "blocked")
# A user's status as administrators see it (status_of), with its label.
STATUSES = [
    ("enrolled", "Enrolled"),
    ("grace", "In grace"),
    ("missing", "Missing"),
    ("exempt", "Exempt"),
    ("not_required", "Not required"),
]


def read_params(get_param):
    """The policy's values as the database holds them, defaults for those unset.

    ``get_param`` gives a parameter's stored value by its key (``get_param`` of
    ``ir.config_parameter``, sudo); ``rpc_networks`` is the text as stored.
    """
    return {
        "grace_days": int(get_param(PARAM_GRACE_DAYS) or 0),
        "portal_enforce": get_param(PARAM_PORTAL_ENFORCE) == "True",
        "portal_grace_days": int(get_param(PARAM_PORTAL_GRACE_DAYS) or 0),
        "password_rpc": get_param(PARAM_PASSWORD_RPC) or "deny",
        "api_keys": get_param(PARAM_API_KEYS) or "allow",
        "rpc_networks": get_param(PARAM_RPC_NETWORKS) or "",
    }


def in_grace(deadline, now):
    """Whether a user who has not set up an app may still work: before the deadline."""
    return deadline is not None and now < deadline


def status_of(kind, deadline, now):
    """The status shown to administrators for ``(kind, deadline)`` of a user's state."""
    if kind == "missing" and in_grace(deadline, now):
        return "grace"
    return kind

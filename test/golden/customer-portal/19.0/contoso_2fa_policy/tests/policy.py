"""The policy this addon was generated from, as fixtures for its tests."""

ENFORCED_GROUPS = [
    "base.group_user",
]
EXCEPT_GROUPS = []
GRACE_DAYS = 14
PORTAL_ENFORCE = True
PORTAL_GRACE_DAYS = 30
EXEMPTIONS = []
PASSWORD_RPC = "deny"
API_KEYS = "allow"
RPC_NETWORKS = []
EDITABLE = True
BACKEND_HOME = "/odoo"
HAS_JSON2 = True

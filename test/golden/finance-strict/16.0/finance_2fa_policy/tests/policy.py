"""The policy this addon was generated from, as fixtures for its tests."""

ENFORCED_GROUPS = [
    "account.group_account_invoice",
    "account.group_account_manager",
    "base.group_system",
]
EXCEPT_GROUPS = []
GRACE_DAYS = 0
PORTAL_ENFORCE = False
PORTAL_GRACE_DAYS = 0
EXEMPTIONS = []
PASSWORD_RPC = "deny"
API_KEYS = "allow"
RPC_NETWORKS = [
    "192.0.2.0/24",
    "2001:db8:10::/48",
]
EDITABLE = False
BACKEND_HOME = "/web"
HAS_JSON2 = False

"""The policy this addon was generated from, as fixtures for its tests."""

ENFORCED_GROUPS = [
    "base.group_user",
]
EXCEPT_GROUPS = []
GRACE_DAYS = 7
PORTAL_ENFORCE = False
PORTAL_GRACE_DAYS = 0
EXEMPTIONS = [
    {
        "name": "warehouse-scanners",
        "logins": [
            "scanner-01",
            "scanner-02",
        ],
        "networks": [
            "10.20.0.0/16",
            "2001:db8::/48",
        ],
    },
]
PASSWORD_RPC = "deny"
API_KEYS = "allow"
RPC_NETWORKS = []
EDITABLE = True
BACKEND_HOME = "/web"
HAS_JSON2 = False

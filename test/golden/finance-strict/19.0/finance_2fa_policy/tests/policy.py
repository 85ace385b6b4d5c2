"""What the tests need to know beyond the policy.

The policy itself is the one the addon deploys: ``..models.policy`` (``POLICY``,
``EDITABLE``), never a copy of it here. These are facts of the Odoo series.
"""

BACKEND_HOME = "/odoo"
HAS_JSON2 = True

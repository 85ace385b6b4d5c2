from . import (
    test_audit,
    test_backend,
    test_doors,
    test_enforcement,
    test_policy_sets,
    test_replay,
    test_report,
    test_totp_counter,
)

from . import (
    test_backend,
    test_doors,
    test_enforcement,
    test_notifications,
    test_policy_sets,
    test_recovery_codes,
    test_replay,
    test_report,
)

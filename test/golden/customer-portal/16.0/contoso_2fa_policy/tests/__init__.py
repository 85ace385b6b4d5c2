from . import (
    test_enforcement,
    test_notifications,
    test_recovery_codes,
    test_report,
)

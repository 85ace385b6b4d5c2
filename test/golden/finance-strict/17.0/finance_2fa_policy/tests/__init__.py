from . import (
    test_audit,
    test_enforcement,
    test_report,
)

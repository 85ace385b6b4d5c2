from . import (
    test_backend,
    test_doors,
    test_enforcement,
    test_policy_sets,
    test_replay,
)

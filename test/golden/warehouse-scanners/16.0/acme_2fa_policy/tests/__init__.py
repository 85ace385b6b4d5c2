from . import (
    test_enforcement,
)

from . import main, recovery_codes

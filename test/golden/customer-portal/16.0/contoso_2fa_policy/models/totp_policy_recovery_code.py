import hashlib
import hmac
import secrets

from odoo import api, fields, models

RECOVERY_CODE_COUNT = 10
RECOVERY_URL = "/web/login/totp/recovery"
# Fresh codes waiting in the session to be shown once, by the next page (see ir.http).
RECOVERY_CODES_SESSION_KEY = "totp_policy_recovery_codes"
# Fresh codes of an enrolment in Odoo's own wizard: shown once, behind the link of its
# notice; the next page stays Odoo's (see auth_totp.wizard).
RECOVERY_CODES_LINKED_KEY = "totp_policy_recovery_codes_linked"
# No look-alikes (0/o, 1/l/i): ten characters carry about 50 bits.
ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
CODE_LENGTH = 10
HASH_ITERATIONS = 20000


def normalise_code(code):
    """A typed recovery code without spaces, dashes or case."""
    return "".join(char for char in (code or "").lower() if char.isalnum())


def is_recovery_code(code):
    """Whether a token typed at the code step is a recovery code (TOTP codes are 6 digits)."""
    return len(normalise_code(code)) == CODE_LENGTH


class TotpPolicyRecoveryCode(models.Model):
    _name = "totp.policy.recovery.code"
    _description = "Two-factor recovery code"

    user_id = fields.Many2one(
        "res.users", required=True, ondelete="cascade", index=True, readonly=True
    )
    salt = fields.Char(required=True, readonly=True)
    code_hash = fields.Char(required=True, readonly=True)

    @api.model
    def _hash(self, salt, code):
        return hashlib.pbkdf2_hmac(
            "sha256", code.encode(), bytes.fromhex(salt), HASH_ITERATIONS
        ).hex()

    @api.model
    def _generate(self, user):
        """Replace the user's codes by a new set; returns the codes in clear, once."""
        self._lock(user)
        self.search([("user_id", "=", user.id)]).unlink()
        codes = [
            "".join(secrets.choice(ALPHABET) for _index in range(CODE_LENGTH))
            for _code in range(RECOVERY_CODE_COUNT)
        ]
        values = []
        for code in codes:
            salt = secrets.token_hex(16)
            values.append(
                {"user_id": user.id, "salt": salt, "code_hash": self._hash(salt, code)}
            )
        self.create(values)
        return [f"{code[:5]}-{code[5:]}" for code in codes]

    @api.model
    def _consume(self, user, code):
        """Use up one of the user's codes; whether ``code`` was one of them."""
        code = normalise_code(code)
        if len(code) != CODE_LENGTH:
            return False
        self._lock(user)
        for record in self.search([("user_id", "=", user.id)]):
            if hmac.compare_digest(record.code_hash, self._hash(record.salt, code)):
                record.unlink()
                return True
        return False

    @api.model
    def _remaining(self, user):
        return self.search_count([("user_id", "=", user.id)])

    @api.model
    def _lock(self, user):
        # Two requests must not both use (or replace) the same codes.
        self.env.cr.execute(
            "SELECT id FROM res_users WHERE id = %s FOR UPDATE", [user.id]
        )

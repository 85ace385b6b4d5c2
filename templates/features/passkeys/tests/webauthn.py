"""A software passkey authenticator: WebAuthn registration and assertion, ES256.

What a browser and a security key produce, built by hand so that the tests need
neither: attestation "none", user present and verified, a signature counter.
"""

import base64
import hashlib
import json
import os
import struct

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

FLAG_USER_PRESENT = 0x01
FLAG_USER_VERIFIED = 0x04
FLAG_ATTESTED_CREDENTIAL = 0x40


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def cbor(value):
    """CBOR (RFC 8949) of ints, text, bytes and maps: what WebAuthn needs."""

    def head(major, length):
        if length < 24:
            return bytes([major << 5 | length])
        for info, size in ((24, "B"), (25, ">H"), (26, ">I"), (27, ">Q")):
            if length < 256 ** struct.calcsize(size):
                return bytes([major << 5 | info]) + struct.pack(size, length)
        raise ValueError(length)

    if isinstance(value, int):
        return head(0, value) if value >= 0 else head(1, -1 - value)
    if isinstance(value, bytes):
        return head(2, len(value)) + value
    if isinstance(value, str):
        data = value.encode()
        return head(3, len(data)) + data
    if isinstance(value, dict):
        return head(5, len(value)) + b"".join(
            cbor(key) + cbor(item) for key, item in value.items()
        )
    raise TypeError(value)


class SoftwareAuthenticator:
    """One passkey: an EC P-256 key pair, its credential id and its counter."""

    def __init__(self, rp_id, origin):
        self.rp_id = rp_id
        self.origin = origin
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = os.urandom(32)
        self.sign_count = 0

    @property
    def id(self):
        return b64url(self.credential_id)

    def cose_public_key(self):
        numbers = self.key.public_key().public_numbers()
        return cbor(
            {
                1: 2,  # kty: EC2
                3: -7,  # alg: ES256
                -1: 1,  # crv: P-256
                -2: numbers.x.to_bytes(32, "big"),
                -3: numbers.y.to_bytes(32, "big"),
            }
        )

    def client_data(self, kind, challenge, origin=None):
        return json.dumps(
            {
                "type": kind,
                "challenge": challenge,
                "origin": origin or self.origin,
                "crossOrigin": False,
            }
        ).encode()

    def authenticator_data(self, flags, extra=b""):
        rp_hash = hashlib.sha256(self.rp_id.encode()).digest()
        return rp_hash + bytes([flags]) + struct.pack(">I", self.sign_count) + extra

    def register(self, options):
        """The answer to navigator.credentials.create() for ``options`` (the server's)."""
        attested = (
            bytes(16)  # AAGUID: none
            + struct.pack(">H", len(self.credential_id))
            + self.credential_id
            + self.cose_public_key()
        )
        flags = FLAG_USER_PRESENT | FLAG_USER_VERIFIED | FLAG_ATTESTED_CREDENTIAL
        attestation = cbor(
            {
                "fmt": "none",
                "attStmt": {},
                "authData": self.authenticator_data(flags, attested),
            }
        )
        client_data = self.client_data("webauthn.create", options["challenge"])
        return {
            "id": self.id,
            "rawId": self.id,
            "type": "public-key",
            "response": {
                "attestationObject": b64url(attestation),
                "clientDataJSON": b64url(client_data),
                "transports": ["internal"],
            },
            "clientExtensionResults": {},
            "authenticatorAttachment": "platform",
        }

    def assert_(self, challenge, origin=None, credential_id=None, user_handle=None):
        """The answer to navigator.credentials.get() for ``challenge``.

        ``origin``: the page's origin as the browser reports it; ``credential_id``:
        the credential it claims to be (this one's by default).
        """
        self.sign_count += 1
        auth_data = self.authenticator_data(FLAG_USER_PRESENT | FLAG_USER_VERIFIED)
        client_data = self.client_data("webauthn.get", challenge, origin)
        signed = auth_data + hashlib.sha256(client_data).digest()
        signature = self.key.sign(signed, ec.ECDSA(hashes.SHA256()))
        credential = credential_id or self.id
        return {
            "id": credential,
            "rawId": credential,
            "type": "public-key",
            "response": {
                "authenticatorData": b64url(auth_data),
                "clientDataJSON": b64url(client_data),
                "signature": b64url(signature),
                "userHandle": b64url((user_handle or "").encode()),
            },
            "clientExtensionResults": {},
            "authenticatorAttachment": "platform",
        }

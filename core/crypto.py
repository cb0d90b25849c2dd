"""Encryption at rest for sensitive uploads: Fernet (AES-128-CBC + HMAC-SHA256), rotating keys.

Keys come from settings.PARTYORG_ENCRYPTION_KEYS, newest first. The newest encrypts; any of them
decrypts, so a new key is added in front and files are re-encrypted (`rotate`) at leisure.
"""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

__all__ = ["InvalidToken", "decrypt", "encrypt", "new_key", "rotate"]


def new_key() -> str:
    """A fresh key to put in PARTYORG_ENCRYPTION_KEYS."""
    return Fernet.generate_key().decode()


def _fernet() -> MultiFernet:
    keys = list(settings.PARTYORG_ENCRYPTION_KEYS)
    if not keys:
        if not (settings.DEBUG or settings.TESTING):
            raise ImproperlyConfigured("PARTYORG_ENCRYPTION_KEYS must be set in production")
        # Development and tests only: a key derived from SECRET_KEY, so nothing needs setting up.
        digest = hashlib.sha256(("partyorg-dev-encryption:" + settings.SECRET_KEY).encode())
        keys = [base64.urlsafe_b64encode(digest.digest()).decode()]
    return MultiFernet([Fernet(key.encode()) for key in keys])


def encrypt(data: bytes) -> bytes:
    return _fernet().encrypt(data)


def decrypt(token: bytes) -> bytes:
    """The plain bytes; raises InvalidToken if no key fits or the data was altered."""
    return _fernet().decrypt(token)


def rotate(token: bytes) -> bytes:
    """The same data encrypted under the newest key."""
    return _fernet().rotate(token)

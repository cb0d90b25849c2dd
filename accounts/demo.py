"""DEMO ONLY: what marks the demo logins, and their fixed second factor (`partyorg demo`).

Never in production: `partyorg demo` refuses to run without DEBUG or PARTYORG_DEMO, and the
login pages use this only when both PARTYORG_DEMO and DEBUG are set.
"""

import hashlib
from base64 import b32encode

DEMO_PASSWORD = "demo-partyorg-2025"
DEMO_USERNAMES = ("quantri", "trunguong", "thanhpho", "phuong", "bithu", "dangvien")


def demo_totp_key(username: str) -> str:
    """A fixed TOTP key per demo login (hex, as django-otp stores it): the same on every machine."""
    return hashlib.sha1(f"partyorg-demo-totp:{username}".encode()).hexdigest()


def demo_totp_secret(username: str) -> str:
    """The key in base32, as an authenticator app wants it typed."""
    return b32encode(bytes.fromhex(demo_totp_key(username))).decode().rstrip("=")


def is_demo_user(user: object) -> bool:
    return getattr(user, "username", None) in DEMO_USERNAMES

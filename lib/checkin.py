"""The rotating check-in code a cell secretary shows at a meeting (pure: the key is given).

The code of a time window is an HMAC of the meeting's id and the window's number under a key
only the server knows: it changes every WINDOW seconds, and a code is accepted in its own window
and the next one only, so a photo of the screen taken yesterday (or a minute ago) checks nobody
in. A member checks in once (the service records it), so a code cannot be used twice by them.
"""

import base64
import hashlib
import hmac

WINDOW = 30  # seconds a code is shown
ACCEPTED_WINDOWS = 2  # the current window and the previous one
CODE_LENGTH = 10


def window_of(timestamp: float) -> int:
    return int(timestamp // WINDOW)


def code_for(key: bytes, meeting_id: int, window: int) -> str:
    digest = hmac.new(key, f"{meeting_id}:{window}".encode(), hashlib.sha256).digest()
    return base64.b32encode(digest).decode()[:CODE_LENGTH]


def seconds_left(timestamp: float) -> int:
    """Seconds until the code shown at `timestamp` is replaced."""
    return WINDOW - int(timestamp % WINDOW)


def code_accepted(key: bytes, meeting_id: int, code: str, timestamp: float) -> bool:
    """Whether `code` is the meeting's code of the current window or the previous one."""
    code = (code or "").strip().upper()
    if len(code) != CODE_LENGTH:
        return False
    now = window_of(timestamp)
    # Every accepted window is compared, so the time taken says nothing of which one matched.
    matches = [
        hmac.compare_digest(code_for(key, meeting_id, now - back), code)
        for back in range(ACCEPTED_WINDOWS)
    ]
    return any(matches)

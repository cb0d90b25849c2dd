"""A small fixed-window rate limiter on Django's cache: login lockouts, the API, expensive pages."""

import hashlib

from django.core.cache import cache


def _key(scope: str, who: str) -> str:
    # Hashed, so that a username or an address never sits in the cache's keys in clear.
    return "rl:" + scope + ":" + hashlib.sha256(who.encode()).hexdigest()[:32]


def rate_hit(scope: str, who: str, *, limit: int, window: int) -> bool:
    """Count one hit; True while the count in this window is within `limit`."""
    key = _key(scope, who)
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr: this hit starts a new window
        cache.set(key, 1, timeout=window)
        count = 1
    return count <= limit


def rate_count(scope: str, who: str) -> int:
    return int(cache.get(_key(scope, who), 0))


def rate_reset(scope: str, who: str) -> None:
    cache.delete(_key(scope, who))

from typing import TYPE_CHECKING

from django.http import Http404, HttpRequest

if TYPE_CHECKING:
    from accounts.models import User

# The largest integer a PostgreSQL bigint and an SQLite integer hold: no id, offset or cursor
# of ours lies beyond it.
MAX_DB_INT = 2**63 - 1
# More pages than the nation's members fill at any page size we use.
MAX_PAGE = 1_000_000


class AuthedHttpRequest(HttpRequest):
    """The request of a view behind login_required: its user is a real User."""

    user: "User"


def query_int(
    request: HttpRequest,
    name: str,
    *,
    default: int,
    minimum: int = 0,
    maximum: int = MAX_DB_INT,
) -> int:
    """The integer `name` of the query string, `default` when it is absent or empty.

    Anything else that is not a whole number from `minimum` to `maximum` (written in ASCII
    digits) names no page: 404, as for an id that does not exist, never a database error.
    """
    text = request.GET.get(name, "").strip()
    if not text:
        return default
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(maximum)):
        raise Http404
    value = int(text)
    if not minimum <= value <= maximum:
        raise Http404
    return value

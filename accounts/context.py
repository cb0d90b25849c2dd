from typing import Any

from django.http import HttpRequest

from access.models import Role
from access.scope import acts_as_superuser, granted_paths


def access(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    if not user.is_authenticated:
        return {"is_official": False, "is_admin": False}
    return {
        "is_official": bool(granted_paths(user, Role.VIEWER)),
        "is_admin": bool(granted_paths(user, Role.ADMIN)) or acts_as_superuser(user),
    }

"""Users: who logs in, how surely (assurance level), and which member record is theirs."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    # The person's CCCD when known (e-ID logins are keyed by it); links them to their member record.
    cccd = models.CharField(_("số CCCD"), max_length=12, null=True, blank=True, unique=True)
    member = models.OneToOneField(
        "members.Member", null=True, blank=True, on_delete=models.SET_NULL, related_name="user"
    )
    # The assurance level of the current login's identity (1 = self-registered, 2 = in person).
    assurance_level = models.PositiveSmallIntegerField(default=2)

    # Not a column: the level of the login behind the current request, set by AccessMiddleware
    # from the session (None: a login that recorded none, trusted at the stored level in tests).
    session_assurance_level: int | None = None

"""Users, and grants of a role over an organisation's whole subtree."""

from django.conf import settings
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


class Role(models.TextChoices):
    VIEWER = "viewer", _("Xem")
    EDITOR = "editor", _("Cập nhật")
    APPROVER = "approver", _("Phê duyệt")
    ADMIN = "admin", _("Quản trị")


# Each role includes the ones before it: an editor may read, an admin may do everything.
ROLE_RANK = {Role.VIEWER: 1, Role.EDITOR: 2, Role.APPROVER: 3, Role.ADMIN: 4}


class Grant(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="grants"
    )
    org = models.ForeignKey("orgs.Org", on_delete=models.CASCADE, related_name="grants")
    role = models.CharField(_("vai trò"), max_length=16, choices=Role.choices)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="grants_given"
    )
    granted_at = models.DateTimeField()
    expires_at = models.DateTimeField(_("hết hạn"), null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["user", "revoked_at"], name="grant_user_active")]

    def __str__(self) -> str:
        return f"{self.user} {self.role} @ {self.org}"

"""Who may see and change what: grants of a role over an organisation's subtree, and API tokens.

The tables keep the names they had when these models lived in accounts and api
(access/migrations/0001 moved them in Django's state only).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


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
        db_table = "accounts_grant"
        indexes = [models.Index(fields=["user", "revoked_at"], name="grant_user_active")]

    def __str__(self) -> str:
        return f"{self.user} {self.role} @ {self.org}"


class ApiToken(models.Model):
    """Only the SHA-256 of the secret is kept; the secret itself is shown once, at creation."""

    name = models.CharField(_("tên"), max_length=100)
    org = models.ForeignKey(
        "orgs.Org", on_delete=models.PROTECT, related_name="api_tokens", verbose_name=_("tổ chức")
    )
    can_write = models.BooleanField(_("được ghi"), default=False)
    # The first characters of the secret, to tell tokens apart in lists and in the audit log.
    prefix = models.CharField(max_length=16)
    digest = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField(_("hết hạn"))
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "api_apitoken"

    def __str__(self) -> str:
        return f"api-token:{self.prefix}"

"""API tokens for other systems: each scoped to one organisation's subtree, read or read-write."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


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

    def __str__(self) -> str:
        return f"api-token:{self.prefix}"

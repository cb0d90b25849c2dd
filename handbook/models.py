"""The handbook's own records: members' adoption of the app, documents published to a subtree
and what each member did with them, and the errors members report in their record.

Counters: an activated (or installed) member, and a member who studied a document, add one to a
key of their organisation's subtree counters (orgs/rollups.py). Each row remembers the
organisation it was counted in (`counted_org`), so when the member moves or leaves, the periodic
reconciliation (handbook/counting.py) moves or removes the count.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from members.models import Member
from orgs.models import Org


class MemberActivity(models.Model):
    """A member's use of the handbook: activated at the first login, installed, last seen."""

    member = models.OneToOneField(
        Member, on_delete=models.CASCADE, primary_key=True, related_name="handbook"
    )
    activated_at = models.DateTimeField()
    installed_at = models.DateTimeField(null=True, blank=True)
    last_seen_at = models.DateTimeField()
    # Where its counters were added ("hb.activated", "hb.installed"); None: not counted (a
    # member no longer active, or exempted from party activities).
    counted_org = models.ForeignKey(
        Org, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    counted_installed = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"activity {self.member_id}"


class DocumentKind(models.TextChoices):
    RESOLUTION = "resolution", _("Nghị quyết")
    DIRECTIVE = "directive", _("Chỉ thị")
    STUDY = "study", _("Tài liệu học tập")
    OTHER = "other", _("Văn bản khác")


class Document(models.Model):
    """A document a party organisation publishes to its whole subtree.

    The file is stored encrypted at rest (core/crypto.py) under MEDIA_ROOT/handbook/; it was
    checked by the guarded reader (lib/docfiles.py) before it was kept.
    """

    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="+")
    org_path = models.CharField(max_length=255, db_index=True)
    kind = models.CharField(_("loại"), max_length=16, choices=DocumentKind.choices)
    title = models.CharField(_("tiêu đề"), max_length=300)
    number = models.CharField(_("số, ký hiệu"), max_length=64, blank=True)
    summary = models.TextField(_("trích yếu"), blank=True)
    issued_on = models.DateField(_("ngày ban hành"), null=True, blank=True)
    # Members are asked to mark it studied (resolution study); the committees above see rates.
    study = models.BooleanField(_("yêu cầu học tập"), default=False)
    file_path = models.CharField(max_length=255)
    file_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    # Title, number and summary without diacritics, for search (lib.vn.text.fold).
    search_text = models.TextField(default="")
    published_at = models.DateTimeField(db_index=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["org_path", "-published_at"], name="hbdoc_path_recent")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_pdf(self) -> bool:
        return self.content_type == "application/pdf"

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class DocumentRead(models.Model):
    """What one member did with one document: opened, bookmarked, studied."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="reads")
    opened_at = models.DateTimeField(null=True, blank=True)
    bookmarked_at = models.DateTimeField(null=True, blank=True)
    studied_at = models.DateTimeField(null=True, blank=True)
    # Where "hb.studied.<document id>" was counted (see the module's docstring).
    counted_org = models.ForeignKey(
        Org, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "document"], name="hbread_member_document")
        ]

    def __str__(self) -> str:
        return f"read {self.member_id}/{self.document_id}"

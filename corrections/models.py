"""Correction requests: a member's (or an official's) report that a value of a record is wrong,
climbing the tree level by level until a competent level decides it."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from members.models import Member
from orgs.models import Org


class Status(models.TextChoices):
    REVIEW = "review", _("Đang xem xét")
    WAITING = "waiting", _("Chờ đảng viên bổ sung")
    APPROVED = "approved", _("Đã duyệt, hồ sơ đã sửa")
    REJECTED = "rejected", _("Không duyệt")


OPEN_STATUSES = frozenset({Status.REVIEW, Status.WAITING})


class Action(models.TextChoices):
    FILED = "filed", _("Gửi yêu cầu")
    FORWARDED = "forwarded", _("Chuyển lên cấp trên")
    ASKED = "asked", _("Đề nghị đảng viên bổ sung")
    ANSWERED = "answered", _("Đảng viên đã bổ sung")
    REJECTED = "rejected", _("Không duyệt")
    APPROVED = "approved", _("Duyệt")


class Request(models.Model):
    """One correction request on one field of one member's record."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    field = models.CharField(_("trường"), max_length=32)
    current_value = models.CharField(_("giá trị hiện tại"), max_length=255, blank=True)
    proposed_value = models.CharField(_("giá trị đề nghị"), max_length=255)
    reason = models.TextField(_("lý do"))
    status = models.CharField(
        _("trạng thái"), max_length=16, choices=Status.choices, default=Status.REVIEW
    )
    # The level it sits at now, and its path (the queues of a subtree are one range scan).
    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="+")
    org_path = models.CharField(max_length=255)
    # The member's organisation when filed: the unit the campaign dashboard counts it under.
    unit = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="+", db_index=False)
    due_on = models.DateField(null=True, blank=True)
    overdue = models.BooleanField(default=False)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    filed_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    # The attachment (a photo or scan), encrypted at rest (core/crypto.py); deleted a number of
    # days after the request closes (PARTYORG_CORRECTION_KEEP_DAYS).
    attachment_path = models.CharField(max_length=255, blank=True)
    attachment_name = models.CharField(max_length=200, blank=True)
    attachment_type = models.CharField(max_length=64, blank=True)
    attachment_size = models.PositiveIntegerField(default=0)
    attachment_deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["org_path", "status"], name="correction_path_status"),
            models.Index(fields=["member", "-filed_at"], name="correction_member_recent"),
        ]

    def __str__(self) -> str:
        return f"correction {self.pk}: {self.field}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def has_attachment(self) -> bool:
        return bool(self.attachment_path) and self.attachment_deleted_at is None


class Step(models.Model):
    """One step of a request's timeline: who did what, when, at which level."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="steps")
    action = models.CharField(max_length=16, choices=Action.choices)
    org = models.ForeignKey(Org, null=True, on_delete=models.PROTECT, related_name="+")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField()
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.action} {self.at}"

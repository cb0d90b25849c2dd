"""Cell meetings: the invitation and agenda, papers, comments, attendance, minutes and votes."""

from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from members.models import Member
from orgs.models import Org


class Meeting(models.Model):
    class Kind(models.TextChoices):
        REGULAR = "regular", _("Sinh hoạt thường kỳ")
        THEMATIC = "thematic", _("Sinh hoạt chuyên đề")
        EXTRAORDINARY = "extraordinary", _("Họp bất thường")
        COMMITTEE = "committee", _("Họp chi uỷ")

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Đã lên lịch")
        CLOSED = "closed", _("Đã kết thúc")
        CANCELLED = "cancelled", _("Đã huỷ")

    cell = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="meetings")
    kind = models.CharField(_("loại buổi họp"), max_length=16, choices=Kind.choices)
    topic = models.CharField(_("chủ đề"), max_length=255)
    agenda = models.TextField(_("chương trình"), blank=True)
    starts_at = models.DateTimeField(_("thời gian"))
    place = models.CharField(_("địa điểm"), max_length=255, blank=True)
    online_link = models.URLField(_("đường dẫn họp trực tuyến"), blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SCHEDULED)
    # Part of the key of the rotating check-in code (with SECRET_KEY): a code of one meeting
    # says nothing of another's.
    checkin_secret = models.CharField(max_length=32)
    minutes = models.TextField(_("biên bản"), blank=True)
    resolutions = models.TextField(_("nghị quyết"), blank=True)
    minutes_posted_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(_("lý do huỷ"), max_length=500, blank=True)

    class Meta:
        indexes = [models.Index(fields=["cell", "starts_at"], name="meeting_cell_starts")]

    def __str__(self) -> str:
        return self.topic

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    @property
    def is_open(self) -> bool:
        """Neither held and closed nor cancelled: it still takes changes and check-ins."""
        return self.status == self.Status.SCHEDULED


class Attendance(models.Model):
    """One invited member of one meeting: what they said beforehand and what was confirmed."""

    class Status(models.TextChoices):
        INVITED = "invited", _("Chưa điểm danh")
        ABSENCE_REPORTED = "absence_reported", _("Báo vắng")
        PRESENT = "present", _("Có mặt")
        EXCUSED = "excused", _("Vắng có lý do")
        UNEXCUSED = "unexcused", _("Vắng không lý do")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+", db_index=False)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.INVITED)
    reason = models.CharField(_("lý do vắng"), max_length=500, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    # How presence was recorded: "qr" (the member scanned the code) or "ticked" (the secretary).
    method = models.CharField(max_length=8, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="attendance_once")
        ]
        indexes = [models.Index(fields=["member"], name="attendance_member")]

    def __str__(self) -> str:
        return f"{self.meeting_id} {self.member_id} {self.status}"


class MeetingDocument(models.Model):
    """A paper sent ahead of the meeting, kept encrypted at rest like every upload."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="documents")
    name = models.CharField(_("tên tệp"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    stored = models.CharField(max_length=255)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.name

    def stored_path(self) -> Path:
        return Path(settings.MEDIA_ROOT) / self.stored


class Comment(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The author's name as the cell knows it, kept with the comment.
    author_name = models.CharField(max_length=128)
    body = models.TextField(_("góp ý"))
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return self.body[:40]


class Vote(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Đang biểu quyết")
        CLOSED = "closed", _("Đã kết thúc")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="votes")
    question = models.CharField(_("nội dung biểu quyết"), max_length=500)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    opened_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["opened_at", "id"]

    def __str__(self) -> str:
        return self.question


class Ballot(models.Model):
    class Choice(models.TextChoices):
        AGREE = "agree", _("Tán thành")
        DISAGREE = "disagree", _("Không tán thành")
        ABSTAIN = "abstain", _("Không biểu quyết")

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="ballots")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+", db_index=False)
    choice = models.CharField(max_length=8, choices=Choice.choices)
    at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["vote", "member"], name="ballot_once")]

    def __str__(self) -> str:
        return f"{self.vote_id} {self.choice}"

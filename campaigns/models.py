"""A data-cleaning campaign over a subtree: its units, dates and milestones, and who reached each.

The tables keep the names they had inside cleaning (campaigns/migrations/0001 moved the models
in Django's state only).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from orgs.models import Org


class Campaign(models.Model):
    """A data-cleaning campaign over a subtree: its units, period and milestones."""

    name = models.CharField(_("tên đợt"), max_length=255)
    root = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="campaigns")
    # Units are the organisations this many levels below the root (1: the root's children).
    unit_depth = models.PositiveSmallIntegerField(default=1)
    starts_on = models.DateField(_("bắt đầu"))
    ends_on = models.DateField(_("kết thúc"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "cleaning_campaign"

    def __str__(self) -> str:
        return self.name


class Milestone(models.Model):
    class Condition(models.TextChoices):
        SUBMITTED = "submitted", _("Đã rà soát, làm sạch và gửi dữ liệu, không còn lỗi chặn")
        PUBLISHED = "published", _("Dữ liệu đã tổng hợp và đồng bộ sang Sổ tay đảng viên")
        MEETING_HELD = "meeting_held", _("Mọi chi bộ đã sinh hoạt trên Sổ tay đảng viên")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="milestones")
    order = models.PositiveSmallIntegerField()
    name = models.CharField(_("mốc"), max_length=255)
    due_on = models.DateField(_("hạn"))
    condition = models.CharField(max_length=16, choices=Condition.choices)

    class Meta:
        db_table = "cleaning_milestone"
        ordering = ["order"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "order"], name="milestone_campaign_order")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def counted(self) -> bool:
        """Whether the system can tell which units reached it: every condition is measured now
        ("every cell held a meeting on the handbook" from the cells' closed meetings, see
        meetings.services); kept so that a condition added later can wait for its data."""
        return True

    def key(self, what: str) -> str:
        """The counter key of this milestone: expected, done or on_time."""
        return f"ms.{self.pk}.{what}"


class MilestoneDone(models.Model):
    """A unit reached a milestone (once; the first time counts for 'on time')."""

    milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, related_name="done")
    unit = models.ForeignKey(Org, on_delete=models.CASCADE, related_name="+")
    done_at = models.DateTimeField()
    on_time = models.BooleanField()

    class Meta:
        db_table = "cleaning_milestonedone"
        constraints = [
            models.UniqueConstraint(fields=["milestone", "unit"], name="milestonedone_once")
        ]

    def __str__(self) -> str:
        return f"{self.milestone} {self.unit}"

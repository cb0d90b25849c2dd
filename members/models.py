"""The member record, its status events and the provenance of every value."""

from django.conf import settings
from django.db import models
from django.db.models import F
from django.db.models.functions import Left
from django.utils.translation import gettext_lazy as _

from orgs.models import Org


class Sex(models.TextChoices):
    MALE = "M", _("Nam")
    FEMALE = "F", _("Nữ")


class Status(models.TextChoices):
    PROBATIONARY = "probationary", _("Dự bị")
    OFFICIAL = "official", _("Chính thức")
    TRANSFERRED_OUT = "transferred_out", _("Đã chuyển đi")
    DECEASED = "deceased", _("Đã từ trần")
    RESIGNED = "resigned", _("Xin ra khỏi Đảng")
    REMOVED = "removed", _("Bị xoá tên")
    EXPELLED = "expelled", _("Bị khai trừ")


ACTIVE_STATUSES = frozenset({Status.PROBATIONARY, Status.OFFICIAL})


class Service(models.TextChoices):
    NONE = "", _("Không")
    ARMY = "army", _("Quân đội")
    POLICE = "police", _("Công an")
    RETIRED = "retired", _("Nghỉ hưu")


class Member(models.Model):
    """A party member (form 2-HSĐV, register 7-HSĐV), keyed by the 12-digit CCCD."""

    # Unique through Meta.constraints: one index, with the pattern operator class, answers
    # equality, "= ANY", uniqueness and the search by first digits (unique=True would add a
    # second index on the same random-order key, which every member written pays for).
    cccd = models.CharField(_("số CCCD"), max_length=12)
    cmnd = models.CharField(_("số CMND cũ"), max_length=9, blank=True)
    full_name = models.CharField(_("họ và tên"), max_length=128)
    birth_name = models.CharField(_("họ tên khai sinh"), max_length=128, blank=True)
    other_names = models.CharField(_("tên gọi khác"), max_length=128, blank=True)
    sex = models.CharField(_("giới tính"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("ngày sinh"))
    # Old members sometimes have only a year or a month of birth on file.
    birth_date_precision = models.CharField(max_length=5, default="day")
    birth_place = models.CharField(_("nơi sinh"), max_length=255, blank=True)
    hometown = models.CharField(_("quê quán"), max_length=255, blank=True)
    residence = models.CharField(_("nơi thường trú"), max_length=255, blank=True)
    ethnicity = models.CharField(_("dân tộc"), max_length=64, blank=True)
    religion = models.CharField(_("tôn giáo"), max_length=64, blank=True)
    education = models.CharField(_("giáo dục phổ thông"), max_length=32, blank=True)
    political_theory = models.CharField(_("lý luận chính trị"), max_length=32, blank=True)
    qualification = models.CharField(_("chuyên môn, nghiệp vụ"), max_length=128, blank=True)
    foreign_language = models.CharField(_("ngoại ngữ"), max_length=64, blank=True)
    occupation = models.CharField(_("nghề nghiệp"), max_length=128, blank=True)
    position = models.CharField(_("chức vụ"), max_length=255, blank=True)
    admission_date = models.DateField(_("ngày vào Đảng"))
    admission_place = models.CharField(_("nơi vào Đảng"), max_length=255, blank=True)
    official_date = models.DateField(_("ngày chính thức"), null=True, blank=True)
    # Like the birth date: an old record may give only the year (or month) of either.
    admission_date_precision = models.CharField(max_length=5, default="day")
    official_date_precision = models.CharField(max_length=5, default="day")
    official_place = models.CharField(_("nơi công nhận chính thức"), max_length=255, blank=True)
    # Unique through Meta.constraints, not unique=True: on PostgreSQL a unique field also gets
    # a second, pattern-matching index, and no one looks a card number up by its beginning.
    card_number = models.CharField(_("số thẻ đảng viên"), max_length=8, null=True, blank=True)
    resume_number = models.CharField(_("số lý lịch"), max_length=32, blank=True)
    badge = models.CharField(_("huy hiệu Đảng"), max_length=64, blank=True)
    service = models.CharField(
        _("quân đội, công an, hưu trí"),
        max_length=8,
        choices=Service.choices,
        blank=True,
        default="",
    )
    phone = models.CharField(_("điện thoại"), max_length=16, blank=True)
    email = models.EmailField(_("thư điện tử"), blank=True)

    # Derived from the events (members.status.derive); kept on the row so lists can filter.
    # Indexed by member_org_sort (org first) and member_temporary_org (only the few set): a
    # bulk load maintains no index that another one already covers.
    org = models.ForeignKey(
        Org,
        on_delete=models.PROTECT,
        related_name="members",
        verbose_name=_("chi bộ"),
        db_index=False,
    )
    temporary_org = models.ForeignKey(
        Org,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="temporary_members",
        db_index=False,
    )
    status = models.CharField(_("trạng thái"), max_length=16, choices=Status.choices)
    exempt = models.BooleanField(_("miễn sinh hoạt"), default=False)

    # The organisation's path, copied here so that a subtree's members are one range of this
    # table's own index (and, on PostgreSQL, the search index covers "in this subtree, named…").
    org_path = models.CharField(max_length=255, default="", db_index=False)

    # Search and sort keys: folded name (no diacritics) and a collation-proof Vietnamese sort key.
    search_name = models.CharField(max_length=128, db_index=False)
    sort_key = models.CharField(max_length=255)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["org", "sort_key"], name="member_org_sort"),
            models.Index(fields=["sort_key"], name="member_sort"),
            # Import matching looks up the province's members born on the days of rows that
            # have no usable CCCD (cleaning.matching._fuzzy): without it, a scan per batch;
            # by birth date alone, the whole country's members born that day read one by one.
            models.Index(Left("org_path", 8), F("birth_date"), name="member_province_birth"),
            models.Index(
                fields=["temporary_org"],
                condition=models.Q(temporary_org__isnull=False),
                name="member_temporary_org",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["cccd"], name="member_cccd_unique", opclasses=["varchar_pattern_ops"]
            ),
            models.UniqueConstraint(fields=["card_number"], name="member_card_number_unique"),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES


class EventKind(models.TextChoices):
    ADMITTED = "admitted", _("Kết nạp (dự bị)")
    RECOGNISED = "recognised", _("Công nhận chính thức")
    TRANSFER_OUT = "transfer_out", _("Chuyển sinh hoạt đi")
    TRANSFER_IN = "transfer_in", _("Chuyển sinh hoạt đến")
    EXEMPTED = "exempted", _("Miễn sinh hoạt")
    EXEMPTION_ENDED = "exemption_ended", _("Thôi miễn sinh hoạt")
    DIED = "died", _("Từ trần")
    RESIGNED = "resigned", _("Xin ra khỏi Đảng")
    REMOVED = "removed", _("Xoá tên")
    EXPELLED = "expelled", _("Khai trừ")
    CARD_ISSUED = "card_issued", _("Cấp thẻ đảng viên")
    CARD_REISSUED = "card_reissued", _("Cấp lại thẻ đảng viên")
    BADGE_AWARDED = "badge_awarded", _("Trao huy hiệu Đảng")
    DISCIPLINED = "disciplined", _("Kỷ luật")
    RATED = "rated", _("Xếp loại chất lượng")


class MemberEvent(models.Model):
    """One status event; a member's status is derived from their events in date order."""

    # Indexed by memberevent_member_on. Who wrote an event is never searched (the audit log
    # answers that), so "by" has no index: only deleting a user would scan for it.
    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="events", db_index=False
    )
    kind = models.CharField(max_length=16, choices=EventKind.choices)
    on = models.DateField()
    org = models.ForeignKey(Org, null=True, on_delete=models.PROTECT, related_name="+")
    detail = models.JSONField(default=dict, blank=True)
    note = models.CharField(max_length=500, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["on", "id"]
        indexes = [models.Index(fields=["member", "on"], name="memberevent_member_on")]

    def __str__(self) -> str:
        return f"{self.on} {self.kind}"


class Source(models.TextChoices):
    MANUAL = "manual", _("Nhập tay")
    IMPORT = "import", _("Nhập từ tệp")
    CORRECTION = "correction", _("Yêu cầu đính chính")
    EVENT = "event", _("Sự kiện")
    GENERATED = "generated", _("Dữ liệu mẫu")


class FieldChange(models.Model):
    """Where a value came from: who set which field, when, from what.

    A record's creation is one row with field "*"; later changes are one row per field, so the
    provenance of a value is its field's latest row, else the creation row.
    """

    # Indexed by fieldchange_member_field; "by" is not, as for events.
    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="field_changes", db_index=False
    )
    field = models.CharField(max_length=32)
    old_value = models.TextField(blank=True)
    new_value = models.TextField(blank=True)
    source = models.CharField(max_length=16, choices=Source.choices)
    source_ref = models.CharField(max_length=255, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["member", "field"], name="fieldchange_member_field")]

    def __str__(self) -> str:
        return f"{self.field} ({self.source})"

"""Party congresses: terms and their schedules, one congress per organisation per term, its
progress as a timeline, its results (elected committee, secretary, delegates), its approval by
the level above, and the targets the organising level sets for the make-up of committees."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from members.models import Member
from orgs.models import Kind, Org


class Tier(models.TextChoices):
    """The waves in which congresses are held, bottom-up (DOMAIN.md, "Congress data")."""

    CELL = "cell", _("Chi bộ, đảng bộ bộ phận")
    GRASSROOTS = "grassroots", _("Tổ chức cơ sở đảng")
    UPPER = "upper", _("Cấp trên trực tiếp cơ sở")
    PROVINCIAL = "provincial", _("Tỉnh, thành và trực thuộc Trung ương")
    NATIONAL = "national", _("Toàn quốc")


# Which wave each kind of organisation holds its congress in; a party group holds none.
TIER_OF_KIND: dict[str, str] = {
    Kind.CELL: Tier.CELL,
    Kind.SUB_COMMITTEE: Tier.CELL,
    Kind.GRASSROOTS_CELL: Tier.GRASSROOTS,
    Kind.GRASSROOTS_COMMITTEE: Tier.GRASSROOTS,
    Kind.COMMUNE: Tier.UPPER,
    Kind.UPPER_GRASSROOTS: Tier.UPPER,
    Kind.PROVINCE: Tier.PROVINCIAL,
    Kind.CENTRAL_COMMITTEE: Tier.PROVINCIAL,
    Kind.CENTRAL: Tier.NATIONAL,
}
CONGRESS_KINDS = frozenset(TIER_OF_KIND)


class Term(models.Model):
    """A term of office (2025–2030…): the congresses that open it, organised from `organiser`."""

    name = models.CharField(_("nhiệm kỳ"), max_length=64)
    first_year = models.PositiveSmallIntegerField(_("từ năm"))
    last_year = models.PositiveSmallIntegerField(_("đến năm"))
    organiser = models.ForeignKey(
        Org, on_delete=models.PROTECT, related_name="+", verbose_name=_("cấp tổ chức")
    )
    # Results not reported this many days after the congress was held make the unit late.
    report_within_days = models.PositiveSmallIntegerField(
        _("hạn báo cáo kết quả (ngày)"), default=7
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-first_year", "id"]

    def __str__(self) -> str:
        return self.name


class TierSchedule(models.Model):
    """When one wave of the term's congresses opens and by when it must be done."""

    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="schedule")
    tier = models.CharField(_("cấp"), max_length=16, choices=Tier.choices)
    starts_on = models.DateField(_("bắt đầu"))
    deadline = models.DateField(_("hạn hoàn thành"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["term", "tier"], name="tierschedule_term_tier")
        ]

    def __str__(self) -> str:
        return f"{self.term} {self.tier}"


class Target(models.Model):
    """A share the elected committees should reach (women ≥ 15 %…), set by a level for its whole
    subtree unless a lower level sets its own."""

    class Key(models.TextChoices):
        WOMEN = "women", _("Nữ")
        UNDER_40 = "under_40", _("Dưới 40 tuổi")
        MINORITY = "minority", _("Dân tộc thiểu số")

    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="targets")
    org = models.ForeignKey(Org, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=16, choices=Key.choices)
    percent = models.DecimalField(_("tỷ lệ tối thiểu (%)"), max_digits=5, decimal_places=2)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    set_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["term", "org", "key"], name="target_term_org_key")
        ]

    def __str__(self) -> str:
        return f"{self.org} {self.key} ≥ {self.percent}%"


class Step(models.TextChoices):
    """The steps of a congress, in order; each one is a dated update on its timeline."""

    NOT_SCHEDULED = "not_scheduled", _("Chưa lên kế hoạch")
    SCHEDULED = "scheduled", _("Đã lên kế hoạch")
    PREPARING = "preparing", _("Đang chuẩn bị (văn kiện, nhân sự đã được duyệt)")
    HELD = "held", _("Đã tổ chức")
    REPORTED = "reported", _("Đã báo cáo kết quả")
    APPROVED = "approved", _("Kết quả đã được chuẩn y")


STEP_ORDER = [s.value for s in Step]


class Congress(models.Model):
    """One organisation's congress in one term."""

    class Format(models.TextChoices):
        DELEGATES = "delegates", _("Đại hội đại biểu")
        MEMBERS = "members", _("Đại hội đảng viên")

    class Contents(models.IntegerChoices):
        FOUR = 4, _("4 nội dung")
        THREE = 3, _("3 nội dung (không bầu cấp uỷ)")
        TWO = 2, _("2 nội dung (cấp trên chỉ định cấp uỷ)")

    term = models.ForeignKey(Term, on_delete=models.PROTECT, related_name="congresses")
    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="congresses")
    tier = models.CharField(max_length=16, choices=Tier.choices)
    step = models.CharField(
        _("tiến độ"), max_length=16, choices=Step.choices, default=Step.NOT_SCHEDULED
    )
    # The plan.
    ordinal = models.PositiveSmallIntegerField(_("lần thứ"), null=True, blank=True)
    format = models.CharField(
        _("hình thức"), max_length=16, choices=Format.choices, default=Format.MEMBERS
    )
    contents = models.PositiveSmallIntegerField(
        _("số nội dung"), choices=Contents.choices, default=Contents.FOUR
    )
    pilot = models.BooleanField(_("đại hội điểm"), default=False)
    planned_on = models.DateField(_("ngày dự kiến"), null=True, blank=True)
    planned_committee_size = models.PositiveSmallIntegerField(
        _("số lượng cấp uỷ dự kiến"), null=True, blank=True
    )
    summoned = models.PositiveIntegerField(
        _("số đại biểu (đảng viên) được triệu tập"), null=True, blank=True
    )
    # What happened.
    held_on = models.DateField(_("ngày tổ chức"), null=True, blank=True)
    present = models.PositiveIntegerField(_("số có mặt"), null=True, blank=True)
    committee_decided = models.PositiveSmallIntegerField(
        _("số lượng cấp uỷ đại hội quyết định"), null=True, blank=True
    )
    candidates = models.PositiveSmallIntegerField(
        _("số người trong danh sách bầu cử cấp uỷ"), null=True, blank=True
    )
    reported_on = models.DateField(_("ngày báo cáo kết quả"), null=True, blank=True)
    approved_on = models.DateField(_("ngày chuẩn y"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Set by congresses.services.congresses_mark_late when its planned date (or its tier's
    # deadline) passed before it was held, or its results were not reported in time: a
    # counter, so every level's dashboard counts late units without scanning congresses.
    late = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["term", "org"], name="congress_term_org"),
        ]
        indexes = [
            models.Index(fields=["term", "step", "planned_on"], name="congress_term_step_planned"),
        ]

    def __str__(self) -> str:
        return f"{self.org} — {self.term}"

    @property
    def elects_committee(self) -> bool:
        return self.contents == self.Contents.FOUR

    @property
    def locked(self) -> bool:
        return self.step == Step.APPROVED


class ProgressUpdate(models.Model):
    """One step of a congress's timeline: when, by whom, with a note; a step skipped or taken
    back says why."""

    congress = models.ForeignKey(Congress, on_delete=models.CASCADE, related_name="updates")
    step = models.CharField(max_length=16, choices=Step.choices)
    previous = models.CharField(max_length=16, choices=Step.choices)
    on = models.DateField(_("ngày"))
    note = models.CharField(_("ghi chú"), max_length=500, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["congress", "at"], name="progress_congress_at")]

    def __str__(self) -> str:
        return f"{self.on} {self.step}"


class Person(models.Model):
    """Someone elected or appointed at a congress: a committee member, a delegate. Picked from
    the registry where they are a member of the organisation's subtree; the facts the make-up is
    computed from are copied, so a result stays as it was reported."""

    class Body(models.TextChoices):
        COMMITTEE = "committee", _("Ban chấp hành")
        INSPECTION = "inspection", _("Uỷ ban kiểm tra")
        DELEGATE = "delegate", _("Đại biểu dự đại hội cấp trên")

    class Role(models.TextChoices):
        MEMBER = "member", _("Uỷ viên")
        STANDING = "standing", _("Uỷ viên ban thường vụ")
        SECRETARY = "secretary", _("Bí thư")
        DEPUTY = "deputy", _("Phó bí thư")
        CHAIR = "chair", _("Chủ nhiệm")
        # Delegates to the higher congress.
        EX_OFFICIO = "ex_officio", _("Đại biểu đương nhiên")
        ELECTED = "elected", _("Đại biểu được bầu")
        APPOINTED = "appointed", _("Đại biểu được chỉ định")

    congress = models.ForeignKey(Congress, on_delete=models.CASCADE, related_name="people")
    body = models.CharField(max_length=16, choices=Body.choices)
    role = models.CharField(_("chức danh"), max_length=16, choices=Role.choices)
    member = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    full_name = models.CharField(_("họ và tên"), max_length=128)
    sex = models.CharField(_("giới tính"), max_length=1)
    birth_year = models.PositiveSmallIntegerField(_("năm sinh"))
    minority = models.BooleanField(_("dân tộc thiểu số"), default=False)
    # Committee: in the outgoing committee (re-elected) or new; from the locality or sent in.
    reelected = models.BooleanField(_("tái cử"), default=False)
    local = models.BooleanField(_("người địa phương"), default=True)
    # The secretary: elected directly by the congress (rather than by the new committee).
    direct = models.BooleanField(_("đại hội bầu trực tiếp"), default=False)
    # Appointed by the higher level (a 2-content congress's committee), not elected.
    appointed = models.BooleanField(_("chỉ định"), default=False)

    class Meta:
        ordering = ["body", "id"]
        indexes = [models.Index(fields=["congress", "body"], name="person_congress_body")]

    def __str__(self) -> str:
        return self.full_name

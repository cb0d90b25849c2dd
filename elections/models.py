"""Congress day: the voter list and its check-in, the secret-ballot elections (candidates,
numbered ballots counted by double entry), their results, and the rules they follow.

Secrecy is structural: a `Ballot` has a number and what it keeps, never a voter; a `Voter` has
a check-in, never a ballot. No table joins the two, so nobody can link them."""

from datetime import date
from fractions import Fraction

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from congresses.models import Congress, Person
from lib.elections import Rules
from members.models import Member


class Rulebook(models.Model):
    """The counting rules of one regulation, from the day it takes effect until the next
    one's: the rules of a congress are those in force on its day (`rulebook_on`)."""

    name = models.CharField(_("văn bản"), max_length=200)
    effective_from = models.DateField(_("có hiệu lực từ"), unique=True)
    max_surplus_percent = models.PositiveSmallIntegerField(_("số dư tối đa (%)"))
    # Elected with more than this share of the base (50: "more than half").
    elected_above_percent = models.PositiveSmallIntegerField(
        _("trúng cử khi được quá (% tổng số được tính)"), default=50
    )
    # Kinds of voters a members' congress leaves out of the base of "more than half"
    # (lib.elections.base_of): "temporary_out", "exempt_absent", "suspended".
    subtracted = models.JSONField(_("không tính vào tổng số"), default=list)
    blank_valid = models.BooleanField(_("phiếu gạch hết tên là hợp lệ"), default=False)
    # A list without surplus (as many names as seats) is voted on a ballot with "agree" and
    # "disagree" columns, read mark by mark; otherwise names are crossed out.
    agree_columns = models.BooleanField(
        _("danh sách không có số dư: phiếu có cột đồng ý, không đồng ý"), default=True
    )
    note = models.TextField(_("ghi chú"), blank=True)

    class Meta:
        ordering = ["-effective_from"]

    def __str__(self) -> str:
        return self.name

    @property
    def rules(self) -> Rules:
        return Rules(
            max_surplus=Fraction(self.max_surplus_percent, 100),
            elected_above=Fraction(self.elected_above_percent, 100),
            subtracted=frozenset(self.subtracted),
            blank_valid=self.blank_valid,
        )


def rulebook_on(day: date) -> Rulebook | None:
    return Rulebook.objects.filter(effective_from__lte=day).first()


class Roll(models.Model):
    """The voter list of one congress and its door: the secret of its rotating check-in code."""

    congress = models.OneToOneField(Congress, on_delete=models.CASCADE, related_name="roll")
    checkin_secret = models.CharField(max_length=32)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return str(self.congress)


class Voter(models.Model):
    """One delegate (or, at a members' congress, one official member) summoned: whether their
    credentials were checked, and when they came in. Never which ballot they cast."""

    class Kind(models.TextChoices):
        ORDINARY = "", _("Được triệu tập")
        TEMPORARY_OUT = "temporary_out", _("Chuyển sinh hoạt tạm thời")
        EXEMPT = "exempt", _("Miễn sinh hoạt")
        SUSPENDED = "suspended", _("Đình chỉ sinh hoạt")

    roll = models.ForeignKey(Roll, on_delete=models.CASCADE, related_name="voters")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    full_name = models.CharField(_("họ và tên"), max_length=128)
    kind = models.CharField(
        _("tình trạng"), max_length=16, choices=Kind.choices, default="", blank=True
    )
    credentials_ok = models.BooleanField(_("đã thẩm tra tư cách"), default=False)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    checkin_method = models.CharField(max_length=8, blank=True)  # "qr" or "desk"

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["roll", "member"], name="voter_roll_member"),
        ]

    def __str__(self) -> str:
        return self.full_name


class Counter(models.Model):
    """One member of the congress's vote-counting committee (ban kiểm phiếu), which the
    congress elects by a show of hands among its delegates (members) who are not candidates.

    The counter is a delegate on the voter list; `user` is the account they count with: the
    account linked to their member record (accounts.User.member) when they have one, else an
    official's account named for them. Only counters' accounts enter, verify and resolve
    ballots, and never in an election where the counter is a candidate."""

    roll = models.ForeignKey(Roll, on_delete=models.CASCADE, related_name="counters")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    full_name = models.CharField(_("họ và tên"), max_length=128)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    head = models.BooleanField(_("trưởng ban"), default=False)
    named_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-head", "id"]
        constraints = [
            models.UniqueConstraint(fields=["roll", "member"], name="counter_roll_member"),
            models.UniqueConstraint(fields=["roll", "user"], name="counter_roll_user"),
        ]

    def __str__(self) -> str:
        return self.full_name


class Election(models.Model):
    """One secret-ballot election at a congress: one body or post, one round."""

    class Kind(models.TextChoices):
        COMMITTEE = "committee", _("Ban chấp hành")
        STANDING = "standing", _("Ban thường vụ")
        SECRETARY = "secretary", _("Bí thư")
        DEPUTY = "deputy", _("Phó bí thư")
        INSPECTION = "inspection", _("Uỷ ban kiểm tra")
        INSPECTION_CHAIR = "inspection_chair", _("Chủ nhiệm uỷ ban kiểm tra")
        DELEGATES = "delegates", _("Đại biểu dự đại hội cấp trên")

    # Posts the new committee elects among its members at its first session (the Regulation:
    # the base of "more than half" is then the committee's size). Where no committee is elected
    # (a cell without one elects its secretary at the congress), the congress elects them.
    BY_COMMITTEE = frozenset({"standing", "secretary", "deputy", "inspection", "inspection_chair"})

    class Status(models.TextChoices):
        PREPARING = "preparing", _("Đang chuẩn bị")
        COUNTING = "counting", _("Đang kiểm phiếu")
        CLOSED = "closed", _("Đã chốt kết quả")
        SENT = "sent", _("Đã chuyển kết quả")

    congress = models.ForeignKey(Congress, on_delete=models.PROTECT, related_name="elections")
    kind = models.CharField(_("bầu"), max_length=16, choices=Kind.choices)
    round = models.PositiveSmallIntegerField(_("lần bầu"), default=1)
    # A second round (the seats still open, among the candidates the congress keeps) follows
    # its first.
    previous = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="next_round"
    )
    seats = models.PositiveSmallIntegerField(_("số lượng cần bầu"))
    rulebook = models.ForeignKey(Rulebook, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PREPARING)
    ballots_issued = models.PositiveIntegerField(_("số phiếu phát ra"), null=True, blank=True)
    # Fixed when the tally closes: the base of "more than half" and the ballots counted.
    base = models.PositiveIntegerField(null=True, blank=True)
    valid = models.PositiveIntegerField(null=True, blank=True)
    invalid = models.PositiveIntegerField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.round})"

    @property
    def editable(self) -> bool:
        return self.status in (self.Status.PREPARING, self.Status.COUNTING)


# Where each election's elected go in the congress monitor's results: (body, role).
MONITOR_PLACE: dict[str, tuple[str, str]] = {
    Election.Kind.COMMITTEE: (Person.Body.COMMITTEE, Person.Role.MEMBER),
    Election.Kind.STANDING: (Person.Body.COMMITTEE, Person.Role.STANDING),
    Election.Kind.SECRETARY: (Person.Body.COMMITTEE, Person.Role.SECRETARY),
    Election.Kind.DEPUTY: (Person.Body.COMMITTEE, Person.Role.DEPUTY),
    Election.Kind.INSPECTION: (Person.Body.INSPECTION, Person.Role.MEMBER),
    Election.Kind.INSPECTION_CHAIR: (Person.Body.INSPECTION, Person.Role.CHAIR),
    Election.Kind.DELEGATES: (Person.Body.DELEGATE, Person.Role.ELECTED),
}


class Candidate(models.Model):
    """One name on the ballot, in the list's order (the order the rules prescribe: by the
    Vietnamese alphabet of given names unless the congress decides otherwise)."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="candidates")
    position = models.PositiveSmallIntegerField()
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    full_name = models.CharField(_("họ và tên"), max_length=128)
    # Fixed when the tally closes.
    votes = models.PositiveIntegerField(null=True, blank=True)
    elected = models.BooleanField(default=False)
    tied = models.BooleanField(default=False)

    class Meta:
        ordering = ["election", "position"]
        constraints = [
            models.UniqueConstraint(fields=["election", "position"], name="candidate_position"),
            models.UniqueConstraint(fields=["election", "member"], name="candidate_member"),
        ]

    def __str__(self) -> str:
        return self.full_name


class Ballot(models.Model):
    """One cast ballot, by its printed number, as the counting committee read it: entered by
    one counter, read again blind by a second; a disagreement is resolved before the tally."""

    class Status(models.TextChoices):
        ENTERED = "entered", _("Đã nhập, chờ đối chiếu")
        VERIFIED = "verified", _("Đã đối chiếu khớp")
        DISPUTED = "disputed", _("Hai lần nhập không khớp")
        RESOLVED = "resolved", _("Đã xử lý chênh lệch")

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="ballots")
    number = models.PositiveIntegerField(_("số phiếu"))
    # The candidates the ballot keeps (ids), and whether the counter found it not issued by the
    # committee or marked (invalid whatever it keeps), in each reading.
    kept = models.JSONField(default=list)
    spoilt = models.BooleanField(default=False)
    # On a ballot with "agree"/"disagree" columns: the names marked in both or in neither.
    unclear = models.JSONField(default=list)
    second_kept = models.JSONField(null=True, blank=True)
    second_spoilt = models.BooleanField(null=True, blank=True)
    second_unclear = models.JSONField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ENTERED)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["election", "number"]
        constraints = [
            models.UniqueConstraint(fields=["election", "number"], name="ballot_election_number"),
        ]

    def __str__(self) -> str:
        return f"#{self.number}"

    @property
    def settled(self) -> bool:
        return self.status in (self.Status.VERIFIED, self.Status.RESOLVED)

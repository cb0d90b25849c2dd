"""Rolling out to every level: officials known by CCCD (with or without a member record), their
first-login links, each unit's coverage (who may enter its data, who has logged in at level 2),
and the difficulties officials report up to their province's desk and on to the centre."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Official(models.Model):
    """A person given access by CCCD. The user is keyed by the same CCCD, so their first e-ID
    login finds the grants waiting for them, whether or not they are in the member registry."""

    cccd = models.CharField(_("số CCCD"), max_length=12, unique=True)
    full_name = models.CharField(_("họ và tên"), max_length=150)
    phone = models.CharField(_("điện thoại"), max_length=20, blank=True)
    email = models.EmailField(_("thư điện tử"), blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="official"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    # A local account's first-login link (no e-ID configured): only the SHA-256 of its secret.
    invite_digest = models.CharField(max_length=64, blank=True, db_index=True)
    invite_expires_at = models.DateTimeField(null=True, blank=True)
    invite_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.full_name


class Level2Login(models.Model):
    """When a user first logged in at the officer level (e-ID level 2, or password + TOTP)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="level2_login"
    )
    first_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.first_at:%Y-%m-%d}"


class UnitCoverage(models.Model):
    """What a unit counts for in the coverage counters (rollout.* keys), kept so a change of its
    grants adds or takes away exactly once."""

    org = models.OneToOneField("orgs.Org", on_delete=models.CASCADE, related_name="coverage")
    has_editor = models.BooleanField(default=False)
    has_approver = models.BooleanField(default=False)
    logged_in = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"coverage {self.org_id}"


class Difficulty(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Đang chờ trả lời")
        ASKED = "asked", _("Chờ người báo bổ sung")
        ESCALATED = "escalated", _("Đã chuyển Trung ương")
        ANSWERED = "answered", _("Đã trả lời")

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="difficulties"
    )
    # The reporter's own unit (where they hold their grant), and the desk answering now: their
    # province's, then the centre's once escalated.
    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+")
    desk = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="difficulties")
    province = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+")
    doing = models.CharField(_("đang làm gì"), max_length=200)
    description = models.TextField(_("mô tả"))
    page_url = models.CharField(_("trang đang mở"), max_length=500, blank=True)
    screenshot = models.BinaryField(null=True, blank=True)
    screenshot_type = models.CharField(max_length=32, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    escalated = models.BooleanField(default=False)
    created_at = models.DateTimeField()
    # Whoever must act next has until then: the desk, or the reporter when asked for more.
    due_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["desk", "status"], name="difficulty_desk_status")]

    def __str__(self) -> str:
        return self.doing


class DifficultyStep(models.Model):
    class Kind(models.TextChoices):
        REPORT = "report", _("Báo khó khăn")
        ANSWER = "answer", _("Trả lời")
        ASK = "ask", _("Đề nghị bổ sung")
        REPLY = "reply", _("Bổ sung")
        ESCALATE = "escalate", _("Chuyển Trung ương")

    difficulty = models.ForeignKey(Difficulty, on_delete=models.CASCADE, related_name="steps")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    desk = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+")
    text = models.TextField(blank=True)
    at = models.DateTimeField()
    due_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.difficulty_id}"


class FaqEntry(models.Model):
    """An answered question published by a desk for every level below it."""

    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="faq_entries")
    difficulty = models.OneToOneField(
        Difficulty, null=True, blank=True, on_delete=models.SET_NULL, related_name="faq"
    )
    question = models.TextField(_("câu hỏi"))
    answer = models.TextField(_("trả lời"))
    # Lower case, no diacritics (lib.vn.text.fold): "dang nhap" finds "Đăng nhập".
    search = models.TextField(default="")
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.question[:60]


class SheetUpload(models.Model):
    """A sheet of officials between its dry run and its application (its uploader's only)."""

    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=255)
    data = models.BinaryField()
    digest = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField()
    applied_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name

"""Import batches (parse → clean → match → review → commit), duplicates, and campaigns."""

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import get_language, override
from django.utils.translation import gettext_lazy as _

from lib.cleaning.rules import with_words
from lib.cleaning.typed import typed_delta, typed_from
from members.models import Member
from orgs.models import Org


class Batch(models.Model):
    """One unit's upload of one or more spreadsheets, from parsing to commit."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Đang chờ xử lý")
        PROCESSING = "processing", _("Đang xử lý")
        REVIEW = "review", _("Chờ rà soát")
        COMMITTING = "committing", _("Đang ghi vào hồ sơ")
        COMMITTED = "committed", _("Đã ghi vào hồ sơ")
        FAILED = "failed", _("Lỗi")
        CANCELLED = "cancelled", _("Đã huỷ")

    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="batches")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    # How many times a worker has taken it for processing since it was last queued by a person
    # (a worker that stopped mid-way hands it back to the queue once: cleaning.leases).
    attempts = models.PositiveSmallIntegerField(default=0)
    progress_note = models.CharField(max_length=255, blank=True)
    # Why it failed, or why its commit was refused: in Vietnamese, and the same in English (a
    # page shows the one of its reader's language: error_text).
    error = models.TextField(blank=True)
    error_en = models.TextField(blank=True)
    rows_total = models.PositiveIntegerField(default=0)
    summary = models.JSONField(default=dict, blank=True)  # {rule code: count of open problems}
    committed_at = models.DateTimeField(null=True, blank=True)
    committed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    commit_summary = models.JSONField(default=dict, blank=True)

    def __str__(self) -> str:
        return f"#{self.pk} {self.org}"

    @property
    def error_text(self) -> str:
        """Its error in the reader's language."""
        english = (get_language() or "").startswith("en")
        return self.error_en if english and self.error_en else self.error


def error_words(message: Any) -> dict[str, str]:
    """A batch's error fields (error, error_en) from a message worded when read (a lazy
    translation): what a worker stores is shown later to readers of either language."""
    words = {}
    for language, field in (("vi", "error"), ("en", "error_en")):
        with override(language):
            words[field] = str(message)
    return words


# A batch whose commit waits for a worker is still reviewed work: its problems still count.
REVIEWED = (Batch.Status.REVIEW, Batch.Status.COMMITTING)


class BatchFile(models.Model):
    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="files")
    name = models.CharField(max_length=255)
    size = models.BigIntegerField()
    sha256 = models.CharField(max_length=64)
    stored = models.CharField(max_length=255)  # path under MEDIA_ROOT, encrypted at rest
    sheet = models.CharField(max_length=255, blank=True)
    header_row = models.PositiveIntegerField(null=True, blank=True)
    headers = models.JSONField(default=list, blank=True)
    mapping = models.JSONField(default=dict, blank=True)  # {column index: field}
    # What the whole file says about each row: month-first date columns, the legacy font.
    context = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.name


class BatchRow(models.Model):
    """One spreadsheet row: its original text, the proposal, its problems and decisions."""

    class Action(models.TextChoices):
        CREATE = "create", _("Thêm mới")
        UPDATE = "update", _("Cập nhật")
        SAME = "same", _("Không đổi")
        SKIP = "skip", _("Bỏ qua")

    # Indexed by batchrow_batch_errors and batchrow_file_row (each starts with it).
    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="rows", db_index=False)
    file = models.ForeignKey(
        BatchFile, on_delete=models.CASCADE, related_name="rows", db_index=False
    )
    row_number = models.PositiveIntegerField()
    # The text as typed where it differs from `values` (lib.cleaning.typed): see `typed`.
    original = models.JSONField(default=dict)
    values = models.JSONField(default=dict)  # {field: standardised text}
    # [{field, code, severity, fix, accepted, and vi, en where lib.vn.messages cannot make them}]
    problems = models.JSONField(default=list)
    edits = models.JSONField(default=dict, blank=True)  # {field: value typed by a reviewer}
    errors = models.PositiveSmallIntegerField(default=0)
    warnings = models.PositiveSmallIntegerField(default=0)
    # Only rows matched to an existing member have one: the index holds those alone.
    member = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    action = models.CharField(max_length=8, choices=Action.choices, blank=True)
    duplicate_group = models.CharField(max_length=32, blank=True)
    skipped = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["file", "row_number"], name="batchrow_file_row")
        ]
        indexes = [
            models.Index(fields=["batch", "errors"], name="batchrow_batch_errors"),
            models.Index(
                fields=["member"],
                condition=models.Q(member__isnull=False),
                name="batchrow_member",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.file.name}:{self.row_number}"

    @property
    def source_ref(self) -> str:
        return f"batch {self.batch_id} {self.file.name}:{self.row_number}"

    @property
    def typed(self) -> dict[str, str]:
        """Its text as typed, every field (only those that differ from `values` are stored)."""
        return typed_from(self.original, self.values)

    def set_values(self, values: dict[str, str]) -> None:
        """New values (an edit, an accepted proposal), keeping the text as typed."""
        typed = self.typed
        self.values = values
        self.original = typed_delta(typed, values)

    @property
    def shown_problems(self) -> list[Mapping[str, Any]]:
        """Its problems with their messages ("vi", "en"), made again where not stored."""
        return [with_words(p) for p in self.problems]


class DuplicateCandidate(models.Model):
    """Two records that may be the same person: two rows of a batch, or a row and a member."""

    class Decision(models.TextChoices):
        OPEN = "open", _("Chưa quyết định")
        SAME = "same", _("Cùng một người")
        TRANSFER = "transfer", _("Chuyển sinh hoạt chưa hoàn tất")
        DIFFERENT = "different", _("Hai người khác nhau")

    batch = models.ForeignKey(
        Batch, null=True, blank=True, on_delete=models.CASCADE, related_name="candidates"
    )
    row_a = models.ForeignKey(
        BatchRow, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    row_b = models.ForeignKey(
        BatchRow, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    member_b = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # The nearest organisation that sees both records decides (two units: their common ancestor).
    decider = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField()
    exact = models.BooleanField(default=False)
    reasons = models.JSONField(default=list)
    decision = models.CharField(max_length=16, choices=Decision.choices, default=Decision.OPEN)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"candidate {self.pk} ({self.score})"


class ColumnMapping(models.Model):
    """A unit's confirmed column mapping, remembered for its next upload of the same layout."""

    org = models.ForeignKey(Org, on_delete=models.CASCADE, related_name="+")
    signature = models.CharField(max_length=64)
    mapping = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["org", "signature"], name="columnmapping_org_signature")
        ]

    def __str__(self) -> str:
        return f"{self.org} {self.signature[:8]}"


class BatchLease(models.Model):
    """A worker's claim on the batch it is processing or committing, renewed while it works.

    A lease left to age means the worker stopped (killed, out of memory, the machine restarted):
    cleaning.leases.reap gives the batch back. The batch is named by id, with no foreign key, so
    renewing never waits on the batch's row, which a commit holds locked for its whole length.
    """

    batch_id = models.BigIntegerField(primary_key=True)
    seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"lease of batch {self.batch_id}"

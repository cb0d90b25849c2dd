"""The organisation tree: kinds, administrative-unit links, history and subtree counters."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# A path is a string of fixed-width steps, one per level: the subtree of an organisation is
# every row whose path starts with its path, one indexed range scan at any depth.
PATH_STEP = 4
PATH_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
PATH_MAX_LENGTH = 255


class Kind(models.TextChoices):
    CENTRAL = "central", _("Trung ương")
    CENTRAL_COMMITTEE = "central_committee", _("Đảng bộ trực thuộc Trung ương")
    PROVINCE = "province", _("Đảng bộ tỉnh, thành phố")
    COMMUNE = "commune", _("Đảng bộ xã, phường, đặc khu")
    UPPER_GRASSROOTS = "upper_grassroots", _("Đảng bộ cấp trên cơ sở khác")
    GRASSROOTS_COMMITTEE = "grassroots_committee", _("Đảng bộ cơ sở")
    GRASSROOTS_CELL = "grassroots_cell", _("Chi bộ cơ sở")
    SUB_COMMITTEE = "sub_committee", _("Đảng bộ bộ phận")
    CELL = "cell", _("Chi bộ")
    PARTY_GROUP = "party_group", _("Tổ đảng")


# Kinds whose members are recorded directly on them (members belong to a cell, a grassroots
# cell, or a party group inside a cell).
MEMBER_HOLDING_KINDS = frozenset({Kind.CELL, Kind.GRASSROOTS_CELL, Kind.PARTY_GROUP})


class AdminUnit(models.Model):
    """A current (2025) administrative unit: one of the 34 provinces or 3,321 communes."""

    class Level(models.TextChoices):
        PROVINCE = "province", _("Tỉnh, thành phố")
        COMMUNE = "commune", _("Xã, phường, đặc khu")

    level = models.CharField(max_length=16, choices=Level.choices)
    code = models.PositiveIntegerField()
    name = models.CharField(max_length=128)
    division_type = models.CharField(max_length=64)
    province_code = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["level", "code"], name="adminunit_level_code")
        ]
        ordering = ["level", "code"]

    def __str__(self) -> str:
        return self.name


class Org(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Đang hoạt động")
        MERGED = "merged", _("Đã hợp nhất")
        DISSOLVED = "dissolved", _("Đã giải thể")

    code = models.CharField(_("mã"), max_length=64, unique=True)
    name = models.CharField(_("tên"), max_length=255)
    kind = models.CharField(_("loại"), max_length=32, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(max_length=PATH_MAX_LENGTH, unique=True)
    depth = models.PositiveSmallIntegerField()
    admin_unit = models.ForeignKey(AdminUnit, null=True, blank=True, on_delete=models.PROTECT)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    # Who to call when the unit is late: shown to higher levels on dashboards.
    contact_name = models.CharField(_("người liên hệ"), max_length=128, blank=True)
    contact_phone = models.CharField(_("điện thoại liên hệ"), max_length=20, blank=True)
    sort_name = models.CharField(max_length=255, default="")

    class Meta:
        indexes = [models.Index(fields=["parent", "sort_name"], name="org_parent_sort")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    @property
    def holds_members(self) -> bool:
        return self.kind in MEMBER_HOLDING_KINDS

    def ancestor_paths(self) -> list[str]:
        """Paths of this organisation and all its ancestors, root first."""
        return [self.path[:end] for end in range(PATH_STEP, len(self.path) + 1, PATH_STEP)]


class OrgEvent(models.Model):
    """One change to the tree, kept forever: creation, rename, move, merge, split, dissolution."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Thành lập")
        RENAMED = "renamed", _("Đổi tên")
        MOVED = "moved", _("Chuyển trực thuộc")
        MERGED_INTO = "merged_into", _("Hợp nhất vào")
        ABSORBED = "absorbed", _("Tiếp nhận hợp nhất")
        SPLIT_FROM = "split_from", _("Chia tách từ")
        SPLIT_INTO = "split_into", _("Chia tách thành")
        DISSOLVED = "dissolved", _("Giải thể")

    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    on = models.DateField()
    detail = models.JSONField(default=dict)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["on", "id"]

    def __str__(self) -> str:
        return f"{self.on} {self.kind}"


class OrgCount(models.Model):
    """One counter of an organisation's whole subtree (members by status, sex, birth year…)."""

    org = models.ForeignKey(Org, on_delete=models.CASCADE, related_name="counts")
    key = models.CharField(max_length=64)
    value = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["org", "key"], name="orgcount_org_key")]

    def __str__(self) -> str:
        return f"{self.key}={self.value}"


class CountDelta(models.Model):
    """A pending change to the counters of one organisation, folded into its ancestors' counts."""

    org_id: int
    org = models.ForeignKey(Org, on_delete=models.CASCADE, db_constraint=False, related_name="+")
    key = models.CharField(max_length=64)
    delta = models.BigIntegerField()

    def __str__(self) -> str:
        return f"{self.key}{self.delta:+d}"

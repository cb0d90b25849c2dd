"""Access for a whole level at once: a spreadsheet of officials, checked row by row (a dry run),
then applied in one transaction. Read through the one guarded reader (lib.cleaning.parse);
re-applying the same sheet changes nothing."""

import datetime
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from access.models import Grant, Role
from access.scope import acts_as_superuser
from access.services import may_grant
from lib.cleaning.parse import Limits, ParsedFile, ParseError, parse_file
from lib.vn.cccd import check_cccd, mask_cccd, normalise_cccd
from lib.vn.text import fold
from orgs.models import Org
from orgs.selectors import org_choice

# The columns a sheet of officials has, by their folded header (Vietnamese or English).
COLUMNS: dict[str, tuple[str, ...]] = {
    "cccd": ("cccd", "so cccd", "so dinh danh", "so dinh danh ca nhan", "id number"),
    "full_name": ("ho va ten", "ho ten", "full name", "name"),
    "org": ("to chuc", "ma to chuc", "to chuc dang", "don vi", "organisation", "organization"),
    "role": ("vai tro", "quyen", "role"),
    "expires": ("het han", "ngay het han", "han", "expiry", "expires"),
    "phone": ("dien thoai", "so dien thoai", "phone"),
    "email": ("email", "thu dien tu", "e-mail"),
}
REQUIRED = ("cccd", "full_name", "org", "role")
# The header cells the reader looks for (exactly, as a cell of the header row).
HEADER_CELLS = ("Số CCCD", "CCCD", "Số định danh", "Số định danh cá nhân", "ID number")
TEMPLATE_HEADERS = [
    "Số CCCD",
    "Họ và tên",
    "Tổ chức",
    "Vai trò",
    "Ngày hết hạn",
    "Điện thoại",
    "Thư điện tử",
]
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d")


def role_of(text: str) -> str | None:
    """A role written in a sheet: its Vietnamese or English name (or key), whatever the language
    of the page that reads it."""
    key = fold(text)
    for value, label in Role.choices:
        names = {str(value)}
        for language in ("vi", "en"):
            with translation.override(language):
                names.add(fold(str(label)))
        if key in names:
            return str(value)
    return None


@dataclass
class SheetRow:
    row: int
    cccd: str | None = None
    full_name: str = ""
    org: Org | None = None
    org_text: str = ""
    role: str | None = None
    expires_at: datetime.datetime | None = None
    phone: str = ""
    email: str = ""
    # "new" (official and grant), "grant" (a new grant), "expiry" (a new expiry), "same"
    action: str = ""
    errors: list[tuple[str, str]] = field(default_factory=list)

    @property
    def masked(self) -> str:
        return mask_cccd(self.cccd) if self.cccd else ""

    @property
    def role_label(self) -> str:
        return str(Role(self.role).label) if self.role else ""

    def error(self, column: str, message: str) -> None:
        self.errors.append((column, message))


@dataclass
class SheetCheck:
    name: str
    rows: list[SheetRow]
    error: str = ""  # the whole file refused

    @property
    def ok(self) -> bool:
        return not self.error and bool(self.rows) and not any(r.errors for r in self.rows)

    @property
    def bad_rows(self) -> int:
        return sum(1 for r in self.rows if r.errors)

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action and not r.errors)


def column_label(column: str) -> str:
    return {
        "cccd": _("Số CCCD"),
        "full_name": _("Họ và tên"),
        "org": _("Tổ chức"),
        "role": _("Vai trò"),
        "expires": _("Ngày hết hạn"),
        "phone": _("Điện thoại"),
        "email": _("Thư điện tử"),
        "": _("Dòng"),
    }[column]


def _read(data: bytes, name: str) -> ParsedFile:
    suffix = Path(name).suffix.lower() or ".xlsx"
    with tempfile.NamedTemporaryFile(suffix=suffix) as handle:
        handle.write(data)
        handle.flush()
        last: ParseError | None = None
        for cell in HEADER_CELLS:
            try:
                return parse_file(
                    handle.name,
                    display_name=name,
                    limits=Limits(max_bytes=MAX_BYTES, max_rows=MAX_ROWS, max_columns=50),
                    header=cell,
                )
            except ParseError as error:
                last = error
                if error.code != "file.no_header":
                    raise
        assert last is not None
        raise ParseError(
            "file.no_header",
            _("Tệp %(name)s: không có cột “Số CCCD” trong các dòng đầu.") % {"name": name},
            f"File {name}: there is no column “Số CCCD” in the first rows.",
        )


def _columns(headers: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, header in enumerate(headers):
        key = fold(header).strip(" *:")
        for column, names in COLUMNS.items():
            if key in names and column not in found:
                found[column] = index
    return found


def _date(text: str) -> datetime.date | None:
    text = text.strip()
    for fmt in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def check_sheet(*, by: Any, data: bytes, name: str) -> SheetCheck:
    """The dry run: every row checked, with a message naming its column; nothing written."""
    if len(data) > MAX_BYTES:
        return SheetCheck(name, [], _("Tệp lớn hơn 5 MB; hãy chia nhỏ."))
    try:
        parsed = _read(data, name)
    except ParseError as error:
        return SheetCheck(name, [], error.message_vi)
    columns = _columns(parsed.headers)
    missing = [column_label(c) for c in REQUIRED if c not in columns]
    if missing:
        return SheetCheck(name, [], _("Thiếu cột: %(columns)s.") % {"columns": ", ".join(missing)})
    today = timezone.localdate()
    rows: list[SheetRow] = []
    seen: dict[tuple[str, int, str], int] = {}
    names: dict[str, str] = {}
    for source in parsed.rows:
        values = source.values

        def cell(column: str, values: list[str] = values) -> str:
            index = columns.get(column)
            if index is None or index >= len(values):
                return ""
            return values[index].strip()

        if not any(v.strip() for v in values):
            continue
        row = SheetRow(row=source.row)
        rows.append(row)
        cccd, problems = normalise_cccd(cell("cccd"))
        if cccd is None:
            row.error(
                "cccd",
                problems[0].message_vi if problems else _("Thiếu số CCCD."),
            )
        else:
            errors = [p for p in check_cccd(cccd) if p.severity == "error"]
            if errors:
                row.error("cccd", errors[0].message_vi)
            else:
                row.cccd = cccd
        row.full_name = " ".join(cell("full_name").split())[:150]
        if not row.full_name:
            row.error("full_name", _("Thiếu họ và tên."))
        row.org_text = cell("org")
        if not row.org_text:
            row.error("org", _("Thiếu tổ chức."))
        else:
            choice = org_choice(by, row.org_text, role=Role.ADMIN)
            if choice.org is not None:
                row.org = choice.org
            elif len(choice.candidates) > 1 and all(
                c.sort_name == fold(row.org_text) for c in choice.candidates
            ):
                row.error(
                    "org",
                    _("Có nhiều tổ chức khớp “%(text)s”; hãy ghi mã tổ chức.")
                    % {"text": row.org_text},
                )
            else:
                row.error(
                    "org",
                    _("“%(text)s” không thuộc phạm vi bạn quản trị.") % {"text": row.org_text},
                )
        role_text = cell("role")
        row.role = role_of(role_text) if role_text else None
        if row.role is None:
            row.error(
                "role",
                _("Vai trò “%(text)s” không có; dùng Xem, Cập nhật, Phê duyệt hoặc Quản trị.")
                % {"text": role_text},
            )
        elif row.org is not None and not may_grant(by=by, org=row.org, role=row.role):
            row.error(
                "role",
                _("Bạn không được cấp vai trò %(role)s tại %(org)s.")
                % {"role": Role(row.role).label, "org": row.org.name},
            )
        expires_text = cell("expires")
        if expires_text:
            day = _date(expires_text)
            if day is None:
                row.error("expires", _("Ngày hết hạn ghi theo dạng dd/mm/yyyy."))
            elif day <= today:
                row.error("expires", _("Ngày hết hạn %(day)s đã qua.") % {"day": f"{day:%d/%m/%Y}"})
            else:
                row.expires_at = timezone.make_aware(
                    datetime.datetime.combine(day, datetime.time(23, 59, 59))
                )
        row.phone = cell("phone")[:20]
        row.email = cell("email")[:254]
        if row.email and "@" not in row.email:
            row.error("email", _("Địa chỉ thư điện tử không đúng."))
        if row.cccd and row.full_name:
            earlier = names.setdefault(row.cccd, row.full_name)
            if fold(earlier) != fold(row.full_name):
                row.error(
                    "full_name",
                    _("Cùng số CCCD nhưng khác tên với dòng trên (%(name)s).") % {"name": earlier},
                )
        if row.cccd and row.org and row.role:
            key = (row.cccd, row.org.pk, row.role)
            if key in seen:
                row.error("", _("Trùng dòng %(row)d.") % {"row": seen[key]})
            else:
                seen[key] = row.row
        if not row.errors:
            row.action = _action(row)
    return SheetCheck(name, rows)


def _action(row: SheetRow) -> str:
    from accounts.models import User

    assert row.cccd and row.org and row.role
    user = User.objects.filter(cccd=row.cccd).first()
    if user is None:
        return "new"
    now = timezone.now()
    grant = (
        Grant.objects.filter(user=user, org=row.org, role=row.role, revoked_at__isnull=True)
        .exclude(expires_at__lte=now)
        .first()
    )
    if grant is None:
        return "grant"
    return "same" if grant.expires_at == row.expires_at else "expiry"


def may_upload(by: Any) -> bool:
    from access.selectors import may_administer

    return acts_as_superuser(by) or may_administer(by)

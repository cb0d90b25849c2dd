"""Correction requests for many members at once, from a spreadsheet an official fills in.

The file is read by the import's guarded parser (lib.cleaning.parse.parse_file, behind
cleaning.storage.upload_opened); each row names a member by CCCD, the field (its label on the
form), the right value and the reason. A dry run checks every row with the rules every request
passes and says what is wrong row by row; applying files all the rows in one transaction, or none.
"""

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from access.models import Role
from audit.services import AuditContext
from cleaning.storage import upload_opened
from lib.cleaning.columns import header_key
from lib.cleaning.parse import Limits, ParseError, parse_file
from lib.vn.cccd import mask_cccd, normalise_cccd
from members.selectors import members_visible_to
from orgs.models import Org

from .policy import policy_on
from .services import field_label, request_file

COLUMNS = {
    "cccd": "Số CCCD",
    "field": "Thông tin",
    "proposed": "Giá trị đúng",
    "reason": "Lý do",
}
MAX_ROWS = 5000


@dataclass
class RowResult:
    row: int
    who: str
    field: str
    message: str
    ok: bool


class _Refused(Exception):
    pass


def _field_of(text: str, fields: list[str]) -> str | None:
    key = header_key(text)
    for name in fields:
        if key in (header_key(name), header_key(field_label(name))):
            return name
    return None


def requests_import(
    *,
    org: Org,
    upload: UploadedFile,
    by: Any,
    apply: bool,
    ctx: AuditContext | None = None,
) -> tuple[list[RowResult], int]:
    """Check (and, with `apply` and no row in error, file) the requests of a spreadsheet.
    Returns the rows' results and how many requests were filed. ValidationError on "file" when
    the file itself cannot be read."""
    name = (upload.name or "tep.xlsx").rsplit("/", 1)[-1][:200]
    try:
        with upload_opened(upload) as plain:
            parsed = parse_file(
                plain,
                display_name=name,
                header=COLUMNS["cccd"],
                limits=Limits(max_bytes=10 << 20, max_rows=MAX_ROWS),
            )
    except ParseError as error:
        message = error.message_en if get_language() == "en" else error.message_vi
        raise ValidationError({"file": message}) from None
    keys = [header_key(h) for h in parsed.headers]
    index = {}
    for column, title in COLUMNS.items():
        if header_key(title) not in keys:
            raise ValidationError(
                {"file": _("Tệp %(name)s thiếu cột “%(col)s”.") % {"name": name, "col": title}}
            )
        index[column] = keys.index(header_key(title))
    fields = list(policy_on(timezone.localdate()))
    members = members_visible_to(by, Role.EDITOR).filter(org_path__startswith=org.path)
    results: list[RowResult] = []
    filed = 0

    def cell(values: list[str], column: str) -> str:
        i = index[column]
        return values[i].strip() if i < len(values) else ""

    try:
        with transaction.atomic():
            for source in parsed.rows:
                values = source.values
                if not any(v.strip() for v in values):
                    continue
                cccd, _problems = normalise_cccd(cell(values, "cccd"))
                member = members.filter(cccd=cccd).first() if cccd else None
                who = mask_cccd(cccd) if cccd else cell(values, "cccd")
                field = _field_of(cell(values, "field"), fields)
                if member is None:
                    results.append(
                        RowResult(
                            source.row,
                            who,
                            cell(values, "field"),
                            _("Không có đảng viên có số CCCD này trong đơn vị."),
                            False,
                        )
                    )
                    continue
                who = member.full_name
                if field is None:
                    results.append(
                        RowResult(
                            source.row,
                            who,
                            cell(values, "field"),
                            _("Thông tin “%(f)s” không đính chính qua yêu cầu.")
                            % {"f": cell(values, "field")},
                            False,
                        )
                    )
                    continue
                try:
                    # A savepoint per row: the dry run keeps checking after a bad row.
                    with transaction.atomic():
                        request_file(
                            member=member,
                            field=field,
                            proposed=cell(values, "proposed"),
                            reason=cell(values, "reason"),
                            by=by,
                            ctx=ctx,
                        )
                except ValidationError as error:
                    messages = [m for ms in error.message_dict.values() for m in ms]
                    results.append(
                        RowResult(source.row, who, field_label(field), " ".join(messages), False)
                    )
                    continue
                filed += 1
                results.append(RowResult(source.row, who, field_label(field), _("Hợp lệ."), True))
            if not apply or any(not r.ok for r in results):
                raise _Refused
    except _Refused:
        return results, 0
    return results, filed

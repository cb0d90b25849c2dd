"""What an official reads of an import: field names, values, rules and reasons in their language.

The stored forms (field keys, rule codes, ISO dates, M/F, E.164 phones, the matcher's reasons)
are for the program and for specialists; pages show words, and a rule's code only where a
specialist looks for it (a tooltip).
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _

from lib.cleaning.rules import FIELD_LABELS, RULES
from lib.cleaning.shown import shown_value
from lib.vn.cccd import mask_cccd

# Identifiers a viewer who does not need them sees masked (access.scope.sees_cccd).
IDENTIFIERS = frozenset({"cccd", "cmnd"})


def english() -> bool:
    return (get_language() or "vi").startswith("en")


def field_label(name: str) -> str:
    """A field's name as the forms print it (lib.cleaning.rules.FIELD_LABELS: the one table)."""
    vi, en = FIELD_LABELS.get(name, (name, name))
    return en if english() else vi


def value_shown(name: str, text: str | None, *, full_cccd: bool = True) -> str:
    """A staged value as the reader writes it: dd/mm/yyyy, Nam/Nữ, 0912 345 678; an identifier
    masked for a reader who may not see it whole."""
    if name in IDENTIFIERS and not full_cccd:
        return mask_cccd(text or "")
    if name == "sex" and text in ("M", "F"):
        return _("Nam") if text == "M" else _("Nữ")
    return shown_value(name, text)


def rule_title(code: str) -> str:
    rule = RULES.get(code)
    if rule is None:
        return code
    return rule.title_en if english() else rule.title_vi


def severity_word(severity: str) -> str:
    words = {
        "error": pgettext("severity", "Lỗi"),
        "warning": pgettext("severity", "Cần xem"),
        "info": pgettext("severity", "Đã tự sửa"),
    }
    return words.get(severity, severity)


def message_of(problem: Mapping[str, Any]) -> str:
    """A problem's message (lib.cleaning.rules.with_words made both) in the reader's language."""
    return str(problem.get("en" if english() else "vi", ""))


# The reasons lib.cleaning.match and cleaning.matching give for a pair, in words.
_SCORED = re.compile(r"^(name|hometown) (\d+)$")
_CCCD_DIGITS = re.compile(r"^CCCD differs in (\d+) digits$")


def _field_words() -> dict[str, str]:
    return {
        "name": _("họ tên"),
        "birth": _("ngày sinh"),
        "cccd": _("số CCCD"),
        "phone": _("số điện thoại"),
        "sex": _("giới tính"),
        "admission": _("ngày vào Đảng"),
        "birth_place": _("nơi sinh"),
        "hometown": _("quê quán"),
        "residence": _("nơi thường trú"),
        "ethnicity": _("dân tộc"),
    }


def _level_words() -> dict[str, str]:
    return {
        "exact": _("trùng khớp"),
        "diacritics": _("chỉ khác dấu"),
        "typo": _("khác một chữ cái"),
        "similar": _("gần giống"),
        "different": _("khác nhau"),
        "swapped": _("đảo ngày và tháng"),
        "year": _("cùng năm"),
        "partial": _("khớp một phần (chỉ biết năm hoặc tháng)"),
        "one_digit": _("khác một chữ số"),
        "renamed": _("cùng nơi (tên cũ và tên mới)"),
    }


def weighed_reason_words(reason: str) -> str:
    """ "fs:<field>:<level>:<bits>" (lib.cleaning.match.reasons_of) in words: which field
    agreed and how much it counted, e.g. "họ tên khác một chữ cái: +9,0"."""
    _prefix, field, level, bits = reason.split(":", 3)
    number = bits.replace(".", ",")
    return "%s %s: %s" % (  # noqa: UP031 - the parts are translated one by one
        _field_words().get(field, field),
        _level_words().get(level, level),
        number,
    )


def reason_words(reason: str) -> str:
    if reason.startswith("fs:") and reason.count(":") == 3:
        return weighed_reason_words(reason)
    scored = _SCORED.match(reason)
    if scored:
        what = _("họ tên") if scored[1] == "name" else _("quê quán")
        return _("%(what)s giống %(n)s%%") % {"what": what, "n": scored[2]}
    digits = _CCCD_DIGITS.match(reason)
    if digits:
        return _("số CCCD khác %(n)s chữ số") % {"n": digits[1]}
    words = {
        "cccd": _("trùng số CCCD"),
        "CCCD": _("trùng số CCCD"),
        "identical_row": _("hai dòng giống hệt nhau"),
        "other_unit": _("ở hai tổ chức khác nhau"),
        "birth date": _("trùng ngày sinh"),
        "birth date (day/month swapped)": _("ngày sinh đảo ngày và tháng"),
        "birth month": _("cùng tháng, năm sinh"),
        "birth year": _("cùng năm sinh"),
        "phone": _("trùng số điện thoại"),
        "sex differs": _("khác giới tính"),
    }
    return words.get(reason, reason)


# What a space and an invisible character look like where they matter (a doubled space shows
# nothing in HTML, and "extra spaces removed" would show two identical strings).
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u180e]")


def visible_spaces(text: str) -> SafeString:
    """The text with a marked dot for each space and a marked sign for each invisible character."""
    space, invisible = escape(_("dấu cách")), escape(_("ký tự vô hình"))
    out = []
    for char in text:
        if char.isspace():
            out.append(f'<span class="vis-space" title="{space}">·</span>')
        elif _INVISIBLE.match(char):
            out.append(f'<span class="vis-space" title="{invisible}">¤</span>')
        else:
            out.append(str(escape(char)))
    return mark_safe(f'<span class="text-pre">{"".join(out)}</span>')


# Rules whose whole point is a character nobody sees.
_SPACING = frozenset({"text.whitespace", "text.invisible"})


@dataclass(frozen=True, slots=True)
class ReviewLine:
    """One open problem of a staged row, as the review page shows it."""

    field: str
    label: str
    code: str
    severity: str
    severity_word: str
    message: str
    typed: str
    proposed: str
    value: str  # what the fix's box starts with


def review_lines(row: Any, *, full_cccd: bool) -> list[ReviewLine]:
    """The open problems of `row` (a cleaning.models.BatchRow) in the reader's words."""
    typed, values = row.typed, row.values
    lines = []
    for p in row.shown_problems:
        if p.get("accepted"):
            continue
        name = p["field"]
        shown_typed: str = typed.get(name) or ""
        proposed = value_shown(name, values.get(name), full_cccd=full_cccd)
        if name in IDENTIFIERS and not full_cccd:
            shown_typed = mask_cccd(shown_typed)
        if p["code"] in _SPACING:
            shown_typed, proposed = visible_spaces(shown_typed), visible_spaces(proposed)
        lines.append(
            ReviewLine(
                field=name,
                label=field_label(name),
                code=p["code"],
                severity=p["severity"],
                severity_word=severity_word(p["severity"]),
                message=message_of(p),
                typed=shown_typed,
                proposed=proposed,
                value=value_shown(name, values.get(name), full_cccd=full_cccd),
            )
        )
    return lines

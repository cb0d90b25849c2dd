"""Template filters for Vietnamese dates, masked identifiers and list numbering."""

from datetime import date
from typing import Any

from django import template
from django.conf import settings

from lib.vn.cccd import mask_cccd as _mask_cccd
from lib.vn.phones import format_phone_vn

register = template.Library()


@register.filter
def vndate(value: date | None, precision: str | None = "day") -> str:
    """dd/mm/yyyy, or mm/yyyy and yyyy for a date only partly known (a member's birth,
    admission or official date, an event dated by one of them)."""
    if not value:
        return ""
    if precision == "year":
        return f"{value.year}"
    if precision == "month":
        return f"{value.month:02d}/{value.year}"
    return value.strftime("%d/%m/%Y")


@register.filter
def event_date(event: Any) -> str:
    """An event's date as vndate shows it, to the precision its detail records (an admission
    known only by its year is "2010", not "01/01/2010")."""
    detail = event.detail if isinstance(event.detail, dict) else {}
    return vndate(event.on, detail.get("precision"))


@register.filter
def mask_cccd(value: str | None) -> str:
    return _mask_cccd(value or "")


@register.filter
def page_offset(counter: int, page: int) -> int:
    return (int(page) - 1) * settings.PARTYORG_PAGE_SIZE + int(counter)


@register.filter
def phone(value: str | None) -> str:
    """+84912345678 shown the Vietnamese way: 0912 345 678."""
    return format_phone_vn(value or "")


@register.filter
def get(mapping: dict[str, object] | None, key: str) -> object:
    """mapping[key] in a template, or "" when absent."""
    return (mapping or {}).get(key, "")

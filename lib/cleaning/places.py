"""Place names from before the 1 July 2025 merger, and what they are called now.

Forms record a hometown under the *old* units ("xã X, huyện Y, tỉnh Z"), which is correct
on paper but cannot be matched with today's 34 provinces and 3,321 communes. We recognise
an old address by its district-level part (quận, huyện, thị xã, a district-level thành
phố) or by the name of one of the 63 old provinces that no longer exists, and look the
commune up in vietnam_provinces' conversion table. The original text is always kept; the
current name is only proposed, and only when the old commune went to exactly one new one.
"""

import functools
import re
from dataclasses import dataclass

from lib.cleaning.fast import fold

_PREFIXES = (
    "thanh pho", "dac khu", "thi tran", "thi xa", "phuong", "huyen", "quan", "tinh", "xa",
)  # fmt: skip
# Abbreviations officials type in addresses, folded: "TP.HCM", "Q.1", "H. Củ Chi".
_ABBREVIATIONS = (
    (re.compile(r"^tp\.? ?"), "thanh pho "),
    (re.compile(r"^tx\.? ?"), "thi xa "),
    (re.compile(r"^tt\.? ?"), "thi tran "),
    (re.compile(r"^q\.? ?(?=\d)|^q\. ?"), "quan "),
    (re.compile(r"^p\.? ?(?=\d)|^p\. ?"), "phuong "),
    (re.compile(r"^h\. ?"), "huyen "),
    (re.compile(r"^x\. ?"), "xa "),
)
_PROVINCE_ALIASES = {"hcm": "ho chi minh", "tphcm": "ho chi minh", "sai gon": "ho chi minh",
                     "hn": "ha noi", "brvt": "ba ria vung tau"}  # fmt: skip
_DISTRICT_LEVEL = ("quan", "huyen", "thi xa")


@functools.lru_cache(maxsize=65536)
def _split(part: str) -> tuple[str, str]:
    """("huyen", "cu chi") from "Huyện Củ Chi"; ("", "cu chi") without a unit word."""
    text = fold(part).replace("-", " ")
    for pattern, replacement in _ABBREVIATIONS:
        text = pattern.sub(replacement, text, count=1)
    text = " ".join(re.sub(r"[^a-z0-9 ]", " ", text).split())
    for prefix in _PREFIXES:
        if text.startswith(prefix + " "):
            return prefix, _name_key(text[len(prefix) + 1 :])
    return "", _name_key(text)


def _name_key(name: str) -> str:
    name = _PROVINCE_ALIASES.get(name, name)
    return str(int(name)) if name.isdigit() else name


@dataclass(frozen=True, slots=True)
class _Tables:
    legacy_provinces: dict[str, int]  # name key -> legacy province code
    current_provinces: dict[str, int]
    districts: dict[tuple[int, str], int]  # (legacy province, key) -> district code
    district_level_city: frozenset[int]  # districts that were a "thành phố" or "thị xã"
    wards: dict[tuple[int, str], int]  # (district, key) -> legacy ward code
    district_wards: dict[int, tuple[int, ...]]


@functools.cache
def _tables() -> _Tables:
    from vietnam_provinces import Province
    from vietnam_provinces.legacy import District as LegacyDistrict
    from vietnam_provinces.legacy import Province as LegacyProvince
    from vietnam_provinces.legacy import Ward as LegacyWard

    legacy = {_split(p.name)[1]: int(p.code) for p in LegacyProvince.iter_all()}
    current = {_split(p.name)[1]: int(p.code) for p in Province.iter_all()}
    districts: dict[tuple[int, str], int] = {}
    cities: set[int] = set()
    for d in LegacyDistrict.iter_all():
        kind, key = _split(d.name)
        districts[(int(d.province_code), key)] = int(d.code)
        if kind in ("thanh pho", "thi xa"):
            cities.add(int(d.code))
    wards: dict[tuple[int, str], int] = {}
    district_wards: dict[int, list[int]] = {}
    for w in LegacyWard.iter_all():
        wards[(int(w.district_code), _split(w.name)[1])] = int(w.code)
        district_wards.setdefault(int(w.district_code), []).append(int(w.code))
    return _Tables(
        legacy,
        current,
        districts,
        frozenset(cities),
        wards,
        {k: tuple(v) for k, v in district_wards.items()},
    )


def _lower_unit(name: str) -> str:
    """ "Phường Sài Gòn" -> "phường Sài Gòn", as addresses write the unit word."""
    for word in ("Thành phố", "Đặc khu", "Phường", "Tỉnh", "Xã"):
        if name.startswith(word + " "):
            return word.lower() + name[len(word) :]
    return name


@functools.lru_cache(maxsize=16384)
def _new_wards(ward_code: int) -> tuple[tuple[str, int, str], ...]:
    """((current commune name, current province code, province name), ...) of an old ward."""
    from vietnam_provinces import Province, ProvinceCode, Ward

    out = []
    for match in Ward.search_from_legacy(code=ward_code):
        ward = match.ward
        province = Province.from_code(ProvinceCode(int(ward.province_code)))
        out.append((_lower_unit(ward.name), int(ward.province_code), _lower_unit(province.name)))
    return tuple(dict.fromkeys(out))


@functools.lru_cache(maxsize=4096)
def _province_name(code: int) -> str:
    from vietnam_provinces import Province, ProvinceCode

    return _lower_unit(Province.from_code(ProvinceCode(code)).name)


@dataclass(frozen=True, slots=True)
class LegacyPlace:
    """An address written with pre-2025 units, and what can be said of it today."""

    province: str | None  # the current province, when only one is possible
    proposal: str | None  # "phường X, thành phố Y" when the commune maps to one


@functools.lru_cache(maxsize=65536)
def legacy_place(text: str) -> LegacyPlace | None:
    """None when text does not use pre-2025 units (or is not an address we can read)."""
    parts = [p for p in (p.strip() for p in re.split(r"[,;]", text)) if p]
    if not parts:
        return None
    tables = _tables()
    split = [_split(p) for p in parts]
    province_key = split[-1][1]
    legacy_code = tables.legacy_provinces.get(province_key)
    old_province_name = legacy_code is not None and province_key not in tables.current_provinces
    if legacy_code is None:
        return None
    district_index = None
    for index in range(len(split) - 2, -1, -1):
        kind, key = split[index]
        code = tables.districts.get((legacy_code, key))
        if code is not None and (
            kind in _DISTRICT_LEVEL or (kind == "thanh pho" and code in tables.district_level_city)
        ):
            district_index = index
            break
    if district_index is None and not old_province_name:
        return None  # already a current address: "phường Sài Gòn, thành phố Hồ Chí Minh"
    candidates: tuple[tuple[str, int, str], ...] = ()
    if district_index is not None:
        district = tables.districts[(legacy_code, split[district_index][1])]
        if district_index > 0:
            ward = tables.wards.get((district, split[district_index - 1][1]))
            if ward is not None:
                candidates = _new_wards(ward)
        if not candidates:
            candidates = tuple(
                c for w in tables.district_wards.get(district, ()) for c in _new_wards(w)
            )
    else:
        from vietnam_provinces import Province

        provinces = {int(p.province.code) for p in Province.search_from_legacy(code=legacy_code)}
        candidates = tuple(("", code, _province_name(code)) for code in sorted(provinces))
    provinces = {province for _, province, _ in candidates}
    province = _province_name(provinces.pop()) if len(provinces) == 1 else None
    communes = {(name, province_name) for name, _, province_name in candidates if name}
    proposal = None
    if district_index is not None and district_index > 0 and len(communes) == 1:
        name, province_name = communes.pop()
        proposal = ", ".join([*parts[: district_index - 1], name, province_name])
    return LegacyPlace(province, proposal)

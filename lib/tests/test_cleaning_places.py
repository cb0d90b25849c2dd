"""lib.cleaning.places reads an address's end once for every address that shares it: the
result is the one reading the whole address gives."""

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from lib.cleaning import places


def _endings() -> list[str]:
    """Old addresses as units write them: commune, district, province (a sample of the
    country's), with the abbreviations officials type."""
    from vietnam_provinces.legacy import District, Province, Ward

    out = []
    for ward in itertools.islice(Ward.iter_all(), 0, None, 97):
        district = District.from_code(ward.district_code)
        province = Province.from_code(district.province_code)
        out.append(f"{ward.name}, {district.name}, {province.name}")
        out.append(f"{district.name}, {province.name}")
    return [
        *out,
        "Phường 5, Quận 3, TP. Hồ Chí Minh",
        "P.5, Q.3, TPHCM",
        "xã Tân Thông Hội, huyện Củ Chi, thành phố Hồ Chí Minh",
        "phường Sài Gòn, thành phố Hồ Chí Minh",
        "tỉnh Bình Dương",
        "Quận 1",
    ]


_PARTS = st.one_of(
    st.sampled_from(["Số 210", "ấp 15", "Khu phố 8", "tổ 3", "Quận 3", "huyện Củ Chi", "Q.1"]),
    st.text(alphabet="abcđêơư 0123456789.", min_size=1, max_size=12),
)


def _whole(text: str) -> places.LegacyPlace | None:
    """legacy_place with the shortcut off: every address read whole."""
    saved = places._TAIL
    places._TAIL = 10**6
    places.legacy_place.cache_clear()
    try:
        return places.legacy_place(text)
    finally:
        places._TAIL = saved
        places.legacy_place.cache_clear()


@settings(max_examples=500, deadline=None)
@given(
    st.lists(_PARTS, max_size=3),
    st.sampled_from(_endings()),
    st.lists(st.tuples(st.integers(0, 3), _PARTS), max_size=2),
)
def test_an_address_read_by_its_end_is_read_as_a_whole(
    start: list[str], ending: str, slips: list[tuple[int, str]]
) -> None:
    parts = [*start, *ending.split(", ")]
    for back, part in slips:  # a stray part typed inside the ending ("Quận 3, khu phố 8, …")
        parts.insert(max(len(parts) - back, 0), part)
    text = ", ".join(parts)
    assert places.legacy_place(text) == _whole(text)


def test_a_residence_keeps_its_house_and_hamlet_in_the_proposal() -> None:
    found = places.legacy_place("Số 210, ấp 15, Phường 5, Quận 3, TP. Hồ Chí Minh")
    assert found is not None
    assert found.proposal == "Số 210, ấp 15, phường Bàn Cờ, thành phố Hồ Chí Minh"

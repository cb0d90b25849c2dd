"""The bulk import's fast helpers return exactly what the lib/vn functions they stand in for do."""

from hypothesis import given
from hypothesis import strategies as st

from lib.cleaning import fast
from lib.tests.vn_names import ALL_NAMES
from lib.vn import text as vn_text

# Names as files carry them: any case, odd spaces, joiners, digits, eth, look-alikes, NFD.
_LETTERS = "aăâbcdđeêghiklmnoôơpqrstuưvxyAĂÂBCDĐEÊGHIKLMNOÔƠPQRSTUƯVXYz"
_ODD = " -'’ʼ.()0123456789\u00d0\u00f0\u0430\u043e\u200b\u0301\u0300\u0303\u0309\u0323ßǆ"
_names = st.one_of(
    st.sampled_from(ALL_NAMES),
    st.sampled_from(ALL_NAMES).map(str.upper),
    st.sampled_from(ALL_NAMES).map(str.lower),
    st.text(alphabet=_LETTERS + _ODD, max_size=30),
    st.text(max_size=20),
)


@given(_names)
def test_title_name_is_vn_title_name(name):
    assert fast.title_name(name) == vn_text.title_name(name)


@given(_names)
def test_nfc_shortcut_is_the_long_way(text):
    assert vn_text.nfc(text) == vn_text._nfc(text)


@given(_names)
def test_fold_is_vn_fold(text):
    assert fast.fold(text) == vn_text.fold(text)


def test_title_name_fast_path_on_plain_names():
    assert fast.title_name("nguyễn thị MINH khai") == "Nguyễn Thị Minh Khai"
    assert fast.title_name("h'hen niê") == "H'Hen Niê"
    assert fast.title_name("") == ""

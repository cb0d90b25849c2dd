"""Name search within a subtree: word and prefix semantics, the subtree, odd input, both backends.

The same tests run on SQLite and on PostgreSQL (scripts/test.sh), and every answer is checked
against `expected`, a plain-Python statement of the semantics: so both backends answer alike.
"""

import re

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import World, person
from lib.vn.text import fold
from members.models import Member
from members.search import MAX_WORDS, by_name, search_words, tsquery_text
from members.selectors import MemberFilters, members_for
from members.services import member_create
from orgs.models import Kind, Org
from orgs.services import org_create

NAMES_IN_CELL = [
    "Nguyễn Vân Anh",
    "Trần Văn Nguyên",
    "Ksor H'Hen",
    "Lê Thị Mai-Anh",
    "Đặng Văn An",
    "Nguyễn Văn Anh Tuấn",
    "Hoàng 2 Minh",
]


@pytest.fixture
def people(world: World) -> dict[str, list[Member]]:
    """The world's members, more names in its cell, and namesakes in another ward and province."""
    in_cell = [
        member_create(org=world.cell, data=person(100 + i, full_name=name))
        for i, name in enumerate(NAMES_IN_CELL)
    ]
    other_ward = member_create(org=world.other_cell, data=person(200, full_name="Nguyễn Văn An"))
    province = org_create(
        code="01", name="Đảng bộ Thành phố Hà Nội", kind=Kind.PROVINCE, parent=world.root
    )
    commune = org_create(
        code="01.00004", name="Đảng bộ Phường Ba Đình", kind=Kind.COMMUNE, parent=province
    )
    cell = org_create(
        code="01.00004.001", name="Chi bộ Khu phố 2", kind=Kind.GRASSROOTS_CELL, parent=commune
    )
    far = [
        member_create(org=cell, data=person(300 + i, full_name=name))
        for i, name in enumerate(["Nguyễn Văn An", "Trần Văn Nguyên"])
    ]
    return {
        "cell": [*world.members, *in_cell],
        "other_ward": [world.stranger, other_ward],
        "far": far,
    }


def expected(members: list[Member], q: str) -> set[str]:
    """The semantics, in plain Python: every word whole but the last, which starts a word."""
    words = re.findall(r"[a-z0-9]+", fold(q[:200]))[:MAX_WORDS]
    if not words:
        return set()
    found = set()
    for member in members:
        name_words = re.findall(r"[a-z0-9]+", fold(member.full_name))
        if all(w in name_words for w in words[:-1]) and any(
            n.startswith(words[-1]) for n in name_words
        ):
            found.add(member.cccd)
    return found


def found(org: Org, q: str) -> set[str]:
    rows = by_name(Member.objects.all(), path=org.path, q=q)
    return set(rows.values_list("cccd", flat=True))


def names(org: Org, q: str) -> list[str]:
    rows = by_name(Member.objects.all(), path=org.path, q=q).order_by("sort_key", "id")
    return [m.full_name for m in rows]


def test_every_word_is_whole_but_the_last_which_is_a_prefix(world, people) -> None:
    ward = world.ward
    three = sorted(["Nguyễn Văn An", "Nguyễn Văn Anh Tuấn", "Nguyễn Vân Anh"])
    assert sorted(names(ward, "nguyen van an")) == three
    assert sorted(names(ward, "nguyen van an ")) == three
    assert sorted(names(ward, "nguyen van anh")) == sorted(
        ["Nguyễn Văn Anh Tuấn", "Nguyễn Vân Anh"]
    )
    assert names(ward, "nguyen van anh tuan") == ["Nguyễn Văn Anh Tuấn"]
    assert names(ward, "nguyen van an tuan") == []
    # "ngu" is not a whole word; as the last word it is the start of "nguyen" or "nguyen".
    assert names(ward, "ngu van") == []
    assert sorted(names(ward, "van ngu")) == sorted([*three, "Trần Văn Nguyên"])
    # Diacritics and case do not matter; the order of the words does not either.
    assert names(ward, "TRẦN văn NGUYÊN") == ["Trần Văn Nguyên"]
    assert names(ward, "nguyen tran") == ["Trần Văn Nguyên"]
    # A word is a run of letters and digits, in names and in searches alike.
    assert names(ward, "h hen") == ["Ksor H'Hen"]
    assert names(ward, "ksor h'h") == ["Ksor H'Hen"]
    assert names(ward, "hhen") == []
    assert names(ward, "mai anh") == ["Lê Thị Mai-Anh"]
    assert names(ward, "2 m") == ["Hoàng 2 Minh"]
    # The middle of a word never matches, nor does the path of the organisation.
    assert names(ward, "guyen") == []
    assert names(ward, world.cell.path.lower()) == []
    assert names(ward, world.cell.path) == []


def test_a_search_never_leaves_the_subtree(world, people) -> None:
    all_members = people["cell"] + people["other_ward"] + people["far"]
    assert len(found(world.root, "nguyen van an")) == 5
    assert found(world.city, "nguyen van an") == expected(
        people["cell"] + people["other_ward"], "nguyen van an"
    )
    assert found(world.ward, "nguyen van an") == expected(people["cell"], "nguyen van an")
    assert found(world.cell, "tran van nguyen") == expected(people["cell"], "tran van nguyen")
    assert found(world.other_ward, "nguyen van an") == expected(
        people["other_ward"], "nguyen van an"
    )
    assert found(world.other_ward, "tran") == set()
    assert found(world.root, "tran van nguyen") == expected(all_members, "tran van nguyen")


def test_a_user_and_an_api_token_search_through_the_same_selector(world, people) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from access.services import api_token_create

    viewer = world.users["central"]
    rows = members_for(
        viewer=viewer, org=world.city, filters=MemberFilters(q="van an", status="all")
    )
    assert {m.cccd for m in rows} == expected(people["cell"] + people["other_ward"], "van an")
    keys = [(m.sort_key, m.id) for m in rows]
    assert keys == sorted(keys)
    token, _secret = api_token_create(
        by=viewer,
        org=world.ward,
        name="t",
        can_write=False,
        expires_at=timezone.now() + timedelta(days=1),
    )
    by_token = members_for(viewer=token, org=world.ward, filters=MemberFilters(q="nguyen van"))
    assert {m.cccd for m in by_token} == expected(people["cell"], "nguyen van")


ODD = [
    "%",
    "_",
    "%_%",
    "\\",
    "'",
    "''",
    '"',
    "&",
    "!",
    "|",
    ":*",
    "nguyen & van",
    "nguyen | tran",
    "!nguyen",
    "nguyen:*",
    "van' & 'an",
    "a\\'b",
    "(an",
    "<->",
    "' OR 1=1 --",
    "%nguyen%",
    "ngu_en",
    "an" * 300,
    "nguyen " * 60,
    "...",
    "—–‐",
    "\u0000",
    "🙂 an",
    "ø",
    "   ",
]


@pytest.mark.parametrize("q", ODD)
def test_odd_input_never_fails_and_means_what_its_words_mean(world, people, q: str) -> None:
    members = people["cell"]
    assert found(world.ward, q) == expected(members, q)
    rows = members_for(
        viewer=world.users["central"], org=world.ward, filters=MemberFilters(q=q, status="all")
    )
    list(rows[:51])


def test_a_search_of_punctuation_only_finds_nobody(world, people) -> None:
    assert found(world.ward, "%") == set()
    assert found(world.ward, "!&'") == set()
    assert search_words("!&'%_") == []


def test_the_query_text_is_quoted_exact_tokens() -> None:
    assert tsquery_text("0001000A", ["nguyen", "van"]) == "'/0001000A' & 'nguyen' & '>van'"
    assert tsquery_text("", ["an"]) == "'>an'"
    assert tsquery_text("0001", ["it's", "a\\b"]) == "'/0001' & 'it''s' & '>a\\\\b'"


_ALPHABET = st.sampled_from(
    [
        *"anguyehtvcmiă ơâđ'’-_%&!:*\\|()",
        "Nguyễn",
        "Văn",
        "An",
        "Anh",
        "Thị",
        "Trần",
        "H'",
        "Mai",
        "2",
    ]
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(q=st.lists(_ALPHABET, max_size=8).map("".join))
def test_any_search_answers_as_the_semantics_say(world, people, q: str) -> None:
    assert found(world.ward, q) == expected(people["cell"], q)
    assert found(world.root, q) == expected(
        people["cell"] + people["other_ward"] + people["far"], q
    )


def _plan(rows) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        sql, params = rows.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(line for (line,) in cursor.fetchall())


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the indexes are PostgreSQL's")
def test_postgresql_answers_from_the_search_indexes(world, people) -> None:
    # A ward: the GIN index, the ward's path token among the words.
    plan = _plan(by_name(Member.objects.all(), path=world.ward.path, q="nguyen van a"))
    assert "member_search" in plan and "'/" in plan, plan
    # A province: left(org_path, 8) for both the GIN index and the province's name order.
    city = by_name(Member.objects.all(), path=world.city.path, q="nguyen van a")
    assert "member_search" in _plan(city), _plan(city)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_bitmapscan = off")
    plan = _plan(city.order_by("sort_key", "id")[:51])
    assert "member_top_sort" in plan, plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the function is PostgreSQL's")
def test_the_search_vector_holds_paths_words_and_their_starts(world, people) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT member_search_vector(search_name)::text FROM members_member WHERE cccd = %s",
            [people["cell"][-1].cccd],
        )
        (vector,) = cursor.fetchone()
    tokens = set(re.findall(r"'([^']*)'", vector))
    paths = {f"/{prefix}" for prefix in world.cell.ancestor_paths()}
    words = {"hoang", "2", "minh"}
    starts = {">h", ">ho", ">hoa", ">hoan", ">hoang", ">2", ">m", ">mi", ">min", ">minh"}
    assert tokens == paths | words | starts

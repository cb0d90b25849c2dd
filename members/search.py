"""The member list of a subtree, by name, by CCCD or whole, the same on SQLite and PostgreSQL.

Semantics (typeahead): the query is folded (lower case, no diacritics) and cut into words, a word
being a run of [a-z0-9]; a member matches when every word but the last is a whole word of the
folded name and the last is the start of one, in any order ("van nguy" finds "Nguyễn Văn An").
Names are cut the same way, so "mai anh" finds "Mai-Anh" and "hhen" does not find "H'Hen".

PostgreSQL (migration 0005): `member_search_vector(search_name)` is a tsvector of exact tokens:
"/PATH" for each ancestor path, each name word ("nguyen"), and ">" + each start of each word
(">n" … ">nguyen"), so the typed start of the last word is one token too and GIN never has to
merge the posting lists of every word that starts with it. One GIN index holds
(left(org_path, 8), that vector) (btree_gin for the first column), one B-tree holds
(left(org_path, 8), sort_key):

- a province (or any organisation right under the root: path of 8) is searched as
  `left(org_path, 8) = 'P' AND vector @@ 'nguyen' & '>van'`. Both indexes serve that condition,
  and the planner, which estimates both parts from their own statistics, reads either the
  province's matches from GIN (rare names: few rows to sort) or the province's members in name
  order until 51 match (common names: "nguyen", "pham", "nguyen van");
- any other subtree as `vector @@ '/PATH' & 'nguyen' & '>van'`: GIN intersects the subtree's
  token with the words' tokens, and a ward has a few thousand members at most.

The province is not also written as a path token: the planner would count its selectivity twice
and take a province's common name for a rare one.

SQLite (migration 0012): the full-text table `members_member_search` holds, per member, "~PATH",
"~STATUS", "~SEX" and the words of the folded name, kept by triggers. A list (a name search, a
CCCD, or the whole subtree, each with the status and sex filters) is answered in one of two ways:

- from the index, when it names at most SORTED_AT_MOST members: their ids, then their rows sorted
  by name (a rare name, "xyz", anything in a ward or a cell);
- in name order, otherwise: the `member_sort` index read in order, each row tested (LIKE, then a
  REGEXP for the word boundary; Django registers REGEXP on every SQLite connection) until the
  page is full. More than SORTED_AT_MOST matches make a page come early ("nguyen", "thi", "n").

The count of the index's answer, capped, chooses between them (one query). Reading in name order
was SQLite's only plan before: for a rare name it read the whole table (1.1-1.6 s for the demo
city's 365,911 members, a cell's "xyz" as much as the city's).

A name with a character outside " "…"}" (a letter that is not ASCII, "~") is marked in the index
with a lone "~": the tokenizer's words of such a name may differ from ours ("søren" is one word to
FTS5, "s" and "ren" here), so the index only says it is in the subtree and the row is tested as in
name order.
"""

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connections
from django.db.models import BooleanField, CharField, F, Func, Q, QuerySet, Value
from django.db.models.expressions import RawSQL

from lib.vn.text import fold

from .models import Member, Sex, Status

CCCD_LENGTH = 12
# The view cuts input at 100 characters; this bounds the API and any other caller too.
MAX_INPUT = 200
MAX_WORDS = 8
# Paths are 4 characters a level; a path of 8 is a province or another organisation right
# under the root, whose members are a range of the indexes on left(org_path, 8).
TOP_PATH_LENGTH = 8
PATH_TOKEN = "/"
PREFIX_TOKEN = ">"
_WORD = re.compile(r"[a-z0-9]+")


def search_words(q: str) -> list[str]:
    """The words of a search, folded, each a run of [a-z0-9], at most MAX_WORDS of them."""
    return _WORD.findall(fold(q[:MAX_INPUT]))[:MAX_WORDS]


def _quoted(lexeme: str) -> str:
    # tsquery input: a quoted lexeme, with ' doubled and \ escaped. Words are [a-z0-9] and paths
    # base36, so neither occurs; quoting anyway keeps the query text safe whatever it is given.
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def tsquery_text(path: str, words: list[str]) -> str:
    """`'/PATH' & 'w1' & … & '>wn'` (no path: no path token), for CAST(… AS tsquery).

    Only exact tokens, no `:*` prefix match, and no text-search parser involved.
    """
    terms = [_quoted(PATH_TOKEN + path)] if path else []
    terms += [_quoted(w) for w in words[:-1]]
    terms.append(_quoted(PREFIX_TOKEN + words[-1]))
    return " & ".join(terms)


class TopPath(Func):
    """`left(org_path, 8)`, written as the indexes of migration 0005 have it (a literal 8)."""

    template = f"left(%(expressions)s, {TOP_PATH_LENGTH})"
    output_field = CharField()


class MatchesSearchVector(Func):
    """`member_search_vector(search_name) @@ CAST(%s AS tsquery)`: answered by the GIN index."""

    output_field = BooleanField()

    def __init__(self, query: str) -> None:
        super().__init__(F("search_name"), Value(query))

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> Any:  # type: ignore[override]
        field, query = self.get_source_expressions()
        field_sql, field_params = compiler.compile(field)
        query_sql, query_params = compiler.compile(query)
        return (
            f"member_search_vector({field_sql}) @@ CAST({query_sql} AS tsquery)",
            [*field_params, *query_params],
        )


class Contains(Func):
    """`strpos(search_name, 'word') <> 0`: a cheap necessary condition for the word.

    Where the planner reads members in name order and filters them, it evaluates these first
    (they cost far less than building a search vector, ~5 µs a row), so the vector is built only
    for the few rows that contain every word. Their estimated selectivity is that of `<>` on an
    expression without statistics, 0.995: the planner still estimates the search from the
    search vector's statistics alone.
    """

    template = "strpos(%(expressions)s) <> 0"
    output_field = BooleanField()

    def __init__(self, word: str) -> None:
        super().__init__(F("search_name"), Value(word))


def _postgresql(members: QuerySet[Member], path: str, words: list[str]) -> QuerySet[Member]:
    if len(path) == TOP_PATH_LENGTH:
        members = members.alias(top_path=TopPath("org_path")).filter(top_path=path)
        path = ""
    members = members.filter(MatchesSearchVector(tsquery_text(path, words)))
    for word in dict.fromkeys(words):
        members = members.filter(Contains(word))
    return members


def _word_regex(word: str, *, whole: bool) -> str:
    # search_name is "PATH folded name": skip the path, then the word at a word start.
    return rf"^[^ ]* (.*[^a-z0-9])?{word}" + ("([^a-z0-9]|$)" if whole else "")


def _name_q(path: str, words: list[str]) -> Q:
    """The subtree and the words as conditions every row is tested on (SQLite's plain REGEXP)."""
    # startswith is a LIKE, which SQLite cannot answer from an index: the condition stays a test
    # of each row, and the rows are read in name order (index member_sort).
    condition = Q(org_path__startswith=path)
    for i, word in enumerate(words):
        whole = i < len(words) - 1
        condition &= Q(search_name__contains=word) & Q(
            search_name__regex=_word_regex(word, whole=whole)
        )
    return condition


def _filtered(
    members: QuerySet[Member], statuses: Collection[str] | None, sex: str
) -> QuerySet[Member]:
    if statuses is not None:
        members = members.filter(status__in=sorted(statuses))
    if sex:
        members = members.filter(sex=sex)
    return members


# SQLite ------------------------------------------------------------------------------------

SEARCH_TABLE = "members_member_search"
# The most members SQLite sorts by name for one page (~1.6 µs each, bench/search.py). A search that
# finds more reads members in name order instead, where a page comes after about
# page size * total / SORTED_AT_MOST rows when its matches are spread over the alphabet (about
# 2,000 rows of the demo city's 365,911; surnames, middle names and short prefixes are).
SORTED_AT_MOST = 10_000
MARK = "~"


def _mark(value: str) -> str:
    # An FTS5 string: a marked word of the index, "~" a word character there.
    return '"' + MARK + value.replace("_", "").replace('"', '""') + '"'


def _index_query(
    path: str, statuses: Collection[str] | None, sex: str, words: Sequence[str] = ()
) -> str:
    """An FTS5 query of the search index: the members in the subtree, with the filters and the
    words, among those whose names the index holds as we cut them (not marked)."""
    wanted = [_mark(path) + "*"]
    unwanted = [f'"{MARK}"']
    if statuses is not None:
        if Status.OFFICIAL in statuses:
            # Most members are official: "none of the other statuses" (few rows) reads far less
            # of the index than "official" or "official or probationary" (nearly all of it).
            unwanted += [_mark(s) for s in sorted(set(Status.values) - set(statuses))]
        else:
            wanted.append("(" + " OR ".join(_mark(s) for s in sorted(statuses)) + ")")
    if sex:
        wanted.append(_mark(sex))
    if words:
        wanted += [f'"{w}"' for w in words[:-1]] + [f'"{words[-1]}"*']
    return "(" + " AND ".join(wanted) + ") NOT (" + " OR ".join(unwanted) + ")"


def _marked_query(path: str, statuses: Collection[str] | None, sex: str) -> str:
    """An FTS5 query of the members in the subtree with the filters whose names are marked.

    Such a name may hold words like the index's own ("~deceased"): they may add it to what the
    index finds (its rows are tested), never take it away, so the query only asks for words.
    """
    wanted = [_mark(path) + "*", f'"{MARK}"']
    if statuses is not None and Status.OFFICIAL not in statuses:
        wanted.append("(" + " OR ".join(_mark(s) for s in sorted(statuses)) + ")")
    if sex:
        wanted.append(_mark(sex))
    return " AND ".join(wanted)


def _subtree_query(path: str, statuses: Collection[str] | None, sex: str) -> str:
    """Members of the subtree with the filters, marked names included (to be tested)."""
    return f"({_index_query(path, statuses, sex)}) OR ({_marked_query(path, statuses, sex)})"


_INDEX_SQL = f"SELECT rowid FROM {SEARCH_TABLE} WHERE {SEARCH_TABLE} MATCH %s"


def _in_index(query: str) -> RawSQL:
    return RawSQL(_INDEX_SQL, [query])


def _at_most(db: str, sql: str, params: list[Any], limit: int | None = None) -> int:
    """How many ids `sql` gives, counting at most limit (SORTED_AT_MOST) + 1 of them."""
    limit = SORTED_AT_MOST if limit is None else limit
    with connections[db].cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM ({sql} LIMIT {int(limit) + 1})", params)
        return int(cursor.fetchone()[0])


def _index_finds_many(db: str, query: str) -> bool:
    return _at_most(db, _INDEX_SQL, [query]) > SORTED_AT_MOST


def _sqlite_by_name(
    members: QuerySet[Member],
    path: str,
    words: list[str],
    statuses: Collection[str] | None,
    sex: str,
) -> QuerySet[Member]:
    exact = _index_query(path, statuses, sex, words)
    if _index_finds_many(members.db, exact):
        return members.filter(_name_q(path, words))
    # Marked names are tested here, row by row.
    marked = _marked_query(path, statuses, sex)
    return members.filter(
        Q(id__in=_in_index(exact)) | (Q(id__in=_in_index(marked)) & _name_q(path, words))
    )


def _sqlite_in_subtree(
    members: QuerySet[Member], path: str, statuses: Collection[str] | None, sex: str
) -> QuerySet[Member]:
    query = _subtree_query(path, statuses, sex)
    # The subtree and the filters are tested on the rows too (_filtered): for marked names.
    members = members.filter(org_path__startswith=path)
    if _index_finds_many(members.db, query):
        return members
    return members.filter(id__in=_in_index(query))


def _sqlite_cccd_candidates(
    db: str, path: str, digits: str, statuses: Collection[str] | None, sex: str
) -> RawSQL | None:
    """The ids to sort for a CCCD prefix, or None when every way finds too many."""
    # The numbers that start with these digits are a range of the unique index ("9" < ":"), the
    # subtree's members a query of the search index: the fewer are sorted by name.
    numbers = (
        "SELECT id FROM members_member WHERE cccd >= %s AND cccd < %s",
        [digits, digits + ":"],
    )
    subtree = (_INDEX_SQL, [_subtree_query(path, statuses, sex)])
    count, (sql, params) = min(
        ((_at_most(db, *candidates), candidates) for candidates in (numbers, subtree)),
        key=lambda counted: counted[0],
    )
    return None if count > SORTED_AT_MOST else RawSQL(sql, params)


def _sqlite_count_by_index(
    members: QuerySet[Member],
    path: str,
    words: list[str],
    statuses: Collection[str] | None,
    sex: str,
    at_most: int,
) -> int:
    """The index's count of names it holds as we cut them, and marked names tested."""
    exact = _at_most(members.db, _INDEX_SQL, [_index_query(path, statuses, sex, words)], at_most)
    marked = members.filter(id__in=_in_index(_marked_query(path, statuses, sex)))
    marked = _filtered(marked.filter(_name_q(path, words)), statuses, sex)
    return exact + marked.order_by()[: at_most + 1].count()


# Both --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberSearch:
    """A member list: the members of the subtree at `path` whose name matches `q` (typeahead
    words) or whose CCCD is or starts with the digits `cccd`, with one of `statuses` (None: any)
    and of `sex` ("": either). A `q` without words matches nobody."""

    path: str
    q: str = ""
    cccd: str = ""
    # Whether fewer than 12 digits find the members whose CCCD starts with them (else they
    # find nobody: only a whole number does).
    cccd_prefix: bool = True
    statuses: frozenset[str] | None = None
    sex: str = ""

    def _nobody(self) -> bool:
        return (
            (bool(self.q) and not search_words(self.q))
            or (bool(self.cccd) and not self.cccd.isdigit())
            or (bool(self.cccd) and len(self.cccd) < CCCD_LENGTH and not self.cccd_prefix)
            or (self.statuses is not None and not self.statuses <= set(Status.values))
            or self.statuses == frozenset()
            or self.sex not in ("", *Sex.values)
        )

    def rows(self, members: QuerySet[Member]) -> QuerySet[Member]:
        """The members of `members` in the list, in no order."""
        if self._nobody():
            return members.none()
        path, statuses, sex = self.path, self.statuses, self.sex
        sqlite = connections[members.db].vendor == "sqlite"
        if self.cccd:
            members = members.filter(org_path__startswith=path)
            if len(self.cccd) == CCCD_LENGTH:
                members = members.filter(cccd=self.cccd)  # the unique index, one row
            else:
                members = members.filter(cccd__startswith=self.cccd)
                candidates = (
                    _sqlite_cccd_candidates(members.db, path, self.cccd, statuses, sex)
                    if sqlite
                    else None
                )
                if candidates is not None:
                    members = members.filter(id__in=candidates)
        elif self.q:
            words = search_words(self.q)
            if sqlite:
                members = _sqlite_by_name(members, path, words, statuses, sex)
            else:
                members = _postgresql(members, path, words)
        elif sqlite:
            members = _sqlite_in_subtree(members, path, statuses, sex)
        else:
            members = members.filter(org_path__startswith=path)
        return _filtered(members, statuses, sex)

    def count(self, members: QuerySet[Member], *, at_most: int) -> int:
        """How many members of `members` the list holds, counting at most at_most + 1: never
        more rows read than that (SQLite: entries of its index), whatever the subtree."""
        if self._nobody():
            return 0
        if connections[members.db].vendor != "sqlite" or (
            self.cccd and len(self.cccd) == CCCD_LENGTH
        ):
            return self.rows(members).order_by()[: at_most + 1].count()
        path, statuses, sex = self.path, self.statuses, self.sex
        if not self.cccd:
            words = search_words(self.q) if self.q else []
            return min(
                _sqlite_count_by_index(members, path, words, statuses, sex, at_most),
                at_most + 1,
            )
        members = members.filter(org_path__startswith=path)
        candidates = _sqlite_cccd_candidates(members.db, path, self.cccd, statuses, sex)
        if candidates is not None:
            members = members.filter(id__in=candidates)
        # Else the numbers in order of the unique index, until enough are in the list.
        members = members.filter(cccd__gte=self.cccd, cccd__lt=self.cccd + ":")
        return _filtered(members, statuses, sex).order_by()[: at_most + 1].count()


def by_name(members: QuerySet[Member], *, path: str, q: str) -> QuerySet[Member]:
    """Members of `members` in the subtree at `path` whose name matches the search `q`.

    A search without any word (only punctuation) matches nobody.
    """
    return MemberSearch(path=path, q=q or " ").rows(members)

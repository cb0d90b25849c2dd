"""Member search by name within a subtree, the same on SQLite and PostgreSQL.

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

SQLite (small data): the subtree is a range of the `org_path` index (migration 0005), each word a
LIKE (cheap, narrows) and a REGEXP for the word boundary (Django registers REGEXP on every SQLite
connection).
"""

import re
from typing import Any

from django.db import connections
from django.db.models import BooleanField, CharField, F, Func, Q, QuerySet, Value

from lib.vn.text import fold

from .models import Member

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


def by_name(members: QuerySet[Member], *, path: str, q: str) -> QuerySet[Member]:
    """Members of `members` in the subtree at `path` whose name matches the search `q`.

    A search without any word (only punctuation) matches nobody.
    """
    words = search_words(q)
    if not words:
        return members.none()
    if connections[members.db].vendor == "postgresql":
        return _postgresql(members, path, words)
    # The subtree as a range of org_path (paths are [0-9A-Z], all before "~"), which SQLite
    # answers from an index; startswith's LIKE … ESCAPE cannot use one.
    condition = Q(org_path__gte=path, org_path__lt=path + "~")
    for i, word in enumerate(words):
        whole = i < len(words) - 1
        condition &= Q(search_name__contains=word) & Q(
            search_name__regex=_word_regex(word, whole=whole)
        )
    return members.filter(condition)

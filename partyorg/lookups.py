"""`field__any=[...]`: a column equal to any value of a list, sent as one parameter.

Django's `__in` writes one placeholder per value and prepares each value in Python; for the
thousands of CCCDs a batch looks up that cost more than the query (and SQLite caps the number
of placeholders, so callers cut lists into chunks). This lookup sends the list whole: an array
on PostgreSQL (`= ANY(%s)`), a JSON array read by `json_each` on SQLite. Values are strings or
integers, compared as they are.
"""

from typing import Any

from django.db.models import CharField, IntegerField, Lookup

from partyorg.db import dumps_json


class AnyOf(Lookup):
    lookup_name = "any"
    prepare_rhs = False

    def get_prep_lookup(self) -> list[Any]:
        return list(self.rhs)

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s)", (*lhs_params, self.rhs)
        return f"{lhs} IN (SELECT value FROM json_each(%s))", (*lhs_params, dumps_json(self.rhs))


def register() -> None:
    """On text and integer columns (ids and foreign keys included), where it is used: not on
    every field, where `values__any` would stop meaning a JSON document's key "any"."""
    CharField.register_lookup(AnyOf)
    IntegerField.register_lookup(AnyOf)

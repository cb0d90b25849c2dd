"""A raw LIKE lookup: Django escapes % and _ in contains/startswith, and we need both at once."""

from typing import Any

from django.db.models import CharField, Lookup, TextField


def like_escape(text: str) -> str:
    """Escape LIKE's wildcards in user text; the pattern's own % are added around it."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class Like(Lookup[Any]):
    lookup_name = "like"

    def as_sql(self, compiler: Any, connection: Any) -> Any:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} LIKE {rhs} ESCAPE '\\'", [*lhs_params, *rhs_params]


CharField.register_lookup(Like)
TextField.register_lookup(Like)

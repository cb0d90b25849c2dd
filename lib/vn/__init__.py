"""Pure-Python helpers for Vietnamese member data: names, IDs, dates, phones, codes.

Nothing here imports Django, so the rules can run in import scripts, in tests and in
background jobs alike. Every normaliser returns ``(value, problems)``: the caller keeps
the original value and decides what to do with each :class:`~lib.vn.problems.Problem`.
"""

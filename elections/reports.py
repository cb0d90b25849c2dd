"""The election's printed papers, with WeasyPrint as the congress reports are made: the ballots
(the congress's header, the candidates in the list's order, one number a ballot) and the
minutes of the count (biên bản kiểm phiếu)."""

import logging

from django.template.loader import render_to_string
from django.utils import timezone

from congresses.reports import PARTY, number

from .models import Election
from .selectors import roll_of, tally_rows
from .services import agree_form

# Ballots on one file at most: a congress of delegates prints a few hundred.
MAX_BALLOTS = 2000


def _pdf(html: str) -> bytes:
    # Its progress is not news (it logs some while it is imported).
    logging.getLogger("weasyprint").setLevel(logging.WARNING)
    # Imported here: pango is loaded only when a PDF is asked for.
    from weasyprint import HTML

    pdf = HTML(string=html).write_pdf()
    assert pdf is not None
    return bytes(pdf)


def _header(election: Election) -> dict[str, object]:
    congress = election.congress
    return {
        "party": PARTY,
        "org": congress.org,
        "congress": congress,
        "election": election,
        "convening": congress.org.parent.name if congress.org.parent else congress.org.name,
    }


def ballots_html(election: Election) -> str:
    # Before counting starts, one ballot for everyone on the voter list (present or not).
    roll = roll_of(election.congress)
    listed = roll.voters.count() if roll is not None else 0
    count = min(election.ballots_issued or listed or election.congress.summoned or 1, MAX_BALLOTS)
    return render_to_string(
        "elections/ballots_pdf.html",
        {
            **_header(election),
            "candidates": list(election.candidates.all()),
            "numbers": range(1, count + 1),
            "agree_columns": agree_form(election),
        },
    )


def ballots_pdf(election: Election) -> bytes:
    return _pdf(ballots_html(election))


def minutes_html(election: Election) -> str:
    rows = tally_rows(election)
    return render_to_string(
        "elections/minutes_pdf.html",
        {
            **_header(election),
            "rows": [
                {
                    "position": r.candidate.position,
                    "name": r.candidate.full_name,
                    "votes": number(r.candidate.votes or 0),
                    "percent": r.percent,
                    "elected": r.candidate.elected,
                    "tied": r.candidate.tied,
                }
                for r in rows
            ],
            "base": number(election.base or 0),
            "issued": number(election.ballots_issued or 0),
            "received": number((election.valid or 0) + (election.invalid or 0)),
            "valid": number(election.valid or 0),
            "invalid": number(election.invalid or 0),
            "elected": [r.candidate.full_name for r in rows if r.candidate.elected],
            "open_seats": election.seats - sum(1 for r in rows if r.candidate.elected),
            "day": timezone.localtime(election.closed_at or timezone.now()).strftime("%d/%m/%Y"),
        },
    )


def minutes_pdf(election: Election) -> bytes:
    return _pdf(minutes_html(election))

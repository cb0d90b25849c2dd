"""The handbook's home-page card of the member's next meeting (registered in apps.py)."""

from django.http import HttpRequest
from django.urls import reverse

from handbook.home import Card
from members.models import Member

from .selectors import next_meeting


def next_meeting_card(request: HttpRequest, member: Member | None) -> Card | None:
    """The next meeting of the member's cell, and its papers kept on the phone for offline."""
    if member is None:
        return None
    meeting = next_meeting(member)
    if meeting is None:
        return None
    documents = list(meeting.documents.values_list("pk", flat=True))
    precache = [reverse("meetings:detail", args=[meeting.pk])] + [
        reverse("meetings:document", args=[pk]) for pk in documents
    ]
    return Card(
        "meetings/_home_card.html",
        {"meeting": meeting, "documents": len(documents), "precache": " ".join(precache)},
    )

"""Reading the handbook's records, always from the viewer: a member reads the documents
published above their own cell, and their own record; an official the documents of the
organisations they hold a grant on (and the rates of their subtree)."""

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from access.models import Role
from access.scope import granted_paths, own_member_id
from lib.vn.text import fold
from members.models import Member
from members.selectors import get_member_for_user

from .models import Document, DocumentRead


def own_member(actor: Any) -> Member | None:
    """The actor's own member record, through the one scoping path; None if they have none."""
    member_id = own_member_id(actor)
    if member_id is None:
        return None
    return get_member_for_user(actor, member_id)


def _ancestor_paths(path: str) -> list[str]:
    return [path[:end] for end in range(4, len(path) + 1, 4)]


def documents_visible_to(actor: Any, member: Member | None = None) -> QuerySet[Document]:
    """Documents published to the actor's own cell (by it or any organisation above it), and
    those published in the subtrees the actor holds a grant on."""
    q = Q(pk__in=[])
    if member is not None:
        q |= Q(org_path__in=_ancestor_paths(member.org_path))
    for path in granted_paths(actor, Role.VIEWER):
        q |= Q(org_path__startswith=path)
    return Document.objects.filter(q, withdrawn_at__isnull=True).select_related("org")


def documents_search(
    actor: Any, member: Member | None, *, query: str = "", kind: str = "", saved: bool = False
) -> QuerySet[Document]:
    rows = documents_visible_to(actor, member)
    for word in fold(query).split()[:8]:
        rows = rows.filter(search_text__contains=word)
    if kind:
        rows = rows.filter(kind=kind)
    if saved:
        rows = (
            rows.filter(reads__member=member, reads__bookmarked_at__isnull=False)
            if member
            else rows.none()
        )
    return rows.order_by("-published_at", "-id")


def get_document_for_user(actor: Any, member: Member | None, document_id: int) -> Document:
    document = documents_visible_to(actor, member).filter(pk=document_id).first()
    if document is None:
        raise Http404
    return document


def reads_of(member: Member | None, documents: list[Document]) -> dict[int, DocumentRead]:
    if member is None or not documents:
        return {}
    rows = DocumentRead.objects.filter(member=member, document__in=documents)
    return {row.document_id: row for row in rows}


def unread_documents(member: Member | None, actor: Any, limit: int = 5) -> list[Document]:
    """Documents for the member's cell they have not opened yet, newest first."""
    if member is None:
        return []
    rows = (
        Document.objects.filter(
            org_path__in=_ancestor_paths(member.org_path), withdrawn_at__isnull=True
        )
        .exclude(reads__member=member, reads__opened_at__isnull=False)
        .select_related("org")
        .order_by("-published_at", "-id")
    )
    return list(rows[:limit])

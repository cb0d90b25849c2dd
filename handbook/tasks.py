"""Background work of the handbook (django.tasks; `partyorg worker` runs it)."""

from django.tasks import task
from django.utils.translation import gettext as _
from django.utils.translation import override

from notices.services import notify

from .models import Document


@task()
def document_announce(document_id: int) -> None:
    """Tell the members of the publishing organisation's subtree of a new document (a city's
    hundreds of thousands of notifications are written here, not in the publishing request)."""
    from .services import audience_users

    document = Document.objects.filter(pk=document_id).select_related("org").first()
    if document is None or document.withdrawn_at is not None:
        return
    with override("vi"):
        notify(
            audience_users(document.org),
            kind="document",
            title=_("Tài liệu mới: %(title)s") % {"title": document.title},
            body=document.org.name,
            url=f"/so-tay/tai-lieu/{document.pk}/",
        )

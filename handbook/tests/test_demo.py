"""The handbook's demo data: documents, adoption varying by unit, the demo member activated."""

import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from accounts.demo import DEMO_PASSWORD
from core.tick import tick
from handbook import adoption
from handbook.models import Document, DocumentRead, MemberActivity
from orgs.models import Org

# Transactional: the generator rebuilds indexes after its bulk load, which PostgreSQL refuses
# inside a transaction still holding the load's deferred constraint checks (a test's atomic block).
pytestmark = pytest.mark.django_db(transaction=True)


def test_demo_publishes_documents_and_activates_the_demo_member(settings, tmp_path):
    settings.PARTYORG_DEMO = True
    settings.PARTYORG_DEMO_LOADING = tmp_path / "loading"
    call_command("demo", scale="ward", members=300, stdout=io.StringIO())
    tick()
    assert Document.objects.count() == 3
    assert DocumentRead.objects.filter(studied_at__isnull=False).exists()
    client = Client()
    client.post(reverse("accounts:login"), {"username": "dangvien", "password": DEMO_PASSWORD})
    from accounts.models import User

    member = User.objects.get(username="dangvien").member
    assert MemberActivity.objects.filter(member=member, installed_at__isnull=False).exists()
    page = client.get(reverse("handbook:documents")).content.decode()
    assert "Nghị quyết Đại hội" in page
    province = Org.objects.get(parent__parent__isnull=True, kind="province")
    own, _children = adoption.shares(province)
    assert 0 < own.done < own.eligible
    # The file opens: stored encrypted, a real PDF.
    document = Document.objects.order_by("pk").first()
    assert document is not None
    body = client.get(reverse("handbook:document_file", args=[document.pk])).content
    assert body.startswith(b"%PDF-1.4")

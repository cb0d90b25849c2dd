"""Documents: published to a subtree, guarded and encrypted, searched without diacritics,
read in the page, bookmarked, marked studied with rates per unit."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse

from core.tick import tick
from handbook import adoption
from handbook.counting import studied_key
from handbook.models import Document, DocumentRead
from handbook.services import document_publish, document_studied
from notices.models import Notification
from orgs.rollups import counts_of

from .factories import PDF, PNG, docx_bytes, odt_bytes, upload

pytestmark = pytest.mark.django_db


def _publish(world, org=None, name="nghi-quyet.pdf", data=PDF, **kw):
    return document_publish(
        org=org or world.ward,
        upload=upload(name, data),
        title=kw.pop("title", "Nghị quyết Đại hội Đảng bộ phường"),
        kind=kw.pop("kind", "resolution"),
        by=world.users["ward"],
        **kw,
    )


def test_published_file_is_stored_encrypted_and_served_to_the_subtree(world):
    document = _publish(world)
    stored = Path(settings.MEDIA_ROOT) / document.file_path
    assert stored.exists() and PDF not in stored.read_bytes()
    client = world.client("member")  # a member of a cell of the ward
    response = client.get(reverse("handbook:document_file", args=[document.pk]))
    assert response.status_code == 200
    assert response.content == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    assert "sandbox" in response["Content-Security-Policy"]
    download = client.get(reverse("handbook:document_file", args=[document.pk]) + "?tai=1")
    assert download["Content-Disposition"].startswith("attachment")


def test_a_member_outside_the_subtree_gets_404(world):
    document = _publish(world)
    outsider = world.users["outsider"]
    outsider.member = world.stranger  # a member of the other ward
    outsider.save(update_fields=["member"])
    client = world.client("outsider")
    for name in ("handbook:document", "handbook:document_file"):
        assert client.get(reverse(name, args=[document.pk])).status_code == 404
    assert document.title not in client.get(reverse("handbook:documents")).content.decode()


def test_documents_from_above_reach_the_cell_and_not_sideways(world):
    above = _publish(world, org=world.city, title="Chỉ thị của Thành uỷ", kind="directive")
    sideways = _publish(world, org=world.other_ward, title="Tài liệu phường Tân Định")
    page = world.client("member").get(reverse("handbook:documents")).content.decode()
    assert above.title in page
    assert sideways.title not in page


def test_members_are_notified_of_a_new_document(world):
    document = _publish(world)
    note = Notification.objects.get(recipient=world.users["member"])
    assert document.title in note.title
    assert note.url == reverse("handbook:document", args=[document.pk])
    assert not Notification.objects.filter(recipient=world.users["ward"]).exists()


def test_search_ignores_diacritics(world):
    _publish(world, title="Nghị quyết về phát triển Đảng viên")
    _publish(world, title="Chỉ thị phòng chống dịch", kind="directive")
    client = world.client("member")
    for query in ("phat trien dang", "PHÁT TRIỂN", "đảng viên"):
        page = client.get(reverse("handbook:documents"), {"q": query}).content.decode()
        assert "phát triển Đảng viên" in page, query
        assert "phòng chống" not in page
    page = client.get(reverse("handbook:documents"), {"q": "khong co"}).content.decode()
    assert "Không tìm thấy" in page


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("bang.xlsx", PDF, "PDF, DOCX, ODT"),
        ("doi-ten.pdf", b"MZ\x90\x00 not a pdf", "không đúng"),
        ("anh.png", PDF, "không đúng"),
        ("rong.pdf", b"", "rỗng"),
    ],
)
def test_bad_files_are_refused_naming_the_field(world, name, data, code):
    with pytest.raises(ValidationError) as caught:
        _publish(world, name=name, data=data)
    assert code in str(caught.value.message_dict["file"])
    assert not Document.objects.exists()


def test_oversized_file_is_refused(world, settings):
    settings.PARTYORG_DOCUMENT_MAX_MB = 1
    with pytest.raises(ValidationError) as caught:
        _publish(world, data=PDF + b"0" * (1 << 20))
    assert "1 MB" in str(caught.value.message_dict["file"])
    assert not Document.objects.exists()


def test_office_files_and_images_are_accepted(world):
    assert _publish(world, name="a.docx", data=docx_bytes()).content_type.endswith("document")
    assert _publish(world, name="a.odt", data=odt_bytes()).content_type.endswith(".text")
    assert _publish(world, name="a.PNG", data=PNG).content_type == "image/png"


def test_publishing_needs_an_editor_of_the_organisation(world):
    url = reverse("handbook:org_documents", args=[world.ward.code])

    def data():
        return {"title": "T", "kind": "resolution", "file": upload("a.pdf")}

    assert world.client("viewer").post(url, data()).status_code == 404
    assert world.client("member").post(url, data()).status_code == 404
    response = world.client("ward").post(url, data())
    assert response.status_code == 302
    assert Document.objects.count() == 1
    # A refused file comes back on the form, naming the field.
    response = world.client("ward").post(
        url, {"title": "T", "kind": "resolution", "file": upload("a.exe", b"MZ")}
    )
    assert response.status_code == 200
    assert "PDF, DOCX, ODT" in response.content.decode()
    assert Document.objects.count() == 1


def test_bookmark_and_study_with_rates_per_unit(world):
    document = _publish(world, study=True)
    client = world.client("member")
    client.post(reverse("handbook:document_bookmark", args=[document.pk]), {"on": "1"})
    saved = client.get(reverse("handbook:documents"), {"saved": "on"}).content.decode()
    assert document.title in saved
    client.post(reverse("handbook:document_studied", args=[document.pk]))
    client.post(reverse("handbook:document_studied", args=[document.pk]))  # twice is once
    tick()
    counts = counts_of([world.ward.pk, world.cell.pk, world.city.pk], [studied_key(document.pk)])
    assert counts[world.ward.pk][studied_key(document.pk)] == 1
    assert counts[world.cell.pk][studied_key(document.pk)] == 1
    own, _children = adoption.studied_shares(world.ward, document.pk)
    assert (own.done, own.eligible) == (1, 4)
    page = world.client("ward").get(
        reverse("handbook:document_rates", args=[world.ward.code, document.pk])
    )
    assert page.status_code == 200
    assert "25%" in page.content.decode()
    # The rates of a document not published at or above that organisation: 404.
    assert (
        world.client("city")
        .get(reverse("handbook:document_rates", args=[world.other_ward.code, document.pk]))
        .status_code
        == 404
    )


def test_studied_count_follows_a_transfer(world):
    from handbook.counting import reconcile
    from members.services import member_transfer

    document = _publish(world, org=world.city, study=True)
    member = world.members[0]
    document_studied(member=member, document=document, by=world.users["member"])
    tick()
    member_transfer(member=member, to_org=world.other_cell, on=member.admission_date)
    assert reconcile() == 1
    tick()
    key = studied_key(document.pk)
    counts = counts_of([world.ward.pk, world.other_ward.pk, world.city.pk], [key])
    assert counts[world.ward.pk].get(key, 0) == 0
    assert counts[world.other_ward.pk][key] == 1
    assert counts[world.city.pk][key] == 1
    assert DocumentRead.objects.get().counted_org == world.other_cell
    assert reconcile() == 0

"""Every path that reads an upload goes through the one guarded reader (lib.cleaning.parse):
a zip bomb, or a tiny sheet asking for gigabytes, is refused before calamine opens it."""

from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from cleaning import services
from cleaning.annotated import ROW_ID, apply_annotated
from cleaning.models import Batch
from conftest import World
from lib.tests import bombs

from .test_import_pipeline import GOOD, _upload

MEMBER_HEADER = ["STT", "Họ và tên", "Số CCCD", "Ngày sinh"]
# A corrected annotated workbook begins with the row id column.
ANNOTATED_HEADER = [ROW_ID, "Tệp", "Dòng", "Họ và tên (đề xuất)"]
BOMBS = [bombs.expanding, bombs.declaring, bombs.sparse, bombs.sparse_without_addresses]
REFUSAL = ("bom nén", "vượt giới hạn")


@pytest.fixture(autouse=True)
def _calamine_must_not_open(monkeypatch: pytest.MonkeyPatch) -> None:
    import python_calamine

    class Unopened:
        @staticmethod
        def from_path(path: str) -> None:
            raise AssertionError("calamine opened a hostile workbook")

        from_filelike = from_path

    monkeypatch.setattr(python_calamine, "CalamineWorkbook", Unopened)


@pytest.mark.parametrize("bomb", BOMBS)
def test_the_first_upload_refuses_a_hostile_workbook(
    world: World, bomb: Callable[[list[str]], bytes]
) -> None:
    upload = SimpleUploadedFile("bom.xlsx", bomb(MEMBER_HEADER))
    batch = services.batch_create(org=world.cell, uploads=[upload], by=world.users["secretary"])
    assert batch.status == Batch.Status.FAILED
    assert any(words in batch.error for words in REFUSAL), batch.error


@pytest.mark.parametrize("bomb", BOMBS)
def test_the_reupload_refuses_a_hostile_workbook(
    world: World, bomb: Callable[[list[str]], bytes]
) -> None:
    batch = _upload(world, *GOOD)
    with pytest.raises(ValidationError) as refused:
        apply_annotated(batch=batch, upload=SimpleUploadedFile("sua.xlsx", bomb(ANNOTATED_HEADER)))
    message = " ".join(refused.value.message_dict["file"])
    assert any(words in message for words in REFUSAL), message


def test_the_reupload_page_says_why_it_refused(world: World) -> None:
    batch = _upload(world, *GOOD)
    response = world.client("secretary").post(
        f"/imports/{batch.pk}/reupload/",
        {"file": SimpleUploadedFile("sua.xlsx", bombs.sparse(ANNOTATED_HEADER))},
        follow=True,
    )
    text = response.content.decode()
    assert "vượt giới hạn 10.000.000 ô" in text and "tệp rà soát" in text


def test_the_reupload_refuses_a_file_over_50_mb_unread(world: World) -> None:
    batch = _upload(world, *GOOD)
    big = SimpleUploadedFile("sua.xlsx", b"PK\x03\x04")
    big.size = 51 << 20
    with pytest.raises(ValidationError) as refused:
        apply_annotated(batch=batch, upload=big)
    assert "50 MB" in " ".join(refused.value.message_dict["file"])

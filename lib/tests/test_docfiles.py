"""lib.docfiles: the one guard of uploaded documents and pictures, from a path or from bytes."""

import io
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from lib.docfiles import IMAGES, DocLimits, DocumentRefused, check_document


def picture(kind: str = "PNG", size: tuple[int, int] = (8, 6), mode: str = "RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size).save(buffer, kind)
    return buffer.getvalue()


def refusal(source: Path | bytes, name: str, **kwargs: object) -> DocumentRefused:
    with pytest.raises(DocumentRefused) as caught:
        check_document(source, name=name, **kwargs)  # type: ignore[arg-type]
    return caught.value


@pytest.mark.parametrize(
    ("kind", "name", "content_type"),
    [
        ("PNG", "a.png", "image/png"),
        ("JPEG", "a.JPEG", "image/jpeg"),
        ("WEBP", "a.webp", "image/webp"),
    ],
)
def test_a_real_picture_is_accepted_from_bytes_or_a_path(
    tmp_path: Path, kind: str, name: str, content_type: str
) -> None:
    data = picture(kind)
    assert check_document(data, name=name).content_type == content_type
    path = tmp_path / name
    path.write_bytes(data)
    assert check_document(path, name=name, accept=IMAGES).size == len(data)


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 64,  # a PNG's signature over nothing
        picture()[:40],  # cut short
        picture()[:-20] + b"\x00" * 20,  # its last chunk damaged
    ],
)
def test_a_picture_pillow_cannot_verify_is_refused_as_damaged(data: bytes) -> None:
    assert refusal(data, "anh.png").code == "doc.corrupt"


def test_a_picture_declaring_too_many_pixels_is_refused() -> None:
    bomb = picture(size=(10_000, 5_000), mode="1")  # 50 million pixels in a few kB
    assert len(bomb) < 100_000
    error = refusal(bomb, "anh.png")
    assert error.code == "doc.too_many_pixels"
    assert check_document(bomb, name="anh.png", limits=DocLimits(max_pixels=60_000_000))


def test_a_caller_narrows_the_types_and_the_message_says_which() -> None:
    error = refusal(b"%PDF-1.4\n%%EOF\n", "a.pdf", accept=IMAGES)
    assert error.code == "doc.type"
    assert error.shown("vi", named=False) == "chỉ nhận tệp PNG, JPEG hoặc WebP."
    assert error.shown("en") == "File a.pdf: only PNG, JPEG or WebP files are accepted."


def test_an_office_file_is_checked_from_bytes_too() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    assert check_document(buffer.getvalue(), name="a.docx").extension == ".docx"
    assert refusal(buffer.getvalue(), "a.odt").code == "doc.mismatch"
    assert refusal(b"", "a.pdf").code == "doc.empty"

"""The guard every uploaded document or picture passes before it is kept: handbook documents,
meeting papers, correction evidence, the screenshots of a reported difficulty.

``check_document`` reads the file's own bytes: its type must be one the caller accepts (of PDF,
DOCX, ODT, PNG, JPEG, WebP) and agree with its name's extension, its size within the limit, an
office file a sound, unencrypted zip that does not expand like a bomb, and a picture one that
Pillow opens and verifies, of a sane number of pixels. It returns what the file is, or raises
:class:`DocumentRefused` (only), whatever the bytes: an upload is untrusted input.
"""

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO

_MB = 1 << 20


@dataclass(frozen=True, slots=True)
class DocLimits:
    max_bytes: int = 20 * _MB
    # An office document's zip: entries, bytes once expanded, and expansion ratio.
    max_zip_entries: int = 5_000
    max_uncompressed: int = 200 * _MB
    max_ratio: float = 100.0
    # A picture's pixels (a small PNG can declare a huge canvas: a decompression bomb).
    max_pixels: int = 40_000_000


@dataclass(frozen=True, slots=True)
class DocFile:
    extension: str  # ".pdf", ".docx", ".odt", ".png", ".jpg", ".webp"
    content_type: str
    size: int


class DocumentRefused(Exception):
    """A file we will not keep, with a stable code and a message for people: the reason, and
    the message naming the file."""

    def __init__(self, code: str, name: str, reason_vi: str, reason_en: str) -> None:
        self.code = code
        self.reason_vi = reason_vi
        self.reason_en = reason_en
        self.message_vi = f"Tệp {name}: {reason_vi}"
        self.message_en = f"File {name}: {reason_en}"
        super().__init__(f"{code}: {self.message_en}")

    def shown(self, language: str | None, *, named: bool = True) -> str:
        """In the page's language (English for "en…", else Vietnamese), naming the file or not."""
        english = (language or "vi").startswith("en")
        if named:
            return self.message_en if english else self.message_vi
        return self.reason_en if english else self.reason_vi


CONTENT_TYPES = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".webp": "image/webp",
}
ALIASES = {".jpeg": ".jpg"}
ACCEPTED_EXTENSIONS = frozenset(CONTENT_TYPES) | frozenset(ALIASES)
IMAGES = frozenset({".png", ".jpg", ".webp"})
_NAMES = {
    ".pdf": "PDF",
    ".docx": "DOCX",
    ".odt": "ODT",
    ".png": "PNG",
    ".jpg": "JPEG",
    ".webp": "WebP",
}
# What Pillow calls each picture type.
_PILLOW_FORMATS = {".png": "PNG", ".jpg": "JPEG", ".webp": "WEBP"}
_ODT_MIME = b"application/vnd.oasis.opendocument.text"


def _refused(code: str, name: str, vi: str, en: str) -> DocumentRefused:
    return DocumentRefused(code, name, vi, en)


def _sniff(head: bytes) -> str | None:
    """The extension the first bytes say the file is (zip: ".zip", sorted out later)."""
    if head.startswith(b"%PDF-"):
        return ".pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return ".png"
    if head.startswith(b"\xff\xd8\xff"):
        return ".jpg"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return ".webp"
    if head.startswith(b"PK\x03\x04"):
        return ".zip"
    return None


def check_document(
    source: Path | str | bytes,
    *,
    name: str,
    limits: DocLimits = DocLimits(),
    accept: frozenset[str] = frozenset(CONTENT_TYPES),
) -> DocFile:
    """What the document at `source` (a path, or the bytes themselves), called `name` by its
    sender, is; DocumentRefused if we will not keep it. `accept` narrows the types (e.g.
    IMAGES for a screenshot)."""
    try:
        return _check(source, name, limits, accept)
    except DocumentRefused:
        raise
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException:
        raise _refused(
            "doc.corrupt",
            name,
            "tệp bị hỏng, không đọc được.",
            "the file is damaged and cannot be read.",
        ) from None


def _type_refusal(name: str, accept: frozenset[str]) -> DocumentRefused:
    if accept >= frozenset(CONTENT_TYPES):
        return _refused(
            "doc.type",
            name,
            "chỉ nhận tài liệu PDF, DOCX, ODT hoặc ảnh (PNG, JPEG, WebP).",
            "only PDF, DOCX, ODT documents or images (PNG, JPEG, WebP) are accepted.",
        )
    kinds = [_NAMES[e] for e in _NAMES if e in accept]
    listed_vi = ", ".join(kinds[:-1]) + " hoặc " + kinds[-1] if len(kinds) > 1 else kinds[0]
    listed_en = ", ".join(kinds[:-1]) + " or " + kinds[-1] if len(kinds) > 1 else kinds[0]
    return _refused(
        "doc.type",
        name,
        f"chỉ nhận tệp {listed_vi}.",
        f"only {listed_en} files are accepted.",
    )


def _opened(source: Path | bytes) -> IO[bytes]:
    return io.BytesIO(source) if isinstance(source, bytes) else source.open("rb")


def _check(
    source: Path | str | bytes, name: str, limits: DocLimits, accept: frozenset[str]
) -> DocFile:
    extension = Path(name).suffix.lower()
    extension = ALIASES.get(extension, extension)
    if extension not in CONTENT_TYPES or extension not in accept:
        raise _type_refusal(name, accept)
    data_or_path = source if isinstance(source, bytes) else Path(source)
    size = len(data_or_path) if isinstance(data_or_path, bytes) else data_or_path.stat().st_size
    if size == 0:
        raise _refused("doc.empty", name, "tệp rỗng.", "the file is empty.")
    if size > limits.max_bytes:
        mb = limits.max_bytes // _MB
        raise _refused(
            "doc.too_large",
            name,
            f"tệp lớn hơn {mb} MB; hãy nén hoặc chia nhỏ.",
            f"the file is larger than {mb} MB; compress or split it.",
        )
    with _opened(data_or_path) as handle:
        head = handle.read(16)
    sniffed = _sniff(head)
    if sniffed == ".zip" and extension in (".docx", ".odt"):
        _check_office(data_or_path, name, extension, limits)
    elif sniffed != extension:
        raise _refused(
            "doc.mismatch",
            name,
            "nội dung tệp không đúng với phần mở rộng của tên tệp (tệp đã bị đổi tên?).",
            "the content does not match the file name's extension (was it renamed?).",
        )
    elif extension in IMAGES:
        _check_image(data_or_path, name, extension, limits)
    return DocFile(extension, CONTENT_TYPES[extension], size)


def _check_image(source: Path | bytes, name: str, extension: str, limits: DocLimits) -> None:
    """Pillow reads the picture's header and verifies its data (a PNG's chunks and checksums);
    anything it cannot is refused as damaged by check_document."""
    from PIL import Image

    with _opened(source) as handle, Image.open(handle) as image:
        if image.format != _PILLOW_FORMATS[extension]:
            raise ValueError(image.format)
        if image.width * image.height > limits.max_pixels:
            raise _refused(
                "doc.too_many_pixels",
                name,
                "ảnh có quá nhiều điểm ảnh; hãy chụp lại nhỏ hơn.",
                "the picture has too many pixels; take a smaller one.",
            )
        image.verify()


def _check_office(source: Path | bytes, name: str, extension: str, limits: DocLimits) -> None:
    bomb = _refused(
        "doc.zip_bomb",
        name,
        "tệp giải nén ra quá lớn (nghi là 'bom nén'); không nhận.",
        "the file expands far beyond its size (a zip bomb?); refused.",
    )
    try:
        archive = zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise _refused(
            "doc.corrupt", name, "tệp bị hỏng, không đọc được.", "the file is damaged."
        ) from None
    with archive:
        infos = archive.infolist()
        if len(infos) > limits.max_zip_entries:
            raise bomb
        total = sum(info.file_size for info in infos)
        packed = sum(info.compress_size for info in infos)
        if total > limits.max_uncompressed or (total > _MB and total > limits.max_ratio * packed):
            raise bomb
        if any(info.flag_bits & 0x1 for info in infos):
            raise _refused(
                "doc.encrypted",
                name,
                "tệp có đặt mật khẩu; hãy bỏ mật khẩu rồi gửi lại.",
                "the file is password-protected; remove the password and send it again.",
            )
        names = {info.filename for info in infos}
        if extension == ".docx":
            fits = "word/document.xml" in names and "[Content_Types].xml" in names
        else:
            fits = "mimetype" in names and archive.read("mimetype").strip() == _ODT_MIME
        if not fits:
            raise _refused(
                "doc.mismatch",
                name,
                "nội dung tệp không đúng với phần mở rộng của tên tệp (tệp đã bị đổi tên?).",
                "the content does not match the file name's extension (was it renamed?).",
            )
        # Stream every entry once: a directory that understates sizes fails its CRC here.
        seen = 0
        for info in infos:
            with archive.open(info) as member:
                while chunk := member.read(_MB):
                    seen += len(chunk)
                    if seen > limits.max_uncompressed:
                        raise bomb

"""The guard every published document passes before it is kept (handbook documents).

``check_document`` reads the file's own bytes: its type must be one we accept (PDF, DOCX, ODT,
PNG, JPEG, WebP) and agree with its name's extension, its size within the limit, and an office
file a sound, unencrypted zip that does not expand like a bomb. It returns what the file is, or
raises :class:`DocumentRefused` (only), whatever the bytes: an upload is untrusted input.
"""

import zipfile
from dataclasses import dataclass
from pathlib import Path

_MB = 1 << 20


@dataclass(frozen=True, slots=True)
class DocLimits:
    max_bytes: int = 20 * _MB
    # An office document's zip: entries, bytes once expanded, and expansion ratio.
    max_zip_entries: int = 5_000
    max_uncompressed: int = 200 * _MB
    max_ratio: float = 100.0


@dataclass(frozen=True, slots=True)
class DocFile:
    extension: str  # ".pdf", ".docx", ".odt", ".png", ".jpg", ".webp"
    content_type: str
    size: int


class DocumentRefused(Exception):
    """A file we will not keep, with a stable code and a message for people."""

    def __init__(self, code: str, message_vi: str, message_en: str) -> None:
        super().__init__(f"{code}: {message_en}")
        self.code = code
        self.message_vi = message_vi
        self.message_en = message_en


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
_ODT_MIME = b"application/vnd.oasis.opendocument.text"


def _refused(code: str, name: str, vi: str, en: str) -> DocumentRefused:
    return DocumentRefused(code, f"Tệp {name}: {vi}", f"File {name}: {en}")


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


def check_document(path: Path | str, *, name: str, limits: DocLimits = DocLimits()) -> DocFile:
    """What the document at `path` (called `name` by its sender) is; DocumentRefused if we will
    not keep it."""
    try:
        return _check(Path(path), name, limits)
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


def _check(path: Path, name: str, limits: DocLimits) -> DocFile:
    extension = Path(name).suffix.lower()
    extension = ALIASES.get(extension, extension)
    if extension not in CONTENT_TYPES:
        raise _refused(
            "doc.type",
            name,
            "chỉ nhận tài liệu PDF, DOCX, ODT hoặc ảnh (PNG, JPEG, WebP).",
            "only PDF, DOCX, ODT documents or images (PNG, JPEG, WebP) are accepted.",
        )
    size = path.stat().st_size
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
    with path.open("rb") as handle:
        head = handle.read(16)
    sniffed = _sniff(head)
    if sniffed == ".zip" and extension in (".docx", ".odt"):
        _check_office(path, name, extension, limits)
    elif sniffed != extension:
        raise _refused(
            "doc.mismatch",
            name,
            "nội dung tệp không đúng với phần mở rộng của tên tệp (tệp đã bị đổi tên?).",
            "the content does not match the file name's extension (was it renamed?).",
        )
    return DocFile(extension, CONTENT_TYPES[extension], size)


def _check_office(path: Path, name: str, extension: str, limits: DocLimits) -> None:
    bomb = _refused(
        "doc.zip_bomb",
        name,
        "tệp giải nén ra quá lớn (nghi là 'bom nén'); không nhận.",
        "the file expands far beyond its size (a zip bomb?); refused.",
    )
    try:
        archive = zipfile.ZipFile(path)
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

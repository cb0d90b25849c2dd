"""The guard every uploaded document passes (meeting papers, published documents): what its bytes
are, whether its name says the same, and whether it is small enough to keep.

Documents are PDF, Word (.docx), OpenDocument text (.odt) and images (PNG, JPEG, WebP). A file
is recognised by its bytes, never by its name alone: a name that says one kind over bytes of
another, a zip that is not a document (or expands far beyond its size), an encrypted file and
anything else are refused with a `DocumentError` naming the file, in Vietnamese and English.
Pure Python, like lib.cleaning.parse beside it.
"""

import zipfile
from dataclasses import dataclass
from pathlib import Path

_MB = 1 << 20
MAX_BYTES = 20 * _MB


@dataclass(frozen=True, slots=True)
class DocumentKind:
    extension: str
    content_type: str
    label: str


PDF = DocumentKind(".pdf", "application/pdf", "PDF")
DOCX = DocumentKind(
    ".docx",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "Word",
)
ODT = DocumentKind(".odt", "application/vnd.oasis.opendocument.text", "OpenDocument")
PNG = DocumentKind(".png", "image/png", "PNG")
JPEG = DocumentKind(".jpg", "image/jpeg", "JPEG")
WEBP = DocumentKind(".webp", "image/webp", "WebP")
KINDS = (PDF, DOCX, ODT, PNG, JPEG, WEBP)
# The names a kind may go by.
EXTENSIONS = {
    ".pdf": PDF,
    ".docx": DOCX,
    ".odt": ODT,
    ".png": PNG,
    ".jpg": JPEG,
    ".jpeg": JPEG,
    ".webp": WEBP,
}
ACCEPTED = ", ".join(sorted({k.label for k in KINDS}, key=lambda s: s.lower()))

# A document's zip may expand this much (a Word file of pictures packs little).
MAX_UNCOMPRESSED = 200 * _MB
MAX_RATIO = 100.0
MAX_ZIP_ENTRIES = 5_000


class DocumentError(Exception):
    """A file we will not keep, with a stable code and a message for people."""

    def __init__(self, code: str, name: str, vi: str, en: str) -> None:
        super().__init__(f"{code}: {en}")
        self.code = code
        self.message_vi = f"Tệp {name}: {vi}"
        self.message_en = f"File {name}: {en}"


def too_large(name: str, size: int, max_bytes: int = MAX_BYTES) -> DocumentError:
    mb = max_bytes // _MB
    return DocumentError(
        "document.too_large",
        name,
        f"dung lượng {size / _MB:.1f} MB, vượt quá {mb} MB cho phép. Hãy nén hoặc chia nhỏ tệp.",
        f"{size / _MB:.1f} MB, over the {mb} MB allowed. Compress or split it.",
    )


def _not_a_document(name: str) -> DocumentError:
    return DocumentError(
        "document.kind",
        name,
        f"không phải tài liệu được nhận ({ACCEPTED}).",
        f"not an accepted document ({ACCEPTED}).",
    )


def _sniff(head: bytes) -> DocumentKind | str | None:
    """The kind the first bytes show; "zip" for a zip archive (decided by its entries)."""
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "zip"
    return None


def _zip_kind(path: Path, name: str) -> DocumentKind:
    """A Word or OpenDocument text file, checked as the spreadsheet guard checks workbooks."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise DocumentError(
            "document.corrupt", name, "tệp bị hỏng, không mở được.", "the file is damaged."
        ) from None
    with archive:
        infos = archive.infolist()
        total = sum(i.file_size for i in infos)
        packed = sum(i.compress_size for i in infos)
        if (
            len(infos) > MAX_ZIP_ENTRIES
            or total > MAX_UNCOMPRESSED
            or (total > _MB and total > MAX_RATIO * max(packed, 1))
        ):
            raise DocumentError(
                "document.zip_bomb",
                name,
                "tệp nén giải ra quá lớn so với kích thước (nghi là 'bom nén'); không nhận.",
                "the archive expands far beyond its size (a zip bomb?); refused.",
            )
        if any(i.flag_bits & 0x1 for i in infos):
            raise DocumentError(
                "document.encrypted",
                name,
                "tệp có mật khẩu; hãy gỡ mật khẩu rồi tải lên lại.",
                "the file is password-protected; remove the password and upload it again.",
            )
        names = {i.filename for i in infos}
        if "word/document.xml" in names and "[Content_Types].xml" in names:
            return DOCX
        if "mimetype" in names:
            with archive.open("mimetype") as member:
                mimetype = member.read(100).strip()
            if mimetype == ODT.content_type.encode():
                if "META-INF/manifest.xml" in names:
                    with archive.open("META-INF/manifest.xml") as member:
                        if b"encryption-data" in member.read(_MB):
                            raise DocumentError(
                                "document.encrypted",
                                name,
                                "tệp có mật khẩu; hãy gỡ mật khẩu rồi tải lên lại.",
                                "the file is password-protected; remove the password and "
                                "upload it again.",
                            )
                return ODT
    raise _not_a_document(name)


def check_document(path: Path | str, *, name: str, max_bytes: int = MAX_BYTES) -> DocumentKind:
    """The kind of the document at `path`, uploaded as `name`; raises DocumentError (only) for
    a file that is too large, not a document we accept, or named as another kind."""
    path = Path(path)
    size = path.stat().st_size
    if size > max_bytes:
        raise too_large(name, size, max_bytes)
    if size == 0:
        raise DocumentError("document.empty", name, "tệp rỗng.", "the file is empty.")
    with path.open("rb") as handle:
        head = handle.read(16)
    sniffed = _sniff(head)
    if sniffed is None:
        raise _not_a_document(name)
    kind = _zip_kind(path, name) if sniffed == "zip" else sniffed
    assert isinstance(kind, DocumentKind)
    named = EXTENSIONS.get(Path(name).suffix.lower())
    if named is None:
        raise _not_a_document(name)
    if named != kind:
        raise DocumentError(
            "document.mismatch",
            name,
            f"tên tệp là {named.label} nhưng nội dung là {kind.label}; hãy đặt lại đúng đuôi tệp.",
            f"named as {named.label} but its content is {kind.label}; rename it.",
        )
    return kind

"""Uploaded spreadsheets, encrypted at rest under MEDIA_ROOT/uploads, one folder per batch.

They hold personal data of party members: on disk they are Fernet tokens (core.crypto);
they are decrypted only into a private temporary file while the parser reads them. An upload
that is not kept (a corrected annotated workbook) is read from such a file too: every upload
is read by lib.cleaning.parse.parse_file, behind the same guard.
"""

import hashlib
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from core.crypto import decrypt, encrypt


def upload_dir(batch_id: int) -> Path:
    return Path(settings.MEDIA_ROOT) / "uploads" / str(batch_id)


def store_upload(batch_id: int, upload: UploadedFile, index: int) -> tuple[str, str, int]:
    """Encrypt an upload to disk; returns (relative path, sha256 of the plain file, size)."""
    folder = upload_dir(batch_id)
    folder.mkdir(parents=True, exist_ok=True)
    suffix = Path(upload.name or "").suffix.lower()[:8]
    target = folder / f"{index:03d}{suffix}.enc"
    data = b"".join(upload.chunks())
    target.write_bytes(encrypt(data))
    return str(target.relative_to(settings.MEDIA_ROOT)), hashlib.sha256(data).hexdigest(), len(data)


@contextmanager
def _private_file(suffix: str) -> Iterator[Path]:
    """A path in a temporary directory of our own (mode 700), removed with it afterwards."""
    with tempfile.TemporaryDirectory(prefix="partyorg-") as folder:
        yield Path(folder) / f"upload{suffix}"


@contextmanager
def opened(relative: str) -> Iterator[Path]:
    """The stored upload decrypted into a temporary file (same extension), removed afterwards."""
    stored = Path(settings.MEDIA_ROOT) / relative
    suffix = (
        "".join(Path(relative).suffixes[:-1])
        if relative.endswith(".enc")
        else Path(relative).suffix
    )
    with _private_file(suffix) as plain:
        plain.write_bytes(
            decrypt(stored.read_bytes()) if relative.endswith(".enc") else stored.read_bytes()
        )
        plain.chmod(0o600)
        yield plain


@contextmanager
def upload_opened(upload: UploadedFile) -> Iterator[Path]:
    """An upload that is not kept, in a temporary file (its extension), removed afterwards."""
    with _private_file(Path(upload.name or "").suffix.lower()[:8]) as plain:
        with plain.open("wb") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
        plain.chmod(0o600)
        yield plain

"""Published documents' files, encrypted at rest under MEDIA_ROOT/handbook/ (core/crypto.py),
as the imports' uploads are (cleaning/storage.py)."""

import hashlib
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from core.crypto import decrypt, encrypt


@contextmanager
def upload_file(upload: UploadedFile) -> Iterator[Path]:
    """An upload in a private temporary file (for the guard to read), removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="partyorg-") as folder:
        plain = Path(folder) / "document"
        with plain.open("wb") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
        plain.chmod(0o600)
        yield plain


def store(plain: Path, stem: str, extension: str) -> tuple[str, str]:
    """Encrypt a checked file into storage; returns (relative path, sha256 of the plain file)."""
    data = plain.read_bytes()
    folder = Path(settings.MEDIA_ROOT) / "handbook"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{stem}{extension}.enc"
    target.write_bytes(encrypt(data))
    return str(target.relative_to(settings.MEDIA_ROOT)), hashlib.sha256(data).hexdigest()


def read(relative: str) -> bytes:
    return decrypt((Path(settings.MEDIA_ROOT) / relative).read_bytes())

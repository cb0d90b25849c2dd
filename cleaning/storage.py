"""Where uploaded spreadsheets live: under MEDIA_ROOT/uploads, one folder per batch."""

import hashlib
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile


def upload_dir(batch_id: int) -> Path:
    return Path(settings.MEDIA_ROOT) / "uploads" / str(batch_id)


def store_upload(batch_id: int, upload: UploadedFile, index: int) -> tuple[str, str, int]:
    """Write an upload to disk; returns (relative path, sha256, size)."""
    folder = upload_dir(batch_id)
    folder.mkdir(parents=True, exist_ok=True)
    suffix = Path(upload.name or "").suffix.lower()[:8]
    target = folder / f"{index:03d}{suffix}"
    digest = hashlib.sha256()
    size = 0
    with target.open("wb") as out:
        for chunk in upload.chunks():
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    return str(target.relative_to(settings.MEDIA_ROOT)), digest.hexdigest(), size


def stored_path(relative: str) -> Path:
    return Path(settings.MEDIA_ROOT) / relative

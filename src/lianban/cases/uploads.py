"""Checking and storing uploaded files: type sniffed from the content, size limit, sha256.

Accepted: PDF, JPEG, PNG, and OFD (the Chinese e-document format: a zip
container whose name ends in ``.ofd``). Everything else is refused with the
reason (detected type, size against the limit, empty file). Files go to
Django's default storage (a local directory, or an S3-compatible store by
setting) under a random, non-guessable path, and are never deleted: a
replaced file stays where it is and the audit event names it.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.utils.translation import gettext as _

import filetype  # type: ignore[import-untyped]

from lianban.core.case_errors import UploadRefused

ACCEPTED = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
OFD = "application/ofd"
_CHUNK = 1024 * 1024


@dataclass(frozen=True, slots=True)
class StoredFile:
    """A file accepted and saved: where, what, how big, its digest."""

    name: str
    original_name: str
    sha256: str
    size: int
    content_type: str

    def as_dict(self) -> dict[str, object]:
        """The file as event JSON."""
        return {
            "file": self.name,
            "original_name": self.original_name,
            "sha256": self.sha256,
            "size": self.size,
            "content_type": self.content_type,
        }


def max_upload_bytes() -> int:
    """The size limit (``LIANBAN_MAX_UPLOAD_MB``) in bytes."""
    return int(settings.LIANBAN_MAX_UPLOAD_MB) * 1024 * 1024


def upload_sniff(*, head: bytes, name: str) -> tuple[str, str]:
    """The content type and extension of a file from its first bytes.

    Raises:
        UploadRefused: the content is not one of the accepted types.
    """
    kind = filetype.guess(head)
    mime = kind.mime if kind is not None else None
    if mime in ACCEPTED:
        return mime, ACCEPTED[mime]
    if mime == "application/zip" and name.lower().endswith(".ofd"):
        return OFD, "ofd"
    detected = mime or _("unrecognised content")
    raise UploadRefused(
        _("file type %(detected)s is not accepted; send PDF, JPEG, PNG or OFD") % {"detected": detected}
    )


def upload_store(*, file: File, folder: str) -> StoredFile:
    """Check ``file`` and save it under ``folder`` with a random name.

    Raises:
        UploadRefused: empty, too large, or of a type that is not accepted.
    """
    limit = max_upload_bytes()
    size = file.size or 0
    if size == 0:
        raise UploadRefused(_("the file is empty"))
    if size > limit:
        raise UploadRefused(
            _("the file is %(size).1f MB, the limit is %(limit)d MB")
            % {"size": size / 1024 / 1024, "limit": settings.LIANBAN_MAX_UPLOAD_MB}
        )
    original = (file.name or "").rsplit("/", 1)[-1][:255]
    file.seek(0)
    head = file.read(8192)
    content_type, extension = upload_sniff(head=head, name=original)
    digest = hashlib.sha256()
    file.seek(0)
    for chunk in file.chunks(_CHUNK):
        digest.update(chunk)
    file.seek(0)
    path = f"{folder}/{secrets.token_urlsafe(18)}.{extension}"
    saved = default_storage.save(path, file)
    return StoredFile(
        name=saved, original_name=original, sha256=digest.hexdigest(), size=size, content_type=content_type
    )

"""Checking and storing uploaded files: type sniffed from the content, then parsed; size limit, sha256.

Accepted: PDF, JPEG, PNG, and OFD (the Chinese e-document format: a zip
container whose name ends in ``.ofd``). Everything else is refused with the
reason (detected type, size against the limit, empty file). The magic bytes
are not trusted alone: a PDF must open with pypdf and have a page, an image
must be read whole by Pillow within a pixel limit, and an OFD is opened as a
zip whose number of entries, total uncompressed size and compression ratio
are bounded (a zip bomb is refused with the reason) and whose entries all
decompress with their checksums. Files go to
Django's default storage (a local directory, or an S3-compatible store by
setting) under a random, non-guessable path, and are never deleted: a
replaced file stays where it is and the audit event names it.
"""

from __future__ import annotations

import hashlib
import secrets
import warnings
import zipfile
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.utils.translation import gettext as _

import filetype  # type: ignore[import-untyped]
from PIL import Image
from pypdf import PdfReader

from lianban.core.case_errors import UploadRefused

ACCEPTED = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
OFD = "application/ofd"
_CHUNK = 1024 * 1024
#: Most entries an OFD container may hold.
OFD_MAX_ENTRIES = 5000
#: Largest total uncompressed size of an OFD container, in megabytes.
OFD_MAX_UNCOMPRESSED_MB = 200
#: Largest ratio of uncompressed to compressed size (an XML-heavy OFD compresses about 10:1).
OFD_MAX_RATIO = 100
#: Most pixels an image may have (a 50-megapixel scan is already far beyond a document photo).
IMAGE_MAX_PIXELS = 50_000_000


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


def _limit(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def ofd_check(stream: IO[bytes], size: int) -> None:
    """Open an OFD container as a zip and refuse it unless it is small and sound once unpacked.

    Raises:
        UploadRefused: not a zip, too many entries, too large or too compressed once
            unpacked (a zip bomb), a broken entry, or no ``OFD.xml`` entry document.
    """
    max_entries = _limit("LIANBAN_OFD_MAX_ENTRIES", OFD_MAX_ENTRIES)
    max_bytes = _limit("LIANBAN_OFD_MAX_UNCOMPRESSED_MB", OFD_MAX_UNCOMPRESSED_MB) * 1024 * 1024
    max_ratio = _limit("LIANBAN_OFD_MAX_RATIO", OFD_MAX_RATIO)
    try:
        archive = zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise UploadRefused(_("the OFD file is not a readable zip container")) from exc
    with archive:
        entries = archive.infolist()
        if len(entries) > max_entries:
            raise UploadRefused(
                _("the OFD file has %(count)d entries, at most %(limit)d are accepted")
                % {"count": len(entries), "limit": max_entries}
            )
        if not any(entry.filename.lstrip("/") == "OFD.xml" for entry in entries):
            raise UploadRefused(_("the OFD file has no OFD.xml entry document"))
        budget = min(max_bytes, max(size, 1) * max_ratio)
        declared = sum(entry.file_size for entry in entries)
        if declared > budget:
            raise UploadRefused(_ofd_too_large(declared, size, max_bytes, max_ratio))
        unpacked = 0
        for entry in entries:
            try:
                with archive.open(entry) as member:
                    while chunk := member.read(_CHUNK):
                        unpacked += len(chunk)
                        if unpacked > budget:
                            raise UploadRefused(_ofd_too_large(unpacked, size, max_bytes, max_ratio))
            except UploadRefused:
                raise
            except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, EOFError) as exc:
                raise UploadRefused(_("the OFD file is damaged: an entry cannot be unpacked")) from exc


def _ofd_too_large(unpacked: int, size: int, max_bytes: int, max_ratio: int) -> str:
    if unpacked > max_bytes:
        return _("the OFD file unpacks to more than %(limit)d MB (a zip bomb?); it is refused") % {
            "limit": max_bytes // 1024 // 1024
        }
    return _("the OFD file is compressed more than %(ratio)d times (a zip bomb?); it is refused") % {"ratio": max_ratio}


def pdf_check(stream: IO[bytes]) -> None:
    """Parse a PDF with pypdf: it must open, not be encrypted, and have at least one page.

    Raises:
        UploadRefused: with the reason, in the user's language.
    """
    try:
        reader = PdfReader(stream, strict=False)
        if reader.is_encrypted:
            raise UploadRefused(_("the PDF is password-protected; send it without a password"))
        pages = len(reader.pages)
    except UploadRefused:
        raise
    except Exception as exc:
        raise UploadRefused(_("the PDF file is damaged and cannot be read")) from exc
    if pages < 1:
        raise UploadRefused(_("the PDF file has no page"))


def image_check(stream: IO[bytes], expected: str) -> None:
    """Read an image whole with Pillow (its format the one sniffed, its size bounded).

    Raises:
        UploadRefused: damaged, of another format, or too many pixels.
    """
    limit = _limit("LIANBAN_IMAGE_MAX_PIXELS", IMAGE_MAX_PIXELS)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(stream) as image:
                fmt = image.format
                width, height = image.size
                if width * height > limit:
                    raise UploadRefused(
                        _("the image has %(pixels)d pixels, at most %(limit)d are accepted")
                        % {"pixels": width * height, "limit": limit}
                    )
                image.load()
    except UploadRefused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise UploadRefused(_("the image is too large")) from exc
    except Exception as exc:
        raise UploadRefused(_("the image file is damaged and cannot be read")) from exc
    if _PIL_FORMATS.get(expected) != fmt:
        raise UploadRefused(_("the image file is damaged and cannot be read"))


_PIL_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG"}


def content_check(file: Any, content_type: str, size: int) -> None:
    """Parse the file as its sniffed type (PDF, image, OFD); UploadRefused with the reason otherwise."""
    file.seek(0)
    if content_type == "application/pdf":
        pdf_check(file)
    elif content_type in _PIL_FORMATS:
        image_check(file, content_type)
    elif content_type == OFD:
        ofd_check(file, size)
    file.seek(0)


def upload_store(*, file: File[bytes], folder: str) -> StoredFile:
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
    content_check(file, content_type, size)
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

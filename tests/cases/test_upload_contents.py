"""Uploads are parsed, not only sniffed: PDFs open with pypdf, images with Pillow, OFD zips are bounded."""

from __future__ import annotations

import io
import random
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import translation

import pytest
from PIL import Image

from lianban.cases.uploads import upload_store
from lianban.core.case_errors import UploadRefused
from tests.cases.kit import JPEG, PDF, PNG, ofd

pytestmark = pytest.mark.django_db


def _store(name: str, content: bytes) -> object:
    return upload_store(file=SimpleUploadedFile(name, content), folder="test")


def _zip(entries: dict[str, bytes], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _refusal(name: str, content: bytes) -> str:
    with pytest.raises(UploadRefused) as info:
        _store(name, content)
    return info.value.message


@pytest.fixture(autouse=True)
def english() -> object:
    with translation.override("en"):
        yield


# ------------------------------------------------------------------ OFD


def test_a_sound_ofd_is_accepted() -> None:
    assert upload_store(file=ofd(), folder="test").content_type == "application/ofd"


def test_a_zip_bomb_is_refused_with_the_reason() -> None:
    bomb = _zip({"OFD.xml": b"<ofd:OFD/>", "Doc_0/Res/fill.bin": b"\0" * (60 * 1024 * 1024)})
    assert len(bomb) < 200 * 1024  # 60 MB of zeros in well under 200 KB
    assert "zip bomb" in _refusal("bomb.ofd", bomb)


@override_settings(LIANBAN_OFD_MAX_UNCOMPRESSED_MB=1, LIANBAN_OFD_MAX_RATIO=10_000)
def test_an_ofd_unpacking_beyond_the_size_limit_is_refused() -> None:
    big = _zip({"OFD.xml": b"<ofd:OFD/>", "a.bin": b"x" * (2 * 1024 * 1024)})
    assert "more than 1 MB" in _refusal("big.ofd", big)


def test_an_ofd_whose_directory_understates_the_sizes_is_still_measured() -> None:
    """The limits count the bytes really unpacked, not the sizes the zip declares."""
    data = b"\0" * (40 * 1024 * 1024)
    content = bytearray(_zip({"OFD.xml": b"<ofd:OFD/>", "a.bin": data}))
    # forge the declared size of a.bin (local header and central directory) down to 10 bytes
    real = len(data).to_bytes(4, "little")
    assert content.count(real) == 2
    content = content.replace(real, (10).to_bytes(4, "little"))
    message = _refusal("forged.ofd", bytes(content))
    assert "zip bomb" in message or "damaged" in message


@override_settings(LIANBAN_OFD_MAX_ENTRIES=50)
def test_an_ofd_with_too_many_entries_is_refused() -> None:
    many = _zip({"OFD.xml": b"<ofd:OFD/>", **{f"Doc_0/p{n}.xml": b"<p/>" for n in range(60)}})
    assert "61 entries, at most 50" in _refusal("many.ofd", many)


def test_a_zip_named_ofd_without_its_entry_document_is_refused() -> None:
    assert "no OFD.xml" in _refusal("plain.ofd", _zip({"readme.txt": b"hello"}))


def test_a_damaged_ofd_is_refused() -> None:
    payload = random.Random(7).randbytes(5000)
    content = _zip({"OFD.xml": b"<ofd:OFD/>", "Doc_0/Res/image.bin": payload}, compression=zipfile.ZIP_STORED)
    start = content.index(payload)
    damaged = content[: start + 100] + bytes(b ^ 0xFF for b in payload[100:200]) + content[start + 200 :]
    assert len(damaged) == len(content)
    assert "damaged" in _refusal("damaged.ofd", damaged)


# ------------------------------------------------------------------ PDF


def test_a_real_pdf_is_accepted() -> None:
    assert upload_store(file=SimpleUploadedFile("a.pdf", PDF), folder="test").content_type == "application/pdf"


@pytest.mark.parametrize(
    "content",
    [b"%PDF-1.4\n" + b"garbage " * 100, b"%PDF-1.7\n%%EOF\n", PDF[: len(PDF) // 3]],
)
def test_a_file_that_only_starts_like_a_pdf_is_refused(content: bytes) -> None:
    assert "PDF" in _refusal("fake.pdf", content)


def test_a_password_protected_pdf_is_refused() -> None:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(PDF)))
    writer.encrypt("secret")
    buffer = io.BytesIO()
    writer.write(buffer)
    assert "password" in _refusal("locked.pdf", buffer.getvalue())


# ------------------------------------------------------------------ images


@pytest.mark.parametrize(("name", "content"), [("a.png", PNG), ("b.jpg", JPEG)])
def test_real_images_are_accepted(name: str, content: bytes) -> None:
    assert upload_store(file=SimpleUploadedFile(name, content), folder="test").size == len(content)


@pytest.mark.parametrize("content", [PNG[:40] + b"\0" * 40, JPEG[:30] + b"\0" * 30])
def test_a_truncated_or_damaged_image_is_refused(content: bytes) -> None:
    assert "image" in _refusal("broken.png", content)


@override_settings(LIANBAN_IMAGE_MAX_PIXELS=10_000)
def test_an_image_with_too_many_pixels_is_refused() -> None:
    buffer = io.BytesIO()
    Image.new("L", (200, 200)).save(buffer, "PNG")
    assert "40000 pixels" in _refusal("huge.png", buffer.getvalue())


def test_the_reason_is_in_chinese_for_chinese_users() -> None:
    bomb = _zip({"OFD.xml": b"<ofd:OFD/>", "fill.bin": b"\0" * (60 * 1024 * 1024)})
    with translation.override("zh-hans"):
        message = _refusal("bomb.ofd", bomb)
    assert "压缩" in message

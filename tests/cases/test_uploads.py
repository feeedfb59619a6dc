"""Uploads: the type is sniffed from the content, the size is limited, every file is kept."""

from __future__ import annotations

import hashlib

from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.test import override_settings

import pytest

from lianban.cases.models import MaterialState
from lianban.cases.services import case_material_upload
from lianban.cases.uploads import upload_sniff
from lianban.core.case_errors import ActionInvalid, MaterialUnknown, UploadRefused
from lianban.intake.services import intake_accept
from tests.cases.kit import JPEG, PDF, PNG, FrozenClock, People, check_all, material, ofd, pdf, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(people: People, clock: FrozenClock):  # type: ignore[no-untyped-def]
    return submit(people, thing="KFG", answers={"area": 200}, files=[])


def upload(people: People, case, file, code: str = "GSZC"):  # type: ignore[no-untyped-def]
    return case_material_upload(actor=people.applicant_user, case_id=case.pk, material_code=code, file=file)


@pytest.mark.parametrize(
    ("name", "content", "mime"),
    [("a.pdf", PDF, "application/pdf"), ("b.png", PNG, "image/png"), ("c.jpg", JPEG, "image/jpeg")],
)
def test_pdf_png_and_jpeg_are_accepted_with_digest_and_sniffed_type(
    people: People, case, name: str, content: bytes, mime: str
) -> None:  # type: ignore[no-untyped-def]
    stored = upload(people, case, SimpleUploadedFile(name, content, content_type="text/plain"))
    assert stored.content_type == mime
    assert stored.sha256 == hashlib.sha256(content).hexdigest()
    assert stored.size == len(content)
    assert stored.original_name == name
    assert stored.state == MaterialState.RECEIVED
    assert default_storage.exists(stored.file.name)
    with default_storage.open(stored.file.name) as saved:
        assert saved.read() == content


def test_an_ofd_container_is_accepted_but_a_plain_zip_is_not(people: People, case) -> None:  # type: ignore[no-untyped-def]
    assert upload(people, case, ofd()).content_type == "application/ofd"
    archive = ofd("archive.zip")
    with pytest.raises(UploadRefused, match="application/zip"):
        upload(people, case, archive)


def test_html_is_refused_whatever_its_name_says(people: People, case) -> None:  # type: ignore[no-untyped-def]
    html = SimpleUploadedFile("licence.pdf", b"<html><body><script>alert(1)</script></body></html>", "application/pdf")
    with pytest.raises(UploadRefused) as info:
        upload(people, case, html)
    assert info.value.code == "upload-refused"
    assert "not accepted" in info.value.message
    assert material(case, "GSZC").state == MaterialState.PENDING


def test_an_empty_file_is_refused(people: People, case) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(UploadRefused, match="empty"):
        upload(people, case, SimpleUploadedFile("empty.pdf", b""))


@override_settings(LIANBAN_MAX_UPLOAD_MB=1)
def test_an_oversized_file_is_refused_with_size_and_limit(people: People, case) -> None:  # type: ignore[no-untyped-def]
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * (1024 * 1024 + 1))
    with pytest.raises(UploadRefused) as info:
        upload(people, case, big)
    assert "1.0 MB" in info.value.message
    assert "limit is 1 MB" in info.value.message


def test_stored_names_are_not_guessable(people: People, case) -> None:  # type: ignore[no-untyped-def]
    first = upload(people, case, pdf("same.pdf")).file.name
    second = upload(people, case, pdf("same.pdf"), code="GSDJSQS").file.name
    assert first != second
    assert "same" not in first
    assert len(first.rsplit("/", 1)[-1]) > 20


def test_a_replaced_file_is_kept_and_named_in_the_event(people: People, case) -> None:  # type: ignore[no-untyped-def]
    old = upload(people, case, pdf("v1.pdf", PDF + b"v1")).file.name
    new = upload(people, case, pdf("v2.pdf", PDF + b"v2")).file.name
    assert old != new
    assert default_storage.exists(old)
    assert default_storage.exists(new)
    event = case.events.filter(action="material.replaced").get()
    assert event.before["file"] == old
    assert event.after["file"] == new
    assert event.before["sha256"] == hashlib.sha256(PDF + b"v1").hexdigest()


def test_only_materials_to_submit_can_be_uploaded(people: People, case) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(MaterialUnknown):
        upload(people, case, pdf(), code="YYZZ")
    with pytest.raises(MaterialUnknown):
        upload(people, case, pdf(), code="NOPE")


def test_uploads_stop_at_acceptance_except_promised_materials(people: People, clock: FrozenClock) -> None:
    case = submit(people, thing="KFG", answers={"area": 200})
    check_all(people, case)
    intake_accept(actor=people.clerk, case_id=case.pk)
    with pytest.raises(ActionInvalid):
        upload(people, case, pdf())


def test_strangers_cannot_upload_and_reviewers_may_not(people: People, case) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(Http404):
        case_material_upload(actor=people.other_user, case_id=case.pk, material_code="GSZC", file=pdf())
    with pytest.raises(Http404):
        case_material_upload(actor=people.other_clerk, case_id=case.pk, material_code="GSZC", file=pdf())
    with pytest.raises(PermissionDenied):
        case_material_upload(actor=people.supervisor, case_id=case.pk, material_code="GSZC", file=pdf())
    stored = case_material_upload(actor=people.clerk, case_id=case.pk, material_code="GSZC", file=pdf())
    assert stored.state == MaterialState.RECEIVED


def test_sniffing_needs_content_not_names() -> None:
    assert upload_sniff(head=PDF, name="x.txt") == ("application/pdf", "pdf")
    with pytest.raises(UploadRefused, match="unrecognised"):
        upload_sniff(head=b"just text", name="x.pdf")

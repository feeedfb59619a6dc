"""Each material once: uploads checked by the case engine's own rules (type from the content, size)."""

from __future__ import annotations

import json

from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

import pytest

from lianban.portal.models import DraftFile
from tests.cases.kit import JPEG, PDF, ofd, pdf

from .helpers import hotel_draft

pytestmark = pytest.mark.django_db

HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"


def upload(client, draft, code, file, *, json_wanted=True):
    headers = {"HTTP_ACCEPT": "application/json"} if json_wanted else {}
    return client.post(f"/apply/drafts/{draft.pk}/materials/{code}/", {"file": file}, **headers)


def test_a_good_pdf_is_stored_once_for_its_material(boss, people):
    draft = hotel_draft(people)
    response = upload(boss, draft, "GSZC", pdf("章程.pdf"))
    assert response.status_code == 200
    body = json.loads(response.content)
    assert body == {
        "ok": True,
        "material": "GSZC",
        "name": "章程.pdf",
        "size": "1 KB",
        "url": f"/apply/drafts/{draft.pk}/materials/GSZC/file/",
    }
    stored = DraftFile.objects.get(draft=draft, material_code="GSZC")
    assert (stored.content_type, stored.size, stored.original_name) == ("application/pdf", len(PDF), "章程.pdf")
    assert default_storage.open(stored.file.name).read() == PDF
    # the applicant can download it again
    download = boss.get(body["url"])
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert download["Content-Type"] == "application/pdf"


def test_jpeg_png_and_ofd_are_accepted_too(boss, people):
    draft = hotel_draft(people)
    assert upload(boss, draft, "GSZC", SimpleUploadedFile("a.jpg", JPEG)).status_code == 200
    assert upload(boss, draft, "ZSSY", ofd()).status_code == 200
    assert DraftFile.objects.get(draft=draft, material_code="ZSSY").content_type == "application/ofd"


def test_an_html_file_is_refused_with_the_reason(boss, people):
    draft = hotel_draft(people)
    response = upload(boss, draft, "GSZC", SimpleUploadedFile("scan.pdf", HTML, content_type="application/pdf"))
    assert response.status_code == 400
    body = json.loads(response.content)
    assert body["ok"] is False
    assert body["error"] == "file type unrecognised content is not accepted; send PDF, JPEG, PNG or OFD"
    assert not DraftFile.objects.exists()


def test_without_javascript_a_refusal_is_shown_at_the_material(boss, people):
    draft = hotel_draft(people)
    response = upload(boss, draft, "GSZC", SimpleUploadedFile("page.html", HTML), json_wanted=False)
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="err-GSZC" data-upload-error>file type unrecognised content is not accepted' in html
    # in Chinese, the engine's reason reads in Chinese too
    response = boss.post(
        f"/apply/drafts/{draft.pk}/materials/GSZC/",
        {"file": SimpleUploadedFile("p.html", HTML)},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert "不接受文件类型 无法识别的内容；请上传 PDF、JPEG、PNG 或 OFD 文件" in response.content.decode()


def test_without_javascript_a_good_upload_comes_back_to_the_material(boss, people):
    draft = hotel_draft(people)
    response = upload(boss, draft, "GSZC", pdf(), json_wanted=False)
    assert response.status_code == 302
    assert response["Location"] == f"/apply/drafts/{draft.pk}/#m-GSZC"
    assert "Uploaded: doc.pdf." in boss.get(response["Location"]).content.decode()


@override_settings(LIANBAN_MAX_UPLOAD_MB=1)
def test_an_oversize_file_is_refused_with_its_size_and_the_limit(boss, people):
    draft = hotel_draft(people)
    big = pdf("big.pdf", PDF + b"0" * (1024 * 1024 + 200 * 1024))
    response = upload(boss, draft, "GSZC", big)
    assert response.status_code == 400
    assert json.loads(response.content)["error"] == "the file is 1.2 MB, the limit is 1 MB"
    assert not DraftFile.objects.exists()


def test_an_empty_file_and_no_file_are_refused(boss, people):
    draft = hotel_draft(people)
    assert json.loads(upload(boss, draft, "GSZC", pdf("e.pdf", b"")).content)["error"] == "the file is empty"
    response = boss.post(f"/apply/drafts/{draft.pk}/materials/GSZC/", {}, HTTP_ACCEPT="application/json")
    assert json.loads(response.content)["error"] == "Choose a file first."


def test_only_materials_to_submit_take_a_file(boss, people):
    draft = hotel_draft(people)
    for code in ("YYZZ", "NOPE"):  # produced by an earlier item / not in the plan
        response = upload(boss, draft, code, pdf())
        assert response.status_code == 400
        assert "is not a material to submit" in json.loads(response.content)["error"]


def test_replacing_a_file_keeps_one_and_removes_the_old_one(boss, people, django_capture_on_commit_callbacks):
    draft = hotel_draft(people)
    upload(boss, draft, "GSZC", pdf("v1.pdf"))
    first = DraftFile.objects.get().file.name
    with django_capture_on_commit_callbacks(execute=True):
        upload(boss, draft, "GSZC", pdf("v2.pdf", PDF + b"%v2"))
    stored = DraftFile.objects.get()
    assert stored.original_name == "v2.pdf"
    assert not default_storage.exists(first)
    assert default_storage.exists(stored.file.name)

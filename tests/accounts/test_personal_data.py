"""Personal data at rest: SM4-GCM ciphertext in the database, HMAC-SM3 lookups, masking per role, key rotation."""

from __future__ import annotations

import stat
from pathlib import Path

from django.core.exceptions import FieldError, ImproperlyConfigured
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.urls import reverse

import pytest
from pytest_django import Settings

from lianban.accounts.models import Applicant, Role, User
from lianban.accounts.selectors import applicant_get_by_identity
from lianban.accounts.services import applicant_create
from lianban.cases.access import personal_form_keys
from lianban.cases.form_fields import field_definition
from lianban.cases.models import Case, ItemCase
from lianban.common import crypto
from lianban.common.fields import digest_of
from lianban.common.key_rotation import keys_inventory
from lianban.common.migration_helpers import rows_encrypt
from lianban.config.settings import _sqlite_file_private
from lianban.core.masking import mask
from lianban.intake.services import intake_accept
from lianban.portal.models import Draft
from lianban.portal.services import draft_start
from tests.accounts.keys import NEW_KEY, TEST_KEY_ENV
from tests.cases.kit import RIC, USCC, FrozenClock, People, check_all, make_user, submit

pytestmark = pytest.mark.django_db

PERSON_PHONE = "13912345678"


def raw(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT "{column}" FROM "{table}" WHERE id = %s', [pk])  # noqa: S608
        return cursor.fetchone()[0]


@pytest.fixture
def person() -> Applicant:
    user = make_user("citizen", Role.APPLICANT)
    user.phone = PERSON_PHONE
    user.save()
    return applicant_create(
        actor=user, kind="person", id_number=RIC, name="王五", contact_name="王五", contact_phone=PERSON_PHONE
    )


def test_identity_numbers_and_phones_are_ciphertext_in_the_database(person: Applicant) -> None:
    for column, plain in (("id_number", RIC), ("contact_phone", PERSON_PHONE)):
        stored = raw("accounts_applicant", column, person.pk)
        assert stored.startswith("sm4g1$t1$"), stored
        assert plain not in stored
    user_phone = raw("accounts_user", "phone", User.objects.get(username="citizen").pk)
    assert user_phone.startswith("sm4g1$t1$")
    assert PERSON_PHONE not in user_phone
    # Two encryptions of one value differ (random nonce): equal values are not visible as equal.
    assert crypto.encrypt(RIC, "x") != crypto.encrypt(RIC, "x")


def test_values_round_trip(person: Applicant) -> None:
    fresh = Applicant.objects.get(pk=person.pk)
    assert (fresh.id_number, fresh.contact_phone) == (RIC, PERSON_PHONE)
    assert User.objects.get(username="citizen").phone == PERSON_PHONE


def test_the_application_form_and_drafts_are_ciphertext(people: People, clock: FrozenClock) -> None:
    case = submit(people, thing="KFG", answers={"area": 200})
    stored = raw("cases_case", "form", case.pk)
    assert stored.startswith("sm4g1$")
    for value in case.form.values():
        if isinstance(value, str) and len(value) >= 6:  # shorter strings may occur in base64 by chance
            assert value not in stored
    assert Case.objects.get(pk=case.pk).form == case.form
    draft = draft_start(actor=people.applicant_user, applicant=people.applicant, thing_code="KFG", answers={"area": 1})
    assert draft.form  # prefilled from the profile
    assert raw("portal_draft", "form", draft.pk).startswith("sm4g1$")
    assert Draft.objects.get(pk=draft.pk).form == draft.form


def test_an_applicant_is_found_by_the_digest_of_its_number(person: Applicant) -> None:
    digest = raw("accounts_applicant", "id_number_digest", person.pk)
    assert len(digest) == 64
    assert RIC not in digest
    assert digest == digest_of(Applicant, "id_number", RIC)
    assert applicant_get_by_identity(kind="person", id_number=RIC) == person
    assert applicant_get_by_identity(kind="person", id_number="110105194912310037") is None
    # Registering the same identity again (a clerk at the window) finds the same applicant.
    clerk = make_user("clerk_x", Role.CLERK)
    again = applicant_create(
        actor=clerk, kind="person", id_number=RIC.lower(), name="王五", contact_name="王五", contact_phone="1"
    )
    assert again == person
    with pytest.raises(IntegrityError), transaction.atomic():
        Applicant.objects.create(kind="person", id_number=RIC, name="x", contact_name="x", contact_phone="1")


def test_an_encrypted_column_refuses_sql_comparisons(person: Applicant) -> None:
    with pytest.raises(FieldError, match="encrypted"):
        Applicant.objects.filter(id_number=RIC).exists()
    with pytest.raises(FieldError, match="encrypted"):
        Applicant.objects.filter(contact_phone__contains="139").exists()
    assert Applicant.objects.filter(contact_phone__isnull=False).exists()


def test_a_changed_or_moved_ciphertext_does_not_decrypt(person: Applicant) -> None:
    stored = raw("accounts_applicant", "id_number", person.pk)
    assert crypto.decrypt(stored, "accounts.applicant.id_number") == RIC
    with pytest.raises(crypto.DecryptionFailed):
        crypto.decrypt(stored, "accounts.applicant.contact_phone")  # copied into another column
    body = stored.rsplit("$", 1)[1]
    flipped = stored[: -len(body)] + ("A" if body[0] != "A" else "B") + body[1:]
    with pytest.raises(crypto.DecryptionFailed):
        crypto.decrypt(flipped, "accounts.applicant.id_number")


def test_the_data_migration_encrypts_rows_stored_in_clear(person: Applicant) -> None:
    from django.apps import apps

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE accounts_applicant SET id_number = %s, contact_phone = %s, id_number_digest = '' WHERE id = %s",
            [RIC, PERSON_PHONE, person.pk],
        )
    assert keys_inventory()["clear"] == 2
    rows_encrypt(apps, "accounts", "Applicant", ("id_number", "contact_phone"))
    assert raw("accounts_applicant", "id_number", person.pk).startswith("sm4g1$t1$")
    assert raw("accounts_applicant", "id_number_digest", person.pk) == digest_of(Applicant, "id_number", RIC)
    assert Applicant.objects.get(pk=person.pk).contact_phone == PERSON_PHONE
    assert keys_inventory()["clear"] == 0


def test_rotation_re_encrypts_everything_under_the_new_key(
    person: Applicant, people: People, clock: FrozenClock, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    case = submit(people, thing="KFG", answers={"area": 200})
    old = TEST_KEY_ENV["LIANBAN_DATA_KEYS"]
    settings.LIANBAN_DATA_KEYS = [NEW_KEY, old]
    assert Applicant.objects.get(pk=person.pk).id_number == RIC  # old ciphertexts still read
    call_command("keys", "rotate")
    out = capsys.readouterr().out
    assert "under key t2" in out
    assert set(keys_inventory()) == {"t2"}
    settings.LIANBAN_DATA_KEYS = [NEW_KEY]  # the old key removed
    assert Applicant.objects.get(pk=person.pk).id_number == RIC
    assert Case.objects.get(pk=case.pk).form == case.form
    assert raw("accounts_applicant", "contact_phone", person.pk).startswith("sm4g1$t2$")
    settings.LIANBAN_DATA_KEYS = [old]  # a value under a key no longer configured fails loudly
    with pytest.raises(crypto.DecryptionFailed, match="t2"):
        Applicant.objects.get(pk=person.pk)


def test_rotating_the_lookup_key_rewrites_the_digests(person: Applicant, settings: Settings) -> None:
    settings.LIANBAN_LOOKUP_KEY = "YW5vdGhlci1sb29rdXAta2V5LWZvci10ZXN0cw=="
    assert applicant_get_by_identity(kind="person", id_number=RIC) is None  # until the digests are rewritten
    call_command("keys", "rotate", "--digests")
    assert applicant_get_by_identity(kind="person", id_number=RIC) == person


def test_keys_are_required_outside_debug_and_demo(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(crypto, "_demo_allowed", False)  # an in-process `lianban demo` test may have set it
    settings.LIANBAN_DATA_KEYS = []
    settings.LIANBAN_LOOKUP_KEY = ""
    settings.DEBUG = False
    with pytest.raises(ImproperlyConfigured, match="LIANBAN_DATA_KEYS"):
        crypto.keys_required()
    errors = call_check_deploy()
    assert "lianban.E001" in errors
    settings.DEBUG = True
    assert crypto.keys_required().demo
    assert "lianban.E002" in call_check_deploy()
    settings.LIANBAN_DATA_KEYS = ["bad-entry"]
    settings.LIANBAN_LOOKUP_KEY = TEST_KEY_ENV["LIANBAN_LOOKUP_KEY"]
    with pytest.raises(ImproperlyConfigured, match="id:base64key"):
        crypto.keys_required()


def call_check_deploy() -> set[str]:
    from lianban.common.checks import personal_data_keys_check

    return {message.id for message in personal_data_keys_check() if message.id}


def test_masking() -> None:
    assert mask("420102199003071234", "id_number") == "4201**********1234"
    assert mask("91110000100000000R", "id_number") == "9111**********000R"
    assert mask("13812345678", "phone") == "138****5678"
    assert mask("027-87654321", "phone") == "027-****4321"
    assert mask("wangwu@example.cn", "email") == "w*****@example.cn"
    assert mask("wang@example.cn", "email") == "****@example.cn"
    assert mask("12345", "id_number") == "1****"
    assert mask("", "phone") == ""


def test_which_form_fields_are_personal_comes_from_the_catalog(people: People) -> None:
    assert field_definition("legal_person_id_no").is_personal  # id_number: personal by default
    assert field_definition("contact_phone").is_personal  # phone: personal by default
    assert not field_definition("company_name").is_personal
    assert not field_definition("no_such_key").is_personal


def _signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_window_clerk_sees_full_values_supervisors_and_reviewers_masked(people: People, clock: FrozenClock) -> None:
    case = submit(people, thing="KFG", answers={"area": 200})
    id_no = str(case.form["legal_person_id_no"])
    page = reverse("workbench:case", args=[case.pk])
    clerk_page = _signed_in(people.clerk).get(page).content.decode()
    assert USCC in clerk_page
    assert "13800000000" in clerk_page
    assert id_no in clerk_page
    supervisor_page = _signed_in(people.supervisor).get(page).content.decode()
    assert "9111**********000R" in supervisor_page  # the applicant's number (the form's uscc is not personal)
    assert "13800000000" not in supervisor_page
    assert id_no not in supervisor_page
    assert mask(id_no, "id_number") in supervisor_page
    check_all(people, case)
    intake_accept(actor=people.clerk, case_id=case.pk)
    item = ItemCase.objects.filter(case=case, state="DISPATCHED").select_related("department").first()
    assert item is not None
    reviewer = people.reviewer(item.department.code)
    item_page = _signed_in(reviewer).get(reverse("workbench:item", args=[item.pk])).content.decode()
    assert USCC not in item_page
    assert "9111**********000R" in item_page  # the applicant's identity, masked
    assert "13800000000" not in item_page  # no contact: requests go through 补正


def test_the_api_masks_personal_values_for_staff(people: People, clock: FrozenClock) -> None:
    case = submit(people, thing="KFG", answers={"area": 200})
    clerk_list = _signed_in(people.clerk).get("/api/applicants/").json()["results"]
    # the clerk lists the applicants with a case at their window (the other one has none), masked
    assert {row["id_number"] for row in clerk_list} == {"9111**********000R"}
    assert "13800000000" not in str(clerk_list)
    own = _signed_in(people.applicant_user).get("/api/applicants/").json()["results"]
    assert [row["id_number"] for row in own] == [USCC]
    id_no = str(case.form["legal_person_id_no"])
    as_supervisor = _signed_in(people.supervisor).get(f"/api/cases/{case.pk}").json()["form"]
    assert as_supervisor["legal_person_id_no"] == mask(id_no, "id_number")
    assert as_supervisor["contact_phone"] == "138****0000"
    assert as_supervisor["company_name"] == case.form["company_name"]  # not personal
    as_applicant = _signed_in(people.applicant_user).get(f"/api/cases/{case.pk}").json()["form"]
    assert as_applicant == case.form
    assert personal_form_keys(people.clerk, case) is None
    assert personal_form_keys(people.supervisor, case) == set()


def test_uploaded_files_and_the_sqlite_file_are_private(tmp_path: Path, settings: Settings) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    name = default_storage.save("cases/1/x.pdf", ContentFile(b"%PDF-1.4"))
    path = Path(default_storage.path(name))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    fresh = tmp_path / "db" / "lianban.sqlite3"
    _sqlite_file_private(str(fresh))
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o600
    loose = tmp_path / "old.sqlite3"
    loose.write_bytes(b"")
    loose.chmod(0o644)
    _sqlite_file_private(loose)
    assert stat.S_IMODE(loose.stat().st_mode) == 0o600

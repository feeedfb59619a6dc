"""Shared fixtures and helpers of the case-engine tests (cases, intake, review, issuance, supervision…).

Each test package's ``conftest.py`` imports the fixtures it needs from here.
The catalog is the demo catalog plus ``EXTRA_CATALOG``, which upserts two items
of the hotel so that the journey has a 容缺 material and fees to bill.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.utils import translation

import pytest
from PIL import Image
from pypdf import PdfWriter

from lianban.accounts.models import Applicant, Role, User
from lianban.accounts.services import applicant_create
from lianban.cases import clock as case_clock
from lianban.cases.models import Case, CaseMaterial, ItemCase
from lianban.cases.services import case_submit
from lianban.catalog import selectors as catalog_selectors
from lianban.catalog.models import Department
from lianban.catalog.selectors import compiled_thing
from lianban.catalog.services import CatalogFile, catalog_import
from lianban.core.planner import plan
from lianban.demo.cases import SAMPLE_FORM, sample_form
from lianban.demo.services import demo_catalog_files
from lianban.intake.services import intake_check
from lianban.workdays.services import work_calendar

TZ = ZoneInfo("Asia/Shanghai")
USCC = "91110000100000000R"
USCC_OTHER = "91440300MA5FXXXXXM"
RIC = "11010519491231002X"

EXTRA_CATALOG = """\
format: lianban-catalog/1
items:
  - code: WJ-GGWS
    name: 公共场所卫生许可
    department: WJ
    category: 行政许可
    legal_days: 20
    promised_days: 3
    fee: 20
    online: false
    materials:
      - {material: GGWSSQB}
      - {material: YYZZ}
      - {material: SFZ}
      - {material: DZFW}
      - {material: WSPM}
      - {material: WSJC, tolerable: true}
      - {material: WSZD}
      - {material: JZKT, when: "central_ac == true"}
    produces: [GGWSXKZ]
    fields: [company_name, uscc, legal_person, legal_person_id_no, address, contact_phone, venue_type, operating_area, central_ac]
  - code: CG-HWGG
    name: 户外广告设置审批
    department: CG
    category: 行政许可
    legal_days: 5
    promised_days: 2
    fee: 50
    online: false
    materials:
      - {material: HWGGSQB}
      - {material: YYZZ}
      - {material: HWGGXG}
      - {material: CDXY}
    produces: [HWGGPW]
    fields: [company_name, uscc, legal_person, legal_person_id_no, address, contact_phone, ad_location, ad_size, ad_content]
"""

HOTEL = {"area": 600, "central_ac": True, "has_catering": True}
HOTEL_STAGES = [
    ["SCJG-GSSL"],
    ["SCJG-SPJY", "ZJ-XFSJ", "STHJ-HPBA", "WJ-GGWS", "CG-HWGG"],
    ["ZJ-XFYS"],
    ["XF-JCXK"],
    ["GA-TZHY"],
]


def _blank_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=72, height=72)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _image(fmt: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (2, 2), (200, 30, 30)).save(buffer, fmt)
    return buffer.getvalue()


#: Small files that parse: the uploads are opened with pypdf and Pillow, not only sniffed.
PDF = _blank_pdf()
PNG = _image("PNG")
JPEG = _image("JPEG")


def pdf(name: str = "doc.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    """A small valid-looking PDF upload."""
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def ofd(name: str = "licence.ofd") -> SimpleUploadedFile:
    """An OFD e-document (a zip container)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("OFD.xml", "<ofd:OFD/>")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/ofd")


# ------------------------------------------------------------------- clock


class FrozenClock:
    """The case engine's clock, frozen at a moment the test moves explicitly."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def now(self) -> datetime:
        return self.moment

    def set(self, day: date, hour: int = 10) -> None:
        self.moment = datetime.combine(day, time(hour), tzinfo=TZ)

    def today(self) -> date:
        return self.moment.astimezone(TZ).date()

    def working_days(self, days: int) -> date:
        """Move forward by working days; returns the new date."""
        day = work_calendar().add_working_days(self.today(), days)
        self.set(day)
        return day

    def days(self, days: int) -> date:
        """Move forward by calendar days."""
        self.moment += timedelta(days=days)
        return self.today()


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FrozenClock:
    """Monday 2025-03-03, 10:00 in Shanghai (a working day; chinesecalendar covers 2025)."""
    frozen = FrozenClock(datetime(2025, 3, 3, 10, tzinfo=TZ))
    monkeypatch.setattr(case_clock, "now", frozen.now)
    return frozen


@pytest.fixture
def case_rows_wiped_first(transactional_db: None) -> Iterator[None]:
    """For transactional tests on SQLite: empty the tables with the cases first, before the flush.

    The append-only trigger refuses to delete an event whose case still exists,
    and Django's flush deletes tables in no particular order. Deleting the case
    rows first, then everything else, in one transaction (foreign keys are
    checked at commit) leaves the flush nothing to do. PostgreSQL flushes with
    TRUNCATE, which row triggers do not see.
    """
    yield
    if connection.vendor != "sqlite":
        return
    tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute('DELETE FROM "cases_case"')
        for table in sorted(tables):
            if table != "cases_case":
                cursor.execute(f'DELETE FROM "{table}"')  # noqa: S608 - table names from introspection


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Messages in English (the msgids), whatever the platform's default language."""
    with translation.override("en"):
        yield


# ------------------------------------------------------------------ people


@dataclass
class People:
    """Everyone a case meets."""

    applicant_user: User
    other_user: User
    clerk: User
    window: User
    other_clerk: User
    supervisor: User
    admin: User
    reviewers: dict[str, User]
    applicant: Applicant
    other_applicant: Applicant

    def reviewer(self, department: str) -> User:
        return self.reviewers[department]


def make_user(username: str, role: str, department: str | None = None) -> User:
    """A user with a role (and department)."""
    dept = Department.objects.get(code=department) if department else None
    return User.objects.create_user(username=username, password="x", role=role, department=dept)


def import_catalog(*files: CatalogFile) -> None:
    """Import catalog files and forget compiled things.

    ``compiled_thing`` caches by catalog revision, a number that tests rolled
    back reuse for other content; forgetting the cache keeps each test honest.
    """
    catalog_import(files=list(files))
    catalog_selectors._compiled.clear()


@pytest.fixture
def catalog(db: None) -> None:
    """The demo catalog plus the extra items used by the journey."""
    import_catalog(*demo_catalog_files(), CatalogFile("extra.yaml", EXTRA_CATALOG.encode()))


@pytest.fixture
def people(catalog: None) -> People:
    """An enterprise applicant with its user, another applicant, clerks, reviewers, supervisor, admin."""
    applicant_user = make_user("boss", Role.APPLICANT)
    other_user = make_user("stranger", Role.APPLICANT)
    applicant = applicant_create(
        actor=applicant_user,
        kind="enterprise",
        id_number=USCC,
        name="武汉联办酒店有限公司",
        contact_name="张三",
        contact_phone="13800000000",
        address="武汉市洪山区",
    )
    other = applicant_create(
        actor=other_user,
        kind="enterprise",
        id_number=USCC_OTHER,
        name="别家公司",
        contact_name="李四",
        contact_phone="13900000000",
    )
    reviewers = {
        code: make_user(f"rev_{code}", Role.REVIEWER, code) for code in ("SCJG", "ZJ", "STHJ", "XF", "WJ", "GA", "CG")
    }
    return People(
        applicant_user=applicant_user,
        other_user=other_user,
        clerk=make_user("clerk", Role.CLERK, "SCJG"),
        window=make_user("window", Role.CLERK, None),
        other_clerk=make_user("clerk_ga", Role.CLERK, "GA"),
        supervisor=make_user("super", Role.SUPERVISOR),
        admin=make_user("admin", Role.ADMIN),
        reviewers=reviewers,
        applicant=applicant,
        other_applicant=other,
    )


# ----------------------------------------------------------------- helpers


#: Personal data in the sample form: never shown by public tracking.
SAMPLE_PERSONAL = tuple(
    str(SAMPLE_FORM[key])
    for key in ("company_name", "uscc", "address", "legal_person", "legal_person_id_no", "contact_phone")
)


def full_form(thing: str, answers: dict[str, Any], licences: Iterable[str] = ()) -> dict[str, str | int | bool]:
    """A complete merged form for the plan of ``thing``, with the demo's plausible values."""
    return sample_form(plan(compiled_thing(thing), answers, tuple(licences)).fields)


def submit_codes(case: Case) -> list[str]:
    """Codes of the materials the applicant submits, in plan order."""
    return [m.code for m in case.frozen_plan.materials if m.provenance == "submit"]


def submit(
    people: People,
    *,
    thing: str = "KJD",
    answers: dict[str, Any] | None = None,
    files: Iterable[str] | None = None,
    skip: Iterable[str] = (),
    actor: User | None = None,
    applicant: Applicant | None = None,
    form: dict[str, Any] | None = None,
) -> Case:
    """Submit a case for ``people.applicant`` (or ``applicant``) with a PDF for every material to submit (but ``skip``).

    ``form``: values typed instead of the sample form's (for the plan's fields among them).
    """
    if answers is None:
        answers = HOTEL if thing == "KJD" else {"area": 200}
    applicant = applicant or people.applicant
    held = _licence_codes(applicant)
    planned = plan(compiled_thing(thing), answers, held)
    to_submit = [m.code for m in planned.materials if m.provenance == "submit"] if files is None else list(files)
    uploads = {code: pdf(f"{code}.pdf") for code in to_submit if code not in set(skip)}
    return case_submit(
        actor=actor or people.applicant_user,
        applicant=applicant,
        thing_code=thing,
        answers=answers,
        form={**(sample := full_form(thing, answers, held)), **{k: v for k, v in (form or {}).items() if k in sample}},
        files=uploads,
    )


def _licence_codes(applicant: Applicant) -> list[str]:
    from lianban.licences.selectors import licence_codes_held

    return licence_codes_held(holder=applicant, on=case_clock.today())


def check_all(people: People, case: Case, *, results: dict[str, tuple[str, str]] | None = None) -> None:
    """The clerk checks every material to submit: OK unless ``results`` says otherwise."""
    results = results or {}
    for code in submit_codes(case):
        result, reason = results.get(code, ("OK", ""))
        intake_check(actor=people.clerk, case_id=case.pk, material_code=code, result=result, reason=reason)


def items(case: Case) -> dict[str, ItemCase]:
    """The case's item cases by item code, fresh from the database."""
    return {i.item_code: i for i in ItemCase.objects.filter(case=case).order_by("position")}


def states(case: Case) -> dict[str, str]:
    """Item code → state, fresh from the database."""
    return {code: item.state for code, item in items(case).items()}


def material(case: Case, code: str) -> CaseMaterial:
    """One case material, fresh."""
    return CaseMaterial.objects.get(case=case, code=code)


def actions(case: Case) -> list[str]:
    """The actions of the case's audit trail, in order."""
    return list(case.events.order_by("at", "id").values_list("action", flat=True))


def fresh(case: Case) -> Case:
    """The case re-read from the database."""
    return Case.objects.get(pk=case.pk)

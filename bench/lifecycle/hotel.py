"""One complete hotel case (我要开酒店、宾馆, KJD) through the services, and the setup it needs.

A lifecycle, every step a public service call as the API would make it:

1. the applicant's agent submits (answers, the merged form, every material to
   submit as a small in-memory PDF), with an idempotency key;
2. the window clerk checks every submitted material OK (one call each);
3. the clerk accepts (the first item is dispatched);
4. for each item, in stage order, its department's reviewer takes it and
   approves it with a licence number (later items start by themselves, the
   licences flow to the items needing them);
5. the clerk marks the bill paid and issues every result together.

Setup (not measured): the demo catalog plus fees on two hotel items (so that
there is a bill to pay), a clerk, an agent, one reviewer per department, and
a pool of applicant companies — one new company per case, as in real life,
so that the licence library of one holder does not grow with the run.
"""

from __future__ import annotations

import io
import itertools
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

import yaml
from pypdf import PdfWriter

from lianban.accounts.models import Applicant, ApplicantMember, Role, User
from lianban.cases.models import Case
from lianban.cases.selectors import item_case_list
from lianban.cases.services import case_submit
from lianban.catalog.models import Department
from lianban.catalog.selectors import compiled_thing
from lianban.catalog.services import CatalogFile, catalog_import
from lianban.core.planner import plan
from lianban.demo.cases import sample_form
from lianban.demo.services import CATALOG_DIR, demo_catalog_files
from lianban.intake.services import intake_accept, intake_check
from lianban.issuance.services import bill_mark_paid, case_issue
from lianban.review.services import item_case_approve, item_case_take

THING = "KJD"
#: 600 m², central air conditioning, breakfast served: every hotel item but the small-venue filing.
ANSWERS: dict[str, Any] = {"area": 600, "central_ac": True, "has_catering": True}
#: Fees (yuan) put on two hotel items so that the case has a bill to pay (the demo catalog's are all 0).
FEES = {"WJ-GGWS": 20, "CG-HWGG": 50}


def _blank_pdf() -> bytes:
    """A one-page PDF (uploads are parsed, not only sniffed)."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


PDF = _blank_pdf()
POOL_CHUNK = 500


def fee_overlay() -> CatalogFile:
    """The demo's hotel items with fees, as a catalog file upserting them."""
    source = yaml.safe_load((CATALOG_DIR / "kjd.yaml").read_text(encoding="utf-8"))
    items = [dict(item, fee=FEES[item["code"]]) for item in source["items"] if item["code"] in FEES]
    assert len(items) == len(FEES), "the demo hotel lost an item the benchmark puts a fee on"
    text = yaml.safe_dump({"format": "lianban-catalog/1", "items": items}, allow_unicode=True, sort_keys=False)
    return CatalogFile("bench-fees.yaml", text.encode())


def catalog_load() -> None:
    """The demo catalog plus the fee overlay."""
    catalog_import(files=[*demo_catalog_files(), fee_overlay()])


class HotelLifecycle:
    """Runs complete hotel cases through the services; each call to :meth:`run` is one lifecycle.

    ``prefix`` makes licence numbers, idempotency keys and payment references
    unique across runs sharing a database.
    """

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.counter = 0
        self.agent = User.objects.create_user(username=f"{prefix}-agent", role=Role.APPLICANT)
        self.clerk = User.objects.create_user(
            username=f"{prefix}-clerk", role=Role.CLERK, department=Department.objects.get(code="SCJG")
        )
        planned = plan(compiled_thing(THING), ANSWERS)
        self.items = [item.code for item in planned.items]
        self.form = sample_form(planned.fields)
        self.to_submit = [m.code for m in planned.materials if m.provenance == "submit"]
        self.reviewers = {
            code: User.objects.create_user(
                username=f"{prefix}-reviewer-{code}", role=Role.REVIEWER, department=Department.objects.get(code=code)
            )
            for code in sorted({item.department for item in planned.items})
        }
        self._numbers = itertools.count(1)
        self._pool: list[Applicant] = []

    def token(self) -> str:
        """The unique token of the next lifecycle (in its keys, licence numbers and references)."""
        return f"{self.prefix}{self.counter + 1:07d}"

    def applicant(self) -> Applicant:
        """A company that has never applied (from a pool filled in bulk, outside the services)."""
        self.ensure_pool(1)
        return self._pool.pop()

    def ensure_pool(self, size: int) -> None:
        """At least ``size`` companies ready (so that the next lifecycles do not fill the pool)."""
        if len(self._pool) < size:
            self.fill_pool(max(size, POOL_CHUNK))

    @transaction.atomic
    def fill_pool(self, size: int) -> None:
        """Add ``size`` fresh companies the agent acts for."""
        numbers = [next(self._numbers) for _ in range(size)]
        created = Applicant.objects.bulk_create(
            Applicant(
                kind="enterprise",
                id_number=f"B{self.prefix[:4]}{n:013d}"[:18],
                name=f"联办酒店{self.prefix}-{n}有限公司",
                contact_name="张三",
                contact_phone="13800000000",
                address="武汉市洪山区",
            )
            for n in numbers
        )
        ApplicantMember.objects.bulk_create(ApplicantMember(applicant=a, user=self.agent) for a in created)
        self._pool.extend(reversed(created))

    def run(self) -> Case:
        """One complete lifecycle, from submission to issuance."""
        token = self.token()
        self.counter += 1
        files = {
            code: SimpleUploadedFile(f"{code}.pdf", PDF, content_type="application/pdf") for code in self.to_submit
        }
        case = case_submit(
            actor=self.agent,
            applicant=self.applicant(),
            thing_code=THING,
            answers=ANSWERS,
            form=self.form,
            files=files,
            idempotency_key=f"{token}-submit",
        )
        for code in self.to_submit:
            intake_check(actor=self.clerk, case_id=case.pk, material_code=code, result="OK")
        intake_accept(actor=self.clerk, case_id=case.pk, idempotency_key=f"{token}-accept")
        for item in sorted(item_case_list(case), key=lambda i: (i.stage, i.position)):
            reviewer = self.reviewers[item.department.code]
            item_case_take(actor=reviewer, item_case_id=item.pk, idempotency_key=f"{token}-take-{item.item_code}")
            item_case_approve(
                actor=reviewer,
                item_case_id=item.pk,
                licence_number=f"{token}-{item.item_code}",
                idempotency_key=f"{token}-approve-{item.item_code}",
            )
        bill_mark_paid(actor=self.clerk, case_id=case.pk, reference=f"{token}-pay", idempotency_key=f"{token}-pay")
        case_issue(actor=self.clerk, case_id=case.pk, method="PICKUP", idempotency_key=f"{token}-issue")
        return case

"""The workbenches speak Chinese: a complete, compiled catalog; words for every stored value; no English on the pages."""

from __future__ import annotations

import gettext
import re
from datetime import timedelta
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile

import pytest

from lianban.accounts.models import ApplicantKind
from lianban.cases import words
from lianban.cases.models import CaseOutcome, CaseState, Channel, DueStatus, ItemState, MaterialState
from lianban.cases.services import case_submit
from lianban.catalog.selectors import compiled_thing
from lianban.core.planner import plan
from lianban.demo.cases import sample_form
from lianban.intake.models import CheckResult, Decision
from lianban.intake.services import MaterialPromise, intake_accept, intake_check
from lianban.issuance.models import BillStatus, DeliveryMethod
from lianban.review.services import item_case_take
from lianban.supervision.models import Signal, SignalLevel, SignalSubject
from lianban.supervision.services import deadline_sweep
from tests.cases.kit import PDF, People
from tests.portal.test_i18n import english_words, po_entries
from tests.workbench.kit import approve, item

ROOT = Path(__file__).resolve().parents[2]
LOCALE = ROOT / "src" / "lianban" / "workbench" / "locale" / "zh_Hans" / "LC_MESSAGES"
#: Latin words a Chinese page may show: names of file formats.
ALLOWED = {"PDF", "JPEG", "PNG", "OFD", "YAML", "JSON", "pdf", "MB"}
#: Data, not words: tracking codes, catalog file names and the format's name.
DATA = re.compile(r"\b[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}\b|\b[\w-]+\.(?:yaml|json)\b|lianban-catalog/1")


def test_every_message_has_a_chinese_translation():
    entries = po_entries(LOCALE / "django.po")
    assert len(entries) > 200
    for entry in entries:
        assert "obsolete" not in entry, entry["msgid"]
        assert "fuzzy" not in entry["flags"], entry["msgid"]
        translated = entry.get("msgstr", entry.get("msgstr[0]", ""))
        assert translated, f"untranslated: {entry['msgid']!r}"
        latin = set(re.findall(r"[A-Za-z]{2,}", re.sub(r"%\(\w+\)[sd]", "", translated)))
        assert latin <= ALLOWED | {"lianban", "catalog"}, (entry["msgid"], latin)


def test_the_compiled_catalog_matches_the_po_file():
    with (LOCALE / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for entry in po_entries(LOCALE / "django.po"):
        if "msgid_plural" in entry:
            assert compiled.ngettext(entry["msgid"], entry["msgid_plural"], 2) == entry["msgstr[0]"], entry["msgid"]
        else:
            assert compiled.gettext(entry["msgid"]) == entry["msgstr"], entry["msgid"]


@pytest.mark.parametrize(
    ("table", "values"),
    [
        (words.CASE_STATES, CaseState.values),
        (words.OUTCOMES, CaseOutcome.values),
        (words.ITEM_STATES, ItemState.values),
        (words.DUE_STATUSES, DueStatus.values),
        (words.MATERIAL_STATES, MaterialState.values),
        (words.CHECK_RESULTS, CheckResult.values),
        (words.DECISIONS, ["", *Decision.values]),
        (words.CHANNELS, Channel.values),
        (words.BILL_STATUSES, BillStatus.values),
        (words.DELIVERY_METHODS, DeliveryMethod.values),
        (words.APPLICANT_KINDS, ApplicantKind.values),
        (words.SIGNAL_LEVELS, SignalLevel.values),
        (words.SIGNAL_SUBJECTS, SignalSubject.values),
    ],
)
def test_every_stored_value_has_words(table, values):
    assert set(values) <= set(table)


def test_every_audit_action_of_the_lifecycle_has_words():
    doc = (ROOT / "docs" / "case-lifecycle.md").read_text(encoding="utf-8")
    listed = doc[doc.index("reason. Actions:") : doc.index("In `before`/`after`")]
    actions = set()
    for group in re.findall(r"`([a-z]+)\.([a-z_/]+)`", listed):
        actions |= {f"{group[0]}.{name}" for name in group[1].split("/")}
    assert len(actions) > 20
    assert actions <= set(words.ACTIONS), actions - set(words.ACTIONS)


# ------------------------------------------------------------------ pages


def chinese_people(people: People) -> None:
    for user, name in (
        (people.applicant_user, "张三"),
        (people.clerk, "李四"),
        (people.supervisor, "赵六"),
        (people.admin, "钱七"),
        *((reviewer, f"审批员{index}") for index, reviewer in enumerate(people.reviewers.values())),
    ):
        user.display_name = name
        user.save(update_fields=["display_name"])


def chinese_hotel(people: People, skip: tuple[str, ...] = ()):
    answers = {"area": 600, "central_ac": True, "has_catering": True}
    planned = plan(compiled_thing("KJD"), answers, ())
    files = {
        m.code: SimpleUploadedFile(f"{m.name}.pdf", PDF, content_type="application/pdf")
        for m in planned.materials
        if m.provenance == "submit" and m.code not in skip
    }
    return case_submit(
        actor=people.applicant_user,
        applicant=people.applicant,
        thing_code="KJD",
        answers=answers,
        form=sample_form(planned.fields),
        files=files,
    )


def visible_english(html: str) -> list[str]:
    return [word for word in english_words(DATA.sub("", html)) if word not in ALLOWED]


def test_the_pages_in_chinese_show_no_english(people, clock, client):
    chinese_people(people)
    waiting = chinese_hotel(people)
    running = chinese_hotel(people, skip=("WSJC",))
    for code in [m.code for m in running.materials.filter(provenance="submit")]:
        if code == "WSJC":
            intake_check(actor=people.clerk, case_id=running.pk, material_code=code, result="MISSING", reason="检测中")
        else:
            intake_check(actor=people.clerk, case_id=running.pk, material_code=code, result="OK", paper=code == "SFZ")
    promise = MaterialPromise(due=clock.today() + timedelta(days=5), text="五日内补交")
    intake_accept(actor=people.clerk, case_id=running.pk, promises={"WSJC": promise})
    approve(people, item(running, "SCJG-GSSL"), number="营字001号")
    hygiene = item(running, "WJ-GGWS")
    item_case_take(actor=people.reviewer("WJ"), item_case_id=hygiene.pk)
    clock.working_days(4)
    deadline_sweep()  # signals (提示/黄牌/红牌) on the queues and the supervision page
    assert Signal.objects.filter(level="RED").exists() and Signal.objects.exclude(level="RED").exists()

    pages = [
        (people.clerk, "/work/window/"),
        (people.clerk, "/work/window/issuance/"),
        (people.clerk, f"/work/cases/{waiting.pk}/"),
        (people.clerk, f"/work/cases/{running.pk}/"),
        (people.reviewer("WJ"), "/work/department/"),
        (people.reviewer("WJ"), f"/work/department/items/{hygiene.pk}/"),
        (people.supervisor, "/work/supervision/"),
        (people.supervisor, "/work/supervision/?state=IN_PROGRESS&overdue=on"),
        (people.supervisor, f"/work/cases/{running.pk}/"),
        (people.admin, "/work/catalog/"),
    ]
    for user, path in pages:
        client.force_login(user)
        response = client.get(path, HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert response.status_code == 200, path
        leaks = visible_english(response.content.decode())
        assert leaks == [], (path, leaks)

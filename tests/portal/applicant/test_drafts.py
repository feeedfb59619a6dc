"""The draft: the one merged form from the plan's fields, prefilled, saved, autosaved, resumed, deleted."""

from __future__ import annotations

import json

from django.core.files.storage import default_storage

import pytest

from lianban.catalog.models import FieldDefinition
from lianban.portal.models import Draft, DraftFile
from lianban.portal.services import draft_file_store
from tests.cases.kit import pdf

from .helpers import hotel_draft

pytestmark = pytest.mark.django_db


def test_the_form_has_one_field_per_plan_field_with_labels_help_and_prefill(boss, people):
    draft = hotel_draft(people)
    html = boss.get(f"/apply/drafts/{draft.pk}/").content.decode()
    planned_fields = [
        "company_name",
        "legal_person",
        "legal_person_id_no",
        "address",
        "registered_capital",
        "business_scope",
        "shareholders",
        "uscc",
        "contact_phone",
        "food_business_items",
        "operating_area",
        "project_name",
        "building_area",
        "design_unit",
        "construction_unit",
        "project_type",
        "venue_name",
        "fire_safety_manager",
        "venue_type",
        "central_ac",
    ]
    labels = dict(FieldDefinition.objects.values_list("key", "label"))
    for key in planned_fields:
        assert html.count(f'data-field="{key}"') == 1, key
        assert f">{labels[key]}<" in html, key
    # labels and help from the catalog's definitions, not the keys
    assert "统一社会信用代码" in html and "手机号码，或带区号的固定电话" in html
    assert "表单项" not in html and ">uscc<" not in html
    # what the profile and the answers already say
    assert f'name="field-company_name" value="{people.applicant.name}"' in html
    assert f'name="field-uscc" value="{people.applicant.id_number}"' in html
    assert 'name="field-contact_phone" value="13800000000"' in html
    assert 'name="field-building_area" value="600"' in html
    assert 'type="checkbox" id="f-central_ac" name="field-central_ac" value="true" checked' in html
    assert 'type="tel"' in html and 'type="number" step="any" min="0"' in html
    # a choice of up to five options is asked with radio buttons
    assert 'id="f-project_type" name="field-project_type" value="新建"' in html


def test_a_key_the_catalog_does_not_define_gets_a_text_field_labelled_with_its_key(people):
    from lianban.cases.form_fields import clean_value, field_definition

    definition = field_definition("mystery_key")
    assert definition.label == "mystery_key" and definition.type == "text" and definition.required
    assert clean_value(definition, "  something ") == ("something", None)
    assert clean_value(definition, "")[1] == "Please fill in mystery_key."


def test_saving_keeps_what_was_typed_and_the_draft_resumes_with_it(boss, people):
    draft = hotel_draft(people)
    response = boss.post(
        f"/apply/drafts/{draft.pk}/",
        {
            "action": "save",
            "field-legal_person": "张三",
            "field-registered_capital": "abc",
            "answer-area": "600",
            "answer-central_ac": "true",
            "answer-has_catering": "true",
        },
    )
    assert response.status_code == 302 and response["Location"] == f"/apply/drafts/{draft.pk}/"
    draft.refresh_from_db()
    assert draft.form["legal_person"] == "张三"
    assert draft.form["registered_capital"] == "abc"  # a draft keeps what was typed, checked on submit
    html = boss.get(response["Location"]).content.decode()
    assert 'name="field-legal_person" value="张三"' in html
    assert "Draft saved." in html


def test_autosave_answers_json_and_stores_the_fields(boss, people):
    draft = hotel_draft(people)
    response = boss.post(
        f"/apply/drafts/{draft.pk}/",
        {"action": "autosave", "field-venue_name": "江城大酒店", "answer-area": "100"},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 200
    body = json.loads(response.content)
    assert body["ok"] is True and body["saved_at"] == "10:00"
    draft.refresh_from_db()
    assert draft.form["venue_name"] == "江城大酒店"
    assert draft.answers["area"] == 600  # answers change the plan: only the explicit save changes them


def test_changing_an_answer_changes_the_form_and_the_materials(boss, people):
    draft = hotel_draft(people)
    boss.post(
        f"/apply/drafts/{draft.pk}/",
        {"action": "save", "answer-area": "200", "answer-central_ac": "false", "answer-has_catering": "false"},
    )
    draft.refresh_from_db()
    assert draft.answers == {"area": 200, "central_ac": False, "has_catering": False}
    html = boss.get(f"/apply/drafts/{draft.pk}/").content.decode()
    assert 'data-field="food_business_items"' not in html  # 食品经营许可 is no longer needed
    assert 'data-material="XFSJSQB"' not in html  # nor the fire design review


def test_a_bad_answer_is_shown_next_to_its_question_and_not_saved(boss, people):
    draft = hotel_draft(people)
    response = boss.post(
        f"/apply/drafts/{draft.pk}/",
        {"action": "save", "answer-area": "-5", "answer-central_ac": "true", "answer-has_catering": "true"},
    )
    assert response.status_code == 400
    assert "must be at least 0" in response.content.decode()
    draft.refresh_from_db()
    assert draft.answers["area"] == 600


def test_drafts_are_listed_in_my_cases_and_can_be_deleted_with_their_files(
    boss, people, django_capture_on_commit_callbacks
):
    draft = hotel_draft(people)
    stored = draft_file_store(actor=people.applicant_user, draft_id=draft.pk, material_code="GSZC", file=pdf())
    html = boss.get("/my/cases/").content.decode()
    assert f'data-draft="{draft.pk}"' in html and f'href="/apply/drafts/{draft.pk}/"' in html
    assert default_storage.exists(stored.file.name)
    with django_capture_on_commit_callbacks(execute=True):
        response = boss.post(f"/apply/drafts/{draft.pk}/delete/")
    assert response.status_code == 302 and response["Location"] == "/my/cases/"
    assert not Draft.objects.filter(pk=draft.pk).exists()
    assert not DraftFile.objects.exists()
    assert not default_storage.exists(stored.file.name)
    assert f'data-draft="{draft.pk}"' not in boss.get("/my/cases/").content.decode()


def test_deleting_asks_first(boss, people):
    draft = hotel_draft(people)
    html = boss.get(f"/apply/drafts/{draft.pk}/").content.decode()
    assert f'action="/apply/drafts/{draft.pk}/delete/" class="delete-form" data-confirm=' in html
    assert boss.get(f"/apply/drafts/{draft.pk}/delete/").status_code == 302  # GET deletes nothing
    assert Draft.objects.filter(pk=draft.pk).exists()

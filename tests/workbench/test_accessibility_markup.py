"""Staff pages' markup for assistive technology: catalog words marked Chinese in the English interface,
``aria-required`` on required controls (axe-core checks the rest in ``tests/browser/test_accessibility.py``)."""

from __future__ import annotations

import re

import pytest

from tests.cases.kit import submit

pytestmark = pytest.mark.django_db


def test_the_window_case_page_marks_the_catalog_words_chinese_in_english_only(people, clock, signed_in):
    case = submit(people)
    client = signed_in(people.clerk)
    english = client.get(f"/work/cases/{case.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="en"' in english
    marked = re.findall(r'<(?:h1|span|td|legend)[^>]*lang="zh-Hans"[^>]*>([^<]+)<', english)
    assert "我要开酒店、宾馆" in marked  # the thing
    assert any("章程" in text for text in marked), marked  # a material
    assert not any(re.search(r"[A-Za-z]{3,}", text) for text in marked), marked  # nothing of the interface
    chinese = client.get(f"/work/cases/{case.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'lang="zh-Hans"' not in chinese


def test_required_controls_of_the_staff_forms_say_so(people, clock, signed_in):
    case = submit(people)
    html = signed_in(people.clerk).get(f"/work/cases/{case.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    required = re.findall(r"<(?:input|textarea|select)\b[^>]*\brequired\b[^>]*>", html)
    assert any('type="radio"' not in control for control in required), required
    for control in required:
        if 'type="radio"' in control or 'type="checkbox"' in control:
            assert "aria-required" not in control, control  # ARIA allows it on the group only
        else:
            assert 'aria-required="true"' in control, control

"""The markup the accessibility rules ask for, page by page (the browser test runs axe-core over all of it).

The form: ``aria-required`` on every required field, no heading inside an expand control, the
catalog's Chinese words marked ``lang="zh-Hans"`` in the English interface (and nothing marked in
the Chinese one). Messages: a live region around a list. 大字版: the server renders the visitor's
choice from its cookie. ``LIANBAN_LANGUAGE``: one language whatever the browser asks.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from django.test import override_settings

import pytest

from .helpers import hotel_draft

pytestmark = pytest.mark.django_db


class Elements(HTMLParser):
    """Every start tag with its attributes and the tags open around it."""

    VOID = {"input", "br", "img", "meta", "link", "hr", "source", "wbr"}

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None], tuple[str, ...]]] = []
        self.stack: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs), tuple(self.stack)))
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag in self.stack:
            while self.stack.pop() != tag:
                pass


def elements(html: str) -> list[tuple[str, dict[str, str | None], tuple[str, ...]]]:
    parser = Elements()
    parser.feed(html)
    return parser.found


def test_every_field_of_the_draft_form_says_it_is_required(boss, people):
    draft = hotel_draft(people)
    html = boss.get(f"/apply/drafts/{draft.pk}/").content.decode()
    fields = [
        (tag, attrs) for tag, attrs, _ in elements(html) if str(attrs.get("name", "")).startswith(("field-", "answer-"))
    ]
    assert len(fields) > 20
    text_fields = [(tag, a) for tag, a in fields if a.get("type") not in ("radio", "checkbox", "hidden")]
    assert text_fields and all(a.get("aria-required") == "true" for _, a in text_fields), text_fields
    # a radio may not carry it (ARIA): its group does
    assert all("aria-required" not in a for _, a in fields if a.get("type") == "radio")
    groups = [a for tag, a, _ in elements(html) if tag == "fieldset" and a.get("role") == "radiogroup"]
    assert groups and all(a.get("aria-required") == "true" for a in groups)


def test_no_heading_sits_inside_an_expand_control(boss, people):
    draft = hotel_draft(people)
    html = boss.get(f"/apply/drafts/{draft.pk}/").content.decode()
    found = elements(html)
    assert any(tag == "summary" for tag, _, _ in found)
    inside = [tag for tag, _, around in found if re.fullmatch(r"h[1-6]", tag) and ("summary" in around)]
    assert inside == []
    assert any(tag == "h2" and attrs.get("id") == "answers-title" for tag, attrs, _ in found)


def test_catalog_words_are_marked_chinese_in_the_english_interface_only(boss, people):
    draft = hotel_draft(people)
    english = boss.get(f"/apply/drafts/{draft.pk}/").content.decode()
    assert '<html lang="en"' in english
    marked = re.findall(r'<(?:h1|span|strong|p)[^>]*lang="zh-Hans"[^>]*>([^<]+)<', english)
    assert "我要开酒店、宾馆" in marked  # the thing's name
    assert any("营业执照" in text or "章程" in text for text in marked), marked  # material names
    assert len(marked) > 10  # questions and item names too
    assert "Legal representative" not in marked  # the form's labels are the interface's words, in English
    chinese = boss.get(f"/apply/drafts/{draft.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert '<html lang="zh-hans"' in chinese
    assert 'lang="zh-Hans"' not in chinese


def test_the_messages_are_a_list_inside_a_live_region(boss, people):
    draft = hotel_draft(people)
    response = boss.post(f"/apply/drafts/{draft.pk}/delete/", follow=True)
    html = response.content.decode()
    found = elements(html)
    lists = [(attrs, around) for tag, attrs, around in found if tag == "ul" and "messages" in str(attrs.get("class"))]
    assert lists, "deleting the draft shows a message"
    assert "The draft was deleted." in html
    attrs, around = lists[0]
    assert "role" not in attrs  # a list stays a list
    regions = [
        a for tag, a, _ in found if tag == "div" and a.get("role") == "status" and a.get("class") == "messages-region"
    ]
    assert len(regions) == 1 and "div" in around


def test_the_large_text_choice_is_rendered_by_the_server(client, people):
    normal = client.get("/track/").content.decode()
    assert re.search(r"<html lang=\"[^\"]+\">", normal)
    assert 'aria-pressed="false"' in normal and "data-text-size" in normal
    client.cookies["lianban_text_size"] = "large"
    large = client.get("/track/").content.decode()
    assert re.search(r'<html [^>]*class="large-text"', large)
    assert re.search(r'data-text-size aria-pressed="true"', large)
    client.cookies["lianban_text_size"] = "<script>"
    assert not re.search(r"<html [^>]*large-text", client.get("/track/").content.decode())


def test_a_fixed_language_wins_over_the_browser_and_the_cookie(client, people):
    assert '<html lang="en"' in client.get("/track/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    with override_settings(LIANBAN_LANGUAGE="zh-hans"):
        client.cookies["django_language"] = "en"
        response = client.get("/track/", HTTP_ACCEPT_LANGUAGE="en")
        assert '<html lang="zh-hans"' in response.content.decode()
        assert response["Content-Language"] == "zh-hans"

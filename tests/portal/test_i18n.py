"""Every string a user sees comes out in Chinese.

Two checks: the portal's catalog is complete and compiled (every msgid has a
Chinese msgstr, nothing fuzzy, the committed ``.mo`` matches the ``.po``); and
the pages rendered in ``zh-hans`` show no English word, in their text or in
the attributes people read (labels, placeholders, titles).
"""

from __future__ import annotations

import ast
import gettext
import re
from html.parser import HTMLParser
from pathlib import Path

from django.utils import translation

import pytest

from lianban.accounts.models import Role, User

LOCALE = Path(__file__).resolve().parents[2] / "src" / "lianban" / "portal" / "locale" / "zh_Hans" / "LC_MESSAGES"
ENGLISH_WORD = re.compile(r"[A-Za-z]{2,}")
#: Latin that is not English: names of file formats and units a Chinese page writes as they are.
NAMES = {"PDF", "JPEG", "PNG", "OFD", "MB", "KB", "SHA"}
PLACEHOLDER = re.compile(r"%\(\w+\)[.\d]*[sdf]")
READ_ATTRIBUTES = {"title", "placeholder", "aria-label", "alt", "data-copied"}
PAGES = [
    "/",
    "/search/?q=开个小饭店",
    "/search/?q=航天飞机",
    "/guide/KJD/",
    "/guide/KJD/?area=600&central_ac=true&has_catering=true",
    "/guide/KJD/?area=abc&central_ac=true",
    "/guide/KJD/?area=-1",
    "/guide/PT-MOVE/",
    "/guide/PT-MOVE/?reason=旅游&people=20",
    "/guide/PT-MOVE/?reason=工作&people=5&renting=true",
    "/guide/PT-PLAIN/",
    "/accounts/login/?next=/guide/KJD/",
    "/track/",
    "/track/?code=不存在的编号",
    "/no-such-page/",
]


def po_entries(path: Path) -> list[dict[str, str]]:
    """The entries of a .po file: msgid, msgid_plural, msgstr / msgstr[0], flags."""
    entries = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        entry: dict[str, str] = {"flags": ""}
        key = None
        for line in block.splitlines():
            if line.startswith("#,"):
                entry["flags"] += line
            match = re.match(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?) (".*")$', line)
            if match:
                key = match.group(1)
                entry[key] = ast.literal_eval(match.group(2))
            elif line.startswith('"') and key:
                entry[key] += ast.literal_eval(line)
            elif line.startswith("#~"):
                entry["obsolete"] = "yes"
        if entry.get("msgid"):
            entries.append(entry)
    return entries


class VisibleText(HTMLParser):
    """Text a person reads: text nodes (not scripts or styles) and readable attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:
            if value and (
                name in READ_ATTRIBUTES
                or (tag == "input" and name == "value" and dict(attrs).get("type") in ("submit", "button"))
            ):
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.parts.append(data.strip())


def english_words(html: str) -> list[str]:
    parser = VisibleText()
    parser.feed(html)
    return [word for part in parser.parts for word in ENGLISH_WORD.findall(part) if word not in NAMES]


def test_every_message_has_a_chinese_translation():
    entries = po_entries(LOCALE / "django.po")
    assert len(entries) > 100
    for entry in entries:
        assert "obsolete" not in entry, entry["msgid"]
        assert "fuzzy" not in entry["flags"], entry["msgid"]
        translated = entry.get("msgstr", entry.get("msgstr[0]", ""))
        assert translated, f"untranslated: {entry['msgid']!r}"
        words = ENGLISH_WORD.findall(PLACEHOLDER.sub("", translated))
        assert [w for w in words if w not in NAMES] == [], entry["msgid"]


def test_the_compiled_catalog_matches_the_po_file():
    with (LOCALE / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for entry in po_entries(LOCALE / "django.po"):
        if "msgid_plural" in entry:
            assert compiled.ngettext(entry["msgid"], entry["msgid_plural"], 2) == entry["msgstr[0]"], entry["msgid"]
        elif "msgctxt" in entry:
            assert compiled.pgettext(entry["msgctxt"], entry["msgid"]) == entry["msgstr"], entry["msgid"]
        else:
            assert compiled.gettext(entry["msgid"]) == entry["msgstr"], entry["msgid"]


@pytest.mark.django_db
@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("role", [None, Role.APPLICANT, Role.ADMIN])
def test_pages_in_chinese_show_no_english(client, extra_catalog, path, role):
    if role:
        client.force_login(
            User.objects.create_user("someone", display_name="张三", role=role, is_staff=role == Role.ADMIN)
        )
    response = client.get(path, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code in (200, 400, 404)
    html = response.content.decode()
    # Catalog data is Chinese; the only Latin a page may show is what the user typed (abc).
    leaks = [w for w in english_words(html) if w not in {"abc"}]
    assert leaks == [], f"{path}: {leaks}"


@pytest.mark.django_db
def test_the_same_pages_in_english_are_english(client, extra_catalog):
    html = client.get("/guide/KJD/?area=600&central_ac=true&has_catering=true", HTTP_ACCEPT_LANGUAGE="en").content
    words = set(english_words(html.decode()))
    assert {"Stages", "Materials", "Separately"} <= words
    with translation.override("en"):
        assert translation.gettext("Skip to content") == "Skip to content"
